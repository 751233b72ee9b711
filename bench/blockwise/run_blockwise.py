#!/usr/bin/env python3
"""Blockwise (group-wise) int4 weights against int8 and fp32 at the same
product shapes: one MatMul with constant weights [K, N], batch rows M, timed
by qopt-run --bench on one thread. Columns: fp32; int8 (dynamic: activation
scale at run time, VNNI/pair products; static: calibrated on the input);
weight-only blockwise int4 in blocks of 32 and 128 (float activations,
weights unpacked in registers); W4A8: the same int4 blocks with int8
activations quantized at run time (--quantize=dynamic --weight-group-size:
integer dot products per block, nibbles unpacked in registers); and
per-channel weight-only int8 (on the same packed kernel, one block per
column). Ratios are against the int8 dynamic kernel, the issue's yardstick
(#23: within 1.3x).

A second table times ONNX Runtime (onnxruntime-node, installed by
bench/install_ort.sh into BUILD_DIR/bench/ort; skipped without node) in the
same run: fp32 on the float model and com.microsoft MatMulNBits made from
the same weights with ORT's own blockwise recipe (4 bits, blocks of 32,
zero points), at accuracy_level 0 (float activations) and 4 (int8
activations per block: ORT's W4A8), against qopt's W4A8 in blocks of 32.

  run_blockwise.py BUILD_DIR [RUNS]

Asserts nothing: timings are not tests.
"""
import os
import re
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

build = sys.argv[1]
runs = sys.argv[2] if len(sys.argv) > 2 else "20"
out = os.path.join(build, "bench", "blockwise")
os.makedirs(out, exist_ok=True)
run = os.path.join(build, "bin", "qopt-run")
env = dict(os.environ, OMP_NUM_THREADS="1")
rng = np.random.default_rng(0)

SHAPES = [(1, 4096, 4096), (1, 4096, 11008), (1, 2048, 2048), (4, 2048, 2048),
          (16, 1024, 1024), (64, 1024, 1024)]
KINDS = [("fp32", []),
         ("int8 dyn", ["--quantize=dynamic"]),
         ("int8 static", ["--quantize=static", "--calibration-data={x}", "--quality-check=false"]),
         ("int4 g32", ["--quantize=weight-only", "--weight-bits=4", "--weight-group-size=32"]),
         ("int4 g128", ["--quantize=weight-only", "--weight-bits=4", "--weight-group-size=128"]),
         ("w4a8 g32", ["--quantize=dynamic", "--weight-bits=4", "--weight-group-size=32"]),
         ("w4a8 g128", ["--quantize=dynamic", "--weight-bits=4", "--weight-group-size=128"]),
         ("int8 w-only", ["--quantize=weight-only"])]
RATIOS = ["int4 g32", "w4a8 g32"]


def model(m, k, n):
    name = f"mm_{m}x{k}x{n}"
    path = os.path.join(out, name + ".onnx")
    xpath = os.path.join(out, name + "_x.npy")
    if not os.path.exists(path):
        w = (rng.standard_normal((k, n)) / np.sqrt(k)).astype(np.float32)
        g = helper.make_graph([helper.make_node("MatMul", ["x", "w"], ["y"], name="mm")], name,
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [m, k])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [m, n])],
                              [numpy_helper.from_array(w, "w")])
        mp = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
        mp.ir_version = 8
        onnx.save(mp, path)
        np.save(xpath, rng.standard_normal((m, k)).astype(np.float32))
    return path, xpath


def bench(path, xpath, flags):
    cmd = [run, path, "--input", xpath, "--bench", runs] + [f.format(x=xpath) for f in flags]
    r = subprocess.run(cmd, capture_output=True, text=True, env=env)
    t = re.search(r"median ([0-9.]+) ms", r.stdout)
    return float(t.group(1)) if t else None


print(f"{'M x K x N':18s}" + "".join(f"{k:>13s}" for k, _ in KINDS) +
      "".join(f"   {r} / int8 dyn" for r in RATIOS))
for m, k, n in SHAPES:
    path, xpath = model(m, k, n)
    times = {kind: bench(path, xpath, flags) for kind, flags in KINDS}
    row = f"{m}x{k}x{n}".ljust(18)
    for kind, _ in KINDS:
        row += f"{times[kind]:11.3f}ms" if times[kind] else f"{'error':>13s}"
    for r in RATIOS:
        ratio = times[r] / times["int8 dyn"] if times[r] and times["int8 dyn"] else None
        row += f"{ratio:>{len(r) + 14}.2f}x" if ratio else f"{'-':>{len(r) + 15}s}"
    print(row, flush=True)


def matmul_nbits(m, k, n, level, block=32):
    """The float model's weights as ORT's blockwise quantizer writes them
    (asymmetric, range widened to hold 0, unsigned 4-bit) in a MatMulNBits
    node with the given accuracy_level."""
    name = f"nbits_{m}x{k}x{n}_al{level}"
    path = os.path.join(out, name + ".onnx")
    if os.path.exists(path):
        return path
    fp32 = onnx.load(os.path.join(out, f"mm_{m}x{k}x{n}.onnx"))
    w = numpy_helper.to_array(fp32.graph.initializer[0]).T  # [N, K]
    blocks = k // block
    wb = w.reshape(n, blocks, block).astype(np.float64)
    lo, hi = np.minimum(wb.min(2), 0), np.maximum(wb.max(2), 0)
    sc = ((hi - lo) / 15).astype(np.float32)
    safe = np.where(sc > 0, sc, 1).astype(np.float64)
    z = np.where(sc > 0, np.clip(np.round(-lo / safe), 0, 15), 0).astype(np.int64)
    q = np.clip(np.round(wb / safe[..., None]) + z[..., None], 0, 15).astype(np.int64)
    packed = (q[..., 0::2] | (q[..., 1::2] << 4)).astype(np.uint8)
    zp = z if blocks % 2 == 0 else np.pad(z, ((0, 0), (0, 1)))
    zpacked = (zp[:, 0::2] | (zp[:, 1::2] << 4)).astype(np.uint8).reshape(-1)
    node = helper.make_node("MatMulNBits", ["x", "b", "s", "zp"], ["y"], domain="com.microsoft",
                            K=k, N=n, bits=4, block_size=block, accuracy_level=level)
    g = helper.make_graph([node], name,
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, [m, k])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [m, n])],
                          [numpy_helper.from_array(packed, "b"),
                           numpy_helper.from_array(sc.reshape(-1), "s"),
                           numpy_helper.from_array(zpacked, "zp")])
    mp = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17),
                                             helper.make_opsetid("com.microsoft", 1)])
    mp.ir_version = 8
    onnx.save(mp, path)
    return path


root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
kit = os.environ.get("QOPT_KIT", os.path.join(root, "..", "shared", "kit"))
ort_dir = os.path.join(build, "bench", "ort")
have_node = subprocess.run(["sh", "-c", "command -v node"], capture_output=True).returncode == 0
if not have_node or not os.path.isdir(kit):
    print("\n(ONNX Runtime table skipped: needs node and the kit)")
    sys.exit(0)
subprocess.run([os.path.join(root, "bench", "install_ort.sh"), ort_dir, kit], check=True)
subprocess.run(["cp", os.path.join(root, "bench", "real", "ort_bench.js"), ort_dir], check=True)


def ort(path, xpath):
    r = subprocess.run(["node", os.path.join(ort_dir, "ort_bench.js"), path, "x=" + xpath,
                        "--threads", "1", "--iters", runs], capture_output=True, text=True)
    t = re.search(r'"median_ms":([0-9.]+)', r.stdout)
    return float(t.group(1)) if t else None


print(f"\n{'M x K x N':18s}{'ORT fp32':>13s}{'ORT nbits a0':>14s}{'ORT nbits a4':>14s}"
      f"{'qopt w4a8':>13s}   qopt w4a8 / ORT a4")
for m, k, n in SHAPES:
    path, xpath = model(m, k, n)
    row = f"{m}x{k}x{n}".ljust(18)
    t = [ort(path, xpath), ort(matmul_nbits(m, k, n, 0), xpath), ort(matmul_nbits(m, k, n, 4), xpath),
         bench(path, xpath, ["--quantize=dynamic", "--weight-bits=4", "--weight-group-size=32"])]
    for v, width in zip(t, (13, 14, 14, 13)):
        row += f"{v:{width - 2}.3f}ms" if v else f"{'error':>{width}s}"
    row += f"   {t[3] / t[2]:.2f}x" if t[2] and t[3] else "   -"
    print(row, flush=True)
