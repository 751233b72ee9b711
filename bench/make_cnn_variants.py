#!/usr/bin/env python3
"""Writes torchvision's EfficientNet-B0 (SiLU = x * sigmoid(x), squeeze-and-
excitation) and MobileNetV3-large (hard-swish) as ONNX at 224x224, batch 1,
with random weights (timings do not depend on them), plus calibration data.

  make_cnn_variants.py OUT_DIR
"""
import sys

import numpy as np
import torch
import torchvision

out = sys.argv[1]
torch.manual_seed(0)
for name in ("efficientnet_b0", "mobilenet_v3_large"):
    model = getattr(torchvision.models, name)().eval()
    torch.onnx.export(model, torch.randn(1, 3, 224, 224), f"{out}/{name}_224_fp32.onnx",
                      opset_version=13, input_names=["input"], output_names=["logits"])
rng = np.random.default_rng(1)
np.save(f"{out}/calib224.npy", rng.standard_normal((4, 3, 224, 224)).astype(np.float32))
