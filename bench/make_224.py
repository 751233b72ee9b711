#!/usr/bin/env python3
"""Writes kit models (fp32 and their QDQ uint8 versions) with a 224x224 input
(same weights), and random inputs for the benchmarks.
  make_224.py OUT_DIR KIT_FP32_MODEL...   (writes OUT_DIR/<name>_224_{fp32,qdq_uint8}.onnx)"""
import os
import sys

import numpy as np
import onnx

out = sys.argv[1]
for fp32 in sys.argv[2:]:
    base = os.path.basename(fp32).split("_digits32")[0]
    for src, name in ((fp32, "fp32"), (fp32.replace("_fp32", "_qdq_uint8"), "qdq_uint8")):
        model = onnx.load(src)
        dims = model.graph.input[0].type.tensor_type.shape.dim
        dims[2].dim_value = 224
        dims[3].dim_value = 224
        del model.graph.value_info[:]
        onnx.save(model, f"{out}/{base}_224_{name}.onnx")
rng = np.random.default_rng(0)
np.save(f"{out}/x224_b1.npy", rng.standard_normal((1, 3, 224, 224)).astype(np.float32))
np.save(f"{out}/x32_b64.npy", rng.standard_normal((64, 3, 32, 32)).astype(np.float32))
