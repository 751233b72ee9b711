#!/usr/bin/env python3
"""Output SQNR (dB) of quantized outputs against a reference, one line per
file:  sqnr.py REFERENCE.npy OUTPUT.npy...  ->  "<basename> <dB>"."""
import math
import os
import sys

import numpy as np

ref = np.load(sys.argv[1]).astype(np.float64)
for path in sys.argv[2:]:
    out = np.load(path).astype(np.float64)
    noise = ((ref - out) ** 2).sum()
    db = math.inf if noise == 0 else 10 * math.log10((ref ** 2).sum() / noise)
    print("%s %.1f" % (os.path.basename(path), db))
