#!/usr/bin/env python3
"""Recomputes the SQNR of a model output from the two models' outputs and
checks it against a qopt-run --sqnr-json report.

  check_sqnr.py REPORT.json FLOAT.npy QUANTIZED.npy [--row NAME-PREFIX]

Prints the recomputed value; exit status 1 when it differs from the report
by more than 0.01 dB or the report's row is missing.
"""
import argparse
import json
import math
import sys

import numpy as np

p = argparse.ArgumentParser()
p.add_argument("report")
p.add_argument("float_npy")
p.add_argument("quant_npy")
p.add_argument("--row", default="output 0")
a = p.parse_args()
f = np.load(a.float_npy).astype(np.float64)
q = np.load(a.quant_npy).astype(np.float64)
noise = ((f - q) ** 2).sum()
sqnr = math.inf if noise == 0 else 10 * math.log10((f ** 2).sum() / noise)
rows = [r for r in json.load(open(a.report))["layers"]
        if r["name"].startswith(a.row)]
if not rows:
    sys.exit(f"no row '{a.row}' in {a.report}")
reported = rows[0]["sqnr_db"]
print(f"recomputed {sqnr:.3f} dB, reported {reported:.3f} dB")
if abs(reported - sqnr) > 0.01:
    sys.exit("mismatch")
