#!/usr/bin/env python3
"""conv -> relu -> conv whose node and tensor names are HTML and script
syntax, plus calibration and test data, for report-hostile-names.test.
Usage: make_hostile_report_model.py DIR"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto as T, helper as h, numpy_helper as nh

d = sys.argv[1]
rng = np.random.default_rng(0)
conv1 = '<script>alert("conv")</script>'
relu = "<img src=x onerror=alert(1)>"
conv2 = "</table><h1>pwned</h1>&amp;'"
nodes = [h.make_node("Conv", ["x", "w1"], ["<b>a</b>"], name=conv1, pads=[1, 1, 1, 1]),
         h.make_node("Relu", ["<b>a</b>"], ["r"], name=relu),
         h.make_node("Conv", ["r", "w2"], ["y"], name=conv2)]
g = h.make_graph(nodes, "<script>graph</script>",
                 [h.make_tensor_value_info("x", T.FLOAT, ["N", 3, 8, 8])],
                 [h.make_tensor_value_info("y", T.FLOAT, ["N", 4, 8, 8])],
                 [nh.from_array(rng.normal(0, .3, (8, 3, 3, 3)).astype(np.float32), "w1"),
                  nh.from_array(rng.normal(0, .3, (4, 8, 1, 1)).astype(np.float32), "w2")])
onnx.save(h.make_model(g, opset_imports=[h.make_opsetid("", 13)]),
          os.path.join(d, "<script>model.onnx"))
np.save(os.path.join(d, "x.npy"), rng.normal(0, 1, (16, 3, 8, 8)).astype(np.float32))
