#!/usr/bin/env python3
"""x [N, 1000] -> Gemm -> y, with calibration data that is N(0, 1) except
five values of 40 (of 100,000): what the calibration method decides.

  make_outlier_model.py OUTDIR
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out = sys.argv[1]
rng = np.random.default_rng(7)
w = (rng.standard_normal((1000, 4)) * 0.03).astype(np.float32)
graph = helper.make_graph(
    [helper.make_node("Gemm", ["x", "w"], ["y"], name="fc")], "outliers",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 1000])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 4])],
    [numpy_helper.from_array(w, "w")])
onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]),
          os.path.join(out, "outliers.onnx"))
x = rng.standard_normal((100, 1000)).astype(np.float32)
x.flat[rng.choice(x.size, 5, replace=False)] = 40.0
np.save(os.path.join(out, "outliers_x.npy"), x)
