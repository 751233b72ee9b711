//===- ConstantUtils.h - Reading and writing weight constants -------*- C++ -*-===//
//
// Part of qopt. Weights arrive as `arith.constant` holding either a dense
// literal or a `dense_resource` blob (the ONNX importer uses blobs for large
// tensors so IR stays printable). These helpers hide the difference.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_DIALECT_QNN_UTILS_CONSTANTUTILS_H
#define QOPT_DIALECT_QNN_UTILS_CONSTANTUTILS_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Value.h"
#include "mlir/IR/Types.h"

#include <optional>

namespace mlir {
namespace qnn {

/// Tensors with at least this many elements are stored as dense_resource.
constexpr int64_t kResourceThreshold = 1024;

/// The values of a float constant (dense or dense_resource, any float
/// width), widened to double. std::nullopt if `v` is not such a constant.
std::optional<SmallVector<double>> getConstantFloatValues(Value v);

/// Scales, zero points and quantized axis (-1: per tensor) of a uniform
/// quantized type, per-tensor types as one-entry lists.
struct UniformParams {
  SmallVector<double> scales;
  SmallVector<int64_t> zeroPoints;
  int64_t axis = -1;
};
UniformParams getUniformParams(Type quantizedType);

/// The channel along `axis` of each row-major element index of a tensor of
/// `shape` (always 0 when axis is -1, i.e. per tensor).
class ChannelIndexer {
public:
  ChannelIndexer(ArrayRef<int64_t> shape, int64_t axis);
  int64_t operator()(int64_t index) const {
    return axis < 0 ? 0 : (index / inner) % channels;
  }

private:
  int64_t axis, inner = 1, channels = 1;
};

/// The real values of a constant given as a float constant or as
/// dequantize(qconst) (weights and biases of QDQ / QAT models).
std::optional<SmallVector<double>> getConstantRealValues(Value v);

/// A float elements attribute of `type` holding `values` (narrowed to the
/// type's float width): dense_resource named after `blobHint` for large f32
/// tensors, a dense literal otherwise.
ElementsAttr createFloatElements(RankedTensorType type,
                                 ArrayRef<double> values, StringRef blobHint);

/// Points `operand` at a new arith.constant of `type` holding `values`
/// (created before its owner, at the owner's location; blob named after
/// `blobHint`) and erases the op that produced the old value when nothing
/// else uses it: how the weight-rewriting passes (equalize, smooth-quant)
/// store their results.
void replaceWithFloatConstant(OpBuilder &b, OpOperand &operand,
                              RankedTensorType type, ArrayRef<double> values,
                              StringRef blobHint);

} // namespace qnn
} // namespace mlir

#endif // QOPT_DIALECT_QNN_UTILS_CONSTANTUTILS_H
