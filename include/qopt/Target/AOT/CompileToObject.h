//===- CompileToObject.h - Ahead-of-time compilation ----------------*- C++ -*-===//
//
// Part of qopt. Lowers a qnn module, wraps its entry in a plain C function,
// optimizes with LLVM O3 and emits a relocatable object for a target triple,
// plus a C header describing the entry. The object needs libc and libm only.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_TARGET_AOT_COMPILETOOBJECT_H
#define QOPT_TARGET_AOT_COMPILETOOBJECT_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"

#include <string>

namespace qopt {

struct AOTOptions {
  std::string entry = "main";          ///< function of the module to export
  std::string name = "qopt_model";     ///< C symbol prefix
  std::string triple = "x86_64-linux-gnu";
  std::string cpu;                     ///< "" = generic for the triple
  std::string features;                ///< extra -mattr, e.g. "+dotprod"
  std::string sourceName;              ///< shown in the header comment
  /// 1: sequential code, no runtime; N > 1: N OpenMP threads; 0: the OpenMP
  /// runtime's default. Other than 1, the object calls libomp.
  unsigned threads = 1;
};

/// What code generation chose, for the tools' summary line.
struct AOTSummary {
  std::string cpu;          ///< the CPU (or "multi")
  std::string instructions; ///< e.g. "16-lane vectors, vpdpbusd products"
  uint64_t objectBytes = 0;
};

/// Compiles `module` (consumed: it is lowered in place) into an object file
/// at `objectPath` and a header at `headerPath`; `summary`, when given,
/// receives what was chosen.
llvm::Error compileToObject(mlir::ModuleOp module, const AOTOptions &options,
                            llvm::StringRef objectPath,
                            llvm::StringRef headerPath,
                            AOTSummary *summary = nullptr);

} // namespace qopt

#endif // QOPT_TARGET_AOT_COMPILETOOBJECT_H
