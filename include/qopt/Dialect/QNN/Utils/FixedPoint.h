//===- FixedPoint.h - Fixed-point requantization arithmetic ---------*- C++ -*-===//
//
// Part of qopt. The scalar definition of qnn.rescale, shared by the compiler
// (to pick multipliers and shifts) and the tests (as a bit-exact reference
// for the generated code).
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_DIALECT_QNN_UTILS_FIXEDPOINT_H
#define QOPT_DIALECT_QNN_UTILS_FIXEDPOINT_H

#include <cstdint>

namespace mlir {
namespace qnn {

/// A real multiplier m > 0 as `multiplier * 2^(shift - 31)` with
/// multiplier in [2^30, 2^31) (TFLite's QuantizeMultiplier). Multipliers too
/// small to represent become {0, 0}; shifts are clamped to [-31, 30].
struct FixedPointMultiplier {
  int32_t multiplier = 0;
  int32_t shift = 0;
};
FixedPointMultiplier quantizeMultiplier(double realMultiplier);

/// gemmlowp's SaturatingRoundingDoublingHighMul(a, b).
int32_t saturatingRoundingDoublingHighMul(int32_t a, int32_t b);
/// gemmlowp's RoundingDivideByPOT(x, exponent): round half away from zero.
int32_t roundingDivideByPOT(int32_t x, int exponent);

/// x * multiplier * 2^(shift - 31), TFLite's MultiplyByQuantizedMultiplier
/// (double rounding).
int32_t multiplyByQuantizedMultiplierDoubleRound(int32_t x, int32_t multiplier,
                                                 int32_t shift);
/// The same with one round-half-up on the 64-bit product (TOSA
/// apply_scale_32 without double rounding, TFLite's TFLITE_SINGLE_ROUNDING).
int32_t multiplyByQuantizedMultiplierSingleRound(int32_t x, int32_t multiplier,
                                                 int32_t shift);

} // namespace qnn
} // namespace mlir

#endif // QOPT_DIALECT_QNN_UTILS_FIXEDPOINT_H
