#!/usr/bin/env python3
"""Writes a ~200-byte ONNX model (y = x + w) whose initializer w, 2^30
floats (4 GiB), lives in external data: a sparse file of that size that
takes no disk blocks. Usage: make_sparse_external.py DIR"""
import os
import sys

import onnx
from onnx import TensorProto as T, helper as h

d = sys.argv[1]
w = onnx.TensorProto()
w.name = "w"
w.data_type = T.FLOAT
w.dims.append(1 << 30)
w.data_location = T.EXTERNAL
for k, v in (("location", "weights.bin"), ("offset", "0"),
             ("length", str(4 << 30))):
    e = w.external_data.add()
    e.key, e.value = k, v
g = h.make_graph([h.make_node("Add", ["x", "w"], ["y"], name="add")], "g",
                 [h.make_tensor_value_info("x", T.FLOAT, [1 << 30])],
                 [h.make_tensor_value_info("y", T.FLOAT, [1 << 30])], [w])
onnx.save(h.make_model(g, opset_imports=[h.make_opsetid("", 13)]),
          os.path.join(d, "sparse.onnx"))
with open(os.path.join(d, "weights.bin"), "wb") as f:
    f.truncate(4 << 30)
