"""Model.quantize(mode="weight-only", weight_bits=4, group_size=32) and
mode="dynamic" (W4A8: int8 activations at run time) equal the NumPy
transcriptions of the blockwise algorithm; group_size with static
quantization is refused.

  blockwise.py MODEL X.npy REF.npy REF_A8.npy
"""
import sys

import numpy as np
import qopt

model, x = sys.argv[1], np.load(sys.argv[2])
ref, ref_a8 = np.load(sys.argv[3]), np.load(sys.argv[4])
for mode, expected in (("weight-only", ref), ("dynamic", ref_a8)):
    q = qopt.load(model).quantize(mode=mode, weight_bits=4, group_size=32)
    y = q.run(x)[0]
    print(mode, "max |y - ref| below 1e-5:", bool(np.abs(y - expected).max() < 1e-5))
try:
    qopt.load(model).quantize(mode="static", calibration_data=[x], group_size=32)
except qopt.Error as e:
    print("error:", e)
