#!/usr/bin/env python3
"""Compares one row of two qopt-run --sqnr-json reports.

  compare_sqnr.py BETTER.json WORSE.json --row NAME-PREFIX --min-gain DB

Prints both values; exit status 1 unless BETTER's SQNR exceeds WORSE's by at
least DB decibels.
"""
import argparse
import json
import sys

p = argparse.ArgumentParser()
p.add_argument("better")
p.add_argument("worse")
p.add_argument("--row", default="output 0")
p.add_argument("--min-gain", type=float, default=0.0)
a = p.parse_args()


def row(path):
    for r in json.load(open(path))["layers"]:
        if r["name"].startswith(a.row):
            return float("inf") if r["sqnr_db"] is None else r["sqnr_db"]
    sys.exit(f"no row '{a.row}' in {path}")


b, w = row(a.better), row(a.worse)
print(f"{a.row}: {b:.2f} dB vs {w:.2f} dB (gain {b - w:.2f} dB)")
if b - w < a.min_gain:
    sys.exit(f"gain below {a.min_gain} dB")
