//===- FixedPointTest.cpp - qnn fixed-point math vs gemmlowp --------------===//
//
// Part of qopt. The scalar definition of qnn.rescale (Utils/FixedPoint.h) must
// agree bit for bit with gemmlowp's reference fixed-point primitives, which
// TFLite's MultiplyByQuantizedMultiplier is built from.
//
//===----------------------------------------------------------------------===//

#include "qopt/Dialect/QNN/Utils/FixedPoint.h"

#include <gemmlowp/fixedpoint/fixedpoint.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>

using namespace mlir::qnn;

namespace {

constexpr int32_t kMin = std::numeric_limits<int32_t>::min();
constexpr int32_t kMax = std::numeric_limits<int32_t>::max();

/// TFLite's MultiplyByQuantizedMultiplier, written with gemmlowp's primitives.
int32_t tfliteReference(int32_t x, int32_t multiplier, int shift) {
  int left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift;
  return gemmlowp::RoundingDivideByPOT(
      gemmlowp::SaturatingRoundingDoublingHighMul(x * (1 << left), multiplier),
      right);
}

TEST(FixedPoint, SaturatingRoundingDoublingHighMulMatchesGemmlowp) {
  std::mt19937 rng(1);
  std::uniform_int_distribution<int32_t> any(kMin, kMax);
  const int32_t edges[] = {0, 1, -1, kMin, kMax, 1 << 30, -(1 << 30), 12345};
  for (int32_t a : edges)
    for (int32_t b : edges)
      EXPECT_EQ(saturatingRoundingDoublingHighMul(a, b),
                gemmlowp::SaturatingRoundingDoublingHighMul(a, b))
          << a << " * " << b;
  for (int i = 0; i < 200000; ++i) {
    int32_t a = any(rng), b = any(rng);
    ASSERT_EQ(saturatingRoundingDoublingHighMul(a, b),
              gemmlowp::SaturatingRoundingDoublingHighMul(a, b))
        << a << " * " << b;
  }
}

TEST(FixedPoint, RoundingDivideByPOTMatchesGemmlowp) {
  std::mt19937 rng(2);
  std::uniform_int_distribution<int32_t> any(kMin, kMax);
  for (int e = 0; e <= 31; ++e) {
    // +-2^e computed in unsigned arithmetic: for e = 31 the signed
    // expressions 1 << e and -(1 << e) are undefined (UBSan reported it).
    int32_t pot = (int32_t)(uint32_t(1) << e);
    int32_t negPot = (int32_t)(0u - (uint32_t(1) << e));
    for (int32_t x : {0, 1, -1, 2, -2, 3, -3, kMin, kMax, pot, negPot})
      EXPECT_EQ(roundingDivideByPOT(x, e), gemmlowp::RoundingDivideByPOT(x, e))
          << x << " >> " << e;
    for (int i = 0; i < 5000; ++i) {
      int32_t x = any(rng);
      ASSERT_EQ(roundingDivideByPOT(x, e), gemmlowp::RoundingDivideByPOT(x, e))
          << x << " >> " << e;
    }
  }
}

TEST(FixedPoint, DoubleRoundIsTFLiteMultiplyByQuantizedMultiplier) {
  std::mt19937 rng(3);
  std::uniform_int_distribution<int32_t> acc(-(1 << 24), 1 << 24);
  std::uniform_real_distribution<double> scale(1e-6, 1.9);
  for (int i = 0; i < 100000; ++i) {
    FixedPointMultiplier m = quantizeMultiplier(scale(rng));
    int32_t x = acc(rng);
    // Keep x * 2^left inside int32, as TFLite requires.
    if (m.shift > 0 && std::abs((int64_t)x) > (kMax >> m.shift))
      continue;
    ASSERT_EQ(multiplyByQuantizedMultiplierDoubleRound(x, m.multiplier, m.shift),
              tfliteReference(x, m.multiplier, m.shift))
        << x << " m=" << m.multiplier << " s=" << m.shift;
  }
}

TEST(FixedPoint, QuantizeMultiplierRepresentsTheRealMultiplier) {
  for (double real : {1.0, 0.5, 0.25, 2.0, 0.0037, 1e-5, 1.999999999, 0.75}) {
    FixedPointMultiplier m = quantizeMultiplier(real);
    EXPECT_GE(m.multiplier, 1 << 30);
    double back = m.multiplier * std::ldexp(1.0, m.shift - 31);
    EXPECT_NEAR(back, real, real * 1e-9) << real;
  }
  // TFLite's rounding edge case: q rounds up to 2^31.
  FixedPointMultiplier m = quantizeMultiplier(0.99999999999);
  EXPECT_EQ(m.multiplier, 1 << 30);
  EXPECT_EQ(m.shift, 1);
  EXPECT_EQ(quantizeMultiplier(0.0).multiplier, 0);
  EXPECT_EQ(quantizeMultiplier(1e-12).multiplier, 0); // below 2^-31
}

TEST(FixedPoint, SingleRoundIsOneRoundHalfUp) {
  // 0.5 * 3 = 1.5 rounds to 2; -1.5 rounds (half up) to -1.
  FixedPointMultiplier half = quantizeMultiplier(0.5);
  EXPECT_EQ(multiplyByQuantizedMultiplierSingleRound(3, half.multiplier, half.shift), 2);
  EXPECT_EQ(multiplyByQuantizedMultiplierSingleRound(-3, half.multiplier, half.shift), -1);
  // gemmlowp's high multiply nudges ties of a negative product toward +inf
  // too, so -1.5 -> -1 here; the two modes differ when a second rounding
  // (the right shift) follows: 0.25 * -6 = -1.5 is -2 with double rounding
  // (the shift rounds half away from zero) and -1 with single rounding.
  EXPECT_EQ(multiplyByQuantizedMultiplierDoubleRound(-3, half.multiplier, half.shift), -1);
  FixedPointMultiplier quarter = quantizeMultiplier(0.25);
  EXPECT_EQ(multiplyByQuantizedMultiplierDoubleRound(-6, quarter.multiplier, quarter.shift),
            tfliteReference(-6, quarter.multiplier, quarter.shift));
  EXPECT_EQ(multiplyByQuantizedMultiplierDoubleRound(-6, quarter.multiplier, quarter.shift), -2);
  EXPECT_EQ(multiplyByQuantizedMultiplierSingleRound(-6, quarter.multiplier, quarter.shift), -1);
  std::mt19937 rng(4);
  std::uniform_int_distribution<int32_t> acc(-(1 << 24), 1 << 24);
  std::uniform_real_distribution<double> scale(1e-5, 1.0);
  for (int i = 0; i < 50000; ++i) {
    double real = scale(rng);
    FixedPointMultiplier m = quantizeMultiplier(real);
    int32_t x = acc(rng);
    double exact = x * (m.multiplier * std::ldexp(1.0, m.shift - 31));
    int32_t got = multiplyByQuantizedMultiplierSingleRound(x, m.multiplier, m.shift);
    ASSERT_EQ(got, (int32_t)std::floor(exact + 0.5)) << x << " * " << real;
  }
}

} // namespace
