#!/usr/bin/env python3
"""Writes X's run-time int8 round trip as qnn.dynamic_quantize computes it
(s = f32(max|x| / 127), 1 when x is all zeros; q = round_half_even(x / s)
in f32, clipped to [-127, 127]) dequantized back to f32: q * s. A model that
is linear in its input, run in float on this, is the W4A8 reference of the
same model with its activations quantized dynamically.

  int8_round_trip.py X.npy OUT.npy
"""
import sys

import numpy as np

x = np.load(sys.argv[1]).astype(np.float32)
s = np.float32(np.abs(x).max() / np.float32(127))
if s == 0:
    s = np.float32(1)
q = np.clip(np.rint(x / s), -127, 127).astype(np.float32)
np.save(sys.argv[2], (q * s).astype(np.float32))
