#!/usr/bin/env python3
"""Single-op ONNX models, one per convolution / product shape class, for
bench/sweep/run_sweep.py (random weights; batch 1).

  make_sweep.py OUTDIR

Convolutions read and write channels-last (see channels_last). Writes
OUTDIR/<class>.onnx, OUTDIR/<class>_in<k>.npy and prints one line per
class: name|multiply-adds|input names|elements moved|weight elements (the
least a run must read and write: its float inputs and output, and its
weights, whose bytes depend on the precision).
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(0)


def save(name, nodes, inputs, output, inits, macs, out_elems):
    g = helper.make_graph(nodes, name,
                          [helper.make_tensor_value_info(n, TensorProto.FLOAT, a.shape)
                           for n, a in inputs],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
                          [numpy_helper.from_array(a, n) for n, a in inits])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 7
    onnx.save(m, os.path.join(out, name + ".onnx"))
    for k, (n, a) in enumerate(inputs):
        np.save(os.path.join(out, f"{name}_in{k}.npy"), a)
    moved = sum(a.size for _, a in inputs) + out_elems
    weights = sum(a.size for _, a in inits)
    print(f"{name}|{macs}|{','.join(n for n, _ in inputs)}|{moved}|{weights}")


def channels_last(name, node, c, f, hw, inits, macs, out_elems):
    """`node` (NCHW, reading "xc" and writing "yc") between transposes from
    and to channels-last, as inside a model: qopt folds them into its own
    NHWC layout, so the model is the kernel (an NCHW boundary would time a
    transpose of the input)."""
    sp = len(hw)
    x = rng.standard_normal((1,) + hw + (c,)).astype(np.float32)
    to_first = [0, sp + 1] + list(range(1, sp + 1))
    to_last = [0] + list(range(2, sp + 2)) + [1]
    nodes = [helper.make_node("Transpose", ["x"], ["xc"], perm=to_first), node,
             helper.make_node("Transpose", ["yc"], ["y"], perm=to_last)]
    save(name, nodes, [("x", x)], "y", inits, macs, out_elems)


def conv(name, c, f, hw, k, s=1, p=0, d=1, g=1):
    w = (rng.standard_normal((f, c // g) + k) / np.sqrt(c // g * np.prod(k))).astype(np.float32)
    b = rng.standard_normal(f).astype(np.float32) * 0.1
    sp = len(hw)
    o = [(hw[i] + 2 * p - d * (k[i] - 1) - 1) // s + 1 for i in range(sp)]
    node = helper.make_node("Conv", ["xc", "w", "b"], ["yc"], kernel_shape=list(k),
                            strides=[s] * sp, pads=[p] * 2 * sp, dilations=[d] * sp, group=g)
    channels_last(name, node, c, f, hw, [("w", w), ("b", b)],
                  int(np.prod(o)) * f * (c // g) * int(np.prod(k)), int(np.prod(o)) * f)


def conv_transpose(name, c, f, hw, k, s, p):
    w = (rng.standard_normal((c, f) + k) / np.sqrt(c)).astype(np.float32)
    node = helper.make_node("ConvTranspose", ["xc", "w"], ["yc"], kernel_shape=list(k),
                            strides=[s, s], pads=[p] * 4)
    o = [(hw[i] - 1) * s - 2 * p + k[i] for i in range(2)]
    channels_last(name, node, c, f, hw, [("w", w)],
                  int(np.prod(hw)) * c * f * int(np.prod(k)), int(np.prod(o)) * f)


def gemm(name, m, k, n):
    x = rng.standard_normal((m, k)).astype(np.float32)
    w = (rng.standard_normal((k, n)) / np.sqrt(k)).astype(np.float32)
    save(name, [helper.make_node("MatMul", ["x", "w"], ["y"])], [("x", x)], "y",
         [("w", w)], m * k * n, m * n)


def batched(name, b, m, k, n):
    x = rng.standard_normal((b, m, k)).astype(np.float32)
    z = rng.standard_normal((b, k, n)).astype(np.float32)
    save(name, [helper.make_node("MatMul", ["x", "z"], ["y"])], [("x", x), ("z", z)], "y",
         [], b * m * k * n, b * m * n)


conv("dense3x3_64_56", 64, 64, (56, 56), (3, 3), p=1)
conv("pointwise_c16_56", 16, 96, (56, 56), (1, 1))
conv("pointwise_c96_28", 96, 24, (28, 28), (1, 1))
conv("stem7x7_s2_224", 3, 64, (224, 224), (7, 7), s=2, p=3)
conv("depthwise3x3_144_56", 144, 144, (56, 56), (3, 3), p=1, g=144)
conv("depthwise3x3_s2_96_112", 96, 96, (112, 112), (3, 3), s=2, p=1, g=96)
conv("conv1d_stft_c1_k512_s160", 1, 257, (16000,), (512,), s=160)
conv("conv1d_c64_k3_t1000", 64, 64, (1000,), (3,), p=1)
conv("grouped4_3x3_64_28", 64, 64, (28, 28), (3, 3), p=1, g=4)
conv("dilated2_3x3_64_28", 64, 64, (28, 28), (3, 3), p=2, d=2)
conv_transpose("transposed_k4s2_64_28", 64, 32, (28, 28), (4, 4), 2, 1)
conv_transpose("transposed_k2s2_64_28", 64, 32, (28, 28), (2, 2), 2, 0)
gemm("matvec_1x512x512", 1, 512, 512)
gemm("skinny_16x512x512", 16, 512, 512)
gemm("gemm_256x512x512", 256, 512, 512)
batched("batched_act_4x128x64x128", 4, 128, 64, 128)
