//===- InitAllPasses.h - Register qopt's passes and pipelines -------*- C++ -*-===//
//
// Part of qopt.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_INITALLPASSES_H
#define QOPT_INITALLPASSES_H

#include "qopt/Dialect/QNN/Transforms/Transforms.h"

namespace qopt {

/// Registers every qopt pass and pipeline with MLIR's global pass registry,
/// so textual pipelines and `-<flag>` options see them. `hooks` serve
/// quantize-static{calibration-data=...}, round-weights and qopt-ptq: tools
/// that link the JIT pass qopt::inProcessHooks(); embedders without a JIT
/// pass nothing, and calibration-data is then an error that says so. Only
/// the first call registers.
void registerAllPasses(mlir::qnn::CalibrationHooks hooks = {});

} // namespace qopt

#endif // QOPT_INITALLPASSES_H
