#!/usr/bin/env python3
"""Writes state_model.onnx, a streaming model's signature: a window x [4, 3],
a recurrent state [2, 3] whose leading dimension is not the batch, and a
scalar int64 rate; with calibration data of exactly those shapes (as
kit/real's Silero VAD has). Run from this directory with /usr/bin/python3."""
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

rng = np.random.default_rng(5)
f = lambda n, s: helper.make_tensor_value_info(n, TensorProto.FLOAT, s)
nodes = [
    helper.make_node("Gemm", ["x", "w"], ["y"], name="fc"),
    helper.make_node("Cast", ["sr"], ["srf"], to=TensorProto.FLOAT),
    helper.make_node("Mul", ["state", "srf"], ["s2"], name="scale_state"),
]
graph = helper.make_graph(
    nodes, "state", [f("x", [4, 3]), f("state", [2, 3]),
                     helper.make_tensor_value_info("sr", TensorProto.INT64, [])],
    [f("y", [4, 5]), f("s2", [2, 3])],
    [numpy_helper.from_array(rng.standard_normal((3, 5)).astype(np.float32), "w")])
onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]),
          "state_model.onnx")
np.save("state_x.npy", rng.standard_normal((4, 3)).astype(np.float32))
np.save("state_state.npy", (rng.standard_normal((2, 3)) * 3).astype(np.float32))
np.save("state_sr.npy", np.array(2, np.int64))
