//===- FuzzerCommon.h - Shared pieces of qopt's fuzz targets ----*- C++ -*-===//
//
// Part of qopt. Each fuzz target builds twice: with libFuzzer in the
// sanitizer build (`make fuzz`), and with DummyMain.cpp everywhere else,
// where it runs the inputs named on its command line (corpus replays and
// crash reproducers in `make check`).
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_FUZZ_FUZZERCOMMON_H
#define QOPT_FUZZ_FUZZERCOMMON_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"

#include <cstddef>
#include <cstdint>
#include <memory>

namespace qopt::fuzz {

/// A fresh context with qopt's dialects whose diagnostics are dropped (the
/// fuzzers look for crashes and sanitizer reports, not for error text).
std::unique_ptr<mlir::MLIRContext> makeQuietContext();

/// Runs qopt's graph passes and the first lowering steps on `module`
/// (fold-bn, fuse-ops, quantize-dynamic, integer-only,
/// convert-qnn-to-linalg); failures are expected, crashes are bugs.
void runGraphPasses(mlir::ModuleOp module);

} // namespace qopt::fuzz

#endif // QOPT_FUZZ_FUZZERCOMMON_H
