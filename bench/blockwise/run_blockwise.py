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
