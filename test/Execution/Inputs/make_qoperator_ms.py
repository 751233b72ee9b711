#!/usr/bin/env python3
"""Writes qoperator_ms.onnx: every com.microsoft QOperator op ONNX Runtime's
quantizer emits (QLinearAdd, QLinearMul, QLinearSigmoid, QLinearLeakyRelu,
QLinearConcat, QLinearGlobalAveragePool, QLinearAveragePool, QGemm) in one
uint8 graph, with an input and the output of a NumPy reference of the
com.microsoft definitions (dequantize, float op, quantize with round half
to even and saturation). Run from this directory with /usr/bin/python3.
"""
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

rng = np.random.default_rng(3)
X = rng.uniform(-1, 1, (2, 4, 4, 4)).astype(np.float32)
inits, nodes = [], []


def c(name, v, dt=np.float32):
    inits.append(numpy_helper.from_array(np.array(v, dt), name))
    return name


def q(x, s, z):
    return np.clip(np.rint(x / s) + z, 0, 255).astype(np.uint8)


def dq(x, s, z):
    return (x.astype(np.float32) - z) * np.float32(s)


def ms(op, ins, outs, **a):
    nodes.append(helper.make_node(op, ins, outs, name=outs[0], domain="com.microsoft", **a))


# x -> q (s 1/127, zp 128)
s0, z0 = 1 / 127, 128
nodes.append(helper.make_node("QuantizeLinear", ["x", c("s0", s0), c("z0", z0, np.uint8)], ["xq"], name="q"))
xq = q(X, s0, z0)
# QLinearMul(x, x) -> s1
s1, z1 = 1 / 250, 0
ms("QLinearMul", ["xq", "s0", "z0", "xq", "s0", "z0", c("s1", s1), c("z1", z1, np.uint8)], ["m"])
m = q(dq(xq, s0, z0) * dq(xq, s0, z0), s1, z1)
# QLinearAdd(m, x) -> s2
s2, z2 = 2 / 255, 100
ms("QLinearAdd", ["m", "s1", "z1", "xq", "s0", "z0", c("s2", s2), c("z2", z2, np.uint8)], ["a"])
a = q(dq(m, s1, z1) + dq(xq, s0, z0), s2, z2)
# QLinearLeakyRelu(a), alpha 0.1 -> s3
s3, z3 = 1.5 / 255, 30
ms("QLinearLeakyRelu", ["a", "s2", "z2", c("s3", s3), c("z3", z3, np.uint8)], ["l"], alpha=0.1)
fa = dq(a, s2, z2)
l = q(np.where(fa < 0, np.float32(0.1) * fa, fa), s3, z3)
# QLinearSigmoid(l) -> s4
s4, z4 = 1 / 255, 0
ms("QLinearSigmoid", ["l", "s3", "z3", c("s4", s4), c("z4", z4, np.uint8)], ["sg"])
sg = q(1 / (1 + np.exp(-dq(l, s3, z3))), s4, z4)
# QLinearAveragePool 2x2 -> s4
ms("QLinearAveragePool", ["sg", "s4", "z4", "s4", "z4"], ["ap"], kernel_shape=[2, 2], strides=[2, 2])
fsg = dq(sg, s4, z4)
ap = q(fsg.reshape(2, 4, 2, 2, 2, 2).mean(axis=(3, 5)), s4, z4)
# QLinearConcat(ap, ap) on channels -> s4
ms("QLinearConcat", ["s4", "z4", "ap", "s4", "z4", "ap", "s4", "z4"], ["cc"], axis=1)
cc = q(np.concatenate([dq(ap, s4, z4)] * 2, axis=1), s4, z4)
# QLinearGlobalAveragePool -> [2, 8, 1, 1]
ms("QLinearGlobalAveragePool", ["cc", "s4", "z4", "s4", "z4"], ["gp"], channels_last=0)
gp = q(dq(cc, s4, z4).mean(axis=(2, 3), keepdims=True), s4, z4)
nodes.append(helper.make_node("Flatten", ["gp"], ["fl"], name="flatten"))
fl = gp.reshape(2, 8)
# QGemm with an int32 bias, uint8 output -> s5
W = rng.integers(0, 256, (3, 8)).astype(np.uint8)
sw, zw = 0.01, 128
B = rng.integers(-500, 500, (3,)).astype(np.int32)
s5, z5 = 0.02, 128
ms("QGemm", ["fl", "s4", "z4", c("w", W, np.uint8), c("sw", sw), c("zw", zw, np.uint8),
             c("b", B, np.int32), c("s5", s5), c("z5", z5, np.uint8)], ["g"], transB=1)
fg = dq(fl, s4, z4) @ dq(W, sw, zw).T + B.astype(np.float32) * np.float32(s4 * sw)
g = q(fg, s5, z5)
nodes.append(helper.make_node("DequantizeLinear", ["g", "s5", "z5"], ["y"], name="dq"))
y = dq(g, s5, z5)

graph = helper.make_graph(nodes, "qoperator_ms",
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 4, 4, 4])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 3])], inits)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13),
                                                helper.make_opsetid("com.microsoft", 1)])
onnx.save(model, "qoperator_ms.onnx")
np.save("qoperator_ms_x.npy", X)
np.save("qoperator_ms_y.npy", y.astype(np.float32))
print("y =", y)
