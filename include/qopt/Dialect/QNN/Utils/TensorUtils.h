//===- TensorUtils.h - Helpers for building linalg on tensors -------*- C++ -*-===//
//
// Part of qopt. Shared by convert-qnn-to-linalg and --integer-only.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_DIALECT_QNN_UTILS_TENSORUTILS_H
#define QOPT_DIALECT_QNN_UTILS_TENSORUTILS_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"

namespace mlir {
namespace qnn {

/// Sizes of the ranked tensor `v` as index values (constants where static).
SmallVector<Value> getDimValues(OpBuilder &b, Location loc, Value v);

/// tensor.empty of `shape` x `elementType`; dynamic dimension i is `dims[i]`.
Value createEmptyTensor(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                        Type elementType, ArrayRef<Value> dims);

/// `x` permuted (result dim k = input dim perm[k]) by an all-parallel
/// linalg.generic rather than linalg.transpose: elementwise fusion composes
/// it with its neighbours, so the NHWC -> NCHW -> NHWC round trip between two
/// convolutions cancels. `body`, if given, maps each element on the way,
/// into `resultElementType` when given (else x's element type).
Value createPermutation(
    OpBuilder &b, Location loc, Value x, ArrayRef<int64_t> perm,
    function_ref<Value(OpBuilder &, Location, Value)> body = nullptr,
    Type resultElementType = {});

/// `x` (NHWC) padded in H and W by `pads` = [top, left, bottom, right] with
/// the scalar `padValue`; `x` itself when every pad is zero.
Value createPadNHWC(OpBuilder &b, Location loc, Value x, ArrayRef<int64_t> pads,
                    Value padValue);

/// linalg.depthwise_conv_2d_nhwc_hwc (weights [KH, KW, C]) when `depthwise`,
/// else linalg.conv_2d_nhwc_hwcf (weights [KH, KW, C, F]), accumulating
/// into `init`. Shared by the float and the integer convolution lowering.
Value createConvNHWC(OpBuilder &b, Location loc, Value x, Value w, Value init,
                     ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations,
                     bool depthwise);

/// Fails, with an error at the first offender, when a convolution, matrix
/// product, pool, softmax or batch norm in `root` has a zero-sized operand
/// or result. Their code generation does not handle empty tensors (a
/// 1x0x4x4 convolution input crashed the JIT), so the runner and the
/// compiler refuse them before lowering; data movement and elementwise ops
/// give correct empty results (ONNX's zero-size node tests).
LogicalResult verifyNoZeroSizedTensors(Operation *root);

} // namespace qnn
} // namespace mlir

#endif // QOPT_DIALECT_QNN_UTILS_TENSORUTILS_H
