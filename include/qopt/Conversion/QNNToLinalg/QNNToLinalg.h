//===- QNNToLinalg.h - Lower qnn to linalg --------------------------*- C++ -*-===//
//
// Part of qopt.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_CONVERSION_QNNTOLINALG_QNNTOLINALG_H
#define QOPT_CONVERSION_QNNTOLINALG_QNNTOLINALG_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Transforms/DialectConversion.h"

namespace mlir {
namespace qnn {

#define GEN_PASS_DECL_CONVERTQNNTOLINALGPASS
#include "qopt/Conversion/Passes.h.inc"

/// Patterns lowering float qnn ops to linalg / tensor / arith / math.
void populateQNNToLinalgConversionPatterns(RewritePatternSet &patterns);

} // namespace qnn
} // namespace mlir

#endif // QOPT_CONVERSION_QNNTOLINALG_QNNTOLINALG_H
