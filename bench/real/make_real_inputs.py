#!/usr/bin/env python3
"""Batch-1 inputs of the kit's real models for bench/run_real.sh.

  make_real_inputs.py KIT_REAL_DIR OUTDIR

For each model writes OUTDIR/<model>/<input>.npy (the first sample of the
kit's inputs; Silero's state is [2, N, 128], sliced along N) and prints one
line per model: name|onnx|input-shape flags|NAME=file ...|calibration files
(the kit's calibration inputs; qopt slices them into the batch-1 shape).
"""
import os
import sys

import numpy as np

kit, out = sys.argv[1], sys.argv[2]
MODELS = [
    # name, inputs (name, batch axis or None), deployment shapes
    ("ppocr_det_v4", [("x", 0)], ["x:1x3x640x640"]),
    ("ppocr_rec_v4", [("x", 0)], ["x:1x3x48x320"]),
    ("silero_vad_v5", [("input", 0), ("state", 1), ("sr", None)],
     ["input:1x576", "state:2x1x128"]),
    ("oww_melspectrogram", [("input", 0)], ["input:1x64000"]),
    ("oww_embedding", [("input_1", 0)], ["input_1:1x76x32x1"]),
]
for name, inputs, shapes in MODELS:
    src = os.path.join(kit, "inputs", name)
    dst = os.path.join(out, name)
    os.makedirs(dst, exist_ok=True)
    feeds, calib = [], []
    # Inputs batched along another dimension (Silero's state [2, N, 128]):
    # qopt slices calibration data along the first one, so such a model
    # calibrates on its batch-1 inputs.
    whole = any(ax not in (0, None) for _, ax in inputs)
    for iname, axis in inputs:
        # The kit names single inputs x.npy and multi-input ones by name.
        fname = f"{iname}.npy" if len(inputs) > 1 else "x.npy"
        a = np.load(os.path.join(src, fname))
        if axis is not None:
            a = np.take(a, [0], axis=axis)
        path = os.path.join(dst, f"{iname}.npy")
        np.save(path, np.array(a, order="C"))  # (ascontiguousarray makes 0-d 1-d)
        feeds.append(f"{iname}={path}")
        calib.append(path if whole else os.path.join(src, "calib_" + fname))
    flags = " ".join(f"--input-shape={s}" for s in shapes)
    print(f"{name}|{os.path.join(kit, 'models', name + '.onnx')}|{flags}|{' '.join(feeds)}|{','.join(calib)}")
