//===- DotProductMatMul.h - Integer matrix products as dot4 chains -*- C++
//-*-===//
//
// Part of qopt.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_CODEGEN_CPU_TRANSFORMS_DOTPRODUCTMATMUL_H
#define QOPT_CODEGEN_CPU_TRANSFORMS_DOTPRODUCTMATMUL_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir {
namespace qcpu {

/// Whether `op` is the contraction of int8 activations and packed 4-bit
/// block weights that the QNN lowering emits for W4A8 products
/// (blockwiseIntegerProduct in
/// lib/Conversion/QNNToLinalg/BlockwiseIntegerOps.cpp): loops (m, t, i, g, c,
/// h, j), activations [M, G, C, 2, 4] i8, weight bytes [T, G, C, 16, 4] i8,
/// scales [T, G, 16] f32, zero points [T, G, 16] i8, block sums of the
/// activations [M, G] i32, accumulator [M, T, 16] f32.
bool isBlockDotProduct(Operation *op);

/// Writes a register tile of such a contraction -- one block (g extent 1),
/// every group of the block, a few rows and 16-lane output tiles -- as
/// vector code: per 64-byte weight load, the two nibbles as two
/// qcpu.dot4_u8s8 into i32 accumulators; per block, the zero points times
/// the block sums taken out and the i32 sums converted and scaled into the
/// f32 accumulators. Fails (leaving the op) on any
/// other structure.
LogicalResult vectorizeBlockDotTile(RewriterBase &rewriter,
                                    linalg::GenericOp op);

/// Whether `op` is the contraction of two run-time 8-bit operands in the
/// dot-product layout that the QNN lowering emits for quantized matmuls of
/// two activations (lowerDotMatMul in IntegerDotMatMul.cpp): loops (b, m,
/// t, i, c, j), left operand [B, M, C, 4] (unsigned bytes), right operand
/// packed [B, T, C, 16, 4] (signed bytes), accumulator [B, M, T, 16] i32.
bool isDotProductMatMul(Operation *op);

/// Writes a register tile of such a contraction (one batch, a few rows,
/// 16-lane output tiles, some groups of four reduction steps) as
/// qcpu.dot4_u8s8 chains: per group one 64-byte load per output tile, one
/// broadcast of four bytes per row. Fails on any other structure.
LogicalResult vectorizeDotProductMatMulTile(RewriterBase &rewriter,
                                            linalg::GenericOp op);

} // namespace qcpu
} // namespace mlir

#endif // QOPT_CODEGEN_CPU_TRANSFORMS_DOTPRODUCTMATMUL_H
