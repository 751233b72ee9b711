#!/usr/bin/env python3
"""Writes, into the directory given as argv[1], a stateful model and its data
in every form qopt reads (the shape of kit/real's Silero VAD: a window, a
recurrent state whose batch is its axis 1, a scalar int64 rate):
  stateful.onnx   x [N, 8], state [2, N, 4], sr [] -> y [N, 4], state_out [2, N, 4]
  samples/NN.npz  16 feeds of batch 1, by input name (one sample each)
  stacks.npz      the same 16 samples stacked along a new leading axis
  whole_*.npy     the same 16 samples as one batch of 16 (x [16, 8],
                  state [2, 16, 4], sr []), for a model imported at batch 16
  bad/            an .npz whose names are not the model's, and one sample
                  whose state has another shape
Run with /usr/bin/python3 (numpy, onnx)."""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out = sys.argv[1]
os.makedirs(os.path.join(out, "samples"), exist_ok=True)
os.makedirs(os.path.join(out, "bad"), exist_ok=True)
rng = np.random.default_rng(11)
f = lambda n, s: helper.make_tensor_value_info(n, TensorProto.FLOAT, s)
nodes = [
    helper.make_node("Gemm", ["x", "w", "b"], ["h"], name="fc"),
    helper.make_node("Cast", ["sr"], ["srf"], to=TensorProto.FLOAT, name="rate"),
    helper.make_node("Mul", ["srf", "inv"], ["gain"], name="gain"),
    helper.make_node("Mul", ["state", "gain"], ["decayed"], name="decay"),
    helper.make_node("Add", ["decayed", "h"], ["state_out"], name="update"),
    helper.make_node("ReduceMean", ["state_out"], ["pooled"], axes=[0],
                     keepdims=0, name="pool"),
    helper.make_node("Tanh", ["pooled"], ["y"], name="act"),
]
graph = helper.make_graph(
    nodes, "stateful",
    [f("x", ["N", 8]), f("state", [2, "N", 4]),
     helper.make_tensor_value_info("sr", TensorProto.INT64, [])],
    [f("y", ["N", 4]), f("state_out", [2, "N", 4])],
    [numpy_helper.from_array(rng.standard_normal((8, 4)).astype(np.float32) * 0.5, "w"),
     numpy_helper.from_array(rng.standard_normal(4).astype(np.float32) * 0.1, "b"),
     numpy_helper.from_array(np.array(1 / 32000, np.float32), "inv")])
onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]),
          os.path.join(out, "stateful.onnx"))

samples = 16
xs = [rng.standard_normal((1, 8)).astype(np.float32) * (1 + i / 4) for i in range(samples)]
states = [rng.standard_normal((2, 1, 4)).astype(np.float32) * (1 + i % 5) for i in range(samples)]
sr = np.array(16000, np.int64)
for i, (x, s) in enumerate(zip(xs, states)):
    np.savez(os.path.join(out, "samples", "%02d.npz" % i), x=x, state=s, sr=sr)
np.savez(os.path.join(out, "stacks.npz"), x=np.stack(xs), state=np.stack(states),
         sr=np.full(samples, 16000, np.int64))
np.save(os.path.join(out, "whole_x.npy"), np.concatenate(xs))
np.save(os.path.join(out, "whole_state.npy"), np.concatenate(states, axis=1))
np.save(os.path.join(out, "whole_sr.npy"), sr)
np.savez(os.path.join(out, "bad", "names.npz"), input=xs[0], state=states[0], rate=sr)
os.makedirs(os.path.join(out, "bad", "shapes"), exist_ok=True)
np.savez(os.path.join(out, "bad", "shapes", "0.npz"), x=xs[0], state=states[0], sr=sr)
np.savez(os.path.join(out, "bad", "shapes", "1.npz"), x=xs[1], state=states[1][:, :, :2], sr=sr)
