#!/usr/bin/env python3
"""Block-quantized (group-wise) weights as ONNX writes them: opset-21
DequantizeLinear with block_size (int4, uint4, int8) feeding MatMul / Gemm,
and ONNX Runtime's com.microsoft MatMulNBits (4 and 8 bits, with and without
zero points, a bias, K not a multiple of the block). With the float64 NumPy
reference of each definition: y = x @ ((q - z[block]) * s[block]).

  make_blockwise_models.py OUTDIR

Debian's ONNX 1.12 has no INT4 / UINT4 (TensorProto data types 22 / 21):
their tensors are written by hand, two values per byte, low nibble first.
Also writes a float model (Gemm + MatMul) for --quantize=weight-only
--weight-group-size and its blockwise reference (blockwise_float_ref.py
recomputes it from the model).
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto as T, helper, numpy_helper

out = sys.argv[1]
rng = np.random.default_rng(21)
INT4, UINT4 = 22, 21


def int4_tensor(name, values, signed):
    v = np.asarray(values, np.int64).reshape(-1)
    nib = (v & 15).astype(np.uint8)
    if nib.size % 2:
        nib = np.append(nib, np.uint8(0))
    packed = (nib[0::2] | (nib[1::2] << 4)).astype(np.uint8)
    t = onnx.TensorProto()
    t.name = name
    t.data_type = INT4 if signed else UINT4
    t.dims.extend(np.shape(values))
    t.raw_data = packed.tobytes()
    return t


def save(name, nodes, inits, x, y_shape, opset=21, extra_inits=()):
    g = helper.make_graph(nodes, name,
                          [helper.make_tensor_value_info("x", T.FLOAT, x.shape)],
                          [helper.make_tensor_value_info("y", T.FLOAT, y_shape)],
                          [numpy_helper.from_array(np.asarray(v), k) for k, v in inits.items()]
                          + list(extra_inits))
    imports = [helper.make_opsetid("", opset)]
    if any(n.domain == "com.microsoft" for n in nodes):
        imports.append(helper.make_opsetid("com.microsoft", 1))
    m = helper.make_model(g, opset_imports=imports)
    m.ir_version = 10 if opset >= 21 else 8
    onnx.save(m, os.path.join(out, name + ".onnx"))
    np.save(os.path.join(out, name + "_x.npy"), x)


def dequant(q, s, z, axis, block):
    rep = lambda a: np.repeat(a, block, axis=axis).take(range(q.shape[axis]), axis=axis)
    return (q.astype(np.float64) - rep(z).astype(np.float64)) * rep(s).astype(np.float64)


# Blocked DequantizeLinear, int4 along axis 0 of a [K = 70, N = 24] MatMul
# weight (three blocks, the last of 6 rows), with zero points.
k, n, b = 70, 24, 32
q = rng.integers(-8, 8, (k, n))
s = (rng.random((3, n)) * 0.05 + 0.01).astype(np.float32)
z = rng.integers(-3, 4, (3, n))
x = rng.standard_normal((3, k)).astype(np.float32)
save("dq_int4", [helper.make_node("DequantizeLinear", ["q", "s", "z"], ["w"], axis=0, block_size=b),
                 helper.make_node("MatMul", ["x", "w"], ["y"])],
     {"s": s}, x, [3, n], extra_inits=[int4_tensor("q", q, True), int4_tensor("z", z, True)])
np.save(os.path.join(out, "dq_int4_y.npy"), x.astype(np.float64) @ dequant(q, s, z, 0, b))

# uint4 along axis 1 of a Gemm's transposed weight [N = 20, K = 64], no zero
# point (0), blocks of 16, a bias.
k, n, b = 64, 20, 16
q = rng.integers(0, 16, (n, k))
s = (rng.random((n, k // b)) * 0.05 + 0.01).astype(np.float32)
c = rng.standard_normal(n).astype(np.float32)
x = rng.standard_normal((2, k)).astype(np.float32)
save("dq_uint4_gemm", [helper.make_node("DequantizeLinear", ["q", "s"], ["w"], axis=1, block_size=b),
                       helper.make_node("Gemm", ["x", "w", "c"], ["y"], transB=1)],
     {"s": s, "c": c}, x, [2, n], extra_inits=[int4_tensor("q", q, False)])
np.save(os.path.join(out, "dq_uint4_gemm_y.npy"),
        x.astype(np.float64) @ dequant(q, s, np.zeros_like(s, np.int64), 1, b).T + c)

# int8 blocks of 16 along axis 0, a batched [2, 3, 48] input.
k, n, b = 48, 40, 16
q = rng.integers(-128, 128, (k, n)).astype(np.int8)
s = (rng.random((k // b, n)) * 0.005 + 0.001).astype(np.float32)
z = rng.integers(-5, 6, (k // b, n)).astype(np.int8)
x = rng.standard_normal((2, 3, k)).astype(np.float32)
save("dq_int8", [helper.make_node("DequantizeLinear", ["q", "s", "z"], ["w"], axis=0, block_size=b),
                 helper.make_node("MatMul", ["x", "w"], ["y"])],
     {"q": q, "s": s, "z": z}, x, [2, 3, n])
np.save(os.path.join(out, "dq_int8_y.npy"), x.astype(np.float64) @ dequant(q, s, z, 0, b))

# A run-time int8 input dequantized in blocks of 2 (no product: the
# elementwise form of qnn.block_dequantize).
x = np.array([[1, -2, 3, -128], [127, 0, -1, 5]], np.int8)
s = np.array([[2.0, 0.5], [0.25, -1.0]], np.float32)
g = helper.make_graph([helper.make_node("DequantizeLinear", ["x", "s"], ["y"], axis=1, block_size=2)],
                      "dq_runtime", [helper.make_tensor_value_info("x", T.INT8, [2, 4])],
                      [helper.make_tensor_value_info("y", T.FLOAT, [2, 4])],
                      [numpy_helper.from_array(s, "s")])
m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 21)])
m.ir_version = 10
onnx.save(m, os.path.join(out, "dq_runtime.onnx"))
np.save(os.path.join(out, "dq_runtime_x.npy"), x)
np.save(os.path.join(out, "dq_runtime_y.npy"), x.astype(np.float64) * np.repeat(s, 2, axis=1))


def nbits(name, k, n, block, bits, with_zp, with_bias, x_shape):
    """MatMulNBits: B [N, blocks, blob] of `bits`-bit values packed low bits
    first (K padded to whole blocks), scales [N * blocks], zero points packed
    the same way per row (default 2^(bits-1))."""
    blocks = (k + block - 1) // block
    qmax = (1 << bits) - 1
    q = rng.integers(0, qmax + 1, (n, blocks * block))
    q[:, k:] = 0
    s = (rng.random((n, blocks)) * 0.05 + 0.01).astype(np.float32)
    z = rng.integers(0, qmax + 1, (n, blocks)) if with_zp else np.full((n, blocks), 1 << (bits - 1))
    if bits == 4:
        b = (q[:, 0::2] | (q[:, 1::2] << 4)).astype(np.uint8).reshape(n, blocks, block // 2)
        zpad = np.zeros((n, (blocks + 1) // 2 * 2), np.int64)
        zpad[:, :blocks] = z
        zb = (zpad[:, 0::2] | (zpad[:, 1::2] << 4)).astype(np.uint8).reshape(-1)
    else:
        b = q.astype(np.uint8).reshape(n, blocks, block)
        zb = z.astype(np.uint8).reshape(-1)
    inits = {"b": b, "s": s.reshape(-1)}
    ins = ["x", "b", "s"]
    ins.append("zp" if with_zp else "")
    if with_zp:
        inits["zp"] = zb
    bias = rng.standard_normal(n).astype(np.float32)
    if with_bias:
        ins += ["", "bias"]
        inits["bias"] = bias
    while ins and ins[-1] == "":
        ins.pop()
    x = rng.standard_normal(x_shape).astype(np.float32)
    node = helper.make_node("MatMulNBits", ins, ["y"], domain="com.microsoft",
                            K=k, N=n, bits=bits, block_size=block, accuracy_level=0)
    save(name, [node], inits, x, list(x_shape[:-1]) + [n], opset=17)
    w = dequant(q[:, :k], s, z, 1, block)  # [N, K]
    y = x.astype(np.float64) @ w.T + (bias if with_bias else 0)
    np.save(os.path.join(out, name + "_y.npy"), y)


nbits("nbits4", 80, 40, 32, 4, True, True, (1, 5, 80))
nbits("nbits4_nozp", 64, 33, 16, 4, False, False, (4, 64))
nbits("nbits8", 64, 16, 32, 8, True, False, (2, 64))

# A float model for qopt's own blockwise weight-only quantization.
k, n, m = 96, 48, 40
w1 = (rng.standard_normal((n, k)) / np.sqrt(k)).astype(np.float32)
c1 = rng.standard_normal(n).astype(np.float32) * 0.1
w2 = (rng.standard_normal((n, m)) / np.sqrt(n)).astype(np.float32)
x = rng.standard_normal((5, k)).astype(np.float32)
save("float_fc", [helper.make_node("Gemm", ["x", "w1", "c1"], ["h"], transB=1),
                  helper.make_node("Relu", ["h"], ["r"]),
                  helper.make_node("MatMul", ["r", "w2"], ["y"])],
     {"w1": w1, "c1": c1, "w2": w2}, x, [5, m], opset=13)

# A product wide enough to run on several threads (W4A8: 8 output tiles of
# 16, split in whole register tiles).
w3 = (rng.standard_normal((256, 128)) / 16).astype(np.float32)
save("float_wide", [helper.make_node("MatMul", ["x", "w"], ["y"])], {"w": w3},
     rng.standard_normal((2, 256)).astype(np.float32), [2, 128], opset=13)

# MatMulNBits with f16 activations, scales and bias (a GPU-style export):
# the reference computes in float64 on the f16 values and rounds the result
# to f16.
k, n, block = 64, 24, 32
blocks = k // block
q = rng.integers(0, 16, (n, k))
s16 = (rng.random((n, blocks)) * 0.05 + 0.01).astype(np.float16)
z = rng.integers(0, 16, (n, blocks))
b = (q[:, 0::2] | (q[:, 1::2] << 4)).astype(np.uint8).reshape(n, blocks, block // 2)
zb = (z[:, 0::2] | (z[:, 1::2] << 4)).astype(np.uint8).reshape(-1)
bias16 = rng.standard_normal(n).astype(np.float16)
x16 = rng.standard_normal((3, k)).astype(np.float16)
node = helper.make_node("MatMulNBits", ["x", "b", "s", "zp", "", "bias"], ["y"],
                        domain="com.microsoft", K=k, N=n, bits=4, block_size=block)
g = helper.make_graph([node], "nbits4_f16",
                      [helper.make_tensor_value_info("x", T.FLOAT16, [3, k])],
                      [helper.make_tensor_value_info("y", T.FLOAT16, [3, n])],
                      [numpy_helper.from_array(b, "b"),
                       numpy_helper.from_array(s16.reshape(-1), "s"),
                       numpy_helper.from_array(zb, "zp"),
                       numpy_helper.from_array(bias16, "bias")])
m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17),
                                        helper.make_opsetid("com.microsoft", 1)])
m.ir_version = 8
onnx.save(m, os.path.join(out, "nbits4_f16.onnx"))
np.save(os.path.join(out, "nbits4_f16_x.npy"), x16)
w16 = dequant(q, s16.astype(np.float64), z, 1, block)  # [N, K]
np.save(os.path.join(out, "nbits4_f16_y.npy"),
        (x16.astype(np.float64) @ w16.T + bias16.astype(np.float64)).astype(np.float16))
