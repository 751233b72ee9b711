#!/usr/bin/env python3
"""Writes a float fully-connected layer (relu fused), its input, and the
output that dynamic quantization must produce, computed here in float64
from the definitions (TFLite dynamic range quantization):

  s_x = max|x| / 127,  x_q = clip(rint(x / s_x), -127, 127)   (per call)
  s_w[c] = max|w[c]| / 127,  w_q = clip(rint(w / s_w), -127, 127)
  y = relu((x_q @ w_q^T) * s_x * s_w + b)

  dynamic_fc_reference.py OUTDIR   -> fc.mlir, x.npy, expected.npy
"""
import os
import sys

import numpy as np

out = sys.argv[1]
rng = np.random.default_rng(7)
w = rng.normal(0, 0.3, (6, 16)).astype(np.float32)
b = rng.normal(0, 0.2, 6).astype(np.float32)
x = rng.normal(0, 1, (5, 16)).astype(np.float32)


def dense(a):
    return "dense<" + np.array2string(
        a, separator=", ", threshold=10**9, max_line_width=10**9,
        floatmode="unique").replace("\n", "") + ">"


with open(os.path.join(out, "fc.mlir"), "w") as f:
    f.write(f"""func.func @main(%x: tensor<?x16xf32>) -> tensor<?x6xf32> {{
  %w = arith.constant {dense(w)} : tensor<6x16xf32>
  %b = arith.constant {dense(b)} : tensor<6xf32>
  %y = qnn.fully_connected %x, %w, %b {{fused_activation = #qnn.activation<relu>}} : (tensor<?x16xf32>, tensor<6x16xf32>, tensor<6xf32>) -> tensor<?x6xf32>
  return %y : tensor<?x6xf32>
}}
""")
np.save(os.path.join(out, "x.npy"), x)
sx = np.abs(x.astype(np.float64)).max() / 127
xq = np.clip(np.rint(x / sx), -127, 127)
sw = np.abs(w.astype(np.float64)).max(axis=1) / 127
wq = np.clip(np.rint(w / sw[:, None]), -127, 127)
y = np.maximum((xq @ wq.T) * sx * sw + b, 0)
np.save(os.path.join(out, "expected.npy"), y.astype(np.float32))
