#!/usr/bin/env python3
"""Harder variants of the kit's Fashion-MNIST models: the same function,
with weights that defeat naive quantization (issue #23's benchmark).

  make_variants.py MODEL.onnx OUTDIR [--seed 0]

For every Conv -> Relu -> Conv and Conv -> Conv (the second Conv the only
reader, no residual branch; MobileNetV2's ReLU6 is not positive-homogeneous,
so there only its linear bottlenecks qualify) it scales the first Conv's output channel i (weights and
bias) by s_i and the second Conv's input channel i by 1/s_i. ReLU is
positive-homogeneous, so the model computes the same function (up to float
rounding), but:

  *_spread64.onnx  s_i log-uniform over [1/8, 8]: per-channel weight ranges
                   spread 64x apart, as batch-norm folding leaves
                   ImageNet-trained MobileNetV2 (Nagel et al. 2019);
  *_outlier.onnx   two channels per pair times 32, the rest unchanged:
                   activation outlier channels, as in transformers.

Needs only the onnx and numpy Python packages (Debian python3-onnx).
"""
import argparse
import os

import numpy as np
import onnx
from onnx import numpy_helper


def pairs(graph):
    readers = {}
    for n in graph.node:
        for i in n.input:
            readers.setdefault(i, []).append(n)
    outputs = {o.name for o in graph.output}
    found = []
    for n in graph.node:
        if n.op_type != "Conv" or n.output[0] in outputs:
            continue
        r = readers.get(n.output[0], [])
        if len(r) != 1:
            continue
        if r[0].op_type == "Conv":       # a linear bottleneck (MobileNetV2)
            r2, joined = r, n.output[0]
        elif r[0].op_type == "Relu" and r[0].output[0] not in outputs:
            r2, joined = readers.get(r[0].output[0], []), r[0].output[0]
        else:
            continue
        if len(r2) != 1 or r2[0].op_type != "Conv" or r2[0].input[0] != joined:
            continue
        group = [a.i for a in r2[0].attribute if a.name == "group"]
        if group and group[0] != 1:
            continue
        found.append((n, r2[0]))
    return found


def rescale(model, scales_for):
    g = model.graph
    inits = {t.name: t for t in g.initializer}

    def get(name):
        return numpy_helper.to_array(inits[name]).astype(np.float64)

    def put(name, a):
        t = numpy_helper.from_array(a.astype(np.float32), name)
        inits[name].CopyFrom(t)

    for k, (c1, c2) in enumerate(pairs(g)):
        w1, w2 = get(c1.input[1]), get(c2.input[1])
        s = scales_for(k, w1.shape[0])
        put(c1.input[1], w1 * s[:, None, None, None])
        if len(c1.input) > 2 and c1.input[2]:
            put(c1.input[2], get(c1.input[2]) * s)
        put(c2.input[1], w2 / s[None, :, None, None])
    return model


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("outdir")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    os.makedirs(args.outdir, exist_ok=True)
    base = os.path.splitext(os.path.basename(args.model))[0].replace("_fp32", "")
    rng = np.random.default_rng(args.seed)

    def spread(k, n):
        return np.exp2(rng.uniform(-3, 3, n))

    def outlier(k, n):
        s = np.ones(n)
        s[rng.choice(n, 2, replace=False)] = 32.0
        return s

    for tag, fn in (("spread64", spread), ("outlier", outlier)):
        m = rescale(onnx.load(args.model), fn)
        path = os.path.join(args.outdir, "%s_%s.onnx" % (base, tag))
        onnx.save(m, path)
        print("wrote", path, "(%d conv pairs)" % len(pairs(m.graph)))


if __name__ == "__main__":
    main()
