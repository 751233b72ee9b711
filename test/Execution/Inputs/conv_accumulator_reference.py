#!/usr/bin/env python3
"""Writes quantized convolutions whose result is the raw i32 accumulator
(unit scales, as ONNX ConvInteger), their inputs, and the accumulators
computed here in int64 from the definition

  acc[n, f, y, x] = bias[f] + sum_{c, ky, kx} (q[n, c, y*s + ky*d - pt, x*s + kx*d - pl] - zx) * w[f, c, ky, kx]

with padding at the zero point. Shapes are chosen to hit the dot-product
layout's edge cases: 6 input channels (not a multiple of 4), 20 output
channels (16 + 4 lanes), stride 2, dilation 2, asymmetric padding; a signed
and an unsigned input type, and a depthwise case; then shapes that no
register tile divides, integer and float (float against float64).

  conv_accumulator_reference.py OUTDIR
"""
import os
import sys

import numpy as np

out = sys.argv[1]
rng = np.random.default_rng(3)


def dense(a):
    return "dense<" + np.array2string(a, separator=", ", threshold=10**9,
                                      max_line_width=10**9) + ">"


def reference(q, zx, w, bias, s, d, pads, group, dtype=np.int64):
    n, c, h, wd = q.shape
    f, cpg, kh, kw = w.shape
    pt, pl, pb, pr = pads
    sh, sw = (s, s) if np.isscalar(s) else s
    xp = np.full((n, c, h + pt + pb, wd + pl + pr), zx, dtype)
    xp[:, :, pt:pt + h, pl:pl + wd] = q
    oh = (h + pt + pb - d * (kh - 1) - 1) // sh + 1
    ow = (wd + pl + pr - d * (kw - 1) - 1) // sw + 1
    acc = np.zeros((n, f, oh, ow), dtype) + bias[None, :, None, None]
    fpg = f // group
    for o in range(f):
        g = o // fpg
        for ci in range(cpg):
            for ky in range(kh):
                for kx in range(kw):
                    patch = xp[:, g * cpg + ci, ky * d: ky * d + sh * (oh - 1) + 1: sh,
                               kx * d: kx * d + sw * (ow - 1) + 1: sw]
                    acc[:, o] += (patch - zx) * w[o, ci, ky, kx].astype(dtype)
    return acc


def strides(s):
    return (s, s) if np.isscalar(s) else s


def case(name, storage, zx, c, f, group, s, d, pads, hw=(9, 9), k=(3, 3)):
    lo, hi = {"u8": (0, 255), "i8": (-128, 127), "i16": (-32768, 32767)}[storage]
    q = rng.integers(lo, hi + 1, (2, c) + hw)
    w = rng.integers(-127, 128, (f, c // group) + k).astype(np.int8)
    bias = rng.integers(-5000, 5000, f)
    acc = reference(q, zx, w, bias, s, d, pads, group)
    qx = f"!quant.uniform<{storage}:f32, 1.0:{zx}>"
    qw = "!quant.uniform<i8<-127:127>:f32, 1.0>"
    qb = "!quant.uniform<i32:f32, 1.0>"
    qy = "!quant.uniform<i32:f32, 1.0>"
    xs = "x".join(map(str, (2, c) + hw))
    ws = "x".join(map(str, (f, c // group) + k))
    ys = "x".join(map(str, acc.shape))
    sh, sw = strides(s)
    with open(os.path.join(out, f"{name}.mlir"), "w") as fh:
        fh.write(f"""func.func @main(%x: tensor<{xs}xf32>) -> tensor<{ys}xf32> {{
  %q = qnn.quantize %x : (tensor<{xs}xf32>) -> tensor<{xs}x{qx}>
  %w = qnn.qconst {dense(w)} : tensor<{ws}xi8> -> tensor<{ws}x{qw}>
  %b = qnn.qconst {dense(bias.astype(np.int32))} : tensor<{f}xi32> -> tensor<{f}x{qb}>
  %y = qnn.conv2d %q, %w, %b {{group = {group} : i64, strides = array<i64: {sh}, {sw}>, dilations = array<i64: {d}, {d}>, pads = array<i64: {", ".join(map(str, pads))}>}} : (tensor<{xs}x{qx}>, tensor<{ws}x{qw}>, tensor<{f}x{qb}>) -> tensor<{ys}x{qy}>
  %r = qnn.dequantize %y : (tensor<{ys}x{qy}>) -> tensor<{ys}xf32>
  return %r : tensor<{ys}xf32>
}}
""")
    # quantize(x) = round(x / 1) + zx = q for x = q - zx.
    np.save(os.path.join(out, f"{name}_x.npy"), (q - zx).astype(np.float32))
    np.save(os.path.join(out, f"{name}_expected.npy"), acc.astype(np.float32))


def float_case(name, c, f, group, s, d, pads, hw, k):
    """A float convolution and its float64 reference."""
    x = rng.standard_normal((2, c) + hw).astype(np.float32)
    w = rng.standard_normal((f, c // group) + k).astype(np.float32)
    bias = rng.standard_normal(f).astype(np.float32)
    ref = reference(x, 0.0, w, bias, s, d, pads, group, np.float64)
    xs = "x".join(map(str, (2, c) + hw))
    ws = "x".join(map(str, (f, c // group) + k))
    ys = "x".join(map(str, ref.shape))
    sh, sw = strides(s)
    with open(os.path.join(out, f"{name}.mlir"), "w") as fh:
        fh.write(f"""func.func @main(%x: tensor<{xs}xf32>) -> tensor<{ys}xf32> {{
  %w = arith.constant {dense(w)} : tensor<{ws}xf32>
  %b = arith.constant {dense(bias)} : tensor<{f}xf32>
  %y = qnn.conv2d %x, %w, %b {{group = {group} : i64, strides = array<i64: {sh}, {sw}>, dilations = array<i64: {d}, {d}>, pads = array<i64: {", ".join(map(str, pads))}>}} : (tensor<{xs}xf32>, tensor<{ws}xf32>, tensor<{f}xf32>) -> tensor<{ys}xf32>
  return %y : tensor<{ys}xf32>
}}
""")
    np.save(os.path.join(out, f"{name}_x.npy"), x)
    np.save(os.path.join(out, f"{name}_expected.npy"), ref.astype(np.float32))


case("dense_s8", "i8", -3, 6, 20, 1, 2, 2, [1, 2, 2, 1])
case("dense_u8", "u8", 131, 6, 20, 1, 1, 1, [1, 1, 1, 1])
case("depthwise_u8", "u8", 7, 8, 8, 8, 2, 1, [0, 1, 1, 0])
case("dense_s16", "i16", 0, 5, 20, 1, 2, 2, [1, 2, 2, 1])
case("dense_s16_zp", "i16", -300, 6, 12, 1, 1, 1, [1, 1, 1, 1])

# Shape classes whose extents no register tile divides (split into a main
# part and a remainder): an STFT-like 1-D convolution (one input channel,
# kernel 64, stride 10, 37 filters: 32 + 5, 53 frames: prime), a dense 3x3
# with 45 output channels (panels of 16, the last padded) over 29 columns,
# a depthwise one with 45 channels.
case("stft_u8", "u8", 128, 1, 37, 1, (1, 10), 1, [0, 0, 0, 0], (1, 584), (1, 64))
case("odd_s8", "i8", 5, 6, 45, 1, 1, 1, [1, 1, 1, 1], (5, 29))
case("odd_depthwise_u8", "u8", 9, 45, 45, 45, 1, 1, [1, 1, 1, 1], (5, 29))
float_case("stft_f32", 1, 257, 1, (1, 160), 1, [0, 0, 0, 0], (1, 8192), (1, 512))
float_case("odd_f32", 6, 45, 1, 1, 1, [1, 1, 1, 1], (5, 29), (3, 3))
float_case("odd_depthwise_f32", 45, 45, 45, 1, 1, [1, 1, 1, 1], (5, 29), (3, 3))
float_case("prime_f32", 3, 37, 1, 2, 1, [1, 1, 1, 1], (5, 46), (3, 3))


def product_case(name, storage, zx, b, m, k, n, fully_connected):
    """A quantized matmul ([B, M, K] x [K, N]) or fully_connected ([M, K] x
    [N, K]^T + bias) with unit scales: integer-only rewrites both as 1x1
    convolutions; the result is the raw accumulator."""
    lo, hi = {"u8": (0, 255), "i8": (-128, 127)}[storage]
    shape = (m, k) if fully_connected else (b, m, k)
    q = rng.integers(lo, hi + 1, shape)
    w = rng.integers(-127, 128, (n, k) if fully_connected else (k, n)).astype(np.int8)
    bias = rng.integers(-5000, 5000, n) if fully_connected else np.zeros(n, np.int64)
    wk = w.T if fully_connected else w
    acc = (q - zx).astype(np.int64) @ wk.astype(np.int64) + bias
    qx = f"!quant.uniform<{storage}:f32, 1.0:{zx}>"
    qw = "!quant.uniform<i8<-127:127>:f32, 1.0>"
    qy = "!quant.uniform<i32:f32, 1.0>"
    xs = "x".join(map(str, shape))
    ws = "x".join(map(str, w.shape))
    ys = "x".join(map(str, acc.shape))
    if fully_connected:
        op = (f"%b = qnn.qconst {dense(bias.astype(np.int32))} : tensor<{n}xi32> -> tensor<{n}x{qy}>\n"
              f"  %y = qnn.fully_connected %q, %w, %b : (tensor<{xs}x{qx}>, tensor<{ws}x{qw}>, tensor<{n}x{qy}>) -> tensor<{ys}x{qy}>")
    else:
        op = f"%y = qnn.matmul %q, %w : (tensor<{xs}x{qx}>, tensor<{ws}x{qw}>) -> tensor<{ys}x{qy}>"
    with open(os.path.join(out, f"{name}.mlir"), "w") as fh:
        fh.write(f"""func.func @main(%x: tensor<{xs}xf32>) -> tensor<{ys}xf32> {{
  %q = qnn.quantize %x : (tensor<{xs}xf32>) -> tensor<{xs}x{qx}>
  %w = qnn.qconst {dense(w)} : tensor<{ws}xi8> -> tensor<{ws}x{qw}>
  {op}
  %r = qnn.dequantize %y : (tensor<{ys}x{qy}>) -> tensor<{ys}xf32>
  return %r : tensor<{ys}xf32>
}}
""")
    np.save(os.path.join(out, f"{name}_x.npy"), (q - zx).astype(np.float32))
    np.save(os.path.join(out, f"{name}_expected.npy"), acc.astype(np.float32))


# Products with constant weights (1x1 convolutions after integer-only): 37
# output columns (a remainder panel), 7 and 13 rows.
product_case("matmul_u8", "u8", 120, 2, 7, 20, 37, False)
product_case("fc_s8", "i8", -4, 1, 13, 40, 24, True)
# Grouped float convolutions run in weight panels per group (4 groups of
# 16 output channels; 3 groups of 8 channels from 6 inputs each, stride 2).
float_case("grouped4_f32", 32, 64, 4, 1, 1, [1, 1, 1, 1], (6, 13), (3, 3))
float_case("grouped3_f32", 18, 24, 3, 2, 1, [1, 0, 1, 0], (9, 11), (3, 3))


def activation_product_case(name, a_storage, za, b_storage, zb, batch, m, k, n):
    """A quantized matmul of two run-time operands ([..., M, K] x [..., K, N],
    attention's Q.K^T and P.V) with unit scales: the raw accumulator
    sum_k (a - za)(b - zb), from two inputs."""
    def draw(storage, shape):
        lo, hi = {"u8": (0, 255), "i8": (-128, 127)}[storage]
        return rng.integers(lo, hi + 1, shape)
    qa = draw(a_storage, batch + (m, k))
    qb = draw(b_storage, batch + (k, n))
    acc = np.matmul((qa - za).astype(np.int64), (qb - zb).astype(np.int64))
    ta = f"!quant.uniform<{a_storage}:f32, 1.0:{za}>"
    tb = f"!quant.uniform<{b_storage}:f32, 1.0:{zb}>"
    qy = "!quant.uniform<i32:f32, 1.0>"
    sa = "x".join(map(str, qa.shape))
    sb = "x".join(map(str, qb.shape))
    sy = "x".join(map(str, acc.shape))
    with open(os.path.join(out, f"{name}.mlir"), "w") as fh:
        fh.write(f"""func.func @main(%a: tensor<{sa}xf32>, %b: tensor<{sb}xf32>) -> tensor<{sy}xf32> {{
  %qa = qnn.quantize %a : (tensor<{sa}xf32>) -> tensor<{sa}x{ta}>
  %qb = qnn.quantize %b : (tensor<{sb}xf32>) -> tensor<{sb}x{tb}>
  %y = qnn.matmul %qa, %qb : (tensor<{sa}x{ta}>, tensor<{sb}x{tb}>) -> tensor<{sy}x{qy}>
  %r = qnn.dequantize %y : (tensor<{sy}x{qy}>) -> tensor<{sy}xf32>
  return %r : tensor<{sy}xf32>
}}
""")
    np.save(os.path.join(out, f"{name}_a.npy"), (qa - za).astype(np.float32))
    np.save(os.path.join(out, f"{name}_b.npy"), (qb - zb).astype(np.float32))
    np.save(os.path.join(out, f"{name}_expected.npy"), acc.astype(np.float32))


# Products of two run-time operands in every signedness (the dot-product
# layout flips u8 x s8 roles by the sign bit): K = 7 and N = 19 (padded to
# 8 and 32), a rank-4 attention-like shape, zero points at the extremes.
activation_product_case("act_u8_i8", "u8", 130, "i8", -5, (1, 2), 5, 7, 19)
activation_product_case("act_i8_u8", "i8", 3, "u8", 255, (3,), 6, 9, 17)
activation_product_case("act_i8_i8", "i8", -128, "i8", 0, (2,), 9, 64, 33)
activation_product_case("act_u8_u8", "u8", 0, "u8", 128, (1, 4), 16, 64, 128)
# Grouped integer convolutions in the dot-product layout (each group's
# input channels a multiple of 4, its outputs whole panels): 4 groups of 16
# outputs from 8 inputs each; 2 groups of 8 from 4, unsigned, stride 2; and
# 3 groups of 6 inputs (not a multiple of 4: the generic form).
case("grouped4_s8", "i8", -2, 32, 64, 4, 1, 1, [1, 1, 1, 1], (6, 13))
case("grouped2_u8", "u8", 140, 8, 16, 2, 2, 1, [1, 0, 1, 0], (9, 11))
case("grouped3_u8", "u8", 100, 18, 24, 3, 1, 1, [1, 1, 1, 1], (5, 7))
# One input channel with a wide kernel: groups of consecutive kernel
# columns instead of one channel and three zero ones (kernel 2 x 30, not a
# multiple of four; stride (2, 7); asymmetric padding; signed input).
case("taps_s8", "i8", 3, 1, 20, 1, (2, 7), 1, [1, 3, 0, 2], (5, 200), (2, 30))
