//===- Passes.h - qopt conversion passes ----------------------------*- C++ -*-===//
//
// Part of qopt.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_CONVERSION_PASSES_H
#define QOPT_CONVERSION_PASSES_H

#include "qopt/Conversion/QNNToLinalg/QNNToLinalg.h"

namespace mlir {
namespace qnn {

#define GEN_PASS_REGISTRATION
#include "qopt/Conversion/Passes.h.inc"

} // namespace qnn
} // namespace mlir

#endif // QOPT_CONVERSION_PASSES_H
