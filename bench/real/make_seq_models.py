#!/usr/bin/env python3
"""Writes the transformer and recurrent models of the real-model benchmark
(random weights: speed only), with their batch-1 inputs.

  make_seq_models.py OUTDIR

encoder.onnx: a BERT-small-style encoder, 4 layers, 128 tokens of width 256,
4 heads of 64, feed-forward 1024, LayerNormalization and Gelu (erf form),
input [1, 128, 256] (embedded tokens). gru.onnx: two stacked GRU layers of
128 over 100 steps of 64 features (a keyword-spotting size), input
[100, 1, 64], the last step's state through a 12-class classifier.
Calibration inputs (calib_*.npy, 8 samples) are written beside them.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(0)
nodes, inits = [], []


def const(name, a):
    inits.append(numpy_helper.from_array(np.asarray(a), name))
    return name


def node(op, ins, outs=None, **attrs):
    outs = outs or [f"{op}_{len(nodes)}"]
    nodes.append(helper.make_node(op, ins, outs, name=outs[0], **attrs))
    return outs[0]


def weight(name, shape, fan_in):
    return const(name, (rng.standard_normal(shape) / np.sqrt(fan_in)).astype(np.float32))


def encoder(tokens=128, width=256, heads=4, ffn=1024, layers=4):
    x = "tokens"
    hd = width // heads
    for l in range(layers):
        p = f"l{l}"
        ln1 = node("LayerNormalization", [x, const(p + "g1", np.ones(width, np.float32)),
                                          const(p + "b1", np.zeros(width, np.float32))], axis=-1)
        qkv = node("MatMul", [ln1, weight(p + "wqkv", (width, 3 * width), width)])
        qkv = node("Add", [qkv, const(p + "bqkv", np.zeros(3 * width, np.float32))])
        qkv = node("Reshape", [qkv, const(p + "s5", np.array([1, tokens, 3, heads, hd], np.int64))])
        qkv = node("Transpose", [qkv], perm=[2, 0, 3, 1, 4])  # [3, 1, H, T, hd]
        q, k, v = [node("Gather", [qkv, const(p + f"i{i}", np.array(i, np.int64))], axis=0)
                   for i in range(3)]
        kt = node("Transpose", [k], perm=[0, 1, 3, 2])
        s = node("MatMul", [q, kt])
        s = node("Mul", [s, const(p + "scale", np.array(1 / np.sqrt(hd), np.float32))])
        a = node("Softmax", [s], axis=-1)
        o = node("MatMul", [a, v])  # [1, H, T, hd]
        o = node("Transpose", [o], perm=[0, 2, 1, 3])
        o = node("Reshape", [o, const(p + "s3", np.array([1, tokens, width], np.int64))])
        o = node("MatMul", [o, weight(p + "wo", (width, width), width)])
        x = node("Add", [x, o])
        ln2 = node("LayerNormalization", [x, const(p + "g2", np.ones(width, np.float32)),
                                          const(p + "b2", np.zeros(width, np.float32))], axis=-1)
        h = node("MatMul", [ln2, weight(p + "w1", (width, ffn), width)])
        h = node("Add", [h, const(p + "bf1", np.zeros(ffn, np.float32))])
        # Gelu, erf form: 0.5 x (1 + erf(x / sqrt 2))
        e = node("Erf", [node("Mul", [h, const(p + "rs2", np.array(1 / np.sqrt(2), np.float32))])])
        e = node("Add", [e, const(p + "one", np.array(1, np.float32))])
        h = node("Mul", [node("Mul", [h, e]), const(p + "half", np.array(0.5, np.float32))])
        h = node("MatMul", [h, weight(p + "w2", (ffn, width), ffn)])
        x = node("Add", [x, h])
    node("Identity", [x], ["hidden"])
    return (helper.make_tensor_value_info("tokens", TensorProto.FLOAT, [1, tokens, width]),
            helper.make_tensor_value_info("hidden", TensorProto.FLOAT, [1, tokens, width]),
            (1, tokens, width))


def gru(steps=100, features=64, hidden=128, classes=12):
    x = "features"
    for l in range(2):
        f = features if l == 0 else hidden
        w = weight(f"w{l}", (1, 3 * hidden, f), f)
        r = weight(f"r{l}", (1, 3 * hidden, hidden), hidden)
        b = const(f"b{l}", np.zeros((1, 6 * hidden), np.float32))
        y, yh = f"y{l}", f"yh{l}"
        node("GRU", [x, w, r, b], [y, yh], hidden_size=hidden, linear_before_reset=1)
        x = node("Squeeze", [y, const(f"ax{l}", np.array([1], np.int64))])  # [T, 1, H]
    last = node("Reshape", [f"yh1", const("s2", np.array([1, hidden], np.int64))])
    logits = node("MatMul", [last, weight("wc", (hidden, classes), hidden)])
    node("Identity", [logits], ["logits"])
    return (helper.make_tensor_value_info("features", TensorProto.FLOAT, [steps, 1, features]),
            helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, classes]),
            (steps, 1, features))


for name, build in [("encoder", encoder), ("gru", gru)]:
    nodes.clear()
    inits.clear()
    inp, outp, shape = build()
    graph = helper.make_graph(list(nodes), name, [inp], [outp], list(inits))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(out, name + ".onnx"))
    np.save(os.path.join(out, name + "_x.npy"), rng.standard_normal(shape).astype(np.float32))
    # Calibration: 8 inputs stacked along the first dimension (qopt slices
    # them into the model's shape).
    calib = np.concatenate([rng.standard_normal(shape).astype(np.float32) for _ in range(8)], axis=0)
    np.save(os.path.join(out, name + "_calib.npy"), calib)
