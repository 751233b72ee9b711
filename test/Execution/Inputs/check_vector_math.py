"""Compares vector_math.mlir's outputs with NumPy (float64) references."""
import math
import sys

import numpy as np

t = sys.argv[1]
x = np.load(t + ".x.npy").astype(np.float64)
erf = np.vectorize(math.erf)
refs = {
    "exp": (np.exp(x), "rel", 4e-7),
    "tanh": (np.tanh(x), "abs", 2e-6),
    "log": (np.log(np.abs(x)), "rel", 4e-7),
    "erf": (erf(x), "abs", 2e-6),
    "sig": (1 / (1 + np.exp(-x)), "rel", 4e-7),
}
for name, (ref, kind, tol) in refs.items():
    y = np.load(f"{t}.{name}.npy").astype(np.float64)
    ok = np.isfinite(ref)
    err = np.abs(y[ok] - ref[ok])
    if kind == "rel":
        err = err / np.maximum(np.abs(ref[ok]), 1e-30)
    worst = err.max()
    label = "sigmoid" if name == "sig" else name
    print(f"{label} {'ok' if worst <= tol else 'FAIL'} (max {kind} error {worst:.2e})")
