#!/usr/bin/env python3
"""ConvTranspose models whose kernel equals the stride (FPN / U-Net / OCR
upsampling) with their NumPy references, from the definition

  y[n, m, h*sh + i, w*sw + j] = b[m] + sum_c x[n, c, h, w] * W[c, m, i, j]

  make_conv_transpose.py OUTDIR
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out = sys.argv[1]
rng = np.random.default_rng(5)


def case(name, c, m, hw, k, bias, relu):
    x = rng.standard_normal((2, c) + hw).astype(np.float32)
    w = rng.standard_normal((c, m) + k).astype(np.float32)
    b = rng.standard_normal(m).astype(np.float32)
    y = np.zeros((2, m, hw[0] * k[0], hw[1] * k[1]), np.float64)
    for i in range(k[0]):
        for j in range(k[1]):
            y[:, :, i::k[0], j::k[1]] = np.einsum("nchw,cm->nmhw", x, w[:, :, i, j])
    if bias:
        y += b[None, :, None, None]
    if relu:
        y = np.maximum(y, 0)
    inits = [numpy_helper.from_array(w, "W")]
    ins = ["x", "W"]
    if bias:
        inits.append(numpy_helper.from_array(b, "B"))
        ins.append("B")
    nodes = [helper.make_node("ConvTranspose", ins, ["t" if relu else "y"], name="up",
                              kernel_shape=list(k), strides=list(k))]
    if relu:
        nodes.append(helper.make_node("Relu", ["t"], ["y"], name="relu"))
    g = helper.make_graph(nodes, name,
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, c, *hw])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, list(y.shape))],
                          inits)
    model = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 7
    onnx.save(model, os.path.join(out, name + ".onnx"))
    np.save(os.path.join(out, name + "_x.npy"), x)
    np.save(os.path.join(out, name + "_y.npy"), y.astype(np.float32))


case("up2", 24, 24, (9, 7), (2, 2), True, True)
case("up2_one", 24, 1, (9, 7), (2, 2), True, False)
case("up23", 5, 3, (4, 6), (2, 3), False, False)
