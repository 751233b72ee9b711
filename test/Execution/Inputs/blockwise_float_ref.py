#!/usr/bin/env python3
"""Reference of qopt's blockwise weight-only quantization on float_fc.onnx
(make_blockwise_models.py): Gemm (weights [N, K], blocks along axis 1),
Relu, MatMul (weights [K, N], blocks along axis 0). Each block of G weights
along K as ONNX Runtime's blockwise quantizer: the range widened to hold 0,
s = f32((max - min) / (2^bits - 1)), z = round(-min / s),
q = clip(round(w / s) + z); the model evaluated in float64 on the
dequantized weights. GROUP 0: qopt's per-channel symmetric weight-only
weights instead (s = max|w| / (2^(bits-1) - 1) per output channel). With
a8, each product's input is first quantized as qnn.dynamic_quantize does
at run time (W4A8: s = f32(max|x| / 127), q = round_half_even(x / s) in
f32, clipped to [-127, 127]) and the product computed on q * s. Prints the
model's SQNR against fp32.

  blockwise_float_ref.py MODEL X.npy GROUP BITS OUT.npy [a8]
"""
import sys

import numpy as np
import onnx
from onnx import numpy_helper

model, xpath, group, bits, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
a8 = len(sys.argv) > 6 and sys.argv[6] == "a8"
I = {t.name: numpy_helper.to_array(t).astype(np.float64) for t in onnx.load(model).graph.initializer}
qmax = (1 << bits) - 1


def blockwise(w, axis):
    w = np.moveaxis(w, axis, 0)  # blocks along the first axis
    if group == 0:
        # qopt's per-channel weight-only weights: symmetric, s = max|w| / qs.
        qs = (1 << (bits - 1)) - 1
        m = np.abs(w).max(0)
        s = np.where(m > 0, m / qs, 1.0)
        return np.moveaxis(np.clip(np.round(w / s), -qs, qs) * s, 0, axis)
    d = np.zeros_like(w)
    for g in range(0, w.shape[0], group):
        b = w[g:g + group]
        lo, hi = np.minimum(b.min(0), 0), np.maximum(b.max(0), 0)
        s = ((hi - lo) / qmax).astype(np.float32).astype(np.float64)
        safe = np.where(s > 0, s, 1)
        z = np.where(s > 0, np.clip(np.round(-lo / safe), 0, qmax), 0)
        q = np.where(s > 0, np.clip(np.round(b / safe) + z, 0, qmax), z)
        d[g:g + group] = (q - z) * s
    return np.moveaxis(d, 0, axis)


def int8_round_trip(x):
    x = x.astype(np.float32)
    s = np.float32(np.abs(x).max() / np.float32(127))
    if s == 0:
        s = np.float32(1)
    q = np.clip(np.rint(x / s), -127, 127)
    return q.astype(np.float64) * np.float64(s)


def run(w1, w2, quantize_inputs):
    same = int8_round_trip if quantize_inputs else (lambda x: x)
    x = np.load(xpath).astype(np.float64)
    h = np.maximum(same(x) @ w1.T + I["c1"], 0)
    return same(h) @ w2


y = run(blockwise(I["w1"], 1), blockwise(I["w2"], 0), a8)
f = run(I["w1"], I["w2"], False)
np.save(out, y)
print("reference SQNR vs float: %.1f dB" % (10 * np.log10((f ** 2).sum() / ((y - f) ** 2).sum())))
