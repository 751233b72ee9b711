"""Model.quantize(mode="weight-only", weight_bits=4, group_size=32) equals
the NumPy transcription of the blockwise algorithm; group_size outside
weight-only is refused.

  blockwise.py MODEL X.npy REF.npy
"""
import sys

import numpy as np
import qopt

model, x, ref = sys.argv[1], np.load(sys.argv[2]), np.load(sys.argv[3])
q = qopt.load(model).quantize(mode="weight-only", weight_bits=4, group_size=32)
y = q.run(x)[0]
print("max |y - ref| below 1e-5:", bool(np.abs(y - ref).max() < 1e-5))
try:
    qopt.load(model).quantize(mode="dynamic", group_size=32)
except qopt.Error as e:
    print("error:", e)
