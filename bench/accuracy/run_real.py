#!/usr/bin/env python3
"""Accuracy of qopt's post-training quantization on the kit's real models
(PaddleOCR v4 detection and recognition, Silero VAD v5, openWakeWord
melspectrogram and embedding) with their task metrics, against ONNX
Runtime fp32 (the kit's recorded outputs, kit/real/ref). Issue #23's
real-model rows: one line per model and method.

  run_real.py [--kit ../shared/kit] [--build build] [--work /tmp/qopt-real-accuracy]
              [--models ppocr_rec_v4,...] [--methods nearest,equalize,...]

Methods (qopt-run --quantize=static, per-channel int8 weights, int8
activations, min/max calibration on the kit's calibration inputs):
  nearest   the default recipe (ONNX Runtime's)
  equalize  --equalize (cross-layer equalization, bias absorption)
  learned   --rounding=learned --bias-correction (GPTQ, then bias correction)
  mixed     --accuracy-target: per-layer precision raised where it buys the
            most until the task bar below holds on the calibration inputs;
            the share of float layers is printed
Task metrics (first output vs ORT fp32, on the kit's evaluation inputs, which
the calibration and the search never see): per-frame argmax agreement (ctc),
decision agreement (vad), text-map IoU at 0.3 (det), SQNR (feature).
Asserts nothing; prints one table.
"""
import argparse
import os
import re
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

METHODS = {
    "nearest": [],
    "equalize": ["--equalize"],
    "learned": ["--rounding=learned", "--bias-correction"],
    "mixed": None,  # per model: the target below
}
# --accuracy-target per task kind (measured on the calibration inputs).
TARGETS = {"ctc": "agreement:0.99", "cls": "agreement:0.99", "det": "sqnr:20",
           "vad": "sqnr:35", "feature": "sqnr:30"}


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kit", default=os.path.join(ROOT, "..", "shared", "kit"))
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--work", default="/tmp/qopt-real-accuracy")
    ap.add_argument("--models")
    ap.add_argument("--methods", default=",".join(METHODS))
    a = ap.parse_args()
    real = os.path.join(a.kit, "real")
    sys.path.insert(0, real)
    import check_real  # the kit's model list and task metrics

    run_bin = os.path.join(a.build, "bin", "qopt-run")
    os.makedirs(a.work, exist_ok=True)
    zoo = [m for m in check_real.ZOO if not a.models or m["name"] in a.models.split(",")]
    print(f"{'model':<20} {'method':<9} {'SQNR dB':>8}  {'task metric':<34} {'float layers':<13} {'s':>6}")
    for m in zoo:
        refdir = os.path.join(real, "ref", m["name"])
        refs = sorted(os.listdir(refdir), key=lambda s: int(re.sub(r"\D", "", s)))
        ref = np.load(os.path.join(refdir, refs[0]))
        base = [run_bin, os.path.join(real, "models", m["onnx"])]
        base += [f"--input-shape={s}" for s in m["shapes"]]
        base += ["--quantize=static",
                 "--calibration-data=" + ",".join(os.path.join(real, "inputs", c) for c in m["calib"])]
        for i in m["inputs"]:
            base += ["--input", os.path.join(real, "inputs", i)]
        for method in a.methods.split(","):
            flags = METHODS[method]
            if flags is None:
                flags = ["--accuracy-target=" + TARGETS[m["kind"]]]
            # One --output per model output (the first is measured).
            outs = [os.path.join(a.work, f"{m['name']}.{method}.{k}.npy") for k in range(len(refs))]
            out = outs[0]
            for o in outs:
                if os.path.exists(o):
                    os.remove(o)
            t0 = time.time()
            p = subprocess.run(base + flags + [arg for o in outs for arg in ("--output", o)],
                               capture_output=True, text=True)
            dt = time.time() - t0
            if p.returncode != 0 or not os.path.exists(out):
                err = next((l for l in p.stderr.splitlines() if "error:" in l), p.stderr[-200:])
                print(f"{m['name']:<20} {method:<9} {'-':>8}  failed: {err.strip()[:120]}")
                continue
            got = np.load(out).reshape(ref.shape)
            _, _, text = check_real.task_metric(m["kind"], ref, got)
            floats = re.search(r"\(([0-9.]+)% float", p.stderr)
            print(f"{m['name']:<20} {method:<9} {check_real.sqnr(ref, got):8.1f}  {text:<34} "
                  f"{(floats.group(1) + '%') if floats else '-':<13} {dt:6.0f}", flush=True)


if __name__ == "__main__":
    main()
