//===- QNNDialect.cpp - QNN dialect registration --------------------------===//
//
// Part of qopt.
//
//===----------------------------------------------------------------------===//

#include "qopt/Dialect/QNN/IR/QNN.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::qnn;

#include "qopt/Dialect/QNN/IR/QNNOpsDialect.cpp.inc"
#include "qopt/Dialect/QNN/IR/QNNEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "qopt/Dialect/QNN/IR/QNNAttrs.cpp.inc"

#include "qopt/Dialect/QNN/IR/QNNInterfaces.cpp.inc"

void QNNDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "qopt/Dialect/QNN/IR/QNNAttrs.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "qopt/Dialect/QNN/IR/QNNOps.cpp.inc"
      >();
}

/// Folders produce plain attributes; quantized tensors come back as
/// `qnn.qconst` (the attribute holds storage integers), float ones as
/// `arith.constant`.
Operation *QNNDialect::materializeConstant(OpBuilder &builder, Attribute value,
                                           Type type, Location loc) {
  auto elements = dyn_cast<ElementsAttr>(value);
  if (!elements)
    return nullptr;
  auto tensorType = dyn_cast<RankedTensorType>(type);
  if (!tensorType)
    return nullptr;
  if (isa<quant::QuantizedType>(tensorType.getElementType()))
    return QConstOp::create(builder, loc, tensorType, elements);
  if (elements.getType() == type)
    return arith::ConstantOp::create(builder, loc, type, cast<TypedAttr>(value));
  return nullptr;
}
