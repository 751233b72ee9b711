#!/usr/bin/env python3
"""Models as ONNX Runtime's quantize_dynamic writes them: x ->
DynamicQuantizeLinear -> ConvInteger / MatMulInteger (uint8 activations with
the run-time zero point, int8 weights with a constant one, per tensor or per
channel) -> Cast -> Mul(x_scale * w_scale) -> Add(bias); with the NumPy
reference of the ONNX definitions (integer products, exact).

  make_dynamic_int_models.py OUTDIR
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto as T, helper, numpy_helper

out = sys.argv[1]
rng = np.random.default_rng(11)


def dql(x):
    lo, hi = min(0.0, float(x.min())), max(0.0, float(x.max()))
    scale = np.float32((hi - lo) / 255)
    zp = np.uint8(np.clip(np.round(-lo / scale), 0, 255))
    q = np.clip(np.round(x / scale) + zp, 0, 255).astype(np.uint8)
    return q, scale, zp


def conv2d(x, w, pad, stride=1, group=1):
    """pad: one int, or [top, left, bottom, right]."""
    pads = [pad] * 4 if isinstance(pad, int) else pad
    n, c, h, wd = x.shape
    f, cg, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pads[0], pads[2]), (pads[1], pads[3])))
    ho = (h + pads[0] + pads[2] - kh) // stride + 1
    wo = (wd + pads[1] + pads[3] - kw) // stride + 1
    y = np.zeros((n, f, ho, wo), np.int64)
    fg = f // group
    for g in range(group):
        xs = xp[:, g * cg:(g + 1) * cg]
        for i in range(kh):
            for j in range(kw):
                win = xs[:, :, i:i + stride * (ho - 1) + 1:stride, j:j + stride * (wo - 1) + 1:stride]
                y[:, g * fg:(g + 1) * fg] += np.einsum("nchw,fc->nfhw", win, w[g * fg:(g + 1) * fg, :, i, j])
    return y


def model(name, nodes, inits, x_shape, y_shape):
    g = helper.make_graph(nodes, name,
                          [helper.make_tensor_value_info("x", T.FLOAT, x_shape)],
                          [helper.make_tensor_value_info("y", T.FLOAT, y_shape)],
                          [numpy_helper.from_array(np.asarray(v), k) for k, v in inits.items()])
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]),
              os.path.join(out, name + ".onnx"))


def tail(prod, scale_name):
    return [helper.make_node("DynamicQuantizeLinear", ["x"], ["xq", "xs", "xzp"]),
            prod,
            helper.make_node("Cast", ["acc"], ["accf"], to=T.FLOAT),
            helper.make_node("Mul", ["xs", scale_name], ["s"]),
            helper.make_node("Mul", ["accf", "s"], ["yf"]),
            helper.make_node("Add", ["yf", "b"], ["y"])]


# Conv: per-channel int8 weights with per-channel zero points (ORT writes 0;
# nonzero here so that both zero points matter), 3x3 with padding 1.
x = (rng.standard_normal((2, 5, 7, 6)) * 1.5 + 0.4).astype(np.float32)
wq = rng.integers(-100, 100, (6, 5, 3, 3)).astype(np.int8)
wzp = rng.integers(-3, 3, (6,)).astype(np.int8)
ws = (rng.uniform(0.005, 0.02, 6)).astype(np.float32)
b = rng.standard_normal((6, 1, 1)).astype(np.float32)
model("conv_int", tail(helper.make_node("ConvInteger", ["xq", "w", "xzp", "wzp"], ["acc"],
                                        pads=[1, 1, 1, 1]), "ws"),
      {"w": wq, "wzp": wzp, "ws": ws.reshape(6, 1, 1), "b": b}, [2, 5, 7, 6], [2, 6, 7, 6])
q, s, zp = dql(x)
# ONNX Runtime pads x with its zero point: zero after centering.
acc = conv2d(q.astype(np.int64) - int(zp), wq.astype(np.int64) - wzp.astype(np.int64)[:, None, None, None], 1)
np.save(os.path.join(out, "conv_int_x.npy"), x)
np.save(os.path.join(out, "conv_int_y.npy"),
        (acc.astype(np.float32) * (s * ws.reshape(6, 1, 1)) + b).astype(np.float32))

# MatMul: [2, 3, 16] x [16, 8], per-column weight zero points.
x = (rng.standard_normal((2, 3, 16)) * 2 - 0.5).astype(np.float32)
wq = rng.integers(-120, 120, (16, 8)).astype(np.int8)
wzp = rng.integers(-2, 2, (8,)).astype(np.int8)
ws = np.float32(0.01)
b = rng.standard_normal(8).astype(np.float32)
model("matmul_int", tail(helper.make_node("MatMulInteger", ["xq", "w", "xzp", "wzp"], ["acc"]), "ws"),
      {"w": wq, "wzp": wzp, "ws": ws, "b": b}, [2, 3, 16], [2, 3, 8])
q, s, zp = dql(x)
acc = (q.astype(np.int64) - int(zp)) @ (wq.astype(np.int64) - wzp.astype(np.int64))
np.save(os.path.join(out, "matmul_int_x.npy"), x)
np.save(os.path.join(out, "matmul_int_y.npy"), (acc.astype(np.float32) * (s * ws) + b).astype(np.float32))

# As ONNX Runtime writes with weight_type=QUInt8: uint8 weights with a zero
# point near 128; stride 2 with asymmetric padding; and a depthwise conv.
x = (rng.standard_normal((1, 4, 9, 8)) - 0.3).astype(np.float32)
wq = rng.integers(0, 256, (8, 4, 3, 3)).astype(np.uint8)
wzp = np.uint8(131)
ws = np.float32(0.004)
b = rng.standard_normal((8, 1, 1)).astype(np.float32)
model("conv_int_u8w", tail(helper.make_node("ConvInteger", ["xq", "w", "xzp", "wzp"], ["acc"],
                                            pads=[0, 1, 1, 0], strides=[2, 2]), "ws"),
      {"w": wq, "wzp": wzp, "ws": ws, "b": b}, [1, 4, 9, 8], [1, 8, 4, 4])
q, s, zp = dql(x)
acc = conv2d(q.astype(np.int64) - int(zp), wq.astype(np.int64) - int(wzp), [0, 1, 1, 0], stride=2)
np.save(os.path.join(out, "conv_int_u8w_x.npy"), x)
np.save(os.path.join(out, "conv_int_u8w_y.npy"), (acc.astype(np.float32) * (s * ws) + b).astype(np.float32))

x = (rng.standard_normal((1, 6, 8, 8)) + 0.5).astype(np.float32)
wq = rng.integers(-127, 128, (6, 1, 3, 3)).astype(np.int8)
ws = np.float32(0.01)
b = rng.standard_normal((6, 1, 1)).astype(np.float32)
model("conv_int_dw", tail(helper.make_node("ConvInteger", ["xq", "w", "xzp"], ["acc"],
                                           pads=[1, 1, 1, 1], group=6), "ws"),
      {"w": wq, "ws": ws, "b": b}, [1, 6, 8, 8], [1, 6, 8, 8])
q, s, zp = dql(x)
acc = conv2d(q.astype(np.int64) - int(zp), wq.astype(np.int64), 1, group=6)
np.save(os.path.join(out, "conv_int_dw_x.npy"), x)
np.save(os.path.join(out, "conv_int_dw_y.npy"), (acc.astype(np.float32) * (s * ws) + b).astype(np.float32))

# MatMul with a batched constant B of uint8 with per-column zero points.
x = (rng.standard_normal((2, 3, 16)) + 1.0).astype(np.float32)
wq = rng.integers(0, 256, (2, 16, 8)).astype(np.uint8)
wzp = rng.integers(120, 136, (8,)).astype(np.uint8)
ws = np.float32(0.01)
b = rng.standard_normal(8).astype(np.float32)
model("matmul_int_u8w", tail(helper.make_node("MatMulInteger", ["xq", "w", "xzp", "wzp"], ["acc"]), "ws"),
      {"w": wq, "wzp": wzp, "ws": ws, "b": b}, [2, 3, 16], [2, 3, 8])
q, s, zp = dql(x)
acc = (q.astype(np.int64) - int(zp)) @ (wq.astype(np.int64) - wzp.astype(np.int64))
np.save(os.path.join(out, "matmul_int_u8w_x.npy"), x)
np.save(os.path.join(out, "matmul_int_u8w_y.npy"), (acc.astype(np.float32) * (s * ws) + b).astype(np.float32))

# ONNX Runtime's fused forms (com.microsoft, what its optimizer makes of the
# chains above): DynamicQuantizeMatMul(A, B, b_scale, b_zp, bias) and
# DynamicQuantizeLinear -> MatMulIntegerToFloat(A, B, a_scale, b_scale,
# a_zp, b_zp, bias); per-column b_scale, int8 B with per-column zero points.
def ms_model(name, nodes, inits):
    g = helper.make_graph(nodes, name,
                          [helper.make_tensor_value_info("x", T.FLOAT, [2, 3, 16])],
                          [helper.make_tensor_value_info("y", T.FLOAT, [2, 3, 8])],
                          [numpy_helper.from_array(np.asarray(v), k) for k, v in inits.items()])
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13),
                                                  helper.make_opsetid("com.microsoft", 1)]),
              os.path.join(out, name + ".onnx"))


x = (rng.standard_normal((2, 3, 16)) * 1.3 - 0.2).astype(np.float32)
wq = rng.integers(-127, 128, (16, 8)).astype(np.int8)
wzp = rng.integers(-2, 3, (8,)).astype(np.int8)
ws = rng.uniform(0.005, 0.02, 8).astype(np.float32)
b = rng.standard_normal(8).astype(np.float32)
inits = {"w": wq, "wzp": wzp, "ws": ws, "b": b}
ms_model("dqmatmul", [helper.make_node("DynamicQuantizeMatMul", ["x", "w", "ws", "wzp", "b"], ["y"],
                                       domain="com.microsoft")], inits)
ms_model("mi2f", [helper.make_node("DynamicQuantizeLinear", ["x"], ["xq", "xs", "xzp"]),
                  helper.make_node("MatMulIntegerToFloat", ["xq", "w", "xs", "ws", "xzp", "wzp", "b"], ["y"],
                                   domain="com.microsoft")], inits)
q, s, zp = dql(x)
acc = (q.astype(np.int64) - int(zp)) @ (wq.astype(np.int64) - wzp.astype(np.int64))
y = (acc.astype(np.float32) * (np.float32(s) * ws) + b).astype(np.float32)
for name in ("dqmatmul", "mi2f"):
    np.save(os.path.join(out, name + "_x.npy"), x)
    np.save(os.path.join(out, name + "_y.npy"), y)
