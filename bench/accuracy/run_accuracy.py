#!/usr/bin/env python3
"""Accuracy of qopt's post-training quantization methods against ONNX
Runtime's recipe, on the kit's Fashion-MNIST models and their harder
variants (issue #23). Prints one table: test accuracy (%) per model,
precision and method, and ONNX Runtime's where it can run.

  run_accuracy.py [--kit ../shared/kit] [--build build] [--work /tmp/qopt-accuracy]
                  [--models resnet8,resnet8_spread64,...] [--methods nearest,equalize]
                  [--precisions w8a8_pc,w8a8_pt,w4a8_pc,w4a8_pt] [--ort]

Methods (qopt-run --quantize=static flags on top of the precision's):
  nearest     the ONNX Runtime recipe: min/max calibration, round to nearest
  equalize    --equalize: cross-layer equalization first
  bias        --bias-correction: the weights' expected error out of the biases
  learned     --rounding=learned --bias-correction: GPTQ, then bias correction
  eq+learned  all three

--ort also runs ONNX Runtime (onnxruntime-node, installed with npm into the
work directory the first time, as bench/run_bench.sh does) on QDQ models
built by the kit's make_qdq.py (W4: its int8 weights re-rounded to [-7, 7]).
Test accuracy on 10,000 images has a standard error of about 0.3 points.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

PRECISIONS = {
    "w8a8_pc": ["--weight-bits=8", "--per-channel=true"],
    "w8a8_pt": ["--weight-bits=8", "--per-channel=false"],
    "w4a8_pc": ["--weight-bits=4", "--per-channel=true"],
    "w4a8_pt": ["--weight-bits=4", "--per-channel=false"],
}
METHODS = {
    "nearest": [],
    "equalize": ["--equalize"],
    "bias": ["--bias-correction"],
    "learned": ["--rounding=learned", "--bias-correction"],
    "eq+learned": ["--equalize", "--rounding=learned", "--bias-correction"],
}


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def prepare_models(args, names):
    """The kit's two models and their variants (make_variants.py) in work/."""
    models = {}
    kit_models = os.path.join(args.kit, "fmnist", "models")
    for base in ("resnet8", "mbv2s"):
        src = os.path.join(kit_models, "fmnist_%s_fp32.onnx" % base)
        models[base] = src
        if any(n.startswith(base + "_") for n in names):
            sh([sys.executable, os.path.join(HERE, "make_variants.py"), src, args.work],
               stdout=subprocess.DEVNULL)
            for tag in ("spread64", "outlier"):
                models["%s_%s" % (base, tag)] = os.path.join(
                    args.work, "fmnist_%s_%s.onnx" % (base, tag))
    return {n: models[n] for n in names}


def test_data(args):
    x = os.path.join(args.work, "fmnist_test_x.npy")
    if not os.path.exists(x):
        sh([sys.executable, os.path.join(args.kit, "fmnist", "make_data.py"), args.work],
           stdout=subprocess.DEVNULL)
    return x, os.path.join(args.work, "fmnist_test_y.npy"), \
        os.path.join(args.work, "fmnist_calib_x.npy")


def qopt_accuracy(args, model, flags, x, y, calib, tag):
    out = os.path.join(args.work, tag + ".npy")
    cmd = [os.path.join(args.build, "bin", "qopt-run"), model, "--input", x, "--output", out,
           "--batch-size", "500"]
    if flags is not None:
        cmd += ["--quantize=static", "--calibration-data=" + calib,
                "--quality-check=false"] + flags
    sh(cmd, stderr=subprocess.DEVNULL)
    return 100.0 * float((np.load(out).argmax(1) == np.load(y)).mean())


class ORT:
    """ONNX Runtime through the kit's node runner and QDQ builder."""

    def __init__(self, args):
        self.args = args
        self.dir = os.path.join(args.work, "ort")
        if not os.path.isdir(os.path.join(self.dir, "node_modules", "onnxruntime-node")):
            os.makedirs(self.dir, exist_ok=True)
            for f in os.listdir(os.path.join(args.kit, "ort")):
                shutil.copy(os.path.join(args.kit, "ort", f), self.dir)
            sh(["npm", "install", "--ignore-scripts", "--no-audit", "--no-fund"], cwd=self.dir,
               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.make_qdq = os.path.join(args.kit, "scripts", "make_qdq.py")

    def node(self, *a):
        return sh(["node", os.path.join(self.dir, "ort_run.js")] + list(a),
                  stdout=subprocess.PIPE, text=True).stdout

    def accuracy(self, model, precision, x, y, calib, tag):
        w = self.args.work
        aug, stats = os.path.join(w, tag + ".aug.onnx"), os.path.join(w, tag + ".stats.json")
        qdq = os.path.join(w, tag + ".qdq.onnx")
        if not os.path.exists(stats):
            sh([sys.executable, self.make_qdq, "augment", model, aug], stdout=subprocess.DEVNULL)
            self.node("calib", aug, calib, stats)
        build = [sys.executable, self.make_qdq, "build", model, stats, qdq]
        if precision.endswith("_pt"):
            build.append("--per-tensor")
        sh(build, stdout=subprocess.DEVNULL)
        if precision.startswith("w4"):
            reround_w4(qdq)
        out = os.path.join(w, tag + ".ort.npy")
        self.node("eval", qdq, x, y, "--out", out, "--bs", "500")
        return 100.0 * float((np.load(out).argmax(1) == np.load(y)).mean())


def reround_w4(path):
    """The kit's W4 recipe: int8 QDQ weights re-rounded to nearest on
    [-7, 7] (scale max|w| / 7 per channel or tensor), biases re-quantized at
    the new scale s_x * s_w."""
    import onnx
    from onnx import numpy_helper
    m = onnx.load(path)
    g = m.graph
    inits = {t.name: t for t in g.initializer}
    dq = {n.output[0]: n for n in g.node if n.op_type == "DequantizeLinear"}

    def arr(name):
        return numpy_helper.to_array(inits[name])

    def put(name, a):
        inits[name].CopyFrom(numpy_helper.from_array(a, name))

    for n in g.node:
        if n.op_type not in ("Conv", "Gemm", "MatMul") or len(n.input) < 2:
            continue
        wdq = dq.get(n.input[1])
        if wdq is None or wdq.input[0] not in inits:
            continue
        q, s = arr(wdq.input[0]).astype(np.float64), arr(wdq.input[1]).astype(np.float64)
        per_channel = s.ndim == 1 and s.size > 1
        shp = (-1,) + (1,) * (q.ndim - 1)
        w = q * (s.reshape(shp) if per_channel else s)
        r = np.abs(w).reshape(w.shape[0], -1).max(1) if per_channel else np.abs(w).max()
        s4 = np.maximum(r / 7.0, 1e-12)
        q4 = np.clip(np.round(w / (s4.reshape(shp) if per_channel else s4)), -7, 7)
        put(wdq.input[0], q4.astype(np.int8))
        put(wdq.input[1], s4.astype(np.float32))
        if len(n.input) > 2 and n.input[2] in dq:
            bdq = dq[n.input[2]]
            bq, bs = arr(bdq.input[0]).astype(np.float64), arr(bdq.input[1]).astype(np.float64)
            b = bq * bs
            bs4 = bs / s * s4
            put(bdq.input[0], np.round(b / bs4).astype(np.int32))
            put(bdq.input[1], np.asarray(bs4, np.float32).reshape(bs.shape))
    onnx.save(m, path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--kit", default=os.path.join(ROOT, "..", "shared", "kit"))
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--work", default="/tmp/qopt-accuracy")
    ap.add_argument("--models", default="resnet8,mbv2s,resnet8_spread64,resnet8_outlier")
    ap.add_argument("--methods", default=",".join(METHODS))
    ap.add_argument("--precisions", default=",".join(PRECISIONS))
    ap.add_argument("--ort", action="store_true")
    ap.add_argument("--json", help="also write the results here")
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    names = args.models.split(",")
    methods = args.methods.split(",")
    precisions = args.precisions.split(",")
    models = prepare_models(args, names)
    x, y, calib = test_data(args)
    ort = ORT(args) if args.ort else None
    results = []
    cols = methods + (["ort"] if ort else [])
    print("%-20s %-8s %7s  %s" % ("model", "prec", "fp32", "  ".join("%9s" % c for c in cols)))
    for name, path in models.items():
        fp32 = qopt_accuracy(args, path, None, x, y, calib, name + ".fp32")
        for p in precisions:
            row = {"model": name, "precision": p, "fp32": fp32}
            for meth in methods:
                row[meth] = qopt_accuracy(args, path, PRECISIONS[p] + METHODS[meth], x, y, calib,
                                          "%s.%s.%s" % (name, p, meth))
            if ort:
                row["ort"] = ort.accuracy(path, p, x, y, calib, "%s.%s" % (name, p))
            results.append(row)
            print("%-20s %-8s %7.2f  %s" % (name, p, fp32,
                                            "  ".join("%9.2f" % row[c] for c in cols)), flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
