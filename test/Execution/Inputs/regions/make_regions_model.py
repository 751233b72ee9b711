#!/usr/bin/env python3
"""Writes branch_loop.onnx: an If on the input `mode` (then: MatMul, Relu,
MatMul; else: MatMul, Sigmoid) followed by a counted Loop of 3 steps
h <- tanh(h @ U + b), with NumPy references, calibration data that only ever
takes the then branch, and test data. Run from this directory with
/usr/bin/python3."""
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

rng = np.random.default_rng(7)
W1 = (rng.standard_normal((8, 16)) * 0.4).astype(np.float32)
W2 = (rng.standard_normal((16, 8)) * 0.3).astype(np.float32)
W3 = (rng.standard_normal((8, 8)) * 0.5).astype(np.float32)
U = (rng.standard_normal((8, 8)) * 0.4).astype(np.float32)
init = lambda a, n: numpy_helper.from_array(a, n)
f = lambda n, s: helper.make_tensor_value_info(n, TensorProto.FLOAT, s)

then_g = helper.make_graph(
    [helper.make_node("MatMul", ["x", "W1"], ["t1"], name="then_fc1"),
     helper.make_node("Relu", ["t1"], ["t2"], name="then_relu"),
     helper.make_node("MatMul", ["t2", "W2"], ["b_then"], name="then_fc2")],
    "then", [], [f("b_then", [32, 8])])
else_g = helper.make_graph(
    [helper.make_node("MatMul", ["x", "W3"], ["e1"], name="else_fc"),
     helper.make_node("Sigmoid", ["e1"], ["b_else"], name="else_sigmoid")],
    "else", [], [f("b_else", [32, 8])])
body = helper.make_graph(
    [helper.make_node("Identity", ["cond_in"], ["cond_out"]),
     helper.make_node("MatMul", ["h_in", "U"], ["hu"], name="step_fc"),
     helper.make_node("Add", ["hu", "b"], ["hb"], name="step_add"),
     helper.make_node("Tanh", ["hb"], ["h_out"], name="step_tanh")],
    "body",
    [helper.make_tensor_value_info("i", TensorProto.INT64, []),
     helper.make_tensor_value_info("cond_in", TensorProto.BOOL, []),
     f("h_in", [32, 8])],
    [helper.make_tensor_value_info("cond_out", TensorProto.BOOL, []),
     f("h_out", [32, 8])])
graph = helper.make_graph(
    [helper.make_node("If", ["mode"], ["b"], name="branch",
                      then_branch=then_g, else_branch=else_g),
     helper.make_node("Loop", ["M", "cond", "h0"], ["h"], name="recur",
                      body=body)],
    "branch_loop",
    [f("x", [32, 8]), helper.make_tensor_value_info("mode", TensorProto.BOOL, [])],
    [f("h", [32, 8])],
    [init(W1, "W1"), init(W2, "W2"), init(W3, "W3"), init(U, "U"),
     init(np.array(3, np.int64), "M"), init(np.array(True), "cond"),
     init(np.zeros((32, 8), np.float32), "h0")])
onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]),
          "branch_loop.onnx")


def reference(x, mode):
    b = (np.maximum(x @ W1, 0) @ W2) if mode else 1 / (1 + np.exp(-(x @ W3)))
    h = np.zeros((32, 8), np.float32)
    for _ in range(3):
        h = np.tanh(h @ U + b)
    return h.astype(np.float32)


calib = rng.standard_normal((32, 8)).astype(np.float32)
test = rng.standard_normal((32, 8)).astype(np.float32)
np.save("calib_x.npy", calib)
np.save("test_x.npy", test)
np.save("mode_true.npy", np.array(True))
np.save("mode_false.npy", np.array(False))
np.save("ref_then.npy", reference(test, True))
np.save("ref_else.npy", reference(test, False))
