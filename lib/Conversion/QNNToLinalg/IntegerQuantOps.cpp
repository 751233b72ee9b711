//===- IntegerQuantOps.cpp - Quantization qnn ops to integer arithmetic ---===//
//
// Part of qopt. quantize, dynamic_quantize and dequantize at the float
// boundary; requantize and qconst on storage integers.
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

/// Per-element parameter operands (scale as f32, zp as f32) for quantize /
/// dequantize, broadcast along the quantized axis.
struct ParamOperands {
  SmallVector<Value> values;
  SmallVector<AffineMap> maps;
};
ParamOperands paramOperands(OpBuilder &b, Location loc, const QParams &p,
                            int64_t rank, Type floatType) {
  ParamOperands r;
  MLIRContext *ctx = b.getContext();
  auto t = RankedTensorType::get({(int64_t)p.scales.size()}, floatType);
  SmallVector<Attribute> s, z;
  for (auto [sc, zp] : llvm::zip_equal(p.scales, p.zps)) {
    s.push_back(b.getFloatAttr(floatType, sc));
    z.push_back(b.getFloatAttr(floatType, (double)zp));
  }
  r.values = {arith::ConstantOp::create(b, loc, DenseElementsAttr::get(t, s)),
              arith::ConstantOp::create(b, loc, DenseElementsAttr::get(t, z))};
  AffineMap m = AffineMap::get(rank, 0,
                               {p.perTensor() ? getAffineConstantExpr(0, ctx)
                                              : getAffineDimExpr(p.axis, ctx)},
                               ctx);
  r.maps = {m, m};
  return r;
}

/// One element of ONNX QuantizeLinear, saturate(round_half_even(x / s) + z)
/// into [qmin, qmax], as the integer `storage` type (`zp` may be null: 0).
/// Shared by qnn.quantize and qnn.dynamic_quantize.
Value quantizeElement(OpBuilder &b, Location l, Value x, Value scale, Value zp,
                      double qmin, double qmax, Type storage) {
  Type ft = x.getType();
  Value q = arith::DivFOp::create(b, l, x, scale);
  q = math::RoundEvenOp::create(b, l, q);
  if (zp)
    q = arith::AddFOp::create(b, l, q, zp);
  q = arith::MaximumFOp::create(
      b, l, q, arith::ConstantOp::create(b, l, ft, b.getFloatAttr(ft, qmin)));
  q = arith::MinimumFOp::create(
      b, l, q, arith::ConstantOp::create(b, l, ft, b.getFloatAttr(ft, qmax)));
  // Through i32 when the storage has at most 16 bits (one vcvtps2dq per 16
  // lanes; i64 halves the lanes), through i64 otherwise (u32 storage, and
  // an i32 bound that rounds to 2^31 in f32).
  Type wide = storage.getIntOrFloatBitWidth() <= 16 ? b.getI32Type()
                                                    : b.getI64Type();
  Value i = arith::FPToSIOp::create(b, l, wide, q);
  return arith::TruncIOp::create(b, l, storage, i);
}

struct QuantizeToInteger : IntPattern<QuantizeOp> {
  using IntPattern::IntPattern;
  LogicalResult
  matchAndRewrite(QuantizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto p = getParams(op.getOutput().getType());
    Location loc = op.getLoc();
    auto inType = op.getInput().getType();
    Type ft = inType.getElementType();
    int64_t rank = inType.getRank();
    Type st = rewriter.getIntegerType(p->width);
    ParamOperands params = paramOperands(rewriter, loc, *p, rank, ft);
    SmallVector<Value> inputs = {adaptor.getInput()};
    inputs.append(params.values);
    SmallVector<AffineMap> maps = {rewriter.getMultiDimIdentityMap(rank)};
    maps.append(params.maps);
    maps.push_back(rewriter.getMultiDimIdentityMap(rank));
    Value init = emptyTensor(rewriter, loc, inType.getShape(), st,
                             dimValues(rewriter, loc, adaptor.getInput()));
    SmallVector<IteratorType> iters(rank, IteratorType::parallel);
    double qmin = p->qmin, qmax = p->qmax;
    Value y =
        linalg::GenericOp::create(
            rewriter, loc,
            TypeRange{RankedTensorType::get(inType.getShape(), st)}, inputs,
            ValueRange{init}, maps, iters,
            [&](OpBuilder &b, Location l, ValueRange a) {
              linalg::YieldOp::create(
                  b, l,
                  quantizeElement(b, l, a[0], a[1], a[2], qmin, qmax, st));
            })
            .getResult(0);
    rewriter.replaceOp(op, y);
    return success();
  }
};

/// qnn.dynamic_quantize: max|x| by a reduction to a 0-d tensor, the scale
/// s = max|x| / qmax (1 for an all-zero tensor), then
/// clamp(round_half_even(x / s), -qmax, qmax).
struct DynamicQuantizeToInteger : IntPattern<DynamicQuantizeOp> {
  using IntPattern::IntPattern;
  LogicalResult
  matchAndRewrite(DynamicQuantizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto p = getParams(op.getOutput().getType());
    if (!p)
      return rewriter.notifyMatchFailure(op, "not a uniform result type");
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value x = adaptor.getInput();
    auto inType = cast<RankedTensorType>(x.getType());
    Type f32 = rewriter.getF32Type();
    int64_t rank = inType.getRank();
    Value zero = arith::ConstantOp::create(rewriter, loc, f32,
                                           rewriter.getF32FloatAttr(0.0f));
    Value empty0 =
        tensor::EmptyOp::create(rewriter, loc, ArrayRef<int64_t>{}, f32);
    Value init0 =
        linalg::FillOp::create(rewriter, loc, zero, empty0).getResult(0);
    Value absMax =
        reduceAllElements(rewriter, loc, x, 0.0,
                          [](OpBuilder &b, Location l, Value acc, Value v) {
                            return (Value)arith::MaximumFOp::create(
                                b, l, acc, math::AbsFOp::create(b, l, v));
                          });
    double qmax = p->qmax;
    Value scale =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{init0.getType()}, ValueRange{absMax},
            ValueRange{empty0},
            SmallVector<AffineMap>(2, AffineMap::get(0, 0, {}, ctx)),
            SmallVector<IteratorType>{},
            [&](OpBuilder &b, Location l, ValueRange a) {
              Value s = arith::DivFOp::create(
                  b, l, a[0],
                  arith::ConstantOp::create(b, l, f32,
                                            b.getF32FloatAttr(qmax)));
              Value isZero = arith::CmpFOp::create(
                  b, l, arith::CmpFPredicate::OEQ, s,
                  arith::ConstantOp::create(b, l, f32, b.getF32FloatAttr(0)));
              s = arith::SelectOp::create(
                  b, l, isZero,
                  arith::ConstantOp::create(b, l, f32, b.getF32FloatAttr(1)),
                  s);
              linalg::YieldOp::create(b, l, s);
            })
            .getResult(0);
    Type st = rewriter.getIntegerType(p->width);
    Value init = emptyTensor(rewriter, loc, inType.getShape(), st,
                             dimValues(rewriter, loc, x));
    Value q =
        linalg::GenericOp::create(
            rewriter, loc,
            TypeRange{RankedTensorType::get(inType.getShape(), st)},
            ValueRange{x, scale}, ValueRange{init},
            SmallVector<AffineMap>{rewriter.getMultiDimIdentityMap(rank),
                                   AffineMap::get(rank, 0, {}, ctx),
                                   rewriter.getMultiDimIdentityMap(rank)},
            SmallVector<IteratorType>(rank, IteratorType::parallel),
            [&](OpBuilder &b, Location l, ValueRange a) {
              linalg::YieldOp::create(
                  b, l,
                  quantizeElement(b, l, a[0], a[1], Value(), -qmax, qmax, st));
            })
            .getResult(0);
    rewriter.replaceOp(op, {q, scale});
    return success();
  }
};

/// qnn.dynamic_quantize_linear: hi = max(0, max x) and lo = min(0, min x)
/// by reductions that start at 0, the scale and zero point by a scalar
/// generic, then the quantizing map.
struct DynamicQuantizeLinearToInteger : IntPattern<DynamicQuantizeLinearOp> {
  using IntPattern::IntPattern;
  LogicalResult
  matchAndRewrite(DynamicQuantizeLinearOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value x = adaptor.getInput();
    auto inType = cast<RankedTensorType>(x.getType());
    Type f32 = rewriter.getF32Type(), i8 = rewriter.getI8Type();
    int64_t rank = inType.getRank();
    auto cst = [](OpBuilder &b, Location l, double v) -> Value {
      return arith::ConstantOp::create(b, l, b.getF32FloatAttr(v));
    };
    Value empty0 =
        tensor::EmptyOp::create(rewriter, loc, ArrayRef<int64_t>{}, f32);
    Value init0 =
        linalg::FillOp::create(rewriter, loc, cst(rewriter, loc, 0), empty0)
            .getResult(0);
    AffineMap scalarOfX = AffineMap::get(rank, 0, {}, ctx);
    auto reduce = [&](bool isMax) {
      return reduceAllElements(
          rewriter, loc, x, 0.0,
          [&](OpBuilder &b, Location l, Value acc, Value v) -> Value {
            if (isMax)
              return arith::MaximumFOp::create(b, l, acc, v);
            return arith::MinimumFOp::create(b, l, acc, v);
          });
    };
    Value hi = reduce(true), lo = reduce(false);
    // scale = (hi - lo) / 255; zp = clamp(round(-lo / scale), 0, 255) as
    // f32 (0 for a zero scale), and as u8.
    AffineMap scalar = AffineMap::get(0, 0, {}, ctx);
    Value emptyI8 =
        tensor::EmptyOp::create(rewriter, loc, ArrayRef<int64_t>{}, i8);
    auto params = linalg::GenericOp::create(
        rewriter, loc,
        TypeRange{init0.getType(), init0.getType(), emptyI8.getType()},
        ValueRange{hi, lo}, ValueRange{empty0, empty0, emptyI8},
        SmallVector<AffineMap>(5, scalar), SmallVector<IteratorType>{},
        [&](OpBuilder &b, Location l, ValueRange a) {
          Value scale = arith::DivFOp::create(
              b, l, arith::SubFOp::create(b, l, a[0], a[1]), cst(b, l, 255));
          Value q = arith::DivFOp::create(
              b, l, arith::NegFOp::create(b, l, a[1]), scale);
          Value zeroScale = arith::CmpFOp::create(
              b, l, arith::CmpFPredicate::OEQ, scale, cst(b, l, 0));
          q = arith::SelectOp::create(b, l, zeroScale, cst(b, l, 0), q);
          q = math::RoundEvenOp::create(b, l, q);
          q = arith::MaximumFOp::create(b, l, q, cst(b, l, 0));
          q = arith::MinimumFOp::create(b, l, q, cst(b, l, 255));
          Value u = arith::FPToUIOp::create(b, l, i8, q);
          linalg::YieldOp::create(b, l, ValueRange{scale, q, u});
        });
    Value scale = params.getResult(0), zpf = params.getResult(1);
    Value init = emptyTensor(rewriter, loc, inType.getShape(), i8,
                             dimValues(rewriter, loc, x));
    Value y =
        linalg::GenericOp::create(
            rewriter, loc,
            TypeRange{RankedTensorType::get(inType.getShape(), i8)},
            ValueRange{x, scale, zpf}, ValueRange{init},
            SmallVector<AffineMap>{rewriter.getMultiDimIdentityMap(rank),
                                   scalarOfX, scalarOfX,
                                   rewriter.getMultiDimIdentityMap(rank)},
            SmallVector<IteratorType>(rank, IteratorType::parallel),
            [&](OpBuilder &b, Location l, ValueRange a) {
              Value zeroScale = arith::CmpFOp::create(
                  b, l, arith::CmpFPredicate::OEQ, a[1], cst(b, l, 0));
              Value q = arith::DivFOp::create(b, l, a[0], a[1]);
              q = arith::SelectOp::create(b, l, zeroScale, cst(b, l, 0), q);
              q = arith::AddFOp::create(
                  b, l, math::RoundEvenOp::create(b, l, q), a[2]);
              q = arith::MaximumFOp::create(b, l, q, cst(b, l, 0));
              q = arith::MinimumFOp::create(b, l, q, cst(b, l, 255));
              Value u = arith::FPToUIOp::create(b, l, i8, q);
              linalg::YieldOp::create(b, l, u);
            })
            .getResult(0);
    rewriter.replaceOp(op, {y, scale, params.getResult(2)});
    return success();
  }
};

struct DequantizeToInteger : IntPattern<DequantizeOp> {
  using IntPattern::IntPattern;
  LogicalResult
  matchAndRewrite(DequantizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto p = getParams(op.getInput().getType());
    Location loc = op.getLoc();
    auto outType = op.getOutput().getType();
    Type ft = outType.getElementType();
    int64_t rank = outType.getRank();
    ParamOperands params = paramOperands(rewriter, loc, *p, rank, ft);
    SmallVector<Value> inputs = {adaptor.getInput()};
    inputs.append(params.values);
    SmallVector<AffineMap> maps = {rewriter.getMultiDimIdentityMap(rank)};
    maps.append(params.maps);
    maps.push_back(rewriter.getMultiDimIdentityMap(rank));
    Value init = emptyTensor(rewriter, loc, outType.getShape(), ft,
                             dimValues(rewriter, loc, adaptor.getInput()));
    SmallVector<IteratorType> iters(rank, IteratorType::parallel);
    bool isSigned = p->isSigned;
    Value y = linalg::GenericOp::create(
                  rewriter, loc, TypeRange{outType}, inputs, ValueRange{init},
                  maps, iters,
                  [&](OpBuilder &b, Location l, ValueRange a) {
                    Value q = extTo32(b, l, a[0], isSigned);
                    Value f = arith::SIToFPOp::create(b, l, ft, q);
                    f = arith::SubFOp::create(b, l, f, a[2]);
                    linalg::YieldOp::create(
                        b, l, Value(arith::MulFOp::create(b, l, f, a[1])));
                  })
                  .getResult(0);
    rewriter.replaceOp(op, y);
    return success();
  }
};

struct RequantizeToInteger : IntPattern<RequantizeOp> {
  using IntPattern::IntPattern;
  LogicalResult
  matchAndRewrite(RequantizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto in = getParams(op.getInput().getType());
    auto out = getParams(op.getOutput().getType());
    if (!in->perTensor() || !out->perTensor())
      return rewriter.notifyMatchFailure(op, "per-axis requantize");
    Value x = adaptor.getInput();
    if (in->width < 32)
      x = linalg::GenericOp::create(
              rewriter, op.getLoc(),
              TypeRange{RankedTensorType::get(
                  op.getInput().getType().getShape(), rewriter.getI32Type())},
              ValueRange{x},
              ValueRange{emptyTensor(
                  rewriter, op.getLoc(), op.getInput().getType().getShape(),
                  rewriter.getI32Type(), dimValues(rewriter, op.getLoc(), x))},
              SmallVector<AffineMap>(2, rewriter.getMultiDimIdentityMap(
                                            op.getInput().getType().getRank())),
              SmallVector<IteratorType>(op.getInput().getType().getRank(),
                                        IteratorType::parallel),
              [&](OpBuilder &b, Location l, ValueRange a) {
                linalg::YieldOp::create(b, l,
                                        extTo32(b, l, a[0], in->isSigned));
              })
              .getResult(0);
    rewriter.replaceOp(op, rescale(rewriter, op.getLoc(), x,
                                   {math.div(in->scales[0], out->scales[0])},
                                   -1, in->zps[0], *out, rounding, false));
    return success();
  }
};

struct QConstToInteger : IntPattern<QConstOp> {
  using IntPattern::IntPattern;
  LogicalResult
  matchAndRewrite(QConstOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto attr = dyn_cast<TypedAttr>(op.getValue());
    if (!attr)
      return rewriter.notifyMatchFailure(op, "non-typed value");
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, attr);
    return success();
  }
};

} // namespace

void lowering::populateIntegerQuantOpPatterns(TypeConverter &converter,
                                              RewritePatternSet &patterns,
                                              RoundingMode rounding,
                                              ScaleMath math) {
  patterns.add<QuantizeToInteger, DynamicQuantizeToInteger,
               DynamicQuantizeLinearToInteger, DequantizeToInteger,
               RequantizeToInteger, QConstToInteger>(
      converter, patterns.getContext(), rounding, math);
}
