//===- LoweringUtils.h - Shared helpers of the qnn lowerings ---*- C++ -*-===//
//
// Part of qopt. Private to lib/Conversion/QNNToLinalg. The lowering of qnn
// to linalg, tensor, arith and math is split by op family, as upstream's
// TosaToLinalg is:
//
//   float ops (convert-qnn-to-linalg)      quantized ops (--integer-only)
//   NamedOps.cpp        conv/fc/matmul/    IntegerNamedOps.cpp  conv/fc/matmul
//                       batch_norm/pools   IntegerConv.cpp      (NHWC convs)
//   ElementwiseOps.cpp  activations,       IntegerElementwiseOps.cpp
//                       arithmetic, casts                        clamps,
//                       retyping
//   DataMovementOps.cpp reshape/transpose/concat/pad (both)
//   QuantOps.cpp        observer, fake_quant, rescale
//                                          IntegerQuantOps.cpp  quantize,
//                                          dequantize, requantize, qconst
//
// Each file exposes a populate function declared here; the public entry
// points are in qopt/Conversion/QNNToLinalg/QNNToLinalg.h.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_LIB_CONVERSION_QNNTOLINALG_LOWERINGUTILS_H
#define QOPT_LIB_CONVERSION_QNNTOLINALG_LOWERINGUTILS_H

#include "qopt/Dialect/QNN/IR/QNN.h"

#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/IR/Builders.h"
#include "mlir/Transforms/DialectConversion.h"

#include <optional>
#include <utility>

namespace mlir::qnn::lowering {

using utils::IteratorType;
constexpr int64_t kDyn = ShapedType::kDynamic;

//===----------------------------------------------------------------------===//
// Tensors and elementwise generics
//===----------------------------------------------------------------------===//

/// tensor.empty of `type`; dynamic dim i is taken from `dims[i]`.
Value emptyTensor(OpBuilder &b, Location loc, RankedTensorType type,
                  ArrayRef<Value> dims);
Value emptyTensor(OpBuilder &b, Location loc, ArrayRef<int64_t> shape, Type et,
                  ArrayRef<Value> dims);
/// tensor.dim of every dimension of `v` (null for static ones).
SmallVector<Value> dimValues(OpBuilder &b, Location loc, Value v);
/// An empty result tensor whose dynamic dims equal those of `like` at the
/// same positions (true for the batch dimension of every op lowered here).
Value emptyLike(OpBuilder &b, Location loc, RankedTensorType type, Value like);
Value floatConst(OpBuilder &b, Location loc, Type t, double v);
/// `init` filled with `v` (float or integer elements).
Value fill(OpBuilder &b, Location loc, Value init, double v);
/// The reduction of every element of float tensor `x` to a 0-d tensor by
/// an associative, exact `combine(acc, element)` (max, min, max |.|) from
/// `init`. A static tensor is reduced in two stages, [N/L, L] to L partial
/// results (vectorized along L by the CPU strategy) and then L to one: a
/// reduction straight to a scalar is not vectorized.
Value reduceAllElements(
    OpBuilder &b, Location loc, Value x, double init,
    function_ref<Value(OpBuilder &, Location, Value, Value)> combine);
/// The lowest finite value of float type `t`.
double lowest(Type t);
/// Map of an operand broadcast (numpy rules) into a result of rank `rank`.
AffineMap broadcastMap(MLIRContext *ctx, ArrayRef<int64_t> operandShape,
                       ArrayRef<int64_t> resultShape);
/// Applies a fused activation to a scalar.
Value applyActivation(OpBuilder &b, Location loc, Value x,
                      std::pair<double, double> range);
/// A parallel elementwise generic over `result` type. `inputs` are broadcast
/// into it; `body` maps the input scalars to the output scalar.
Value elementwise(OpBuilder &b, Location loc, RankedTensorType resultType,
                  ValueRange inputs, Value like,
                  function_ref<Value(OpBuilder &, Location, ValueRange)> body,
                  ArrayRef<AffineMap> explicitMaps = {});
/// The bias + activation epilogue of conv / fully_connected / matmul:
/// out = act(acc + bias[channel]).
Value epilogue(OpBuilder &b, Location loc, Value acc, Value bias,
               int64_t channelDim, std::pair<double, double> range);
/// Pads the two spatial dims of an NCHW tensor.
Value padSpatial(OpBuilder &b, Location loc, Value x, ArrayRef<int64_t> pads,
                 double value, ArrayRef<int64_t> extraHigh = {0, 0});
Value permute(OpBuilder &b, Location loc, Value x, ArrayRef<int64_t> perm);
/// A window reduction (max or sum pooling) of the NCHW tensor `x` into an
/// NCHW result of `outShape` and element type `resultElt`, computed in NHWC
/// with the channels innermost so that it vectorizes over channels: `x` is
/// permuted to NHWC, padded with `padValue` (the explicit pads plus the
/// ceil-mode overhang that makes every output window fit), reduced from
/// `initValue` by `combine(acc, element)`, and permuted back. The
/// permutations cancel against their neighbours in qopt-fuse-elementwise,
/// so a network stays NHWC from one convolution to the next.
Value windowReduceNHWC(
    OpBuilder &b, Location loc, Value x, Type resultElt,
    ArrayRef<int64_t> outShape, ArrayRef<int64_t> kernel,
    ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations,
    ArrayRef<int64_t> pads, Value padValue, Value initValue,
    function_ref<Value(OpBuilder &, Location, Value, Value)> combine);
/// `w` permuted by `perm`, folded at compile time when `w` is a constant.
Value permuteWeights(OpBuilder &b, Location loc, Value w,
                     ArrayRef<int64_t> perm);
/// Output channels per weight panel of a convolution (dot-product or float
/// panel layout): 32 or 16 when it divides F (one register tile's
/// channels), all F when F < 16, else 16 with the last panel padded with
/// zero weights (257 STFT bins: 17 panels; the register tiles split the
/// remainder off, see qopt-tile-and-vectorize). There are ceil(F / P)
/// panels. (fp32 convolutions of 257 bins take 32: floatPanelWidth.)
int64_t panelWidth(int64_t f);
/// Reshape to a static-or-batch-dynamic shape through a shape tensor.
Value reshapeTensor(OpBuilder &b, Location loc, Value src,
                    RankedTensorType resultType);

/// Base of the float lowering patterns.
template <typename OpTy> struct QNNPattern : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  using Adaptor = typename OpTy::Adaptor;
};

bool isFloatTensor(Type t);

/// Float patterns leave the quantized form of an op to --integer-only.
#define REQUIRE_FLOAT(op, rewriter)                                            \
  for (Type t : op->getOperandTypes())                                         \
    if (!::mlir::qnn::lowering::isFloatTensor(t))                              \
      return rewriter.notifyMatchFailure(op, "quantized form is lowered by "   \
                                             "--integer-only first");

//===----------------------------------------------------------------------===//
// Quantization parameters and integer helpers
//===----------------------------------------------------------------------===//

/// Parameters of a quantized type (per tensor, or per channel along `axis`).
struct QParams {
  SmallVector<double> scales;
  SmallVector<int64_t> zps;
  int64_t axis = -1; ///< -1: per tensor
  bool isSigned = true;
  unsigned width = 8;
  int64_t qmin = 0, qmax = 0;
  bool perTensor() const { return axis < 0; }
};

/// The parameters of `t`'s (element) type; nullopt when it is not uniform
/// quantized.
std::optional<QParams> getParams(Type t);
/// arith.constant of integer type `t`.
Value intConst(OpBuilder &b, Location loc, Type t, int64_t v);
/// Integer of any width -> i32, honouring the storage signedness.
Value extTo32(OpBuilder &b, Location loc, Value v, bool isSigned);
/// A 1-D i32 constant of per-channel values.
Value channelConst(OpBuilder &b, Location loc, ArrayRef<int64_t> values);
/// The storage bit pattern of an integer value (u8 128 is i8 -128).
APInt storageBits(int64_t v, unsigned width);

/// How real multipliers are derived from the model's scales before they
/// become fixed point. `f32`: in float32, left to right, as the ONNX
/// reference implementation and ONNX Runtime do (`x_scale * w_scale /
/// y_scale` on float32 scales); `f64`: in double, as TFLite does.
struct ScaleMath {
  bool f32 = true;
  double mul(double a, double b) const {
    return f32 ? (double)((float)a * (float)b) : a * b;
  }
  double div(double a, double b) const {
    return f32 ? (double)((float)a / (float)b) : a / b;
  }
};

/// Base of the integer lowering patterns.
template <typename OpTy> struct IntPattern : OpConversionPattern<OpTy> {
  IntPattern(const TypeConverter &tc, MLIRContext *ctx, RoundingMode rounding,
             ScaleMath math)
      : OpConversionPattern<OpTy>(tc, ctx), rounding(rounding), math(math) {}
  RoundingMode rounding;
  ScaleMath math;
};

/// qnn.rescale of an i32 accumulator by `realMultipliers` (one, or one per
/// entry of `axis`) into `out` storage, adding `outZp`.
Value rescale(OpBuilder &b, Location loc, Value acc,
              ArrayRef<double> realMultipliers, int64_t axis, int64_t inZp,
              const QParams &out, RoundingMode rounding, bool inUnsigned);
/// Clamps storage integers to the quantized image of a fused activation.
Value clampActivation(OpBuilder &b, Location loc, Value v, const QParams &out,
                      std::pair<double, double> range);
/// Requantizes an accumulator with scale s_acc[c] into `out` (skipping the
/// rescale when it is the identity, e.g. ConvInteger's i32 result).
Value requantizeAccumulator(OpBuilder &b, Location loc, Value acc,
                            ArrayRef<double> accScales, int64_t channelAxis,
                            const QParams &out, RoundingMode rounding,
                            ScaleMath math,
                            std::pair<double, double> activation);
/// Accumulator scales s_x * s_w[c].
SmallVector<double> accScales(const QParams &x, const QParams &w,
                              ScaleMath math);

/// The i32 NHWC accumulator of a dense or depthwise quantized convolution
/// with constant weights (zero-point terms folded into its initial value),
/// or null when the convolution does not qualify (see IntegerConv.cpp).
/// `eightBitDots` false: 8-bit activations are widened to 16 bits for the
/// pair layout of a dense convolution.
Value lowerConvNHWC(Conv2DOp op, Value input, Value bias,
                    ConversionPatternRewriter &rewriter, const QParams &xp,
                    const QParams &wp, bool eightBitDots = true);
/// The i32 accumulator [outType's shape] of a quantized matmul of two 8-bit
/// per-tensor operands known at run time (static shapes, equal batch
/// dimensions, rank >= 3) in the dot-product layout, zero-point terms in
/// its initial value (IntegerDotMatMul.cpp); null when it does not qualify.
Value lowerDotMatMul(OpBuilder &b, Location loc, Value lhs, Value rhs,
                     RankedTensorType outType, const QParams &ap,
                     const QParams &bp);
/// Fails with a diagnostic on `op` when its i32 accumulator could overflow.
LogicalResult checkAccumulatorBound(Operation *op, Value weight, Value bias,
                                    int64_t channelAxis, const QParams &xp,
                                    const QParams &wp);

//===----------------------------------------------------------------------===//
// Pattern families
//===----------------------------------------------------------------------===//

void populateNamedOpLoweringPatterns(TypeConverter &converter,
                                     RewritePatternSet &patterns);
/// qnn.block_dequantize, and the products whose constant weights it
/// dequantizes as one contraction over the packed weights (BlockwiseOps.cpp).
void populateBlockwiseLoweringPatterns(TypeConverter &converter,
                                       RewritePatternSet &patterns);
/// The parts of a qnn.block_dequantize of constants, arranged as [K, N]
/// (reduction index first) whatever the stored layout (BlockwiseOps.cpp).
struct BlockWeights {
  int64_t k = 0, n = 0, block = 0;
  unsigned width = 4;
  bool isUnsigned = false;
  SmallVector<int32_t> q;    ///< [K, N]
  SmallVector<double> scale; ///< [ceil(K/B), N]
  SmallVector<int32_t> zero; ///< [ceil(K/B), N]
};
/// `w` (the weight operand of a product) as block-quantized constants whose
/// blocks run along the product's reduction dimension `reductionAxis` of the
/// 2-D weight; nullopt when it is anything else.
std::optional<BlockWeights> matchBlockWeights(Value w, int64_t reductionAxis);
/// `x` [..., K] as [M, K] (leading dimensions collapsed), or null when a
/// tensor of rank > 2 has a dynamic leading dimension.
Value rowsOf(OpBuilder &b, Location loc, Value x);
/// `y` [M, N] back to `type` [..., N].
Value unrows(OpBuilder &b, Location loc, Value y, RankedTensorType type);
/// Products of int8 activations and 4-bit block weights (W4A8) as integer
/// dot products per block; part of the integer conversion.
void populateBlockwiseIntegerPatterns(TypeConverter &converter,
                                      RewritePatternSet &patterns);
void populateElementwiseLoweringPatterns(TypeConverter &converter,
                                         RewritePatternSet &patterns);
void populateDataDependentLoweringPatterns(TypeConverter &converter,
                                           RewritePatternSet &patterns);
void populateDataMovementLoweringPatterns(TypeConverter &converter,
                                          RewritePatternSet &patterns);
void populateQuantLoweringPatterns(TypeConverter &converter,
                                   RewritePatternSet &patterns);
void populateIntegerNamedOpPatterns(TypeConverter &converter,
                                    RewritePatternSet &patterns,
                                    RoundingMode rounding, ScaleMath math,
                                    bool eightBitDots = true);
void populateIntegerQuantOpPatterns(TypeConverter &converter,
                                    RewritePatternSet &patterns,
                                    RoundingMode rounding, ScaleMath math);
void populateIntegerElementwisePatterns(TypeConverter &converter,
                                        RewritePatternSet &patterns,
                                        RoundingMode rounding, ScaleMath math);

} // namespace mlir::qnn::lowering

#endif // QOPT_LIB_CONVERSION_QNNTOLINALG_LOWERINGUTILS_H
