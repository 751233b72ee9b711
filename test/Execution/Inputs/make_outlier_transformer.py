#!/usr/bin/env python3
"""A transformer with activation outlier channels, from one without them.

  make_outlier_transformer.py IN.onnx OUT.onnx [FACTOR]

For every LayerNormalization whose output is read only by MatMuls with
constant weights (attention's QKV projection, the MLP's first layer), two
channels of its scale and shift are multiplied by FACTOR (32) and the
matching weight rows divided by it: the same function, but the layer
norm's output has two channels FACTOR times larger than the rest -- the
outlier pattern of trained transformers that per-tensor int8 activations
handle worst (what SmoothQuant is for).
"""
import sys

import numpy as np
import onnx
from onnx import numpy_helper

src, dst = sys.argv[1], sys.argv[2]
factor = float(sys.argv[3]) if len(sys.argv) > 3 else 32.0
model = onnx.load(src)
g = model.graph
inits = {t.name: t for t in g.initializer}
users = {}
for n in g.node:
    for i, name in enumerate(n.input):
        users.setdefault(name, []).append((n, i))


def array(name):
    return numpy_helper.to_array(inits[name]).copy()


def store(name, a):
    inits[name].CopyFrom(numpy_helper.from_array(a.astype(np.float32), name))


changed = 0
for n in g.node:
    if n.op_type != "LayerNormalization" or len(n.input) < 3:
        continue
    readers = users.get(n.output[0], [])
    if not readers or not all(r.op_type == "MatMul" and i == 0 and r.input[1] in inits
                              for r, i in readers):
        continue
    scale, shift = array(n.input[1]), array(n.input[2])
    k = scale.shape[-1]
    channels = [k // 4, (3 * k) // 4]
    scale[..., channels] *= factor
    shift[..., channels] *= factor
    store(n.input[1], scale)
    store(n.input[2], shift)
    for r, _ in readers:
        w = array(r.input[1])
        w[channels, :] /= factor
        store(r.input[1], w)
    changed += 1
if not changed:
    sys.exit("no LayerNormalization feeding constant MatMuls in " + src)
onnx.save(model, dst)
print("outlier channels in %d layer norms" % changed)
