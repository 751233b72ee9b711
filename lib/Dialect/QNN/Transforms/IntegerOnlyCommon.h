//===- IntegerOnlyCommon.h - Shared pieces of --integer-only ----*- C++ -*-===//
//
// Part of qopt. Private to lib/Dialect/QNN/Transforms: the quantization
// parameters and builders that IntegerOnly.cpp (the pass and its patterns)
// and IntegerConv.cpp (the NHWC / dot-product convolution lowering) share.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_LIB_DIALECT_QNN_TRANSFORMS_INTEGERONLYCOMMON_H
#define QOPT_LIB_DIALECT_QNN_TRANSFORMS_INTEGERONLYCOMMON_H

#include "qopt/Dialect/QNN/IR/QNN.h"

#include "mlir/IR/Builders.h"
#include "mlir/Transforms/DialectConversion.h"

#include <optional>

namespace mlir {
namespace qnn {
namespace integer_only {

/// Parameters of a quantized type (per tensor, or per channel along `axis`).
struct QParams {
  SmallVector<double> scales;
  SmallVector<int64_t> zps;
  int64_t axis = -1; ///< -1: per tensor
  bool isSigned = true;
  unsigned width = 8;
  int64_t qmin = 0, qmax = 0;
  bool perTensor() const { return axis < 0; }
};

/// The parameters of `t`'s (element) type; nullopt when it is not uniform
/// quantized.
std::optional<QParams> getParams(Type t);

/// arith.constant of integer type `t`.
Value intConst(OpBuilder &b, Location loc, Type t, int64_t v);

/// Integer of any width -> i32, honouring the storage signedness.
Value extTo32(OpBuilder &b, Location loc, Value v, bool isSigned);

SmallVector<Value> dimValues(OpBuilder &b, Location loc, Value v);
Value emptyTensor(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                  Type et, ArrayRef<Value> dims);

/// A 1-D i32 constant of per-channel values.
Value channelConst(OpBuilder &b, Location loc, ArrayRef<int64_t> values);

/// The storage bit pattern of an integer value (u8 128 is i8 -128).
APInt storageBits(int64_t v, unsigned width);

/// The i32 NHWC accumulator of a dense or depthwise quantized convolution
/// with constant weights (zero-point terms folded into its initial value),
/// or null when the convolution does not qualify (see IntegerConv.cpp).
Value lowerConvNHWC(Conv2DOp op, Value input, Value bias,
                    ConversionPatternRewriter &rewriter, const QParams &xp,
                    const QParams &wp);

/// Fails with a diagnostic on `op` when its i32 accumulator could overflow.
LogicalResult checkAccumulatorBound(Operation *op, Value weight, Value bias,
                                    int64_t channelAxis, const QParams &xp,
                                    const QParams &wp);

} // namespace integer_only
} // namespace qnn
} // namespace mlir

#endif // QOPT_LIB_DIALECT_QNN_TRANSFORMS_INTEGERONLYCOMMON_H
