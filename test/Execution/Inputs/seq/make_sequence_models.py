#!/usr/bin/env python3
"""Trains and exports the transformer and recurrent test models of the
real-model coverage work: a small ViT-style encoder (patch embedding, class
token, LayerNorm, multi-head self-attention with Q*K^T and P*V matmuls of
two activations, GELU MLP), an LSTM classifier and a bidirectional GRU
classifier, on the kit's 8x8 digits. Each is exported at opsets 13 and 17
with a dynamic batch dimension, with its PyTorch logits on the test split
as the golden reference.

Needs Debian's python3-torch (not a build or test dependency: the outputs
are committed) and the kit beside the repository:
  /usr/bin/python3 make_sequence_models.py [KIT_DIR]
"""
import math
import os
import sys

import numpy as np
import torch
import torch.nn as nn

KIT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(__file__), "../../../../../shared/kit")
OUT = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(0)
np.random.seed(0)


class Attention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads, self.hd = heads, dim // heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        b, t, d = x.shape
        qkv = self.qkv(x).reshape(b, t, 3, self.heads, self.hd).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        att = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(self.hd), dim=-1)
        y = (att @ v).transpose(1, 2).reshape(b, t, d)
        return self.proj(y)


class Block(nn.Module):
    def __init__(self, dim, heads, mlp):
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(dim), nn.LayerNorm(dim)
        self.att = Attention(dim, heads)
        self.mlp = nn.Sequential(nn.Linear(dim, mlp), nn.GELU(), nn.Linear(mlp, dim))

    def forward(self, x):
        x = x + self.att(self.ln1(x))
        return x + self.mlp(self.ln2(x))


class ViT(nn.Module):
    """8x8 image -> 16 patches of 2x2 -> 2 encoder blocks -> class token."""

    def __init__(self, dim=32, heads=4, mlp=64, depth=2):
        super().__init__()
        self.embed = nn.Conv2d(1, dim, kernel_size=2, stride=2)
        self.cls = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos = nn.Parameter(torch.randn(1, 17, dim) * 0.02)
        self.blocks = nn.Sequential(*[Block(dim, heads, mlp) for _ in range(depth)])
        self.ln = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, 10)

    def forward(self, x):
        p = self.embed(x).flatten(2).transpose(1, 2)  # [N, 16, dim]
        cls = self.cls.expand(p.shape[0], -1, -1)
        h = self.blocks(torch.cat([cls, p], dim=1) + self.pos)
        return self.head(self.ln(h[:, 0]))


class RNNClassifier(nn.Module):
    """The 8 rows of the image as a sequence of 8-pixel vectors."""

    def __init__(self, cell, hidden=32, bidirectional=False):
        super().__init__()
        self.rnn = cell(8, hidden, batch_first=True, bidirectional=bidirectional)
        self.head = nn.Linear(hidden * (2 if bidirectional else 1), 10)

    def forward(self, x):
        y, _ = self.rnn(x.reshape(x.shape[0], 8, 8))
        return self.head(y[:, -1])


def train(model, x, y, epochs, lr):
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    for _ in range(epochs):
        perm = torch.randperm(len(x))
        for i in range(0, len(x), 64):
            idx = perm[i:i + 64]
            loss = nn.functional.cross_entropy(model(x[idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
    return model.eval()


def main():
    d = os.path.join(KIT, "data")
    xtr = torch.from_numpy(np.load(os.path.join(d, "digits_train_x.npy")))
    ytr = torch.from_numpy(np.load(os.path.join(d, "digits_train_y.npy")))
    xte = torch.from_numpy(np.load(os.path.join(d, "digits_test_x.npy")))
    yte = np.load(os.path.join(d, "digits_test_y.npy"))
    models = {
        "digits_vit": (ViT(), 60, 2e-3),
        "digits_lstm": (RNNClassifier(nn.LSTM), 40, 1e-2),
        "digits_bigru": (RNNClassifier(nn.GRU, bidirectional=True), 40, 1e-2),
    }
    for name, (model, epochs, lr) in models.items():
        train(model, xtr, ytr, epochs, lr)
        with torch.no_grad():
            logits = model(xte).numpy()
        acc = (logits.argmax(1) == yte).mean()
        print(f"{name}: test accuracy {acc:.4f}")
        np.save(os.path.join(OUT, f"{name}_torch_logits.npy"), logits.astype(np.float32))
        for opset in (13, 17):
            torch.onnx.export(model, xte[:2], os.path.join(OUT, f"{name}_op{opset}.onnx"),
                              input_names=["x"], output_names=["logits"],
                              dynamic_axes={"x": {0: "N"}, "logits": {0: "N"}},
                              opset_version=opset, do_constant_folding=True)


if __name__ == "__main__":
    main()
