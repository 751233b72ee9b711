//===- QuantParams.cpp - Choosing quantization parameters -----------------===//
//
// Part of qopt.
//
//===----------------------------------------------------------------------===//

#include "qopt/Dialect/QNN/Utils/QuantParams.h"
#include "qopt/Dialect/QNN/Utils/ConstantUtils.h"

#include "mlir/IR/BuiltinTypes.h"

#include <algorithm>
#include <cmath>

using namespace mlir;
using namespace mlir::qnn;

quant::UniformQuantizedType qnn::perTensorType(MLIRContext *ctx, double scale,
                                               int64_t zp, bool isSigned,
                                               unsigned width) {
  int64_t qmin =
      quant::QuantizedType::getDefaultMinimumForInteger(isSigned, width);
  int64_t qmax =
      quant::QuantizedType::getDefaultMaximumForInteger(isSigned, width);
  return quant::UniformQuantizedType::get(
      isSigned ? quant::QuantizationFlags::Signed : 0,
      IntegerType::get(ctx, width), Float32Type::get(ctx), scale, zp, qmin,
      qmax);
}

quant::UniformQuantizedType qnn::activationParams(MLIRContext *ctx, double lo,
                                                  double hi, bool isSigned,
                                                  bool symmetric,
                                                  unsigned width) {
  lo = std::min(lo, 0.0);
  hi = std::max(hi, 0.0);
  if (hi - lo < 1e-8)
    hi = lo + 1e-8;
  int64_t qmin =
      quant::QuantizedType::getDefaultMinimumForInteger(isSigned, width);
  int64_t qmax =
      quant::QuantizedType::getDefaultMaximumForInteger(isSigned, width);
  int64_t half = int64_t(1) << (width - 1);
  if (symmetric) {
    double m = std::max(std::fabs(lo), std::fabs(hi));
    return perTensorType(ctx, m / double(half - 1), isSigned ? 0 : half,
                         isSigned, width);
  }
  double scale = (hi - lo) / double(qmax - qmin);
  int64_t zp = (int64_t)std::nearbyint(qmin - lo / scale);
  zp = std::clamp<int64_t>(zp, qmin, qmax);
  return perTensorType(ctx, scale, zp, isSigned, width);
}

QuantizedWeights qnn::quantizeWeights(ArrayRef<double> w,
                                      ArrayRef<int64_t> shape, int64_t axis,
                                      bool perChannel,
                                      ArrayRef<double> minScales,
                                      unsigned bits) {
  double qmax = double((1 << (bits - 1)) - 1);
  int64_t channels = perChannel ? shape[axis] : 1;
  ChannelIndexer channelOf(shape, perChannel ? axis : -1);
  QuantizedWeights r;
  r.scales.assign(channels, 0.0);
  // Non-finite weights (a broken model: the float model computes NaN too)
  // do not set the range; NaN stores 0, infinities saturate.
  for (int64_t i = 0; i < (int64_t)w.size(); ++i)
    if (std::isfinite(w[i]))
      r.scales[channelOf(i)] =
          std::max(r.scales[channelOf(i)], std::fabs(w[i]));
  for (auto [c, s] : llvm::enumerate(r.scales)) {
    s = s > 0 ? s / qmax : 1.0;
    if (c < minScales.size())
      s = std::max(s, minScales[c]);
  }
  for (int64_t i = 0; i < (int64_t)w.size(); ++i) {
    double q = std::nearbyint(w[i] / r.scales[channelOf(i)]);
    r.values.push_back(std::isnan(q) ? 0 : (int8_t)std::clamp(q, -qmax, qmax));
  }
  return r;
}

quant::QuantizedType qnn::weightType(MLIRContext *ctx, ArrayRef<double> scales,
                                     int64_t axis, unsigned bits) {
  Type i8 = IntegerType::get(ctx, 8), f32 = Float32Type::get(ctx);
  int64_t qmax = (int64_t(1) << (bits - 1)) - 1;
  if (scales.size() == 1)
    return quant::UniformQuantizedType::get(quant::QuantizationFlags::Signed,
                                            i8, f32, scales[0], 0, -qmax, qmax);
  return quant::UniformQuantizedPerAxisType::get(
      quant::QuantizationFlags::Signed, i8, f32, scales,
      SmallVector<int64_t>(scales.size(), 0), axis, -qmax, qmax);
}
