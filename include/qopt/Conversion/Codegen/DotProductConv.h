//===- DotProductConv.h - Vector code for dot-product convolutions -*- C++ -*-===//
//
// Part of qopt.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_CONVERSION_CODEGEN_DOTPRODUCTCONV_H
#define QOPT_CONVERSION_CODEGEN_DOTPRODUCTCONV_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir {
namespace qnn {

/// True for a linalg.generic built by --integer-only as a convolution in the
/// dot-product layout (see kDotProductConvAttr).
bool isDotProductConv(Operation *op);

/// Replaces a register tile of a dot-product convolution (static loop
/// extents [1, 1, OW, F, 1, 1, 1, g]: one output row, OW columns, F
/// channels, one group of g = 4 u8 or 2 s16 input channels) by vector code:
/// the OW x F accumulators are read once, each column's group is broadcast
/// as one 32-bit value, and each column takes one qnn.dot4_u8s8 or
/// qnn.dot2_s16s16 over its F channels.
LogicalResult vectorizeDotProductConvTile(RewriterBase &rewriter,
                                          linalg::GenericOp op);

} // namespace qnn
} // namespace mlir

#endif // QOPT_CONVERSION_CODEGEN_DOTPRODUCTCONV_H
