#!/usr/bin/env python3
"""silero_feeds.py KIT_SILERO_INPUTS OUT: the kit's Silero VAD chunks as the
feeds a streaming user has -- one .npz per chunk (input [1, 576], its LSTM
state [2, 1, 128], sr) -- in OUT/calib and OUT/test; and
silero_feeds.py --check REF_DIR OUT: the per-chunk outputs (stacked
[16, 1, 1] and [16, 2, 1, 128]) against ONNX Runtime's batched references:
speech decisions (> 0.5) agreement and SQNR of the probabilities."""
import math
import os
import sys

import numpy as np

if sys.argv[1] == "--check":
    ref, out = sys.argv[2], sys.argv[3]
    r = np.load(os.path.join(ref, "out0.npy")).reshape(-1)
    for name in ("float", "int8"):
        o = np.load(os.path.join(out, name + "_prob.npy")).reshape(-1)
        db = 10 * math.log10((r ** 2).sum() / max(((r - o) ** 2).sum(), 1e-30))
        print("%s: agreement %.3f, SQNR %s" % (name, ((o > 0.5) == (r > 0.5)).mean(),
                                                "above 35 dB" if db > 35 else "%.1f dB" % db))
    sys.exit(0)
src, out = sys.argv[1], sys.argv[2]
for prefix, split in (("calib_", "calib"), ("", "test")):
    x = np.load(os.path.join(src, prefix + "input.npy"))
    state = np.load(os.path.join(src, prefix + "state.npy"))
    sr = np.load(os.path.join(src, prefix + "sr.npy"))
    os.makedirs(os.path.join(out, split), exist_ok=True)
    for i in range(x.shape[0]):
        np.savez(os.path.join(out, split, "%02d.npz" % i),
                 input=x[i:i + 1], state=state[:, i:i + 1], sr=sr)
