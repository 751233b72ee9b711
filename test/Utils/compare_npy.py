#!/usr/bin/env python3
"""Compares .npy arrays for lit tests and prints what it measured.

  compare_npy.py ACTUAL EXPECTED [--atol A] [--rtol R] [--max-rel R]
                 [--labels Y.npy --min-acc P]
                 [--argmax-agree P]

Exit status 1 (with the worst element named) when a check fails.
"""
import argparse
import sys

import numpy as np


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
    a = p.parse_args()
    x = np.load(a.actual)
    y = np.load(a.expected)
    if x.shape != y.shape:
        print(f"FAIL shape {x.shape} != {y.shape}")
        return 1
    ok = True
    diff = np.abs(x.astype(np.float64) - y.astype(np.float64))
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
