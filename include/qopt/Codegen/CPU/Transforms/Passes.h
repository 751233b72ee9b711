//===- Passes.h - qopt CPU code-generation passes -------------*- C++ -*-===//
//
// Part of qopt. See Passes.td.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_CODEGEN_CPU_TRANSFORMS_PASSES_H
#define QOPT_CODEGEN_CPU_TRANSFORMS_PASSES_H

#include "qopt/Codegen/CPU/IR/QCPU.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"

#include <optional>

namespace mlir {
namespace qcpu {

/// Parses the `dot-product` option spelling ("none", "avx512vnni", "i8mm").
std::optional<DotProductISA> parseDotProductISA(StringRef name);

/// Lowers the qcpu dot-product ops for `isa` (qopt-lower-dot-products).
void populateLowerDotProductPatterns(RewritePatternSet &patterns,
                                     DotProductISA isa);

#define GEN_PASS_DECL
#include "qopt/Codegen/CPU/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "qopt/Codegen/CPU/Transforms/Passes.h.inc"

} // namespace qcpu
} // namespace mlir

#endif // QOPT_CODEGEN_CPU_TRANSFORMS_PASSES_H
