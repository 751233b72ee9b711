#!/usr/bin/env python3
"""make_runtime_sizes.py OUT: models whose output size depends on run-time
values, and NumPy references (exact):
  topk.onnx     TopK of x [2, 10] with K a graph input, values doubled
                (outputs [2, K]); k3.npy = 3, k0.npy = 0, k12.npy = 12
                (clamped to 10)
  nonzero.onnx  NonZero of x [3, 4], transposed to [nnz, 2], plus 1
  unique.onnx   Unique of x [3, 4] (sorted; all four outputs), values x10
  unique_axis.onnx  Unique columns of an int64 [2, 6] (axis 1)
  slice.onnx    x_topk[:, start:8] * 2 with start a graph input (start<k>.npy)
  nonzero_in_if.onnx  NonZero inside If branches (refused)
Inputs x_topk.npy (distinct values), x_nonzero.npy (zeros, a NaN, -0.0);
references ref_topk_<k>_{values,indices}.npy, ref_nonzero.npy.
make_runtime_sizes.py --check DIR compares qopt's TopK outputs (v<k>,
i<k>.npy) and Unique outputs (u0-u3.npy) there with NumPy's."""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

if len(sys.argv) == 3 and sys.argv[1] == "--check":
    # make_runtime_sizes.py --check DIR: qopt's TopK outputs v<k>.npy /
    # i<k>.npy against the references, one line per K.
    d = sys.argv[2]
    for k in (0, 3, 12):
        v, ix = np.load(os.path.join(d, "v%d.npy" % k)), np.load(os.path.join(d, "i%d.npy" % k))
        same = all(a.shape == b.shape and (a == b).all() for a, b in (
            (v, np.load(os.path.join(d, "ref_topk_%d_values.npy" % k))),
            (ix, np.load(os.path.join(d, "ref_topk_%d_indices.npy" % k)))))
        print(k, v.shape, same)
    xu = np.load(os.path.join(d, "x_unique.npy"))
    y, first, inverse, counts = np.unique(xu.reshape(-1), return_index=True,
                                          return_inverse=True, return_counts=True)
    got = [np.load(os.path.join(d, "u%d.npy" % k)) for k in range(4)]
    want = [y * 10, first, inverse, counts]
    print("unique", got[0].shape, all(g.shape == w.shape and (g == w).all()
                                      for g, w in zip(got, want)))
    xa = np.load(os.path.join(d, "x_unique_axis.npy"))
    y, first, inverse, counts = np.unique(xa, axis=1, return_index=True,
                                          return_inverse=True, return_counts=True)
    got = [np.load(os.path.join(d, "ua%d.npy" % k)) for k in range(4)]
    want = [y, first, inverse.reshape(-1), counts]
    print("unique along axis 1", got[0].shape, all(
        g.shape == w.shape and (g == w).all() for g, w in zip(got, want)))
    xs = np.load(os.path.join(d, "x_topk.npy"))
    for start in (3, -4, 9, -20):
        got = np.load(os.path.join(d, "s%d.npy" % start))
        want = xs[:, start:8] * 2
        print("slice from", start, got.shape, got.shape == want.shape and bool((got == want).all()))
    sys.exit(0)
out = sys.argv[1]
rng = np.random.default_rng(3)
f = lambda n, s: helper.make_tensor_value_info(n, TensorProto.FLOAT, s)
i = lambda n, s: helper.make_tensor_value_info(n, TensorProto.INT64, s)

topk = helper.make_graph(
    [helper.make_node("TopK", ["x", "k"], ["v", "idx"], axis=1, name="topk"),
     helper.make_node("Mul", ["v", "two"], ["values"], name="double")],
    "topk", [f("x", [2, 10]), i("k", [1])], [f("values", [2, "K"]), i("idx", [2, "K"])],
    [numpy_helper.from_array(np.array(2.0, np.float32), "two")])
onnx.save(helper.make_model(topk, opset_imports=[helper.make_opsetid("", 13)]),
          os.path.join(out, "topk.onnx"))
x = np.stack([rng.permutation(10), rng.permutation(10)]).astype(np.float32) - 4.5
np.save(os.path.join(out, "x_topk.npy"), x)
for k in (0, 3, 12):
    np.save(os.path.join(out, "k%d.npy" % k), np.array([k], np.int64))
    kk = min(k, 10)
    order = np.argsort(-x, axis=1, kind="stable")[:, :kk]
    np.save(os.path.join(out, "ref_topk_%d_values.npy" % k),
            (np.take_along_axis(x, order, 1) * 2).astype(np.float32))
    np.save(os.path.join(out, "ref_topk_%d_indices.npy" % k), order.astype(np.int64))

nz = helper.make_graph(
    [helper.make_node("NonZero", ["x"], ["nz"], name="nonzero"),
     helper.make_node("Transpose", ["nz"], ["t"], perm=[1, 0], name="rows"),
     helper.make_node("Add", ["t", "one"], ["coords"], name="plus_one")],
    "nonzero", [f("x", [3, 4])], [i("coords", ["N", 2])],
    [numpy_helper.from_array(np.array(1, np.int64), "one")])
onnx.save(helper.make_model(nz, opset_imports=[helper.make_opsetid("", 13)]),
          os.path.join(out, "nonzero.onnx"))
uq = helper.make_graph(
    [helper.make_node("Unique", ["x"], ["y", "first", "inverse", "counts"], name="unique"),
     helper.make_node("Mul", ["y", "ten"], ["scaled"], name="scale")],
    "unique", [f("x", [3, 4])],
    [f("scaled", ["U"]), i("first", ["U"]), i("inverse", [12]), i("counts", ["U"])],
    [numpy_helper.from_array(np.array(10.0, np.float32), "ten")])
onnx.save(helper.make_model(uq, opset_imports=[helper.make_opsetid("", 13)]),
          os.path.join(out, "unique.onnx"))
np.save(os.path.join(out, "x_unique.npy"),
        rng.integers(-3, 4, (3, 4)).astype(np.float32))

uqa = helper.make_graph(
    [helper.make_node("Unique", ["x"], ["y", "first", "inverse", "counts"], axis=1,
                      name="unique_columns")],
    "unique_axis", [i("x", [2, 6])],
    [i("y", [2, "U"]), i("first", ["U"]), i("inverse", [6]), i("counts", ["U"])])
onnx.save(helper.make_model(uqa, opset_imports=[helper.make_opsetid("", 13)]),
          os.path.join(out, "unique_axis.onnx"))
np.save(os.path.join(out, "x_unique_axis.npy"),
        np.array([[1, 0, 1, 2, 0, 1], [3, 2, 3, 0, 2, 1]], np.int64))

sl = helper.make_graph(
    [helper.make_node("Slice", ["x", "start", "end", "axis"], ["s"], name="window"),
     helper.make_node("Mul", ["s", "two"], ["y"], name="double")],
    "slice", [f("x", [2, 10]), i("start", [1])], [f("y", [2, "W"])],
    [numpy_helper.from_array(np.array([8], np.int64), "end"),
     numpy_helper.from_array(np.array([1], np.int64), "axis"),
     numpy_helper.from_array(np.array(2.0, np.float32), "two")])
onnx.save(helper.make_model(sl, opset_imports=[helper.make_opsetid("", 13)]),
          os.path.join(out, "slice.onnx"))
for start in (3, -4, 9, -20):
    np.save(os.path.join(out, "start%d.npy" % start), np.array([start], np.int64))

# NonZero inside an If branch: a branch cannot return a row count.
branch = lambda name: helper.make_graph(
    [helper.make_node("NonZero", ["xb"], ["nz_" + name], name="nonzero_" + name)],
    name, [], [i("nz_" + name, None)])
nzif = helper.make_graph(
    [helper.make_node("Identity", ["x"], ["xb"], name="copy"),
     helper.make_node("If", ["c"], ["out"], name="choose",
                      then_branch=branch("then"), else_branch=branch("else"))],
    "nonzero_in_if", [f("x", [3, 4]), helper.make_tensor_value_info("c", TensorProto.BOOL, [])],
    [i("out", None)])
onnx.save(helper.make_model(nzif, opset_imports=[helper.make_opsetid("", 13)]),
          os.path.join(out, "nonzero_in_if.onnx"))

xn = np.array([[0, 1.5, 0, -0.0], [np.nan, 0, 2, 0], [0, 0, 0, -3]], np.float32)
np.save(os.path.join(out, "x_nonzero.npy"), xn)
np.save(os.path.join(out, "ref_nonzero.npy"), (np.argwhere(xn != 0) + 1).astype(np.int64))
