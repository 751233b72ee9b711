#!/usr/bin/env python3
"""Writes new_opsets.onnx (default-domain opset 20; Debian's ONNX 1.12 cannot
check it, the protobuf is plain): ops and forms added after opset 17 --
Gelu (erf and tanh, opset 20), Mish and the Bitwise ops (18), Pad with axes
(18), ReduceMean with axes as an input (18), Split with num_outputs (18) --
with an input and NumPy references of their definitions. Run from this
directory with /usr/bin/python3."""
import math

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

f = lambda n, s: helper.make_tensor_value_info(n, TensorProto.FLOAT, s)
i32 = lambda n, s: helper.make_tensor_value_info(n, TensorProto.INT32, s)
c = lambda n, v, dt=np.int64: numpy_helper.from_array(np.array(v, dt), n)
nodes = [
    helper.make_node("Gelu", ["x"], ["gelu"]),
    helper.make_node("Gelu", ["x"], ["gelu_tanh"], approximate="tanh"),
    helper.make_node("Mish", ["x"], ["mish"]),
    helper.make_node("Pad", ["x", "pads", "", "axes"], ["pad"]),
    helper.make_node("ReduceMean", ["x", "raxes"], ["mean"], keepdims=0),
    helper.make_node("Split", ["x"], ["s0", "s1", "s2"], axis=1, num_outputs=3),
    helper.make_node("Cast", ["x"], ["xi"], to=TensorProto.INT32),
    helper.make_node("BitwiseAnd", ["xi", "mask"], ["band"]),
    helper.make_node("BitwiseXor", ["xi", "mask"], ["bxor"]),
    helper.make_node("BitwiseNot", ["xi"], ["bnot"]),
]
outs = ["gelu", "gelu_tanh", "mish", "pad", "mean", "s0", "s1", "s2", "band", "bxor", "bnot"]
graph = helper.make_graph(
    nodes, "new_opsets", [f("x", [2, 7])],
    [f(o, None) if not o.startswith("b") else i32(o, None) for o in outs],
    [c("pads", [1, 2]), c("axes", [1]), c("raxes", [1]), c("mask", 6, np.int32)])
onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 20)]),
          "new_opsets.onnx")

x = (np.arange(14, dtype=np.float32).reshape(2, 7) - 6) * 0.7
erf = np.vectorize(math.erf)
ref = {
    "gelu": 0.5 * x * (1 + erf(x / math.sqrt(2))),
    "gelu_tanh": 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3))),
    "mish": x * np.tanh(np.log1p(np.exp(x))),
    "pad": np.pad(x, ((0, 0), (1, 2))),
    "mean": x.mean(axis=1),
    "s0": x[:, 0:3], "s1": x[:, 3:6], "s2": x[:, 6:7],
}
xi = x.astype(np.int32)
ref.update({"band": xi & 6, "bxor": xi ^ 6, "bnot": ~xi})
np.save("new_opsets_x.npy", x)
for k in outs:
    np.save("new_opsets_%s.npy" % k, np.asarray(ref[k]).astype(
        np.int32 if k.startswith("b") else np.float32))

# Opset 7 (the oldest qopt imports): Upsample with a scales attribute,
# BatchNormalization with `spatial`, Max without broadcasting, Dropout with
# `ratio`.
rng = np.random.default_rng(0)
bn = {n: (rng.random(2) + 0.5).astype(np.float32) for n in "sbmv"}
old = helper.make_graph(
    [helper.make_node("Upsample", ["x"], ["u"], mode="nearest", scales=[1.0, 1.0, 2.0, 2.0]),
     helper.make_node("BatchNormalization", ["u", "s", "b", "m", "v"], ["bn"], epsilon=1e-5,
                      spatial=1),
     helper.make_node("Max", ["bn", "zero"], ["mx"]),
     helper.make_node("Dropout", ["mx"], ["y"], ratio=0.5)],
    "old_opsets", [f("x", [1, 2, 2, 2])], [f("y", None)],
    [numpy_helper.from_array(bn[n], n) for n in "sbmv"]
    + [numpy_helper.from_array(np.zeros((1, 2, 4, 4), np.float32), "zero")])
onnx.save(helper.make_model(old, opset_imports=[helper.make_opsetid("", 7)]), "old_opsets.onnx")
xo = rng.standard_normal((1, 2, 2, 2)).astype(np.float32)
u = xo.repeat(2, 2).repeat(2, 3)
c = lambda n: bn[n][None, :, None, None]
np.save("old_opsets_x.npy", xo)
np.save("old_opsets_y.npy",
        np.maximum((u - c("m")) / np.sqrt(c("v") + 1e-5) * c("s") + c("b"), 0).astype(np.float32))
