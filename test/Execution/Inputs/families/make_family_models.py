#!/usr/bin/env python3
"""Writes small PyTorch models of the families users bring, exported at
opsets 11 and 17 with a dynamic batch, with inputs (batch 3) and PyTorch's
outputs as references:
  seg    segmentation-style CNN: GroupNorm, SiLU, hard-swish, ConvTranspose,
         bilinear upsampling, concat, adaptive pooling, argmax;
  det    detection head: BatchNorm, squeeze-excitation with hard-sigmoid,
         depthwise conv, boxes and scores reshaped to [N, -1, k] with the
         batch read from the input's Shape;
  tr     transformer encoder (torch.nn.TransformerEncoderLayer) over token
         embeddings (Gather), topk and cumsum;
  crnn   OCR recognizer: conv, max-pool, a 2-layer bidirectional LSTM over
         the width, log-softmax; output [T, N, C] (batch in dimension 1);
  audio  1-D conv "STFT", log-power, avg-pool, a GRU; outputs the last
         step and the hidden state [1, N, H];
  unet   decoder upsampling to the input's size (Resize sizes from shapes);
  misc   masked_fill, nearest upsampling, where/abs/sqrt/pow, clamp,
         softplus + log_softmax, tanh-GELU.
Needs Debian's python3-torch (not a test dependency: outputs committed).
Run from this directory with /usr/bin/python3.
"""
import warnings

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

warnings.filterwarnings("ignore")
torch.manual_seed(0)


class Seg(nn.Module):
    def __init__(s):
        super().__init__()
        s.c1 = nn.Conv2d(3, 8, 3, padding=1)
        s.gn = nn.GroupNorm(2, 8)
        s.c2 = nn.Conv2d(8, 16, 3, stride=2, padding=1)
        s.up = nn.ConvTranspose2d(16, 8, 2, stride=2)
        s.head = nn.Conv2d(16, 4, 1)

    def forward(s, x):
        a = F.silu(s.gn(s.c1(x)))
        b = F.hardswish(s.c2(a))
        u2 = F.interpolate(b, scale_factor=2, mode="bilinear", align_corners=False)[:, :8]
        y = s.head(torch.cat([s.up(b), u2], 1))
        return F.adaptive_avg_pool2d(y, 1).flatten(1), y.argmax(1)


class SE(nn.Module):
    def __init__(s, c):
        super().__init__()
        s.f1, s.f2 = nn.Conv2d(c, c // 2, 1), nn.Conv2d(c // 2, c, 1)

    def forward(s, x):
        return x * F.hardsigmoid(s.f2(F.relu(s.f1(F.adaptive_avg_pool2d(x, 1)))))


class Det(nn.Module):
    def __init__(s):
        super().__init__()
        s.b = nn.Sequential(nn.Conv2d(3, 16, 3, 2, 1), nn.BatchNorm2d(16), nn.Hardswish(),
                            SE(16), nn.Conv2d(16, 16, 3, 1, 1, groups=16), nn.SiLU())
        s.cls, s.box = nn.Conv2d(16, 6, 1), nn.Conv2d(16, 12, 1)

    def forward(s, x):
        f, b = s.b(x), x.shape[0]
        c = s.cls(f).permute(0, 2, 3, 1).reshape(b, -1, 2).sigmoid()
        return torch.cat([s.box(f).view(b, -1, 4), c], 2)


class Tr(nn.Module):
    def __init__(s):
        super().__init__()
        s.emb = nn.Embedding(50, 32)
        s.enc = nn.TransformerEncoderLayer(32, 4, 64, batch_first=True, dropout=0.0)
        s.out = nn.Linear(32, 5)

    def forward(s, ids):
        h = s.enc(s.emb(ids))
        return s.out(h.mean(1)), torch.topk(h[:, :, 0], 3, dim=1).values, torch.cumsum(h[:, :, 1], 1)


class CRNN(nn.Module):
    def __init__(s):
        super().__init__()
        s.c, s.p = nn.Conv2d(1, 8, 3, 1, 1), nn.MaxPool2d((2, 1))
        s.rnn = nn.LSTM(32, 16, bidirectional=True, num_layers=2)
        s.fc = nn.Linear(32, 11)

    def forward(s, x):
        f = s.p(F.relu(s.c(x)))
        b, c, h, w = f.shape
        y, _ = s.rnn(f.view(b, c * h, w).permute(2, 0, 1))
        return s.fc(y).log_softmax(2)


class Audio(nn.Module):
    def __init__(s):
        super().__init__()
        s.stft = nn.Conv1d(1, 16, 32, stride=8)
        s.c = nn.Conv1d(16, 16, 3, padding=1)
        s.gru = nn.GRU(16, 8, batch_first=True)

    def forward(s, x):
        m = torch.log(torch.clamp(s.stft(x.unsqueeze(1)) ** 2, min=1e-6))
        y, h = s.gru(F.avg_pool1d(F.relu(s.c(m)), 2).transpose(1, 2))
        return y[:, -1], h


class UNet(nn.Module):
    """Decoder upsampling to the input's own size (Resize sizes computed from
    shapes that include the dynamic batch)."""

    def __init__(s):
        super().__init__()
        s.d, s.e, s.o = nn.Conv2d(3, 8, 3, 2, 1), nn.Conv2d(8, 8, 3, 1, 1), nn.Conv2d(11, 2, 1)

    def forward(s, x):
        y = F.relu(s.e(F.relu(s.d(x))))
        up = F.interpolate(y, size=x.shape[2:], mode="bilinear", align_corners=False)
        return s.o(torch.cat([up, x], 1))


class Misc(nn.Module):
    def forward(s, x):
        y = x.masked_fill(x > 0.5, -1.0)
        z = F.interpolate(x.unsqueeze(1), scale_factor=2, mode="nearest").squeeze(1)
        w = torch.where(x < 0, x.abs().sqrt(), x ** 3)
        return (y.sum(-1), z, w.clamp(min=-0.3, max=0.7), F.softplus(x).log_softmax(-1),
                F.gelu(x, approximate="tanh"))


def main():
    cases = [("seg", Seg(), torch.randn(3, 3, 16, 16)), ("det", Det(), torch.randn(3, 3, 32, 32)),
             ("tr", Tr(), torch.randint(0, 50, (3, 7))), ("crnn", CRNN(), torch.randn(3, 1, 8, 20)),
             ("audio", Audio(), torch.randn(3, 400)), ("misc", Misc(), torch.randn(3, 6, 5)),
             ("unet", UNet(), torch.randn(3, 3, 16, 16))]
    for name, m, x in cases:
        m.eval()
        with torch.no_grad():
            ref = m(x)
        ref = ref if isinstance(ref, tuple) else (ref,)
        np.save(f"{name}_x.npy", x.numpy())
        for k, r in enumerate(ref):
            np.save(f"{name}_ref{k}.npy", r.numpy())
        for op in (11, 17):
            torch.onnx.export(m, x[:2], f"{name}_op{op}.onnx", opset_version=op,
                              input_names=["x"], dynamic_axes={"x": {0: "N"}})
        if name == "unet":
            # Opsets 9 (Upsample) and 10 (Resize-10): linear resizing there is
            # "asymmetric", unlike PyTorch's bilinear; the test compares these
            # with ONNX Runtime (scripts/record-ort-outputs.sh).
            for op in (9, 10):
                torch.onnx.export(m, x[:2], f"{name}_op{op}.onnx", opset_version=op,
                                  input_names=["x"], dynamic_axes={"x": {0: "N"}})
        print(name, "outputs", len(ref))


if __name__ == "__main__":
    main()
