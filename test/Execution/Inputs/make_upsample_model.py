#!/usr/bin/env python3
"""conv -> relu -> nearest Resize x2 -> conv, with 16 samples of data: a
quantized data-movement generic between quantized layers.

  make_upsample_model.py OUTDIR
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out = sys.argv[1]
rng = np.random.default_rng(0)


def vi(name, shape):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)


def const(name, shape, scale):
    return numpy_helper.from_array(
        (rng.standard_normal(shape) * scale).astype(np.float32), name)


nodes = [
    helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], pads=[1, 1, 1, 1],
                     name="conv1"),
    helper.make_node("Relu", ["c1"], ["r1"], name="relu1"),
    helper.make_node("Resize", ["r1", "", "scales"], ["up"], mode="nearest",
                     name="upsample"),
    helper.make_node("Conv", ["up", "w2", "b2"], ["y"], pads=[1, 1, 1, 1],
                     name="conv2"),
]
inits = [const("w1", (8, 3, 3, 3), 0.3), const("b1", (8,), 0.1),
         const("w2", (4, 8, 3, 3), 0.2), const("b2", (4,), 0.1),
         numpy_helper.from_array(np.array([1, 1, 2, 2], np.float32), "scales")]
graph = helper.make_graph(nodes, "upsample", [vi("x", ["N", 3, 8, 8])],
                          [vi("y", ["N", 4, 16, 16])], inits)
onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]),
          os.path.join(out, "upsample.onnx"))
np.save(os.path.join(out, "upsample_x.npy"),
        rng.standard_normal((16, 3, 8, 8)).astype(np.float32))
