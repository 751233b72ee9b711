#!/usr/bin/env python3
"""An fp16 model as onnxconverter-common writes one: f32 input, Cast to
fp16, fp16 weights and computation (conv, relu, global pool, gemm,
softmax), Cast back to f32. With the reference in float64 from the fp16
weights' exact values (what computing the half-precision parts in f32
approximates, and ONNX Runtime's CPU provider does).

  make_float16_model.py OUTDIR
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto as T, helper, numpy_helper

out = sys.argv[1]
rng = np.random.default_rng(0)
w = (rng.standard_normal((8, 3, 3, 3)) * 0.3).astype(np.float16)
b = (rng.standard_normal(8) * 0.1).astype(np.float16)
w2 = (rng.standard_normal((5, 8)) * 0.3).astype(np.float16)
b2 = (rng.standard_normal(5) * 0.1).astype(np.float16)
nodes = [helper.make_node("Cast", ["x"], ["xh"], to=T.FLOAT16),
         helper.make_node("Conv", ["xh", "w", "b"], ["c"], pads=[1, 1, 1, 1]),
         helper.make_node("Relu", ["c"], ["r"]),
         helper.make_node("GlobalAveragePool", ["r"], ["g"]),
         helper.make_node("Flatten", ["g"], ["f"]),
         helper.make_node("Gemm", ["f", "w2", "b2"], ["o"], transB=1),
         helper.make_node("Softmax", ["o"], ["s"], axis=1),
         helper.make_node("Cast", ["s"], ["y"], to=T.FLOAT)]
graph = helper.make_graph(
    nodes, "fp16", [helper.make_tensor_value_info("x", T.FLOAT, ["N", 3, 8, 8])],
    [helper.make_tensor_value_info("y", T.FLOAT, ["N", 5])],
    [numpy_helper.from_array(v, k) for k, v in
     {"w": w, "b": b, "w2": w2, "b2": b2}.items()])
onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]),
          os.path.join(out, "fp16.onnx"))

x = rng.standard_normal((16, 3, 8, 8)).astype(np.float32)
xp = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (1, 1), (1, 1)))


def reference(w, b, w2, b2):
    """The model in float64 from the given weights' exact values."""
    c = np.zeros((16, 8, 8, 8))
    for i in range(3):
        for j in range(3):
            c += np.einsum("nchw,fc->nfhw", xp[:, :, i:i + 8, j:j + 8],
                           w[:, :, i, j].astype(np.float64))
    c += b.astype(np.float64)[None, :, None, None]
    o = np.maximum(c, 0).mean(axis=(2, 3)) @ w2.astype(np.float64).T + b2
    e = np.exp(o - o.max(axis=1, keepdims=True))
    return (e / e.sum(axis=1, keepdims=True)).astype(np.float32)


np.save(os.path.join(out, "fp16_x.npy"), x)
np.save(os.path.join(out, "fp16_y.npy"), reference(w, b, w2, b2))

# The same model in bfloat16 (NumPy has none: the weights are f32 values
# that bfloat16 holds exactly -- their low 16 bits zero -- written as
# BFLOAT16 tensors from their high halves).
def to_bf16(a):
    bits = np.asarray(a, np.float32).view(np.uint32) & np.uint32(0xFFFF0000)
    return bits.view(np.float32)


def bf16_tensor(name, a):
    hi = (a.view(np.uint32) >> 16).astype(np.uint16)
    return helper.make_tensor(name, T.BFLOAT16, a.shape, hi.tobytes(), raw=True)


wb, bb, w2b, b2b = (to_bf16(v.astype(np.float32)) for v in (w, b, w2, b2))
nodes_bf = [helper.make_node(n.op_type, n.input, n.output, **{
    a.name: (T.BFLOAT16 if a.name == "to" and a.i == T.FLOAT16 else helper.get_attribute_value(a))
    for a in n.attribute}) for n in nodes]
graph = helper.make_graph(
    nodes_bf, "bf16", [helper.make_tensor_value_info("x", T.FLOAT, ["N", 3, 8, 8])],
    [helper.make_tensor_value_info("y", T.FLOAT, ["N", 5])],
    [bf16_tensor(k, v) for k, v in {"w": wb, "b": bb, "w2": w2b, "b2": b2b}.items()])
onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]),
          os.path.join(out, "bf16.onnx"))
np.save(os.path.join(out, "bf16_y.npy"), reference(wb, bb, w2b, b2b))
