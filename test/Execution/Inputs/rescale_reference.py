#!/usr/bin/env python3
"""Writes a qnn.rescale module, its input and the expected outputs computed
with an independent transcription of gemmlowp / TFLite fixed-point math.

  rescale_reference.py OUTDIR
"""
import os
import sys

import numpy as np

INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1


def srdhm(a, b):
    """gemmlowp SaturatingRoundingDoublingHighMul on Python ints."""
    if a == b == INT32_MIN:
        return INT32_MAX
    ab = a * b
    nudge = (1 << 30) if ab >= 0 else 1 - (1 << 30)
    v = ab + nudge
    # C++ integer division truncates toward zero.
    q = abs(v) // (1 << 31)
    return q if v >= 0 else -q


def rdbpot(x, e):
    mask = (1 << e) - 1
    rem = x & mask
    threshold = (mask >> 1) + (1 if x < 0 else 0)
    return (x >> e) + (1 if rem > threshold else 0)


def double_round(x, m, s):
    left, right = max(s, 0), max(-s, 0)
    xs = min(max(x * (1 << left), INT32_MIN), INT32_MAX)
    return rdbpot(srdhm(xs, m), right)


def single_round(x, m, s):
    total = 31 - s
    r = (x * m + (1 << (total - 1))) >> total
    return min(max(r, INT32_MIN), INT32_MAX)


def main():
    out = sys.argv[1]
    rng = np.random.default_rng(7)
    channels = 8
    mults = [1 << 30, 1073741824 + 12345, 1717986918, 2147483647,
             1518500250, 1 << 30, 1288490189, 1932735283]
    shifts = [0, -1, -5, -12, -31, 1, 3, -20]
    x = rng.integers(-(1 << 20), 1 << 20, size=(64, channels)).astype(np.int64)
    # Exact ties and extremes.
    x[0, :] = [1, -1, 16, -16, INT32_MAX, INT32_MIN, 3, -3]
    x[1, :] = [1 << 19, -(1 << 19), 48, -48, 2**30, -(2**30), 5, -5]
    x = x.astype(np.int32)
    np.save(os.path.join(out, "x.npy"), x)
    zp_out = -3
    # Right shifts of 33 to 62 bits in total (requantizing accumulators):
    # qopt computes these in 32-bit lanes from the high half of the product.
    narrow = [-2, -3, -5, -12, -31, -20, -9, -16]
    cases = (("double_round", double_round, shifts, channels),
             ("single_round", single_round, shifts, channels),
             ("single_round_narrow", single_round, narrow, channels),
             ("single_round_narrow_per_tensor", single_round, narrow, 1))
    for name, fn, shifts_, nm in cases:
        mode = name if name.startswith("double") else "single_round"
        m_, s_ = mults[:nm], shifts_[:nm]
        y = np.empty_like(x, dtype=np.int8)
        for i in range(x.shape[0]):
            for c in range(channels):
                k = c if nm > 1 else 0
                r = fn(int(x[i, c]), m_[k], s_[k]) + zp_out
                y[i, c] = min(max(r, -128), 127)
        np.save(os.path.join(out, f"expected_{name}.npy"), y)
        axis = ", axis = 1 : i64" if nm > 1 else ""
        with open(os.path.join(out, f"rescale_{name}.mlir"), "w") as f:
            f.write(f"""func.func @main(%x: tensor<64x{channels}xi32>) -> tensor<64x{channels}xi8> {{
  %y = qnn.rescale %x {{multiplier = array<i32: {', '.join(map(str, m_))}>,
                       shift = array<i32: {', '.join(map(str, s_))}>{axis},
                       output_zp = {zp_out} : i64, rounding = #qnn.rounding<{mode}>}}
      : (tensor<64x{channels}xi32>) -> tensor<64x{channels}xi8>
  return %y : tensor<64x{channels}xi8>
}}
""")

    # 8-bit inputs with a zero point rescaled to i32 with small total shifts
    # (a residual addition's operands brought to a common scale): qopt
    # splits the multiplier and stays in 32-bit lanes.
    x8 = rng.integers(-128, 128, size=(64, channels)).astype(np.int64)
    x8[0, :] = [-128, 127, -128, 127, 0, 1, -1, 6]
    zp_in = -6
    # (the float input quantizes, scale 1, to exactly the stored x8)
    np.save(os.path.join(out, "x8.npy"), (x8 - zp_in).astype(np.float32))
    shifts8 = [8, 10, 12, 14, 17, 20, 23, 16]
    y = np.empty_like(x8, dtype=np.int32)
    for i in range(x8.shape[0]):
        for c in range(channels):
            y[i, c] = single_round(int(x8[i, c]) - zp_in, mults[c], shifts8[c])
    np.save(os.path.join(out, "expected_single_round_i8.npy"), y)
    q = "!quant.uniform<i8:f32, 1.0:%d>" % zp_in
    with open(os.path.join(out, "rescale_single_round_i8.mlir"), "w") as f:
        f.write(f"""func.func @main(%x: tensor<64x{channels}xf32>) -> tensor<64x{channels}xi32> {{
  %q = qnn.quantize %x : (tensor<64x{channels}xf32>) -> tensor<64x{channels}x{q}>
  %s = quant.scast %q : tensor<64x{channels}x{q}> to tensor<64x{channels}xi8>
  %y = qnn.rescale %s {{multiplier = array<i32: {', '.join(map(str, mults))}>,
                       shift = array<i32: {', '.join(map(str, shifts8))}>, axis = 1 : i64,
                       input_zp = {zp_in} : i64, rounding = #qnn.rounding<single_round>}}
      : (tensor<64x{channels}xi8>) -> tensor<64x{channels}xi32>
  return %y : tensor<64x{channels}xi32>
}}
""")


if __name__ == "__main__":
    main()
