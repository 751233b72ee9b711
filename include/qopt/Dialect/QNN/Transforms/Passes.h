//===- Passes.h - QNN graph transformation passes -------------------*- C++ -*-===//
//
// Part of qopt.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_DIALECT_QNN_TRANSFORMS_PASSES_H
#define QOPT_DIALECT_QNN_TRANSFORMS_PASSES_H

#include "qopt/Dialect/QNN/IR/QNN.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir {
namespace qnn {

#define GEN_PASS_DECL
#include "qopt/Dialect/QNN/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "qopt/Dialect/QNN/Transforms/Passes.h.inc"

} // namespace qnn
} // namespace mlir

#endif // QOPT_DIALECT_QNN_TRANSFORMS_PASSES_H
