//===- FixedPoint.cpp - Fixed-point requantization arithmetic -------------===//
//
// Part of qopt. Formulas follow gemmlowp (fixedpoint.h) and TFLite
// (kernels/internal/common.h, quantization_util.cc).
//
//===----------------------------------------------------------------------===//

#include "qopt/Dialect/QNN/Utils/FixedPoint.h"

#include <algorithm>
#include <cmath>
#include <limits>

using namespace mlir::qnn;


FixedPointMultiplier mlir::qnn::quantizeMultiplier(double m) {
  FixedPointMultiplier r;
  if (!(m > 0.0) || !std::isfinite(m))
    return r;
  int exp = 0;
  double q = std::frexp(m, &exp); // m = q * 2^exp, q in [0.5, 1)
  int64_t qFixed = static_cast<int64_t>(std::llround(q * (1ll << 31)));
  if (qFixed == (1ll << 31)) {
    qFixed /= 2;
    ++exp;
  }
  if (exp < -31) // below the smallest representable multiplier
    return r;
  if (exp > 30) {
    exp = 30;
    qFixed = std::numeric_limits<int32_t>::max();
  }
  r.multiplier = static_cast<int32_t>(qFixed);
  r.shift = exp;
  return r;
}

int32_t mlir::qnn::saturatingRoundingDoublingHighMul(int32_t a, int32_t b) {
  bool overflow = a == b && a == std::numeric_limits<int32_t>::min();
  int64_t ab = static_cast<int64_t>(a) * static_cast<int64_t>(b);
  int32_t nudge = ab >= 0 ? (1 << 30) : (1 - (1 << 30));
  int32_t high = static_cast<int32_t>((ab + nudge) / (1ll << 31));
  return overflow ? std::numeric_limits<int32_t>::max() : high;
}

int32_t mlir::qnn::roundingDivideByPOT(int32_t x, int exponent) {
  if (exponent == 0)
    return x;
  int32_t mask = static_cast<int32_t>((1ll << exponent) - 1);
  int32_t remainder = x & mask;
  int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

int32_t mlir::qnn::multiplyByQuantizedMultiplierDoubleRound(int32_t x,
                                                            int32_t multiplier,
                                                            int32_t shift) {
  int left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift;
  int64_t shifted = static_cast<int64_t>(x) * (1ll << left);
  shifted = std::clamp<int64_t>(shifted, std::numeric_limits<int32_t>::min(),
                                std::numeric_limits<int32_t>::max());
  return roundingDivideByPOT(
      saturatingRoundingDoublingHighMul(static_cast<int32_t>(shifted),
                                        multiplier),
      right);
}

int32_t mlir::qnn::multiplyByQuantizedMultiplierSingleRound(int32_t x,
                                                            int32_t multiplier,
                                                            int32_t shift) {
  int totalShift = 31 - shift; // in [1, 62]
  int64_t round = 1ll << (totalShift - 1);
  int64_t result = (static_cast<int64_t>(x) * multiplier + round) >> totalShift;
  return static_cast<int32_t>(std::clamp<int64_t>(
      result, std::numeric_limits<int32_t>::min(),
      std::numeric_limits<int32_t>::max()));
}
