//===- DotProductConv.h - Vector code for dot-product convolutions -*- C++ -*-===//
//
// Part of qopt.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_CODEGEN_CPU_TRANSFORMS_DOTPRODUCTCONV_H
#define QOPT_CODEGEN_CPU_TRANSFORMS_DOTPRODUCTCONV_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir {
namespace qcpu {

/// True for a linalg.generic that is an integer convolution in the
/// dot-product layout, recognized by its structure (as --integer-only builds
/// it): eight loops (n, oh, ow, f parallel; kh, kw, c/g, g reductions), u8 or
/// s16 activations, weights in panels of P output channels indexed
/// [f / P, kh, kw, c/g, f % P, g] with g = 4 (8-bit) or 2 (16-bit), an i32
/// accumulator indexed [n, oh, ow, f].
bool isDotProductConv(Operation *op);

/// The panel width P of a dot-product or panel convolution's weights (the
/// output channels of one register tile), or 0 for any other op.
int64_t getDotProductPanelWidth(Operation *op);

/// True for a linalg.generic that is an fp32 convolution with weight
/// panels, recognized by its structure (as convert-qnn-to-linalg builds it):
/// seven loops (n, oh, ow, f parallel; kh, kw, c reductions), f32 NHWC
/// activations, weights indexed [f / P, kh, kw, c, f % P], an f32
/// accumulator indexed [n, oh, ow, f], a multiply-add body.
bool isPanelConv(Operation *op);

/// Replaces a register tile of a panel convolution (static loop extents
/// [1, 1, OW, F, 1, 1, 1]) by vector code: the OW x F accumulators are read
/// once, and each column takes a broadcast of its activation times the
/// panel's F weights (vector.fma).
LogicalResult vectorizePanelConvTile(RewriterBase &rewriter,
                                     linalg::GenericOp op);

/// Replaces a register tile of a dot-product convolution (static loop
/// extents [1, 1, OW, F, 1, 1, 1, g]: one output row, OW columns, F
/// channels, one group of g = 4 u8 or 2 s16 input channels) by vector code:
/// the OW x F accumulators are read once, each column's group is broadcast
/// as one 32-bit value, and each column takes one qcpu.dot4_u8s8 or
/// qcpu.dot2_s16s16 over its F channels.
LogicalResult vectorizeDotProductConvTile(RewriterBase &rewriter,
                                          linalg::GenericOp op);

} // namespace qcpu
} // namespace mlir

#endif // QOPT_CODEGEN_CPU_TRANSFORMS_DOTPRODUCTCONV_H
