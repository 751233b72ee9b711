#!/usr/bin/env python3
"""Kernel benchmark: qopt's int8 and fp32 convolutions against oneDNN's on
the resnet18@224 layer shapes and mobilenet_v2's depthwise shapes
(shapes.txt), single-threaded, measured in one run on this machine.

  run_kernels.py BUILD_DIR [RUNS]

Prints, per shape and type, GOP/s of both (2 ops per multiply-add), their
share of the machine's measured peak (512-bit FMA / VNNI), and
qopt/oneDNN as a speed ratio (above 1: qopt is faster); then the median
ratio over the resnet18 shapes. Asserts nothing: timings are not tests.
"""
import os
import re
import statistics
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))
build = sys.argv[1]
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 50
out = os.path.join(build, "bench", "kernels")
os.makedirs(out, exist_ok=True)
shapes_txt = os.path.join(here, "shapes.txt")
tool = lambda t: os.path.join(build, "bin", t)

onednn = os.path.join(out, "onednn_conv")
subprocess.run(["clang++-22", "-O2", "-std=c++17", os.path.join(here, "onednn_conv.cpp"),
                "-ldnnl", "-o", onednn], check=True)
subprocess.run([sys.executable, os.path.join(here, "make_kernels.py"), shapes_txt, out],
               check=True)

shapes = []
for line in open(shapes_txt):
    f = line.split("#")[0].split()
    if f:
        name, c, h, w, fo, k, s, p, g = f[0], *map(int, f[1:])
        oh, ow = (h + 2 * p - k) // s + 1, (w + 2 * p - k) // s + 1
        shapes.append((name, 2 * oh * ow * fo * (c // g) * k * k / 1e9))

env = dict(os.environ, OMP_NUM_THREADS="1")
dnnl = {}
peak = {}
for line in subprocess.run([onednn, shapes_txt, str(runs)], env=env, check=True,
                           capture_output=True, text=True).stdout.splitlines():
    f = line.split()
    if f[0] == "peak":
        peak[f[1]] = float(f[2])
    else:
        dnnl[(f[1], f[2])] = float(f[3])


def qopt_ms(name, kind):
    model = os.path.join(out, f"{name}.{kind}.mlir")
    if kind == "int8":
        lowered = os.path.join(out, f"{name}.int8.lowered.mlir")
        subprocess.run([tool("qopt"), "--integer-only", model, "-o", lowered], check=True)
        model = lowered
    x = os.path.join(out, f"{name}.{'u8' if kind == 'int8' else 'f32'}.npy")
    r = subprocess.run([tool("qopt-run"), model, "--input", x, "--bench", str(runs)],
                       check=True, capture_output=True, text=True).stdout
    return float(re.search(r"median ([0-9.]+) ms", r).group(1))


# Without AVX-512 (VNNI), the peaks come from the sweep's peak.c (AVX2).
if "fp32" not in peak or "int8" not in peak:
    peak_bin = os.path.join(out, "peak")
    subprocess.run(["clang-22", "-O2", os.path.join(here, "..", "sweep", "peak.c"),
                    "-o", peak_bin], check=True)
    for line in subprocess.run([peak_bin], check=True, capture_output=True,
                               text=True).stdout.splitlines():
        f = line.split()
        if f[0] == "peak" and len(f) == 3:
            peak.setdefault(f[1], float(f[2]))
print(f"machine peak (1 core): fp32 {peak['fp32']:.0f} GOP/s, int8 {peak['int8']:.0f} GOP/s")
print(f"{'shape':<18} {'type':<5} {'qopt GOP/s':>10} {'%peak':>6} {'oneDNN':>8} {'%peak':>6} {'qopt/oneDNN':>11}")
ratios = {"int8": [], "fp32": []}
for name, gop in shapes:
    for kind in ("int8", "fp32"):
        q = gop / (qopt_ms(name, kind) / 1e3)
        d = gop / (dnnl[(name, kind)] / 1e3)
        if name.startswith("r18."):
            ratios[kind].append(q / d)
        print(f"{name:<18} {kind:<5} {q:10.1f} {100 * q / peak[kind]:5.0f}% {d:8.1f} "
              f"{100 * d / peak[kind]:5.0f}% {q / d:11.2f}")
for kind in ("int8", "fp32"):
    if ratios[kind]:
        print(f"median qopt/oneDNN over the resnet18 layers, {kind}: "
              f"{statistics.median(ratios[kind]):.2f}")
