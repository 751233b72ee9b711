"""qopt.from_torch (run by from-torch.test): a torch module becomes a qopt
model through an in-memory ONNX export. A small CNN with batch norm (dynamic
batch) matches torch in fp32 and quantizes; torchvision's ResNet-18 (random
weights, 64x64) matches torch in fp32 and compiles to an object."""
import os
import sys
import warnings

import numpy as np
import torch
import torchvision

import qopt

work = sys.argv[1]
print("qopt from the venv: %s" % qopt.__file__.startswith(os.path.join(work, "venv")))
torch.manual_seed(0)


class SmallCNN(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 8, 3, padding=1)
        self.bn = torch.nn.BatchNorm2d(8)
        self.fc = torch.nn.Linear(8 * 4 * 4, 10)

    def forward(self, x):
        y = torch.nn.functional.max_pool2d(torch.relu(self.bn(self.conv(x))), 2)
        return self.fc(y.flatten(1))


def sqnr(ref, out):
    return 10 * np.log10((ref ** 2).sum() / ((ref - out) ** 2).sum())


net = SmallCNN()
with torch.no_grad():  # batch-norm statistics that are not the identity
    net.bn.running_mean.uniform_(-0.5, 0.5)
    net.bn.running_var.uniform_(0.5, 2.0)
example = torch.randn(2, 3, 8, 8)
model = qopt.from_torch(net, example)
print("small: %r" % model)
x = torch.randn(32, 3, 8, 8)
with torch.no_grad():
    ref = net(x).numpy()
out = model(x)
print("small fp32 max |qopt - torch| below 1e-4: %s" % (np.abs(out - ref).max() < 1e-4))
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    int8 = model.quantize("static", calibration_data=torch.randn(64, 3, 8, 8))
print("small int8 SQNR above 25 dB: %s" % (sqnr(ref, int8(x)) > 25))

try:
    qopt.from_torch(net, example, input_names=["a", "b"])
except qopt.Error as e:
    print("qopt.Error: %s" % e)
try:
    qopt.from_torch(lambda t: t, example)
except qopt.Error as e:
    print("qopt.Error: %s" % e)

resnet = torchvision.models.resnet18(weights=None, num_classes=10)
model = qopt.from_torch(resnet, torch.randn(1, 3, 64, 64), dynamic_batch=False)
print("resnet18: %r" % model)
x = torch.randn(1, 3, 64, 64)
with torch.no_grad():
    ref = resnet(x).numpy()
print("resnet18 fp32 SQNR vs torch above 80 dB: %s" % (sqnr(ref, model(x)) > 80))
model.compile(os.path.join(work, "r18.o"), os.path.join(work, "r18.h"))
print("resnet18 object: %s" % (os.path.getsize(os.path.join(work, "r18.o")) > 1000000))
