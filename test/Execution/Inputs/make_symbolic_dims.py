#!/usr/bin/env python3
"""A streaming model's signature with symbolic dimensions beyond the batch,
as Silero VAD v4 writes it: x [batch, samples] and a state [2, batch, 3];
y = state * mean(x over samples). With example inputs and the reference.

  make_symbolic_dims.py OUTDIR
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out = sys.argv[1]
f = lambda n, s: helper.make_tensor_value_info(n, TensorProto.FLOAT, s)
nodes = [
    helper.make_node("ReduceMean", ["x"], ["m"], axes=[1], keepdims=1),
    helper.make_node("Unsqueeze", ["m", "zero"], ["m3"]),
    helper.make_node("Mul", ["state", "m3"], ["y"], name="scale_state"),
]
graph = helper.make_graph(
    nodes, "symbolic", [f("x", ["batch", "samples"]), f("state", [2, "batch", 3])],
    [f("y", [2, "batch", 3])], [numpy_helper.from_array(np.array([0], np.int64), "zero")])
onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]),
          os.path.join(out, "symbolic.onnx"))
rng = np.random.default_rng(4)
x = rng.standard_normal((3, 10)).astype(np.float32)
state = rng.standard_normal((2, 3, 3)).astype(np.float32)
np.save(os.path.join(out, "x.npy"), x)
np.save(os.path.join(out, "state.npy"), state)
np.save(os.path.join(out, "state4.npy"), np.zeros((2, 4, 3), np.float32))
np.save(os.path.join(out, "y.npy"), state * x.mean(axis=1)[None, :, None])
