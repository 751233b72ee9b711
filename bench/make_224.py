#!/usr/bin/env python3
"""Writes the kit's mobilenet_v2 with a 224x224 input (same weights), and
random inputs for the benchmark.  make_224.py KIT_MODEL OUT_DIR"""
import sys

import numpy as np
import onnx

model = onnx.load(sys.argv[1])
out = sys.argv[2]
dims = model.graph.input[0].type.tensor_type.shape.dim
dims[2].dim_value = 224
dims[3].dim_value = 224
del model.graph.value_info[:]
onnx.save(model, f"{out}/mobilenet_v2_224_fp32.onnx")
rng = np.random.default_rng(0)
np.save(f"{out}/x224_b1.npy", rng.standard_normal((1, 3, 224, 224)).astype(np.float32))
np.save(f"{out}/x32_b64.npy", rng.standard_normal((64, 3, 32, 32)).astype(np.float32))
