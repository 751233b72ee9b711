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

/// Instructions for the grouped dot products (qcpu.dot4_u8s8,
/// qcpu.dot2_s16s16).
enum class DotProductISA {
  None,       ///< portable vector code (widening multiplies and adds)
  AVX512VNNI, ///< x86 vpdpbusd / vpdpwssd on 512-, 256- and 128-bit vectors
  I8MM,       ///< AArch64 usdot (FEAT_I8MM) on 128-bit vectors
};

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
