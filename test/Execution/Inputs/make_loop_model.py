#!/usr/bin/env python3
"""Writes loop_counted.onnx: a Loop of 5 iterations (constant trip count,
condition passed through) carrying y <- y * 0.5 + x + iter and stacking each
y as a scan output, with an input and NumPy's result. Run from this
directory with /usr/bin/python3."""
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

f = lambda n, s: helper.make_tensor_value_info(n, TensorProto.FLOAT, s)
body = helper.make_graph(
    [helper.make_node("Identity", ["cond_in"], ["cond_out"]),
     helper.make_node("Cast", ["i"], ["fi"], to=TensorProto.FLOAT),
     helper.make_node("Mul", ["y_in", "half"], ["h"]),
     helper.make_node("Add", ["h", "x"], ["hx"]),
     helper.make_node("Add", ["hx", "fi"], ["y_out"]),
     helper.make_node("Identity", ["y_out"], ["scan"])],
    "body",
    [helper.make_tensor_value_info("i", TensorProto.INT64, []),
     helper.make_tensor_value_info("cond_in", TensorProto.BOOL, []),
     f("y_in", [2, 3])],
    [helper.make_tensor_value_info("cond_out", TensorProto.BOOL, []),
     f("y_out", [2, 3]), f("scan", [2, 3])],
    [numpy_helper.from_array(np.array(0.5, np.float32), "half")])
graph = helper.make_graph(
    [helper.make_node("Loop", ["M", "cond", "y0"], ["y", "ys"], name="loop", body=body)],
    "loop", [f("x", [2, 3])], [f("y", [2, 3]), f("ys", [5, 2, 3])],
    [numpy_helper.from_array(np.array(5, np.int64), "M"),
     numpy_helper.from_array(np.array(True), "cond"),
     numpy_helper.from_array(np.zeros((2, 3), np.float32), "y0")])
onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]),
          "loop_counted.onnx")
x = np.arange(6, dtype=np.float32).reshape(2, 3) / 4
y, ys = np.zeros((2, 3), np.float32), []
for i in range(5):
    y = y * np.float32(0.5) + x + np.float32(i)
    ys.append(y)
np.save("loop_x.npy", x)
np.save("loop_y.npy", y)
np.save("loop_ys.npy", np.stack(ys))
