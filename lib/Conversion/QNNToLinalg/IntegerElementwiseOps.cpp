//===- IntegerElementwiseOps.cpp - Quantized elementwise qnn ops to integers
//---===//
//
// Part of qopt. relu and clip as clamps of storage integers, unsigned casts,
// and the retyping of data movement, constants and storage casts from
// !quant.uniform to their storage integer types.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"

#include "qopt/Conversion/QNNToLinalg/QNNToLinalg.h"
#include "qopt/Dialect/QNN/IR/QNN.h"
#include "qopt/Dialect/QNN/Utils/ConstantUtils.h"
#include "qopt/Dialect/QNN/Utils/ElementwiseFunction.h"
#include "qopt/Dialect/QNN/Utils/FixedPoint.h"
#include "qopt/Dialect/QNN/Utils/TensorUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/IndexingUtils.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/AffineExpr.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/Transforms/DialectConversion.h"

#include <cmath>
#include <cstdint>
#include <limits>

using namespace mlir;
using namespace mlir::qnn;
using namespace mlir::qnn::lowering;

namespace {

/// quant.scast and tensor.bitcast only reinterpret bits: after conversion
/// both sides have the same storage type.
template <typename OpTy> struct ErasedCast : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Type want = this->getTypeConverter()->convertType(op.getType());
    Value in = adaptor.getOperands()[0];
    if (in.getType() != want)
      return rewriter.notifyMatchFailure(op, "storage types differ");
    rewriter.replaceOp(op, in);
    return success();
  }
};

/// Unsigned-integer constants (raw ONNX uint8 data) become signless ones
/// holding the same bits.
struct RetypeIntConstant : OpConversionPattern<arith::ConstantOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(arith::ConstantOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto to = dyn_cast_or_null<RankedTensorType>(
        getTypeConverter()->convertType(op.getType()));
    auto dense = dyn_cast<DenseIntElementsAttr>(op.getValue());
    if (!to || !dense || to == op.getType())
      return rewriter.notifyMatchFailure(op, "nothing to retype");
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(
        op, cast<TypedAttr>(dense.bitcast(to.getElementType())));
    return success();
  }
};

/// Data movement on quantized tensors (same parameters in and out) only
/// needs its types converted.
struct RetypeDataMovement : ConversionPattern {
  RetypeDataMovement(const TypeConverter &tc, MLIRContext *ctx)
      : ConversionPattern(tc, MatchAnyOpTypeTag(), 1, ctx) {}
  LogicalResult
  matchAndRewrite(Operation *op, ArrayRef<Value> operands,
                  ConversionPatternRewriter &rewriter) const override {
    // Also plain-integer arithmetic whose unsigned types become signless
    // (two's-complement add/sub/mul wrap identically).
    // Data movement (also upstream tensor ops, as external models) only
    // retypes; max pooling compares stored integers in its own pattern.
    bool moves = (isa<DataMovementOpInterface>(op) && !isa<MaxPool2DOp>(op)) ||
                 isa<tensor::ExtractOp, tensor::EmptyOp, linalg::YieldOp>(op);
    if (!moves && !isa<ConcatOp, PadOp, AddOp, SubOp, MulOp>(op))
      return failure();
    auto isQuantized = [](Type t) {
      return isa<quant::QuantizedType>(getElementTypeOrSelf(t));
    };
    // A quantized concat whose operands share the result's parameters
    // (quantize-static requantizes them) concatenates stored integers.
    bool sameParams =
        isa<ConcatOp>(op) && llvm::all_of(op->getOperandTypes(), [&](Type t) {
          return getElementTypeOrSelf(t) ==
                 getElementTypeOrSelf(op->getResult(0).getType());
        });
    if (!moves && !sameParams &&
        llvm::any_of(op->getOperandTypes(), isQuantized))
      return failure(); // quantized arithmetic needs its own lowering
    SmallVector<Type> types;
    if (failed(getTypeConverter()->convertTypes(op->getResultTypes(), types)))
      return failure();
    OperationState state(op->getLoc(), op->getName(), operands, types,
                         op->getAttrs());
    rewriter.replaceOp(op, rewriter.create(state)->getResults());
    return success();
  }
};

/// A quantized pad: the same pad on the stored integers, a constant given
/// as its stored value (quantize-static only sinks exactly representable
/// constants through pads).
struct PadToInteger : OpConversionPattern<PadOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(PadOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto q = dyn_cast<quant::UniformQuantizedType>(
        op.getInput().getType().getElementType());
    if (!q)
      return rewriter.notifyMatchFailure(op, "not per-tensor quantized");
    double stored = quantizeScalar(op.getValue().convertToDouble(), q);
    // Stored as i8, an unsigned value above 127 is its two's complement.
    if (!q.isSigned() && stored > 127)
      stored -= 256;
    auto newOp = PadOp::create(
        rewriter, op.getLoc(),
        getTypeConverter()->convertType(op.getOutput().getType()),
        adaptor.getInput(), op.getPadsAttr(),
        rewriter.getF32FloatAttr((float)stored), op.getModeAttr());
    rewriter.replaceOp(op, newOp->getResults());
    return success();
  }
};

/// A linalg.generic on quantized tensors (an element selection, see
/// SinkDequantizeIntoSelection) takes the storage types; its body's
/// extracts are retyped by RetypeDataMovement.
struct RetypeGeneric : OpConversionPattern<linalg::GenericOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(linalg::GenericOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    SmallVector<Type> types;
    if (failed(getTypeConverter()->convertTypes(op->getResultTypes(), types)))
      return failure();
    bool changed = types != SmallVector<Type>(op->getResultTypes()) ||
                   llvm::any_of(op.getRegion().getArgumentTypes(), [&](Type t) {
                     return getTypeConverter()->convertType(t) != t;
                   });
    if (!changed)
      return rewriter.notifyMatchFailure(op, "types are legal");
    auto newOp = linalg::GenericOp::create(
        rewriter, op.getLoc(), types, adaptor.getInputs(),
        adaptor.getOutputs(), op.getIndexingMaps(), op.getIteratorTypes(),
        /*doc=*/nullptr, /*libraryCall=*/nullptr);
    rewriter.inlineRegionBefore(op.getRegion(), newOp.getRegion(),
                                newOp.getRegion().end());
    if (failed(rewriter.convertRegionTypes(&newOp.getRegion(),
                                           *getTypeConverter())))
      return failure();
    rewriter.replaceOp(op, newOp->getResults());
    return success();
  }
};

/// Quantized relu / clip: requantize to the output parameters when they
/// differ, then clamp the stored integers to the activation's image.
template <typename OpTy> struct ClampToInteger : IntPattern<OpTy> {
  using IntPattern<OpTy>::IntPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto in = getParams(op.getInput().getType());
    auto out = getParams(op.getOutput().getType());
    if (!in || !out || !in->perTensor() || !out->perTensor())
      return rewriter.notifyMatchFailure(op, "not per-tensor quantized");
    Location loc = op.getLoc();
    Value x = adaptor.getInput();
    if (in->scales[0] != out->scales[0] || in->zps[0] != out->zps[0] ||
        in->width != out->width || in->isSigned != out->isSigned)
      x = rescale(rewriter, loc, x,
                  {this->math.div(in->scales[0], out->scales[0])}, -1,
                  in->zps[0], *out, this->rounding, !in->isSigned);
    std::pair<double, double> range = {0.0,
                                       std::numeric_limits<double>::infinity()};
    if constexpr (std::is_same_v<OpTy, ClipOp>)
      range = {op.getMin().convertToDouble(), op.getMax().convertToDouble()};
    rewriter.replaceOp(op, clampActivation(rewriter, loc, x, *out, range));
    return success();
  }
};

/// Casts from or to unsigned integers, lowered while the sign is known.
struct UnsignedCastToInteger : OpConversionPattern<CastOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(CastOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto isUnsigned = [](Type t) {
      auto i = dyn_cast<IntegerType>(t);
      return i && i.isUnsigned();
    };
    Type src = op.getInput().getType().getElementType();
    Type dst = op.getOutput().getType().getElementType();
    if (!isUnsigned(src) && !isUnsigned(dst))
      return rewriter.notifyMatchFailure(op, "signed cast");
    Location loc = op.getLoc();
    auto outType = cast<RankedTensorType>(
        getTypeConverter()->convertType(op.getOutput().getType()));
    Type to = outType.getElementType();
    int64_t rank = outType.getRank();
    Value in = adaptor.getInput();
    Value init = emptyTensor(rewriter, loc, outType.getShape(), to,
                             dimValues(rewriter, loc, in));
    bool su = isUnsigned(src), du = isUnsigned(dst);
    Value y =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{outType}, ValueRange{in}, ValueRange{init},
            SmallVector<AffineMap>(2, rewriter.getMultiDimIdentityMap(rank)),
            SmallVector<IteratorType>(rank, IteratorType::parallel),
            [&](OpBuilder &b, Location l, ValueRange a) {
              Value v = a[0];
              Type from = v.getType();
              Value r;
              if (isa<IntegerType>(from) && isa<FloatType>(to))
                r = su ? Value(arith::UIToFPOp::create(b, l, to, v))
                       : Value(arith::SIToFPOp::create(b, l, to, v));
              else if (isa<FloatType>(from) && isa<IntegerType>(to))
                r = du ? Value(arith::FPToUIOp::create(b, l, to, v))
                       : Value(arith::FPToSIOp::create(b, l, to, v));
              else if (from.getIntOrFloatBitWidth() >
                       to.getIntOrFloatBitWidth())
                r = arith::TruncIOp::create(b, l, to, v);
              else if (from.getIntOrFloatBitWidth() <
                       to.getIntOrFloatBitWidth())
                r = su ? Value(arith::ExtUIOp::create(b, l, to, v))
                       : Value(arith::ExtSIOp::create(b, l, to, v));
              else
                r = v;
              linalg::YieldOp::create(b, l, r);
            })
            .getResult(0);
    rewriter.replaceOp(op, y);
    return success();
  }
};

/// A table lookup per element: the stored input, offset to [0, 256), indexes
/// the constant table (a gather once vectorized).
struct LookupTableToInteger : OpConversionPattern<LookupTableOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(LookupTableOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto inType = cast<quant::UniformQuantizedType>(
        op.getInput().getType().getElementType());
    Location loc = op.getLoc();
    auto outType = cast<RankedTensorType>(
        getTypeConverter()->convertType(op.getOutput().getType()));
    Value table = arith::ConstantOp::create(rewriter, loc, op.getTable());
    Value in = adaptor.getInput();
    bool isSigned = inType.isSigned();
    Value y = elementwise(
        rewriter, loc, outType, in, in,
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value v = extTo32(b, l, a[0], isSigned);
          if (isSigned)
            v = arith::AddIOp::create(b, l, v,
                                      intConst(b, l, b.getI32Type(), 128));
          Value index = arith::IndexCastOp::create(b, l, b.getIndexType(), v);
          return tensor::ExtractOp::create(b, l, table, index);
        });
    rewriter.replaceOp(op, y);
    return success();
  }
};

} // namespace

void lowering::populateIntegerElementwisePatterns(TypeConverter &converter,
                                                  RewritePatternSet &patterns,
                                                  RoundingMode rounding,
                                                  ScaleMath math) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<ClampToInteger<ReluOp>, ClampToInteger<ClipOp>>(converter, ctx,
                                                               rounding, math);
  patterns.add<ErasedCast<quant::StorageCastOp>, ErasedCast<tensor::BitcastOp>,
               RetypeDataMovement, RetypeIntConstant, UnsignedCastToInteger,
               LookupTableToInteger, RetypeGeneric, PadToInteger>(converter,
                                                                ctx);
}
