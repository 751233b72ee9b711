#!/usr/bin/env python3
"""Writes the kit's mobilenet_v2 (fp32 and QDQ uint8) with a 224x224 input
(same weights), and random inputs for the benchmark.
  make_224.py KIT_FP32_MODEL OUT_DIR"""
import sys

import numpy as np
import onnx

out = sys.argv[2]
for src, name in ((sys.argv[1], "fp32"), (sys.argv[1].replace("_fp32", "_qdq_uint8"), "qdq_uint8")):
    model = onnx.load(src)
    dims = model.graph.input[0].type.tensor_type.shape.dim
    dims[2].dim_value = 224
    dims[3].dim_value = 224
    del model.graph.value_info[:]
    onnx.save(model, f"{out}/mobilenet_v2_224_{name}.onnx")
rng = np.random.default_rng(0)
np.save(f"{out}/x224_b1.npy", rng.standard_normal((1, 3, 224, 224)).astype(np.float32))
np.save(f"{out}/x32_b64.npy", rng.standard_normal((64, 3, 32, 32)).astype(np.float32))
