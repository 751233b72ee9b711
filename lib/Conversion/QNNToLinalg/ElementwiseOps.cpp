//===- ElementwiseOps.cpp - Lower float elementwise qnn ops to linalg -----===//
//
// Part of qopt. Activations, broadcasting arithmetic, softmax and casts, as
// parallel linalg.generic ops.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"

#include "qopt/Conversion/QNNToLinalg/QNNToLinalg.h"
#include "qopt/Dialect/QNN/IR/QNN.h"
#include "qopt/Dialect/QNN/Utils/ConstantUtils.h"
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

template <typename OpTy> struct UnaryLowering : QNNPattern<OpTy> {
  using QNNPattern<OpTy>::QNNPattern;
  using Adaptor = typename OpTy::Adaptor;
  LogicalResult
  matchAndRewrite(OpTy op, Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    REQUIRE_FLOAT(op, rewriter);
    Value y = elementwise(rewriter, op.getLoc(), op.getOutput().getType(),
                          ValueRange{adaptor.getInput()}, adaptor.getInput(),
                          [&](OpBuilder &b, Location l, ValueRange a) {
                            return body(op, b, l, a[0]);
                          });
    rewriter.replaceOp(op, y);
    return success();
  }

  static Value body(ReluOp, OpBuilder &b, Location l, Value x) {
    return arith::MaximumFOp::create(b, l, x, floatConst(b, l, x.getType(), 0));
  }
  static Value body(ClipOp op, OpBuilder &b, Location l, Value x) {
    return applyActivation(
        b, l, x,
        {op.getMin().convertToDouble(), op.getMax().convertToDouble()});
  }
  static Value body(LeakyReluOp op, OpBuilder &b, Location l, Value x) {
    Type t = x.getType();
    Value neg = arith::MulFOp::create(
        b, l, x, floatConst(b, l, t, op.getAlpha().convertToDouble()));
    Value pos = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGE, x,
                                      floatConst(b, l, t, 0));
    return arith::SelectOp::create(b, l, pos, x, neg);
  }
  static Value body(SigmoidOp, OpBuilder &b, Location l, Value x) {
    Type t = x.getType();
    Value e = math::ExpOp::create(b, l, arith::NegFOp::create(b, l, x));
    Value d = arith::AddFOp::create(b, l, floatConst(b, l, t, 1), e);
    return arith::DivFOp::create(b, l, floatConst(b, l, t, 1), d);
  }
  static Value body(HardSigmoidOp op, OpBuilder &b, Location l, Value x) {
    Type t = x.getType();
    Value y = arith::MulFOp::create(
        b, l, x, floatConst(b, l, t, op.getAlpha().convertToDouble()));
    y = arith::AddFOp::create(
        b, l, y, floatConst(b, l, t, op.getBeta().convertToDouble()));
    return applyActivation(b, l, y, {0.0, 1.0});
  }
};

template <typename OpTy> struct BinaryLowering : QNNPattern<OpTy> {
  using QNNPattern<OpTy>::QNNPattern;
  using Adaptor = typename OpTy::Adaptor;
  LogicalResult
  matchAndRewrite(OpTy op, Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    for (Type t : op->getOperandTypes())
      if (isa<quant::QuantizedType>(cast<RankedTensorType>(t).getElementType()))
        return rewriter.notifyMatchFailure(op, "quantized form is lowered by "
                                               "--integer-only first");
    auto type = op.getOutput().getType();
    bool isInt = isa<IntegerType>(type.getElementType());
    // The dynamic dims come from whichever operand has full rank there.
    Value like = adaptor.getLhs();
    if (cast<RankedTensorType>(like.getType()).getRank() < type.getRank())
      like = adaptor.getRhs();
    std::pair<double, double> range = {-std::numeric_limits<double>::infinity(),
                                       std::numeric_limits<double>::infinity()};
    if constexpr (std::is_same_v<OpTy, AddOp>)
      range = op.getActivationRange();
    Value y = elementwise(
        rewriter, op.getLoc(), type,
        ValueRange{adaptor.getLhs(), adaptor.getRhs()}, like,
        [&](OpBuilder &b, Location l, ValueRange a) {
          Value r;
          if constexpr (std::is_same_v<OpTy, AddOp>)
            r = isInt ? Value(arith::AddIOp::create(b, l, a[0], a[1]))
                      : Value(arith::AddFOp::create(b, l, a[0], a[1]));
          else if constexpr (std::is_same_v<OpTy, SubOp>)
            r = isInt ? Value(arith::SubIOp::create(b, l, a[0], a[1]))
                      : Value(arith::SubFOp::create(b, l, a[0], a[1]));
          else if constexpr (std::is_same_v<OpTy, MulOp>)
            r = isInt ? Value(arith::MulIOp::create(b, l, a[0], a[1]))
                      : Value(arith::MulFOp::create(b, l, a[0], a[1]));
          else
            r = arith::DivFOp::create(b, l, a[0], a[1]);
          if (isInt)
            return r; // integer ops carry no fused activation
          return applyActivation(b, l, r, range);
        });
    rewriter.replaceOp(op, y);
    return success();
  }
};

/// A float reduction of `x` (a tensor of `type`) over the dimensions
/// `reduced` marks: the reduced tensor drops them, `map` reads it back
/// (broadcast) inside generics over `type`'s iteration space.
struct FloatReduction {
  RankedTensorType type; ///< the reduced tensor
  AffineMap identity, map;
  SmallVector<IteratorType> iterators;
  SmallVector<Value> fullDims; ///< the sizes of `x`
  SmallVector<Value> dims;     ///< the sizes of the reduced tensor

  FloatReduction(OpBuilder &b, Location loc, Value x, RankedTensorType full,
                 function_ref<bool(int64_t)> reduced) {
    MLIRContext *ctx = b.getContext();
    int64_t rank = full.getRank();
    SmallVector<int64_t> shape;
    SmallVector<AffineExpr> exprs;
    fullDims = dimValues(b, loc, x);
    for (int64_t i = 0; i < rank; ++i) {
      bool r = reduced(i);
      iterators.push_back(r ? IteratorType::reduction : IteratorType::parallel);
      if (r)
        continue;
      shape.push_back(full.getDimSize(i));
      exprs.push_back(getAffineDimExpr(i, ctx));
      dims.push_back(fullDims[i]);
    }
    type = RankedTensorType::get(shape, full.getElementType());
    identity = AffineMap::getMultiDimIdentityMap(rank, ctx);
    map = AffineMap::get(rank, 0, exprs, ctx);
  }

  /// The maximum (isMax) or sum of `in` from `initValue`.
  Value apply(OpBuilder &b, Location loc, Value in, double initValue,
              bool isMax) const {
    Value init = fill(b, loc, emptyTensor(b, loc, type, dims), initValue);
    return linalg::GenericOp::create(
               b, loc, TypeRange{type}, ValueRange{in}, ValueRange{init},
               SmallVector<AffineMap>{identity, map}, iterators,
               [&](OpBuilder &nb, Location l, ValueRange a) {
                 Value r =
                     isMax ? Value(arith::MaximumFOp::create(nb, l, a[0], a[1]))
                           : Value(arith::AddFOp::create(nb, l, a[0], a[1]));
                 linalg::YieldOp::create(nb, l, r);
               })
        .getResult(0);
  }
};

struct SoftmaxLowering : QNNPattern<SoftmaxOp> {
  using QNNPattern::QNNPattern;
  LogicalResult
  matchAndRewrite(SoftmaxOp op, Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = adaptor.getInput();
    auto type = op.getOutput().getType();
    int64_t rank = type.getRank(), axis = static_cast<int64_t>(op.getAxis());
    if (axis < 0)
      axis += rank;
    Type et = type.getElementType();
    FloatReduction reduction(rewriter, loc, x, type,
                             [&](int64_t i) { return i == axis; });
    AffineMap id = reduction.identity, red = reduction.map;
    auto reduce = [&](Value in, double initValue, bool isMax) {
      return reduction.apply(rewriter, loc, in, initValue, isMax);
    };
    Value max = reduce(x, lowest(et), true);
    Value e = elementwise(rewriter, loc, type, ValueRange{x, max}, x,
                          [](OpBuilder &b, Location l, ValueRange a) {
                            return Value(math::ExpOp::create(
                                b, l, arith::SubFOp::create(b, l, a[0], a[1])));
                          },
                          {id, red});
    Value sum = reduce(e, 0.0, false);
    Value y =
        elementwise(rewriter, loc, type, ValueRange{e, sum}, x,
                    [](OpBuilder &b, Location l, ValueRange a) {
                      return Value(arith::DivFOp::create(b, l, a[0], a[1]));
                    },
                    {id, red});
    rewriter.replaceOp(op, y);
    return success();
  }
};

/// mean and 1 / sqrt(var + eps) over the trailing axes, then
/// (x - mean) * inv * scale + bias: the arithmetic of ONNX's function body
/// (and of the importer's form before this op existed).
struct LayerNormLowering : QNNPattern<LayerNormOp> {
  using QNNPattern::QNNPattern;
  LogicalResult
  matchAndRewrite(LayerNormOp op, Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value x = adaptor.getInput();
    auto type = op.getOutput().getType();
    int64_t rank = type.getRank(), axis = static_cast<int64_t>(op.getAxis());
    if (axis < 0)
      axis += rank;
    Type et = type.getElementType();
    // The statistics keep the leading dims and broadcast back over the
    // normalized ones.
    FloatReduction reduction(rewriter, loc, x, type,
                             [&](int64_t i) { return i >= axis; });
    RankedTensorType redType = reduction.type;
    AffineMap id = reduction.identity, red = reduction.map;
    auto sumOf = [&](Value in) {
      return reduction.apply(rewriter, loc, in, 0.0, /*isMax=*/false);
    };
    ArrayRef<Value> allDims = reduction.fullDims;
    // The element count of the normalized axes, as a float.
    Value count = arith::ConstantIndexOp::create(rewriter, loc, 1);
    for (int64_t i = axis; i < rank; ++i)
      count = arith::MulIOp::create(rewriter, loc, count, allDims[i]);
    Value n = arith::SIToFPOp::create(
        rewriter, loc, et,
        arith::IndexCastOp::create(rewriter, loc, rewriter.getI64Type(),
                                   count));
    Value sum = sumOf(x);
    Value mean =
        elementwise(rewriter, loc, redType, ValueRange{sum}, sum,
                    [&](OpBuilder &b, Location l, ValueRange a) {
                      return Value(arith::DivFOp::create(b, l, a[0], n));
                    });
    Value sq = elementwise(rewriter, loc, type, ValueRange{x, mean}, x,
                           [](OpBuilder &b, Location l, ValueRange a) {
                             Value d = arith::SubFOp::create(b, l, a[0], a[1]);
                             return Value(arith::MulFOp::create(b, l, d, d));
                           },
                           {id, red});
    Value ssum = sumOf(sq);
    double eps = op.getEpsilon().convertToDouble();
    Value inv = elementwise(
        rewriter, loc, redType, ValueRange{ssum}, ssum,
        [&](OpBuilder &b, Location l, ValueRange a) {
          Value var = arith::DivFOp::create(b, l, a[0], n);
          Value s = math::SqrtOp::create(
              b, l,
              arith::AddFOp::create(b, l, var, floatConst(b, l, et, eps)));
          return Value(
              arith::DivFOp::create(b, l, floatConst(b, l, et, 1.0), s));
        });
    SmallVector<Value> ins{x, mean, inv, adaptor.getScale()};
    SmallVector<AffineMap> maps{id, red, red};
    auto affineMap = [&](Value v) {
      return broadcastMap(ctx, cast<RankedTensorType>(v.getType()).getShape(),
                          type.getShape());
    };
    maps.push_back(affineMap(adaptor.getScale()));
    bool hasBias = static_cast<bool>(adaptor.getBias());
    if (hasBias) {
      ins.push_back(adaptor.getBias());
      maps.push_back(affineMap(adaptor.getBias()));
    }
    Value y = elementwise(
        rewriter, loc, type, ins, x,
        [&](OpBuilder &b, Location l, ValueRange a) {
          Value v = arith::MulFOp::create(
              b, l, arith::SubFOp::create(b, l, a[0], a[1]), a[2]);
          v = arith::MulFOp::create(b, l, v, a[3]);
          return hasBias ? Value(arith::AddFOp::create(b, l, v, a[4])) : v;
        },
        maps);
    rewriter.replaceOp(op, y);
    return success();
  }
};

/// Scalar numeric conversion; `srcUnsigned`/`dstUnsigned` pick the unsigned
/// integer conversions.
Value convertScalar(OpBuilder &b, Location l, Value v, Type to,
                    bool srcUnsigned, bool dstUnsigned) {
  Type from = v.getType();
  if (from == to)
    return v;
  if (isa<FloatType>(from) && isa<FloatType>(to))
    return from.getIntOrFloatBitWidth() < to.getIntOrFloatBitWidth()
               ? Value(arith::ExtFOp::create(b, l, to, v))
               : Value(arith::TruncFOp::create(b, l, to, v));
  if (isa<IntegerType>(from) && isa<FloatType>(to))
    return srcUnsigned ? Value(arith::UIToFPOp::create(b, l, to, v))
                       : Value(arith::SIToFPOp::create(b, l, to, v));
  if (isa<FloatType>(from) && isa<IntegerType>(to))
    return dstUnsigned ? Value(arith::FPToUIOp::create(b, l, to, v))
                       : Value(arith::FPToSIOp::create(b, l, to, v));
  unsigned fw = from.getIntOrFloatBitWidth(), tw = to.getIntOrFloatBitWidth();
  if (fw > tw)
    return arith::TruncIOp::create(b, l, to, v);
  return srcUnsigned ? Value(arith::ExtUIOp::create(b, l, to, v))
                     : Value(arith::ExtSIOp::create(b, l, to, v));
}

struct CastLowering : QNNPattern<CastOp> {
  using QNNPattern::QNNPattern;
  LogicalResult
  matchAndRewrite(CastOp op, Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto isUnsigned = [](Type t) {
      auto i = dyn_cast<IntegerType>(t);
      return i && i.isUnsigned();
    };
    Type src = op.getInput().getType().getElementType();
    Type dst = op.getOutput().getType().getElementType();
    // Unsigned integers reach this pass as signless storage after
    // --integer-only; their casts are lowered there, with the sign known.
    if (isUnsigned(src) || isUnsigned(dst))
      return rewriter.notifyMatchFailure(op, "unsigned cast");
    Value y = elementwise(rewriter, op.getLoc(), op.getOutput().getType(),
                          ValueRange{adaptor.getInput()}, adaptor.getInput(),
                          [&](OpBuilder &b, Location l, ValueRange a) {
                            return convertScalar(b, l, a[0], dst, false, false);
                          });
    rewriter.replaceOp(op, y);
    return success();
  }
};

} // namespace

void lowering::populateElementwiseLoweringPatterns(
    TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<
      UnaryLowering<ReluOp>, UnaryLowering<ClipOp>, UnaryLowering<LeakyReluOp>,
      UnaryLowering<SigmoidOp>, UnaryLowering<HardSigmoidOp>,
      BinaryLowering<AddOp>, BinaryLowering<SubOp>, BinaryLowering<MulOp>,
      BinaryLowering<DivOp>, SoftmaxLowering, LayerNormLowering, CastLowering>(
      converter, patterns.getContext());
}
