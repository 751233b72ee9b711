//===- QNN.h - QNN dialect public header ----------------------------*- C++ -*-===//
//
// Part of qopt. The single header to include for the QNN dialect: dialect,
// enums, attributes, interfaces, ops and the shape helpers the verifiers and
// the ONNX importer share.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_DIALECT_QNN_IR_QNN_H
#define QOPT_DIALECT_QNN_IR_QNN_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Traits.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/APFloat.h"

#include <optional>
#include <utility>

#include "qopt/Dialect/QNN/IR/QNNOpsDialect.h.inc"
#include "qopt/Dialect/QNN/IR/QNNEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "qopt/Dialect/QNN/IR/QNNAttrs.h.inc"

namespace mlir {
namespace qnn {

/// The real interval an activation clamps to (+-infinity where unbounded).
std::pair<double, double> getActivationRange(Activation kind,
                                             std::optional<llvm::APFloat> min,
                                             std::optional<llvm::APFloat> max);

/// Verifies the fused_activation / clip_min / clip_max attribute triple.
LogicalResult verifyFusedActivation(Operation *op);

//===----------------------------------------------------------------------===//
// Shape helpers (ShapedType::kDynamic propagates)
//===----------------------------------------------------------------------===//

/// Largest kernel size, stride, dilation or pad the window ops accept. Models
/// are untrusted input; a bound keeps all window arithmetic far from int64
/// overflow, and no real network comes near it.
constexpr int64_t kMaxWindowExtent = (int64_t(1) << 31) - 1;

/// Output extent of a sliding window along one dimension; -1 when the window
/// does not fit (or the arithmetic would overflow).
int64_t getWindowOutputSize(int64_t in, int64_t kernel, int64_t stride,
                            int64_t dilation, int64_t padBefore,
                            int64_t padAfter, bool ceilMode = false);

/// NCHW x FCHW -> NFHW. Returns failure (and a reason) for inconsistent input.
FailureOr<SmallVector<int64_t>>
inferConv2DShape(ArrayRef<int64_t> input, ArrayRef<int64_t> weight,
                 ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations,
                 ArrayRef<int64_t> pads, int64_t group,
                 std::string *reason = nullptr);

/// NCHW -> NC'H'W' for a pooling window.
FailureOr<SmallVector<int64_t>>
inferPool2DShape(ArrayRef<int64_t> input, ArrayRef<int64_t> kernel,
                 ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations,
                 ArrayRef<int64_t> pads, bool ceilMode,
                 std::string *reason = nullptr);

/// numpy.matmul shape rule.
FailureOr<SmallVector<int64_t>> inferMatMulShape(ArrayRef<int64_t> lhs,
                                                 ArrayRef<int64_t> rhs,
                                                 std::string *reason = nullptr);

/// Whether two shapes agree wherever both are static.
bool areShapesCompatible(ArrayRef<int64_t> a, ArrayRef<int64_t> b);

} // namespace qnn
} // namespace mlir

namespace mlir::qnn::OpTrait {
/// See QNN_ObservedResult and QNN_Quantizable in
/// QNNInterfaces.td: categories the quantization passes query.
template <typename ConcreteType>
class ObservedResult
    : public ::mlir::OpTrait::TraitBase<ConcreteType, ObservedResult> {};
template <typename ConcreteType>
class Quantizable
    : public ::mlir::OpTrait::TraitBase<ConcreteType, Quantizable> {};
} // namespace mlir::qnn::OpTrait

#include "qopt/Dialect/QNN/IR/QNNInterfaces.h.inc"

namespace mlir {
class DialectRegistry;
namespace qnn {
/// DataMovementOpInterface for tensor.extract_slice, tensor.expand_shape and
/// tensor.collapse_shape (what the importer emits for Slice, Split,
/// Squeeze, Unsqueeze...).
void registerDataMovementExternalModels(DialectRegistry &registry);
} // namespace qnn
} // namespace mlir

#define GET_OP_CLASSES
#include "qopt/Dialect/QNN/IR/QNNOps.h.inc"

#endif // QOPT_DIALECT_QNN_IR_QNN_H
