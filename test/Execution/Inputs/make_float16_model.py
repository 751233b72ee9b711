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
c = np.zeros((16, 8, 8, 8))
for i in range(3):
    for j in range(3):
        c += np.einsum("nchw,fc->nfhw", xp[:, :, i:i + 8, j:j + 8],
                       w[:, :, i, j].astype(np.float64))
c += b.astype(np.float64)[None, :, None, None]
o = np.maximum(c, 0).mean(axis=(2, 3)) @ w2.astype(np.float64).T + b2
e = np.exp(o - o.max(axis=1, keepdims=True))
np.save(os.path.join(out, "fp16_x.npy"), x)
np.save(os.path.join(out, "fp16_y.npy"), (e / e.sum(axis=1, keepdims=True)).astype(np.float32))
