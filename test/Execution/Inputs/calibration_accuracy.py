#!/usr/bin/env python3
"""Every calibration method against min/max on a trained model: static int8
(per-channel weights) through qopt-run, accuracy on labelled images, and
whether each method is within `--tolerance` points of min/max or better.

  calibration_accuracy.py MODEL.onnx CALIB.npy TEST_X.npy TEST_Y.npy WORK [--tolerance 0.5]
"""
import argparse
import os
import subprocess
import sys

import numpy as np

METHODS = ["minmax", "entropy", "percentile", "mse", "ksigma", "moving_average"]

ap = argparse.ArgumentParser()
ap.add_argument("model")
ap.add_argument("calib")
ap.add_argument("test_x")
ap.add_argument("test_y")
ap.add_argument("work")
ap.add_argument("--tolerance", type=float, default=0.5)
ap.add_argument("--qopt-run", default="qopt-run")
args = ap.parse_args()
os.makedirs(args.work, exist_ok=True)
y = np.load(args.test_y)


def accuracy(extra, tag):
    out = os.path.join(args.work, tag + ".npy")
    subprocess.run([args.qopt_run, args.model, "--input", args.test_x, "--output", out,
                    "--batch-size", "500"] + extra, check=True)
    return 100.0 * float((np.load(out).argmax(1) == y).mean())


name = os.path.basename(args.model)
fp32 = accuracy([], "fp32")
print("%s fp32 %.2f" % (name, fp32))
results = {}
for m in METHODS:
    results[m] = accuracy(["--quantize=static", "--calibration-data=" + args.calib,
                           "--calibration-method=" + m], m)
ok = True
for m in METHODS:
    within = results[m] >= results["minmax"] - args.tolerance
    ok &= within
    print("%s %-15s %.2f (minmax %.2f) %s" % (name, m, results[m], results["minmax"],
                                              "ok" if within else "MORE THAN %.1f POINTS BELOW" % args.tolerance))
sys.exit(0 if ok else 1)
