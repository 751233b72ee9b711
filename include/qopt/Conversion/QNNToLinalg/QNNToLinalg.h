//===- QNNToLinalg.h - Lowering qnn to linalg -----------------------*- C++ -*-===//
//
// Part of qopt. The one lowering layer from qnn to linalg, tensor, arith
// and math, in two halves:
//
// * float ops (convert-qnn-to-linalg): populateQNNToLinalgConversionPatterns;
// * quantized ops to integer arithmetic and qnn.rescale (integer-only):
//   populateQNNToIntegerConversionPatterns, with the storage-type conversion
//   of populateQNNIntegerTypeConversions.
//
// Embedders can run either half inside their own conversions.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_CONVERSION_QNNTOLINALG_QNNTOLINALG_H
#define QOPT_CONVERSION_QNNTOLINALG_QNNTOLINALG_H

#include "qopt/Dialect/QNN/IR/QNN.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Transforms/DialectConversion.h"

namespace mlir {
namespace qnn {

#define GEN_PASS_DECL_CONVERTQNNTOLINALGPASS
#define GEN_PASS_DECL_INTEGERONLYPASS
#include "qopt/Conversion/Passes.h.inc"

/// Float qnn ops -> linalg/tensor/arith/math on tensors (destination-passing
/// style), data movement of any element type, observer / fake_quant and
/// qnn.rescale. Quantized forms of the compute ops are left alone.
void populateQNNToLinalgConversionPatterns(TypeConverter &converter,
                                           RewritePatternSet &patterns);

/// `!quant.uniform` tensors -> their storage integer tensors (u8 as i8),
/// unsigned integer tensors -> signless, with quant.scast / tensor.bitcast
/// materializations.
void populateQNNIntegerTypeConversions(TypeConverter &converter);

/// Quantized qnn ops -> integer arithmetic: i32 accumulation plus
/// qnn.rescale with `rounding`, multipliers derived from the scales in
/// `scaleArithmetic`; the float boundary (quantize / dequantize) as float
/// arithmetic. Without `eightBitDotProducts` (a target with no 8-bit dot
/// product instruction), dense convolutions with 8-bit activations use the
/// 16-bit pair layout.
void populateQNNToIntegerConversionPatterns(TypeConverter &converter,
                                            RewritePatternSet &patterns,
                                            RoundingMode rounding,
                                            ScaleArithmetic scaleArithmetic,
                                            bool eightBitDotProducts = true);

/// Quantized matmul / fully_connected with constant weights (any number of
/// rows, matrix-vector products included) -> qnn.conv2d 1x1 (between reshapes
/// and transposes), so that they lower to the convolutions' dot-product
/// kernels. integer-only applies them first.
void populateProductsAsConvolutionsPatterns(RewritePatternSet &patterns);

/// Float matmul / fully_connected on weight-only quantized weights
/// (dequantize of a per-channel or per-tensor qconst) -> the same product on
/// qnn.block_dequantize with one block along the reduction axis, which the
/// CPU lowering runs on the stored integers (4-bit ones packed two per
/// byte). integer-only applies them first.
void populateWeightOnlyAsBlocksPatterns(RewritePatternSet &patterns);

/// Whether `op` is a float matmul / fully_connected of int8 activations
/// (dequantize(q) * s of a symmetric per-tensor int8 q and a 0-d scale, as
/// --quantize-dynamic group-size=G writes them) and constant 4-bit block
/// weights in blocks of a multiple of 8 along the reduction axis: the W4A8
/// product that --integer-only lowers to integer dot products per block.
bool isInt8BlockwiseProduct(Operation *op);

} // namespace qnn
} // namespace mlir

#endif // QOPT_CONVERSION_QNNTOLINALG_QNNTOLINALG_H
