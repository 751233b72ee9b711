//===- QuantParams.h - Choosing quantization parameters -------------*- C++ -*-===//
//
// Part of qopt. How a float range or a float weight tensor becomes
// `!quant.uniform` parameters: shared by `--quantize-static` (parameters
// become real quantized types) and `--prepare-qat` (the same parameters on
// `qnn.fake_quant` ops), so that a QAT model lowered with
// `--lower-fake-quant` and a PTQ model see the same grid.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_DIALECT_QNN_UTILS_QUANTPARAMS_H
#define QOPT_DIALECT_QNN_UTILS_QUANTPARAMS_H

#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/MLIRContext.h"

namespace mlir {
namespace qnn {

/// A per-tensor uniform type of `width` bits with the type's full storage
/// range and f32 expressed type.
quant::UniformQuantizedType perTensorType(MLIRContext *ctx, double scale,
                                          int64_t zp, bool isSigned,
                                          unsigned width = 8);

/// Parameters of an activation range [lo, hi], widened to include 0 so zero
/// padding is exact. Symmetric ranges get zero point 0 (2^(width-1) when
/// unsigned) and scale max(|lo|, |hi|) / (2^(width-1) - 1).
quant::UniformQuantizedType activationParams(MLIRContext *ctx, double lo,
                                             double hi, bool isSigned,
                                             bool symmetric,
                                             unsigned width = 8);

/// Symmetric narrow-range weights: integers in [-(2^(bits-1) - 1),
/// 2^(bits-1) - 1] (stored as i8), one scale per channel along `axis` or one
/// for the tensor. `minScales[c]` bounds channel c's scale from below (the
/// bias overflow guard).
struct QuantizedWeights {
  SmallVector<double> scales;
  SmallVector<int8_t> values;
};
QuantizedWeights quantizeWeights(ArrayRef<double> w, ArrayRef<int64_t> shape,
                                 int64_t axis, bool perChannel,
                                 ArrayRef<double> minScales = {},
                                 unsigned bits = 8);

/// The weight type matching quantizeWeights: i8 storage restricted to
/// +-(2^(bits-1) - 1), per-tensor or per-axis along `axis`.
quant::QuantizedType weightType(MLIRContext *ctx, ArrayRef<double> scales,
                                int64_t axis, unsigned bits = 8);

} // namespace qnn
} // namespace mlir

#endif // QOPT_DIALECT_QNN_UTILS_QUANTPARAMS_H
