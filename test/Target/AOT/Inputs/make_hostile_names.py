#!/usr/bin/env python3
"""Writes an ONNX model whose input and output names are C, preprocessor and
HTML syntax: y = x + c (two inputs, two outputs), for the header-injection
test. Usage: make_hostile_names.py OUT.onnx"""
import sys

import numpy as np
import onnx
from onnx import TensorProto as T, helper as h, numpy_helper as nh

NAMES = [
    'x */\n#error injected\n/*',            # closes a comment, then a directive
    'y"; system("id"); //',                  # closes a string literal
    '<script>alert(1)</script>',             # HTML
    'int',                                   # a keyword
    'batch',                                 # the header's own parameter
    'a\\\nb ??/ é',                          # line splice, trigraph, UTF-8
]
a, b, c, d = NAMES[0], NAMES[1], NAMES[2], NAMES[3]
nodes = [h.make_node("Add", [a, "k"], [c], name=NAMES[5]),
         h.make_node("Mul", [b, "k"], [d], name=NAMES[4])]
g = h.make_graph(
    nodes, NAMES[2],
    [h.make_tensor_value_info(a, T.FLOAT, [1, 4]),
     h.make_tensor_value_info(b, T.FLOAT, [1, 4])],
    [h.make_tensor_value_info(c, T.FLOAT, [1, 4]),
     h.make_tensor_value_info(d, T.FLOAT, [1, 4])],
    [nh.from_array(np.full((1, 4), 2.0, np.float32), "k")])
onnx.save(h.make_model(g, opset_imports=[h.make_opsetid("", 13)]), sys.argv[1])
