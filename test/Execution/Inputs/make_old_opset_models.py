#!/usr/bin/env python3
"""Models of default-domain opsets 1, 3, 5 and 6 (the forms old exporters
wrote: Reshape's shape attribute, Add/Mul/Gemm with broadcast and axis
attributes, BatchNormalization with consumed_inputs / is_test / spatial,
Dropout with is_test, Concat's axis), with NumPy references.

  make_old_opset_models.py OUTDIR

Writes OUTDIR/opset<N>.onnx, opset<N>_x.npy and opset<N>_y.npy, and prints
the opsets; and two invalid models: opset4_unknown_op.onnx (an op opset 4
does not have) and opset5_one_input_mul.onnx (a Mul with one input).
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out = sys.argv[1]
rng = np.random.default_rng(11)
f32 = np.float32


def init(name, a):
    return numpy_helper.from_array(np.asarray(a, f32), name)


def conv_nchw(x, w, pad):
    n, c, h, wd = x.shape
    f, _, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    y = np.zeros((n, f, h + 2 * pad - kh + 1, wd + 2 * pad - kw + 1), np.float64)
    for i in range(kh):
        for j in range(kw):
            patch = xp[:, :, i:i + y.shape[2], j:j + y.shape[3]]
            y += np.einsum("nchw,fc->nfhw", patch, w[:, :, i, j])
    return y


def save(opset, nodes, inits, x, y, out_shape):
    graph = helper.make_graph(
        nodes, "old_opset_%d" % opset,
        # IR version 3: initializers are graph inputs too (with defaults).
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(x.shape))] +
        [helper.make_tensor_value_info(t.name, t.data_type, list(t.dims)) for t in inits],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, list(out_shape))],
        inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 3
    onnx.save(model, os.path.join(out, "opset%d.onnx" % opset))
    np.save(os.path.join(out, "opset%d_x.npy" % opset), x.astype(f32))
    np.save(os.path.join(out, "opset%d_y.npy" % opset), y.astype(f32))
    print("opset%d" % opset)


x = rng.standard_normal((2, 3, 6, 6)).astype(f32)
w = (rng.standard_normal((4, 3, 3, 3)) * 0.3).astype(f32)
b = rng.standard_normal(4).astype(f32)
scale, shift = rng.uniform(0.5, 1.5, 4).astype(f32), rng.standard_normal(4).astype(f32)
mean, var = rng.standard_normal(4).astype(f32), rng.uniform(0.5, 2, 4).astype(f32)
fcw = (rng.standard_normal((36, 5)) * 0.2).astype(f32)
fcb = rng.standard_normal(5).astype(f32)


def cnn_reference():
    y = conv_nchw(x.astype(np.float64), w.astype(np.float64), 1)
    y += b[None, :, None, None]
    y = (y - mean[None, :, None, None]) / np.sqrt(var[None, :, None, None] + 1e-5)
    y = y * scale[None, :, None, None] + shift[None, :, None, None]
    y = np.maximum(y, 0)
    y = y.reshape(2, 4, 3, 2, 3, 2).max(axis=(3, 5))
    y = y.reshape(2, 36) @ fcw + fcb
    e = np.exp(y - y.max(1, keepdims=True))
    return e / e.sum(1, keepdims=True)


def cnn(opset):
    """Conv -> Add(bias, broadcast) -> BatchNormalization -> Relu -> MaxPool
    -> Reshape(shape attribute before opset 5) -> Gemm(broadcast) -> Softmax."""
    bn_attrs = {"epsilon": 1e-5}
    if opset < 6:
        bn_attrs["is_test"] = 1
    if opset < 7:
        bn_attrs["spatial"] = 1
    if opset < 6:  # BatchNormalization-1 requires it
        bn_attrs["consumed_inputs"] = [0, 0, 0, 1, 1]
    nodes = [
        helper.make_node("Conv", ["x", "w"], ["c"], kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node("Add", ["c", "b"], ["cb"], broadcast=1, axis=1),
        helper.make_node("BatchNormalization", ["cb", "s", "t", "m", "v"], ["bn"], **bn_attrs),
        helper.make_node("Relu", ["bn"], ["r"]),
        helper.make_node("MaxPool", ["r"], ["p"], kernel_shape=[2, 2], strides=[2, 2]),
    ]
    inits = [init("w", w), init("b", b), init("s", scale), init("t", shift),
             init("m", mean), init("v", var), init("fcw", fcw), init("fcb", fcb)]
    if opset < 5:
        nodes.append(helper.make_node("Reshape", ["p"], ["f"], shape=[2, 36]))
    else:
        inits.append(numpy_helper.from_array(np.array([2, 36], np.int64), "shape"))
        nodes.append(helper.make_node("Reshape", ["p", "shape"], ["f"]))
    nodes += [
        helper.make_node("Gemm", ["f", "fcw", "fcb"], ["g"], broadcast=1),
        helper.make_node("Softmax", ["g"], ["y"]),
    ]
    save(opset, nodes, inits, x, cnn_reference(), (2, 5))


for opset in (1, 3, 5):
    cnn(opset)

# Opset 6: Mul with broadcast/axis, Dropout(is_test), Sum, Concat, Sigmoid,
# Transpose.
g = rng.uniform(0.5, 2, 3).astype(f32)
nodes = [
    helper.make_node("Mul", ["x", "g"], ["m"], broadcast=1, axis=1),
    helper.make_node("Dropout", ["m"], ["d"], is_test=1, ratio=0.5),
    helper.make_node("Sigmoid", ["d"], ["s"]),
    helper.make_node("Sum", ["s", "d", "x"], ["u"]),
    helper.make_node("Concat", ["u", "s"], ["c"], axis=1),
    helper.make_node("Transpose", ["c"], ["y"], perm=[0, 2, 3, 1]),
]
xm = x.astype(np.float64) * g[None, :, None, None]
sg = 1 / (1 + np.exp(-xm))
ref = np.concatenate([sg + xm + x, sg], axis=1).transpose(0, 2, 3, 1)
save(6, nodes, [init("g", g)], x, ref, ref.shape)

def save_bad(name, opset, nodes, inputs, outputs, inits=()):
    """A model the converter must refuse: float tensors named with shapes."""
    vi = lambda n, shape: helper.make_tensor_value_info(n, TensorProto.FLOAT, shape)
    graph = helper.make_graph(nodes, name, [vi(*x) for x in inputs],
                              [vi(*y) for y in outputs], list(inits))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 3
    onnx.save(model, os.path.join(out, "opset%d_%s.onnx" % (opset, name)))


node = helper.make_node
# A Mul with one input (ONNX's broadcast adapter read past its inputs and
# crashed; the checker refuses it first).
save_bad("one_input_mul", 5, [node("Mul", ["x"], ["y"], name="lonely", broadcast=1)],
         [("x", [2])], [("y", [2])])
# An op that opset 4 does not define: no adapter can convert it.
save_bad("unknown_op", 4, [node("Relu", ["x"], ["r"], name="relu"),
                           node("NoSuchOp", ["r"], ["y"], name="mystery")],
         [("x", [2])], [("y", [2])])
# A graph output no node produces: ONNX's IR import (under every adapter)
# registered it as a null value and crashed; the checker does not catch it.
save_bad("lost_output", 6, [node("Relu", ["x"], ["y"], name="relu")],
         [("x", [2])], [("zzz", [2])])
# A value defined twice (two nodes write 'r').
save_bad("defined_twice", 6, [node("Relu", ["x"], ["r"], name="first"),
                              node("Neg", ["x"], ["r"], name="second")],
         [("x", [2])], [("r", [2])])
# Found by the fuzzer in ONNX's shape inference: a stride of 0 (a division by
# zero) and a weight of another rank than its input (reads out of bounds).
save_bad("zero_stride", 3,
         [node("MaxPool", ["x"], ["y"], name="pool", kernel_shape=[2, 1], strides=[0, 1])],
         [("x", [1, 1, 4, 4])], [("y", [1, 1, 3, 4])])
save_bad("rank_mismatch", 4, [node("Conv", ["x", "w"], ["y"], name="conv")],
         [("x", [1, 1, 2, 2]), ("w", [2, 1, 1, 1, 1, 1])], [("y", [1, 2, 2, 2])],
         [numpy_helper.from_array(np.ones((2, 1, 1, 1, 1, 1), np.float32), "w")])
