#!/usr/bin/env python3
"""same_stats.py A.json B.json: the observers of two --stats-out files (by
location) saw the same range: min/max equal to within float32 rounding.
Prints one line per observer with both counts (a scalar seen once per call
counts once per call); exits 1 on a difference."""
import json
import sys

a, b = ({o["location"]: o for o in json.load(open(p))["observers"]} for p in sys.argv[1:3])
if sorted(a) != sorted(b):
    sys.exit("different observers: %s vs %s" % (sorted(a), sorted(b)))
bad = 0
for name in sorted(a):
    x, y = a[name], b[name]
    same = all(
        abs(x[k] - y[k]) <= 1e-6 * max(1.0, abs(x[k])) for k in ("observed_min", "observed_max"))
    bad += not same
    print("%s %s count %d/%d min %.6g/%.6g max %.6g/%.6g" % (
        "same" if same else "DIFFERENT", name, x["count"], y["count"],
        x["observed_min"], y["observed_min"], x["observed_max"], y["observed_max"]))
sys.exit(1 if bad else 0)
