//===- QCPU.cpp - qopt's CPU code-generation dialect ----------------------===//
//
// Part of qopt.
//
//===----------------------------------------------------------------------===//

#include "qopt/Codegen/CPU/IR/QCPU.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::qcpu;

#include "qopt/Codegen/CPU/IR/QCPUDialect.cpp.inc"
#include "qopt/Codegen/CPU/IR/QCPUEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "qopt/Codegen/CPU/IR/QCPUAttrs.cpp.inc"

void QCPUDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "qopt/Codegen/CPU/IR/QCPUOps.cpp.inc"
      >();
  addAttributes<
#define GET_ATTRDEF_LIST
#include "qopt/Codegen/CPU/IR/QCPUAttrs.cpp.inc"
      >();
}

LogicalResult
LoweringConfigAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                           DenseI64ArrayAttr tileSizesAttr, KernelKind kernel) {
  ArrayRef<int64_t> tileSizes = tileSizesAttr.asArrayRef();
  if (llvm::any_of(tileSizes, [](int64_t s) { return s < 0; }))
    return emitError() << "tile sizes must be non-negative";
  // Empty: an op that is already a tile. The dot-product kernel tiles the 8
  // loops of its convolution; NHWC convolutions have 6 (depthwise) or 7.
  if (tileSizes.empty())
    return success();
  if (kernel == KernelKind::DotProductConv && tileSizes.size() != 8)
    return emitError() << "a dot_product_conv kernel needs 8 tile sizes "
                          "(n, oh, ow, f, kh, kw, c/g, g), got "
                       << tileSizes.size();
  if (kernel == KernelKind::PanelConv && tileSizes.size() != 7)
    return emitError() << "a panel_conv kernel needs 7 tile sizes (n, oh, "
                          "ow, f, kh, kw, c), got "
                       << tileSizes.size();
  if (kernel == KernelKind::ConvNHWC && tileSizes.size() != 6 &&
      tileSizes.size() != 7)
    return emitError() << "a conv_nhwc kernel needs 6 (depthwise) or 7 tile "
                          "sizes, got "
                       << tileSizes.size();
  return success();
}

/// The vector dot-product ops: fixed-length vectors, `group` values of x
/// (and w) per accumulator lane.
static LogicalResult verifyGroupedDot(Operation *op, VectorType acc,
                                      VectorType x, int64_t group,
                                      StringRef unit) {
  if (acc.isScalable() || x.isScalable())
    return op->emitOpError("needs fixed-length vectors");
  int64_t lanes = acc.getNumElements(), values = x.getNumElements();
  if (values != group * lanes)
    return op->emitOpError("needs ")
           << group << " " << unit << " per accumulator lane: " << values
           << " " << unit << " for " << lanes << " lanes";
  return success();
}

LogicalResult Dot4U8S8Op::verify() {
  return verifyGroupedDot(*this, getAcc().getType(), getX().getType(), 4,
                          "bytes");
}

LogicalResult Dot2S16S16Op::verify() {
  return verifyGroupedDot(*this, getAcc().getType(), getX().getType(), 2,
                          "i16 values");
}

#define GET_OP_CLASSES
#include "qopt/Codegen/CPU/IR/QCPUOps.cpp.inc"
