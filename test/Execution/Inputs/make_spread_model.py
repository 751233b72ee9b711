#!/usr/bin/env python3
"""conv -> conv where the first conv's channel 0 is 300x larger than the
others and the second reads only the small channels: per-tensor 8-bit
activations round the small channels away (output SQNR ~0 dB), the
pattern batch-norm folding leaves in ImageNet models. Writes spread.onnx
and x.npy into DIR."""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto as T, helper as h, numpy_helper as nh

d = sys.argv[1]
rng = np.random.default_rng(0)
w1 = rng.normal(0, .3, (4, 3, 3, 3)).astype(np.float32)
w1[0] *= 300
w2 = np.zeros((2, 4, 1, 1), np.float32)
w2[:, 1:, 0, 0] = rng.normal(0, 1, (2, 3))
w2[:, 0, 0, 0] = 1e-4
nodes = [h.make_node("Conv", ["x", "w1"], ["a"], name="spread_conv", pads=[1, 1, 1, 1]),
         h.make_node("Conv", ["a", "w2"], ["y"], name="mix")]
g = h.make_graph(nodes, "g", [h.make_tensor_value_info("x", T.FLOAT, ["N", 3, 8, 8])],
                 [h.make_tensor_value_info("y", T.FLOAT, None)],
                 [nh.from_array(w1, "w1"), nh.from_array(w2, "w2")])
onnx.save(h.make_model(g, opset_imports=[h.make_opsetid("", 17)]), os.path.join(d, "spread.onnx"))
np.save(os.path.join(d, "x.npy"), rng.normal(0, 1, (16, 3, 8, 8)).astype(np.float32))
