#!/usr/bin/env python3
"""Top-1 accuracy (%) of logits files against labels, one line per file:
  accuracy.py LABELS.npy LOGITS.npy...  ->  "<basename> <accuracy>"."""
import os
import sys

import numpy as np

y = np.load(sys.argv[1])
for path in sys.argv[2:]:
    print("%s %.2f" % (os.path.basename(path), 100.0 * float((np.load(path).argmax(1) == y).mean())))
