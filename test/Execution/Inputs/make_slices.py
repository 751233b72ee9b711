#!/usr/bin/env python3
"""Slice models with their NumPy references: negative steps (how torch
exports flip, and Silero VAD v4's reflection padding x[:, :, 1:1+p].flip(-1)),
starts and ends past either end, empty results, steps longer than the axis.
One model per time length T with one output per case, each through a ReLU so
that the slice is tiled with its consumer; and the padding of Silero v4's
adaptive normalization followed by a convolution.

  make_slices.py OUTDIR
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out = sys.argv[1]
INF = 2**62
# (start, end, step) on the last axis; None for end means "to the far end".
CASES = [(1, 4, 1), (-4, -1, 1), (-1, -INF, -1), (3, 0, -1), (-1, -5, -1),
         (10, -10, -1), (0, 100, 2), (-100, 100, 3), (1, 1, 1), (5, 2, -2),
         (-2, -INF, -3)]


def onnx_slice(x, s, e, st):
    """The last axis sliced by ONNX's rule (starts clamp to [0, dim - 1] for
    negative steps, where NumPy would return nothing for a start before 0)."""
    dim = x.shape[-1]
    s = s + dim if s < 0 else s
    e = e + dim if e < 0 else e
    if st > 0:
        s, e = min(max(s, 0), dim), min(max(e, 0), dim)
    else:
        s, e = min(max(s, 0), dim - 1), min(max(e, -1), dim - 1)
    return x[..., [i for i in range(s, e, st)]]


def vi(name, shape):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)


def ints(name, v):
    return numpy_helper.from_array(np.array(v, np.int64), name)


def save(graph, name):
    onnx.save(helper.make_model(graph, opset_imports=[
        helper.make_opsetid("", 13)]), os.path.join(out, name + ".onnx"))


for t in [1, 2, 3, 5]:
    x = np.arange(2 * 3 * t, dtype=np.float32).reshape(2, 3, t) - 3
    nodes, inits, outs = [], [ints("axis", [2])], []
    for i, (s, e, st) in enumerate(CASES):
        inits += [ints(f"s{i}", [s]), ints(f"e{i}", [e]), ints(f"st{i}", [st])]
        nodes += [helper.make_node("Slice", ["x", f"s{i}", f"e{i}", "axis",
                                             f"st{i}"], [f"y{i}"]),
                  helper.make_node("Relu", [f"y{i}"], [f"r{i}"])]
        outs.append(vi(f"r{i}", None))
        ref = onnx_slice(x, s, e, st)
        np.save(os.path.join(out, f"t{t}_r{i}.npy"), np.maximum(ref, 0))
    save(helper.make_graph(nodes, f"t{t}", [vi("x", [2, 3, t])], outs, inits),
         f"t{t}")
    np.save(os.path.join(out, f"t{t}_x.npy"), x)

# Silero VAD v4 (AdaptiveAudioNormalization): mean over frequency, reflection
# padding by 3 written as flipped slices, a 7-tap smoothing convolution.
rng = np.random.default_rng(3)
x = rng.standard_normal((2, 16, 9)).astype(np.float32)
w = rng.standard_normal((1, 1, 7)).astype(np.float32)
nodes = [
    helper.make_node("ReduceMean", ["x"], ["m"], axes=[1], keepdims=1),
    helper.make_node("Slice", ["m", "l0", "l1", "axis"], ["l"]),
    helper.make_node("Slice", ["l", "m1", "minf", "axis", "m1"], ["lf"]),
    helper.make_node("Slice", ["m", "r0", "m1", "axis"], ["r"]),
    helper.make_node("Slice", ["r", "m1", "minf", "axis", "m1"], ["rf"]),
    helper.make_node("Concat", ["lf", "m", "rf"], ["p"], axis=2),
    helper.make_node("Conv", ["p", "w"], ["y"]),
]
inits = [ints("axis", [2]), ints("l0", [1]), ints("l1", [4]), ints("r0", [-4]),
         ints("m1", [-1]), ints("minf", [-INF]),
         numpy_helper.from_array(w, "w")]
save(helper.make_graph(nodes, "pad", [vi("x", [2, 16, 9])], [vi("y", None)],
                       inits), "reflect_pad")
m = x.mean(axis=1, keepdims=True)
p = np.concatenate([m[:, :, 1:4][:, :, ::-1], m, m[:, :, -4:-1][:, :, ::-1]], 2)
y = np.stack([np.convolve(p[n, 0], w[0, 0, ::-1], "valid") for n in range(2)])
np.save(os.path.join(out, "reflect_pad_x.npy"), x)
np.save(os.path.join(out, "reflect_pad_y.npy"), y[:, None, :].astype(np.float32))
