#!/usr/bin/env python3
"""Compares .npy arrays for lit tests and prints what it measured.

  compare_npy.py ACTUAL EXPECTED [--atol A] [--rtol R] [--max-rel R]
                 [--labels Y.npy --min-acc P]
                 [--argmax-agree P]
                 [--step S | --step-of MODEL.onnx] [--within-steps K --min-fraction F]

Exit status 1 (with the worst element named) when a check fails.
"""
import argparse
import sys

import numpy as np


def output_step(model_path):
    """The quantization step of an ONNX model's first output: the scale of the
    DequantizeLinear that produces it (possibly followed by a float bias Add),
    or the rescale factor of an integer accumulator (Cast -> Mul)."""
    import onnx
    from onnx import numpy_helper
    g = onnx.load(model_path).graph
    producer = {o: n for n in g.node for o in n.output}
    consts = {t.name: numpy_helper.to_array(t) for t in g.initializer}
    for n in g.node:
        if n.op_type == "Constant":
            consts[n.output[0]] = numpy_helper.to_array(n.attribute[0].t)
    name = g.output[0].name
    while True:
        n = producer[name]
        if n.op_type == "DequantizeLinear":
            return float(np.max(consts[n.input[1]]))
        if n.op_type == "Mul" and n.input[1] in consts:
            return float(np.max(np.abs(consts[n.input[1]])))
        if n.op_type in ("Add", "Identity", "Flatten", "Reshape"):
            name = n.input[0]
            continue
        raise SystemExit(f"no quantization step found at {n.op_type} in {model_path}")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("actual")
    p.add_argument("expected")
    p.add_argument("--atol", type=float, default=None)
    p.add_argument("--rtol", type=float, default=0.0)
    p.add_argument("--max-rel", type=float, default=None,
                   help="max|actual - expected| / max|expected| must not exceed this")
    p.add_argument("--labels")
    p.add_argument("--min-acc", type=float, default=None)
    p.add_argument("--argmax-agree", type=float, default=None)
    p.add_argument("--step", type=float, default=None,
                   help="the output's quantization step")
    p.add_argument("--step-of", help="take --step from this ONNX model's output")
    p.add_argument("--within-steps", type=float, default=1.0)
    p.add_argument("--min-fraction", type=float, default=None,
                   help="fraction of elements within --within-steps steps")
    a = p.parse_args()
    x = np.load(a.actual)
    y = np.load(a.expected)
    if x.shape != y.shape:
        print(f"FAIL shape {x.shape} != {y.shape}")
        return 1
    ok = True
    diff = np.abs(x.astype(np.float64) - y.astype(np.float64))
    if diff.size == 0:  # equal shapes with no elements: nothing differs
        print("max_abs_diff 0")
        return 0
    print(f"max_abs_diff {diff.max():.3g}")
    if a.atol is not None:
        bound = a.atol + a.rtol * np.abs(y.astype(np.float64))
        bad = diff > bound
        if bad.any():
            i = np.unravel_index(np.argmax(diff - bound), diff.shape)
            print(f"FAIL {bad.sum()} elements outside atol={a.atol} rtol={a.rtol}; "
                  f"worst at {i}: {x[i]} vs {y[i]}")
            ok = False
        else:
            print("PASS tolerance")
    if a.max_rel is not None:
        rel = diff.max() / max(np.abs(y).max(), np.finfo(np.float64).tiny)
        print(f"max_rel_diff {rel:.3g}")
        if rel > a.max_rel:
            print(f"FAIL relative difference above {a.max_rel}")
            ok = False
        else:
            print("PASS relative")
    step = a.step if a.step_of is None else output_step(a.step_of)
    if a.min_fraction is not None:
        if step is None:
            print("FAIL --min-fraction needs --step or --step-of")
            return 1
        # float32 outputs carry ~1e-7 relative noise: allow 1e-3 of a step.
        frac = (diff <= (a.within_steps + 1e-3) * step).mean()
        print(f"step {step:.6g} max_steps {diff.max() / step:.3g} "
              f"within_{a.within_steps:g}_steps {frac:.4f}")
        ok &= frac >= a.min_fraction
    if a.argmax_agree is not None:
        agree = (x.argmax(-1) == y.argmax(-1)).mean()
        print(f"argmax_agreement {agree:.4f}")
        ok &= agree >= a.argmax_agree
    if a.labels and a.min_acc is not None:
        acc = (x.argmax(-1) == np.load(a.labels)).mean()
        print(f"accuracy {acc:.4f}")
        ok &= acc >= a.min_acc
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
