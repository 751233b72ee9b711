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

/// Instructions for 4-way u8 x s8 -> i32 dot products (qnn.dot4_u8s8).
enum class DotProductISA {
  None,       ///< portable vector code (widening multiplies and adds)
  AVX512VNNI, ///< x86 vpdpbusd on 512-, 256- and 128-bit vectors
  I8MM,       ///< AArch64 usdot (FEAT_I8MM) on 128-bit vectors
};

/// Parses the `dot-product` option spelling ("none", "avx512vnni", "i8mm").
std::optional<DotProductISA> parseDotProductISA(StringRef name);

/// Lowers qnn.dot4_u8s8 for `isa` (qopt-lower-dot-products).
void populateLowerDotProductPatterns(RewritePatternSet &patterns,
                                     DotProductISA isa);

#define GEN_PASS_DECL_DISTINCTRESULTBUFFERSPASS
#define GEN_PASS_DECL_LOWERSTRIDEDCOPIESPASS
#define GEN_PASS_DECL_TILEANDVECTORIZEPASS
#define GEN_PASS_DECL_HOISTVECTORTRANSFERSPASS
#define GEN_PASS_DECL_FUSEELEMENTWISEPASS
#define GEN_PASS_DECL_LOWERDOTPRODUCTSPASS
#include "qopt/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "qopt/Conversion/Passes.h.inc"

} // namespace qnn
} // namespace mlir

#endif // QOPT_CONVERSION_PASSES_H
