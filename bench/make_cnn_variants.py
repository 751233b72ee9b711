#!/usr/bin/env python3
"""Writes torchvision's EfficientNet-B0 (SiLU = x * sigmoid(x), squeeze-and-
excitation), MobileNetV3-large (hard-swish) and ResNet-50 (bottleneck
blocks) as ONNX at 224x224, batch 1, plus calibration data.

The weights are random (no download), but the batch-norm statistics are
estimated on random inputs before export, so that every layer sees
normalized activations as in a trained network: with torchvision's initial
statistics (mean 0, variance 1) EfficientNet-B0's logits are ~1e-14 and its
int8 version quantizes them all to zero, which is no workload to time.

  make_cnn_variants.py OUT_DIR
"""
import sys

import numpy as np
import torch
import torchvision

MODELS = ("efficientnet_b0", "mobilenet_v3_large", "resnet50")


def estimate_bn_statistics(model, batches=4):
    for m in model.modules():
        if isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
            m.reset_running_stats()
            m.momentum = None  # cumulative average over the batches
    model.train()
    with torch.no_grad():
        for _ in range(batches):
            model(torch.randn(8, 3, 224, 224))
    return model.eval()


out = sys.argv[1]
torch.manual_seed(0)
for name in MODELS:
    model = estimate_bn_statistics(getattr(torchvision.models, name)())
    torch.onnx.export(model, torch.randn(1, 3, 224, 224), f"{out}/{name}_224_fp32.onnx",
                      opset_version=13, input_names=["input"], output_names=["logits"])
rng = np.random.default_rng(1)
np.save(f"{out}/calib224.npy", rng.standard_normal((4, 3, 224, 224)).astype(np.float32))
