#!/usr/bin/env python3
"""Writes one qopt model per convolution shape of shapes.txt, int8 and fp32,
with NHWC input and output (a transpose at each end of the model, which
qopt folds into the convolution's own layout permutations, so that the model
is the convolution kernel: padding, the convolution, bias and
requantization) and random weights, plus an NHWC input per shape.

  make_kernels.py SHAPES OUT_DIR      (writes OUT_DIR/<name>.{int8,fp32}.mlir
                                       and OUT_DIR/<name>.{u8,f32}.npy)
"""
import sys

import numpy as np


def shapes(path):
    for line in open(path):
        line = line.split("#")[0].split()
        if line:
            name, *v = line
            yield name, [int(x) for x in v]


def out_size(h, k, s, p):
    return (h + 2 * p - k) // s + 1


def dense(a, elt):
    """A dense attribute in MLIR's hex form (compact for large weights)."""
    return 'dense<"0x%s"> : tensor<%s%s>' % (
        a.tobytes().hex().upper(), "x".join(map(str, a.shape)) + "x", elt)


def model(name, c, h, w, f, k, s, p, g, int8, rng):
    oh, ow = out_size(h, k, s, p), out_size(w, k, s, p)
    cpg = c // g
    if int8:
        qx = "!quant.uniform<u8:f32, 0.05:128>"
        qw = "!quant.uniform<i8<-127:127>:f32:0, {%s}>" % ", ".join(
            "%.6g" % v for v in rng.uniform(0.005, 0.02, f))
        qy = "!quant.uniform<u8:f32, 0.1:128>"
        x_t, w_t, y_t = f"tensor<1x{h}x{w}x{c}x{qx}>", f"tensor<{f}x{cpg}x{k}x{k}x{qw}>", qy
        wq = rng.integers(-127, 128, (f, cpg, k, k)).astype(np.int8)
        weights = (f"  %w = qnn.qconst {dense(wq, 'i8')} -> {w_t}\n")
        elt_in, elt_out = qx, qy
    else:
        elt_in = elt_out = "f32"
        x_t, w_t = f"tensor<1x{h}x{w}x{c}xf32>", f"tensor<{f}x{cpg}x{k}x{k}xf32>"
        wf = rng.standard_normal((f, cpg, k, k)).astype(np.float32) * 0.05
        weights = f"  %w = arith.constant {dense(wf, 'f32')}\n"
    nchw_in = f"tensor<1x{c}x{h}x{w}x{elt_in}>"
    nchw_out = f"tensor<1x{f}x{oh}x{ow}x{elt_out}>"
    nhwc_out = f"tensor<1x{oh}x{ow}x{f}x{elt_out}>"
    return (f"// {name}: {c}x{h}x{w} -> {f}x{oh}x{ow}, {k}x{k} stride {s} pad {p} group {g}\n"
            f"func.func @main(%x: {x_t}) -> {nhwc_out} {{\n"
            f"  %t = qnn.transpose %x {{perm = array<i64: 0, 3, 1, 2>}} : ({x_t}) -> {nchw_in}\n"
            + weights +
            f"  %c = qnn.conv2d %t, %w {{strides = array<i64: {s}, {s}>, pads = array<i64: {p}, {p}, {p}, {p}>, group = {g} : i64}}"
            f" : ({nchw_in}, {w_t}) -> {nchw_out}\n"
            f"  %o = qnn.transpose %c {{perm = array<i64: 0, 2, 3, 1>}} : ({nchw_out}) -> {nhwc_out}\n"
            f"  return %o : {nhwc_out}\n}}\n")


def main():
    out = sys.argv[2]
    rng = np.random.default_rng(0)
    for name, (c, h, w, f, k, s, p, g) in shapes(sys.argv[1]):
        for int8 in (True, False):
            with open(f"{out}/{name}.{'int8' if int8 else 'fp32'}.mlir", "w") as fh:
                fh.write(model(name, c, h, w, f, k, s, p, g, int8, rng))
        # The integer model's input is the u8 storage (as i8 bits).
        np.save(f"{out}/{name}.u8.npy", rng.integers(-128, 128, (1, h, w, c)).astype(np.int8))
        np.save(f"{out}/{name}.f32.npy", rng.standard_normal((1, h, w, c)).astype(np.float32))


main()
