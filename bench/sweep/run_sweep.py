#!/usr/bin/env python3
"""Shape sweep: one convolution or product per shape class (make_sweep.py),
fp32 and int8 (qopt's static quantization, calibrated on the input), timed
by qopt-run --bench on one thread; GOP/s (2 ops per multiply-add) and % of
the core's measured peak (peak.c: fp32 FMA; int8 VNNI with AVX-512, the
exact vpmaddwd form with AVX2), and % of the roofline: the time the class
needs at least, at the peak or at the copy bandwidth peak.c measures for
the bytes it must move (float input and output, weights in 4 or 1 bytes),
whichever is longer -- a depthwise convolution is bounded by memory long
before the FMA peak. Then the slowest class of each type, by both.

  run_sweep.py BUILD_DIR [RUNS]

Asserts nothing: timings are not tests.
"""
import os
import re
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))
build = sys.argv[1]
runs = sys.argv[2] if len(sys.argv) > 2 else "20"
out = os.path.join(build, "bench", "sweep")
os.makedirs(out, exist_ok=True)
tool = lambda t: os.path.join(build, "bin", t)

peak_bin = os.path.join(out, "peak")
subprocess.run(["clang-22", "-O2", os.path.join(here, "peak.c"), "-o", peak_bin], check=True)
peak = {}
bandwidth = 0.0
for line in subprocess.run([peak_bin], check=True, capture_output=True,
                           text=True).stdout.splitlines():
    f = line.split()
    if f[0] == "peak" and len(f) == 3:
        peak[f[1]] = float(f[2])
    elif f[0] == "bandwidth":
        bandwidth = float(f[1])
    elif f[0] == "isa":
        isa = f[1]
classes = subprocess.run([sys.executable, os.path.join(here, "make_sweep.py"), out],
                         check=True, capture_output=True, text=True).stdout.split("\n")

env = dict(os.environ, OMP_NUM_THREADS="1")


def bench(name, n_inputs, int8):
    inputs = [os.path.join(out, f"{name}_in{k}.npy") for k in range(n_inputs)]
    cmd = [tool("qopt-run"), os.path.join(out, name + ".onnx"), "--bench", runs]
    for x in inputs:
        cmd += ["--input", x]
    if int8:
        cmd += ["--quantize=static", "--calibration-data=" + ",".join(inputs),
                "--quality-check=false"]
    r = subprocess.run(cmd, capture_output=True, text=True, env=env)
    m = re.search(r"median ([0-9.]+) ms", r.stdout)
    return float(m.group(1)) if m else None


print(f"peaks ({isa}): fp32 {peak.get('fp32', 0):.0f} GOP/s, int8 {peak.get('int8', 0):.0f} GOP/s; "
      f"copy bandwidth {bandwidth:.1f} GB/s")
print(f"{'class':30s} {'GOP':>7s} {'fp32 ms':>8s} {'GOP/s':>7s} {'%peak':>6s} {'%roof':>6s}"
      f" {'int8 ms':>8s} {'GOP/s':>7s} {'%peak':>6s} {'%roof':>6s}")
worst = {"fp32": (None, 1e9), "int8": (None, 1e9)}
worst_roof = {"fp32": (None, 1e9), "int8": (None, 1e9)}
for line in classes:
    if not line:
        continue
    name, macs, ins, moved, weights = line.split("|")
    gop = 2 * int(macs) / 1e9
    row = f"{name:30s} {gop:7.3f}"
    for kind in ("fp32", "int8"):
        ms = bench(name, len(ins.split(",")), kind == "int8")
        if ms is None:
            row += f" {'error':>8s} {'':>7s} {'':>6s} {'':>6s}"
            continue
        gops = gop / (ms / 1e3)
        pct = 100 * gops / peak[kind] if peak.get(kind) else 0
        nbytes = 4 * int(moved) + (4 if kind == "fp32" else 1) * int(weights)
        least_ms = max(gop / peak[kind] if peak.get(kind) else 0,
                       nbytes / 1e9 / bandwidth if bandwidth else 0) * 1e3
        roof = 100 * least_ms / ms
        row += f" {ms:8.3f} {gops:7.1f} {pct:5.1f}% {roof:5.1f}%"
        if pct < worst[kind][1]:
            worst[kind] = (name, pct)
        if roof < worst_roof[kind][1]:
            worst_roof[kind] = (name, roof)
    print(row, flush=True)
for kind, (name, pct) in worst.items():
    print(f"slowest {kind} class: {name} ({pct:.1f}% of peak)")
for kind, (name, roof) in worst_roof.items():
    print(f"slowest {kind} class by roofline: {name} ({roof:.1f}% of its roofline)")
