//===- IntegerOnly.cpp - Quantized qnn to integer arithmetic --------------===//
//
// Part of qopt. Implements `--integer-only`. After it, the only floating-
// point arithmetic left is at the explicit float boundary (quantize /
// dequantize); every quantized op is int32 accumulation plus qnn.rescale.
//
//===----------------------------------------------------------------------===//

#include "IntegerOnlyCommon.h"

#include "qopt/Dialect/QNN/IR/QNN.h"
#include "qopt/Dialect/QNN/Transforms/Passes.h"
#include "qopt/Dialect/QNN/Utils/ConstantUtils.h"
#include "qopt/Dialect/QNN/Utils/FixedPoint.h"
#include "qopt/Dialect/QNN/Utils/TensorUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Func/Transforms/FuncConversions.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/IndexingUtils.h"
#include "mlir/IR/AffineExpr.h"
#include "mlir/Transforms/DialectConversion.h"

#include <cmath>
#include <limits>

namespace mlir {
namespace qnn {
#define GEN_PASS_DEF_INTEGERONLYPASS
#include "qopt/Dialect/QNN/Transforms/Passes.h.inc"
} // namespace qnn
} // namespace mlir

using namespace mlir;
using namespace mlir::qnn;
using namespace mlir::qnn::integer_only;

namespace {

using utils::IteratorType;


/// qnn.rescale of an i32 accumulator by `realMultipliers` (one, or one per
/// entry of `axis`) into `out` storage, adding `outZp`.
Value rescale(OpBuilder &b, Location loc, Value acc,
              ArrayRef<double> realMultipliers, int64_t axis, int64_t inZp,
              const QParams &out, RoundingMode rounding, bool inUnsigned) {
  auto accType = cast<RankedTensorType>(acc.getType());
  SmallVector<int32_t> mults, shifts;
  for (double m : realMultipliers) {
    FixedPointMultiplier f = quantizeMultiplier(m);
    mults.push_back(f.multiplier);
    shifts.push_back(f.shift);
  }
  Type outElt = b.getIntegerType(out.width);
  auto outType = RankedTensorType::get(accType.getShape(), outElt);
  auto op = RescaleOp::create(
      b, loc, outType, acc, b.getDenseI32ArrayAttr(mults),
      b.getDenseI32ArrayAttr(shifts), b.getI64IntegerAttr(inZp),
      b.getI64IntegerAttr(out.zps[0]),
      RoundingModeAttr::get(b.getContext(), rounding),
      mults.size() > 1 ? b.getI64IntegerAttr(axis) : IntegerAttr(),
      b.getBoolAttr(inUnsigned), b.getBoolAttr(!out.isSigned));
  return op.getResult();
}

/// Clamps storage integers to the quantized image of a fused activation.
Value clampActivation(OpBuilder &b, Location loc, Value v, const QParams &out,
                      std::pair<double, double> range) {
  double s = out.scales[0];
  int64_t z = out.zps[0];
  int64_t lo = out.qmin, hi = out.qmax;
  // In double first: bounds like -FLT_MAX must not overflow int64.
  double qlo = z + std::nearbyint(range.first / s);
  double qhi = z + std::nearbyint(range.second / s);
  if (qlo > (double)lo)
    lo = qlo > (double)hi ? hi : (int64_t)qlo;
  if (qhi < (double)hi)
    hi = qhi < (double)lo ? lo : (int64_t)qhi;
  if (lo == out.qmin && hi == out.qmax)
    return v;
  auto t = cast<RankedTensorType>(v.getType());
  Type et = t.getElementType();
  int64_t rank = t.getRank();
  SmallVector<AffineMap> maps(2, b.getMultiDimIdentityMap(rank));
  SmallVector<IteratorType> iters(rank, IteratorType::parallel);
  Value init = emptyTensor(b, loc, t.getShape(), et, dimValues(b, loc, v));
  return linalg::GenericOp::create(
             b, loc, TypeRange{t}, ValueRange{v}, ValueRange{init}, maps, iters,
             [&](OpBuilder &nb, Location l, ValueRange a) {
               Value loC = arith::ConstantOp::create(
                   nb, l, et, nb.getIntegerAttr(et, storageBits(lo, out.width)));
               Value hiC = arith::ConstantOp::create(
                   nb, l, et, nb.getIntegerAttr(et, storageBits(hi, out.width)));
               Value r = a[0];
               if (out.isSigned) {
                 r = arith::MaxSIOp::create(nb, l, r, loC);
                 r = arith::MinSIOp::create(nb, l, r, hiC);
               } else {
                 r = arith::MaxUIOp::create(nb, l, r, loC);
                 r = arith::MinUIOp::create(nb, l, r, hiC);
               }
               linalg::YieldOp::create(nb, l, r);
             })
      .getResult(0);
}

/// How real multipliers are derived from the model's scales before they
/// become fixed point. `f32`: in float32, left to right, as the ONNX
/// reference implementation and ONNX Runtime do (`x_scale * w_scale /
/// y_scale` on float32 scales); `f64`: in double, as TFLite does.
struct ScaleMath {
  bool f32 = true;
  double mul(double a, double b) const {
    return f32 ? double(float(a) * float(b)) : a * b;
  }
  double div(double a, double b) const {
    return f32 ? double(float(a) / float(b)) : a / b;
  }
};

/// Requantizes an accumulator with scale s_acc[c] into `out` (skipping the
/// rescale when it is the identity, e.g. ConvInteger's i32 result).
Value requantizeAccumulator(OpBuilder &b, Location loc, Value acc,
                            ArrayRef<double> accScales, int64_t channelAxis,
                            const QParams &out, RoundingMode rounding,
                            ScaleMath math,
                            std::pair<double, double> activation) {
  SmallVector<double> mults;
  for (double s : accScales)
    mults.push_back(math.div(s, out.scales[0]));
  bool identity = out.width == 32 && out.zps[0] == 0 &&
                  llvm::all_of(mults, [](double m) { return m == 1.0; });
  Value r = identity ? acc
                     : rescale(b, loc, acc, mults, channelAxis, 0, out,
                               rounding, /*inUnsigned=*/false);
  return clampActivation(b, loc, r, out, activation);
}

//===----------------------------------------------------------------------===//
// Patterns
//===----------------------------------------------------------------------===//

template <typename OpTy>
struct IntPattern : OpConversionPattern<OpTy> {
  IntPattern(const TypeConverter &tc, MLIRContext *ctx, RoundingMode rounding,
             ScaleMath math)
      : OpConversionPattern<OpTy>(tc, ctx), rounding(rounding), math(math) {}
  RoundingMode rounding;
  ScaleMath math;
};

/// The accumulation body: acc + (x - zx) * (w - zw), all in i32. `zwPerChannel`
/// (optional) is an i32 operand of the generic.
struct MacBody {
  bool xSigned, wSigned;
  int64_t zx, zw;
  bool zwFromOperand;
  void operator()(OpBuilder &b, Location l, ValueRange a) const {
    Type i32 = b.getI32Type();
    Value x = extTo32(b, l, a[0], xSigned);
    Value w = extTo32(b, l, a[1], wSigned);
    if (zx)
      x = arith::SubIOp::create(b, l, x, intConst(b, l, i32, zx));
    Value zwv = zwFromOperand ? a[2] : (zw ? intConst(b, l, i32, zw) : Value());
    if (zwv)
      w = arith::SubIOp::create(b, l, w, zwv);
    Value p = arith::MulIOp::create(b, l, x, w);
    linalg::YieldOp::create(b, l,
                            Value(arith::AddIOp::create(b, l, a.back(), p)));
  }
};

/// Fills an i32 accumulator of `shape` with bias[channel] (or zero).
Value initAccumulator(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                      ArrayRef<Value> dims, Value bias, int64_t channelDim) {
  Type i32 = b.getI32Type();
  Value empty = emptyTensor(b, loc, shape, i32, dims);
  if (!bias)
    return linalg::FillOp::create(b, loc, intConst(b, loc, i32, 0), empty)
        .getResult(0);
  int64_t rank = shape.size();
  SmallVector<AffineMap> maps = {
      AffineMap::get(rank, 0, {b.getAffineDimExpr(channelDim)}, b.getContext()),
      b.getMultiDimIdentityMap(rank)};
  SmallVector<IteratorType> iters(rank, IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, TypeRange{RankedTensorType::get(shape, i32)},
             ValueRange{bias}, ValueRange{empty}, maps, iters,
             [](OpBuilder &nb, Location l, ValueRange a) {
               linalg::YieldOp::create(nb, l, a[0]);
             })
      .getResult(0);
}

/// The integer multiply-accumulate that conv, fully-connected and matmul
/// share: `init` (the i32 accumulator, bias already in) plus the sum over the
/// reduction dims of (x - zx) * (w - zw). A per-channel weight zero point is an
/// extra operand indexed by `channel`, an expression over `outMap`'s dims.
Value buildIntegerMac(OpBuilder &b, Location loc, Value x, Value w,
                      AffineMap xMap, AffineMap wMap, AffineExpr channel,
                      AffineMap outMap, Value init,
                      ArrayRef<IteratorType> iters, const QParams &xp,
                      const QParams &wp) {
  SmallVector<Value> inputs = {x, w};
  SmallVector<AffineMap> maps = {xMap, wMap};
  bool zwOperand = !wp.perTensor();
  if (zwOperand) {
    inputs.push_back(channelConst(b, loc, wp.zps));
    maps.push_back(
        AffineMap::get(outMap.getNumDims(), 0, {channel}, b.getContext()));
  }
  maps.push_back(outMap);
  MacBody body{xp.isSigned, wp.isSigned, xp.zps[0],
               zwOperand ? 0 : wp.zps[0], zwOperand};
  return linalg::GenericOp::create(b, loc, TypeRange{init.getType()}, inputs,
                                   ValueRange{init}, maps, iters, body)
      .getResult(0);
}

/// Accumulator scales s_x * s_w[c].
SmallVector<double> accScales(const QParams &x, const QParams &w,
                              ScaleMath math) {
  SmallVector<double> s;
  for (double ws : w.scales)
    s.push_back(math.mul(x.scales[0], ws));
  return s;
}


struct Conv2DToInteger : IntPattern<Conv2DOp> {
  using IntPattern::IntPattern;
  LogicalResult
  matchAndRewrite(Conv2DOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto xp = getParams(op.getInput().getType());
    auto wp = getParams(op.getWeight().getType());
    auto yp = getParams(op.getOutput().getType());
    if (!xp || !wp || !yp)
      return rewriter.notifyMatchFailure(op, "not quantized");
    if (failed(checkAccumulatorBound(op, op.getWeight(), op.getBias(), 0, *xp,
                                     *wp)))
      return failure();
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    if (Value acc = lowerConvNHWC(op, adaptor.getInput(), adaptor.getBias(),
                                  rewriter, *xp, *wp)) {
      Value y = requantizeAccumulator(rewriter, loc, acc,
                                      accScales(*xp, *wp, math), 3, *yp,
                                      rounding, math, op.getActivationRange());
      rewriter.replaceOp(op, createPermutation(rewriter, loc, y, {0, 3, 1, 2}));
      return success();
    }
    Value x = adaptor.getInput(), w = adaptor.getWeight();
    auto xt = cast<RankedTensorType>(x.getType());
    auto wt = cast<RankedTensorType>(w.getType());
    auto outShape = op.getOutput().getType().getShape();
    ArrayRef<int64_t> pads = op.getPads(), s = op.getStrides(),
                      d = op.getDilations();
    // Pad with the input zero point: padding contributes (zx - zx) = 0.
    if (llvm::any_of(pads, [](int64_t p) { return p != 0; })) {
      SmallVector<int64_t> shape(xt.getShape());
      for (int i = 0; i < 2; ++i)
        if (!ShapedType::isDynamic(shape[2 + i]))
          shape[2 + i] += pads[i] + pads[2 + i];
      SmallVector<OpFoldResult> low = {rewriter.getIndexAttr(0),
                                       rewriter.getIndexAttr(0),
                                       rewriter.getIndexAttr(pads[0]),
                                       rewriter.getIndexAttr(pads[1])};
      SmallVector<OpFoldResult> high = {rewriter.getIndexAttr(0),
                                        rewriter.getIndexAttr(0),
                                        rewriter.getIndexAttr(pads[2]),
                                        rewriter.getIndexAttr(pads[3])};
      Type et = xt.getElementType();
      Value zx = arith::ConstantOp::create(
          rewriter, loc, et,
          rewriter.getIntegerAttr(et, storageBits(xp->zps[0], xp->width)));
      x = tensor::PadOp::create(rewriter, loc,
                                RankedTensorType::get(shape, et), x, low, high,
                                zx);
    }
    int64_t group = op.getGroup(), f = wt.getDimSize(0), cpg = wt.getDimSize(1);
    int64_t fpg = f / group;
    AffineExpr n, oc, oh, ow, c, kh, kw;
    bindDims(ctx, n, oc, oh, ow, c, kh, kw);
    AffineExpr inC = group == 1 ? c : oc.floorDiv(fpg) * cpg + c;
    SmallVector<AffineMap> maps = {
        AffineMap::get(7, 0, {n, inC, oh * s[0] + kh * d[0], ow * s[1] + kw * d[1]},
                       ctx),
        AffineMap::get(7, 0, {oc, c, kh, kw}, ctx)};
    SmallVector<Value> dims = dimValues(rewriter, loc, adaptor.getInput());
    Value init = initAccumulator(rewriter, loc, outShape, dims,
                                 adaptor.getBias(), 1);
    SmallVector<IteratorType> iters(4, IteratorType::parallel);
    iters.append(3, IteratorType::reduction);
    Value acc = buildIntegerMac(
        rewriter, loc, x, w, maps[0], maps[1], oc,
        AffineMap::get(7, 0, {n, oc, oh, ow}, ctx), init, iters, *xp, *wp);
    rewriter.replaceOp(op, requantizeAccumulator(
                               rewriter, loc, acc, accScales(*xp, *wp, math), 1, *yp,
                               rounding, math, op.getActivationRange()));
    return success();
  }
};

struct FullyConnectedToInteger : IntPattern<FullyConnectedOp> {
  using IntPattern::IntPattern;
  LogicalResult
  matchAndRewrite(FullyConnectedOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto xp = getParams(op.getInput().getType());
    auto wp = getParams(op.getWeight().getType());
    auto yp = getParams(op.getOutput().getType());
    if (!xp || !wp || !yp)
      return rewriter.notifyMatchFailure(op, "not quantized");
    if (failed(checkAccumulatorBound(op, op.getWeight(), op.getBias(), 0, *xp,
                                     *wp)))
      return failure();
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    AffineExpr m, n, k;
    bindDims(ctx, m, n, k);
    auto outShape = op.getOutput().getType().getShape();
    Value init = initAccumulator(rewriter, loc, outShape,
                                 dimValues(rewriter, loc, adaptor.getInput()),
                                 adaptor.getBias(), 1);
    SmallVector<IteratorType> iters = {IteratorType::parallel,
                                       IteratorType::parallel,
                                       IteratorType::reduction};
    Value acc = buildIntegerMac(rewriter, loc, adaptor.getInput(),
                                adaptor.getWeight(),
                                AffineMap::get(3, 0, {m, k}, ctx),
                                AffineMap::get(3, 0, {n, k}, ctx), n,
                                AffineMap::get(3, 0, {m, n}, ctx), init, iters,
                                *xp, *wp);
    rewriter.replaceOp(op, requantizeAccumulator(
                               rewriter, loc, acc, accScales(*xp, *wp, math), 1, *yp,
                               rounding, math, op.getActivationRange()));
    return success();
  }
};

struct MatMulToInteger : IntPattern<MatMulOp> {
  using IntPattern::IntPattern;
  LogicalResult
  matchAndRewrite(MatMulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto ap = getParams(op.getLhs().getType());
    auto bp = getParams(op.getRhs().getType());
    auto yp = getParams(op.getOutput().getType());
    if (!ap || !bp || !yp)
      return rewriter.notifyMatchFailure(op, "not quantized");
    auto lt = op.getLhs().getType(), rt = op.getRhs().getType();
    if (lt.getRank() < 2 || rt.getRank() < 2)
      return rewriter.notifyMatchFailure(op, "rank-1 operands");
    if (rt.getRank() == 2 &&
        failed(checkAccumulatorBound(op, op.getRhs(), Value(), 1, *ap, *bp)))
      return failure();
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto outType = op.getOutput().getType();
    int64_t rank = outType.getRank();
    auto operandMap = [&](RankedTensorType t, bool isLhs) {
      SmallVector<AffineExpr> exprs;
      int64_t batch = t.getRank() - 2, offset = (rank - 2) - batch;
      for (int64_t i = 0; i < batch; ++i)
        exprs.push_back(t.getDimSize(i) == 1 && outType.getDimSize(offset + i) != 1
                            ? getAffineConstantExpr(0, ctx)
                            : getAffineDimExpr(offset + i, ctx));
      exprs.push_back(getAffineDimExpr(isLhs ? rank - 2 : rank, ctx));
      exprs.push_back(getAffineDimExpr(isLhs ? rank : rank - 1, ctx));
      return AffineMap::get(rank + 1, 0, exprs, ctx);
    };
    SmallVector<Value> dims(rank);
    for (int64_t i = 0; i < rank; ++i) {
      if (!outType.isDynamicDim(i))
        continue;
      int64_t li = i - (rank - lt.getRank());
      if (i == rank - 1 || li < 0)
        dims[i] = tensor::DimOp::create(rewriter, loc, adaptor.getRhs(),
                                        i - (rank - rt.getRank()));
      else
        dims[i] = tensor::DimOp::create(rewriter, loc, adaptor.getLhs(), li);
    }
    Value init = initAccumulator(rewriter, loc, outType.getShape(), dims,
                                 Value(), rank - 1);
    SmallVector<IteratorType> iters(rank, IteratorType::parallel);
    iters.push_back(IteratorType::reduction);
    SmallVector<AffineExpr> outExprs;
    for (int64_t i = 0; i < rank; ++i)
      outExprs.push_back(getAffineDimExpr(i, ctx));
    Value acc = buildIntegerMac(
        rewriter, loc, adaptor.getLhs(), adaptor.getRhs(), operandMap(lt, true),
        operandMap(rt, false), getAffineDimExpr(rank - 1, ctx),
        AffineMap::get(rank + 1, 0, outExprs, ctx), init, iters, *ap, *bp);
    rewriter.replaceOp(op, requantizeAccumulator(
                               rewriter, loc, acc, accScales(*ap, *bp, math),
                               rank - 1, *yp, rounding, math,
                               op.getActivationRange()));
    return success();
  }
};

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
  AffineMap m = AffineMap::get(
      rank, 0,
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
  Value i = arith::FPToSIOp::create(b, l, b.getI64Type(), q);
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
    Value y = linalg::GenericOp::create(
                  rewriter, loc, TypeRange{RankedTensorType::get(inType.getShape(), st)},
                  inputs, ValueRange{init}, maps, iters,
                  [&](OpBuilder &b, Location l, ValueRange a) {
                    linalg::YieldOp::create(
                        b, l, quantizeElement(b, l, a[0], a[1], a[2], qmin,
                                              qmax, st));
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
    Value empty0 = tensor::EmptyOp::create(rewriter, loc, ArrayRef<int64_t>{}, f32);
    Value init0 = linalg::FillOp::create(rewriter, loc, zero, empty0).getResult(0);
    SmallVector<IteratorType> reduce(rank, IteratorType::reduction);
    Value absMax =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{init0.getType()}, ValueRange{x},
            ValueRange{init0},
            SmallVector<AffineMap>{rewriter.getMultiDimIdentityMap(rank),
                                   AffineMap::get(rank, 0, {}, ctx)},
            reduce,
            [](OpBuilder &b, Location l, ValueRange a) {
              Value m = arith::MaximumFOp::create(
                  b, l, a[1], math::AbsFOp::create(b, l, a[0]));
              linalg::YieldOp::create(b, l, m);
            })
            .getResult(0);
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
                  arith::ConstantOp::create(b, l, f32, b.getF32FloatAttr(qmax)));
              Value isZero = arith::CmpFOp::create(
                  b, l, arith::CmpFPredicate::OEQ, s,
                  arith::ConstantOp::create(b, l, f32, b.getF32FloatAttr(0)));
              s = arith::SelectOp::create(
                  b, l, isZero,
                  arith::ConstantOp::create(b, l, f32, b.getF32FloatAttr(1)), s);
              linalg::YieldOp::create(b, l, s);
            })
            .getResult(0);
    Type st = rewriter.getIntegerType(p->width);
    Value init = emptyTensor(rewriter, loc, inType.getShape(), st,
                             dimValues(rewriter, loc, x));
    Value q =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{RankedTensorType::get(inType.getShape(), st)},
            ValueRange{x, scale}, ValueRange{init},
            SmallVector<AffineMap>{rewriter.getMultiDimIdentityMap(rank),
                                   AffineMap::get(rank, 0, {}, ctx),
                                   rewriter.getMultiDimIdentityMap(rank)},
            SmallVector<IteratorType>(rank, IteratorType::parallel),
            [&](OpBuilder &b, Location l, ValueRange a) {
              linalg::YieldOp::create(b, l,
                                      quantizeElement(b, l, a[0], a[1], Value(),
                                                      -qmax, qmax, st));
            })
            .getResult(0);
    rewriter.replaceOp(op, {q, scale});
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
              TypeRange{RankedTensorType::get(op.getInput().getType().getShape(),
                                              rewriter.getI32Type())},
              ValueRange{x},
              ValueRange{emptyTensor(rewriter, op.getLoc(),
                                     op.getInput().getType().getShape(),
                                     rewriter.getI32Type(),
                                     dimValues(rewriter, op.getLoc(), x))},
              SmallVector<AffineMap>(2, rewriter.getMultiDimIdentityMap(
                                            op.getInput().getType().getRank())),
              SmallVector<IteratorType>(op.getInput().getType().getRank(),
                                        IteratorType::parallel),
              [&](OpBuilder &b, Location l, ValueRange a) {
                linalg::YieldOp::create(b, l, extTo32(b, l, a[0], in->isSigned));
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

/// quant.scast and tensor.bitcast only reinterpret bits: after conversion
/// both sides have the same storage type.
template <typename OpTy>
struct ErasedCast : OpConversionPattern<OpTy> {
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
    if (!isa<ReshapeOp, FlattenOp, TransposeOp, ConcatOp, PadOp, AddOp, SubOp,
             MulOp>(op))
      return failure();
    if (isa<ConcatOp, PadOp, AddOp, SubOp, MulOp>(op) &&
        llvm::any_of(op->getOperandTypes(), [](Type t) {
          return isa<quant::QuantizedType>(getElementTypeOrSelf(t));
        }))
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

/// Quantized max pooling: same parameters in and out, so a window max on the
/// stored integers (unsigned compare for u8), padding never wins.
struct MaxPoolToInteger : IntPattern<MaxPool2DOp> {
  using IntPattern::IntPattern;
  LogicalResult
  matchAndRewrite(MaxPool2DOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto p = getParams(op.getInput().getType());
    if (!p)
      return rewriter.notifyMatchFailure(op, "not quantized");
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value x = adaptor.getInput();
    auto xt = cast<RankedTensorType>(x.getType());
    Type et = xt.getElementType();
    auto outShape = op.getOutput().getType().getShape();
    ArrayRef<int64_t> k = op.getKernel(), s = op.getStrides(),
                      d = op.getDilations(), pads = op.getPads();
    // Pad (explicit and ceil-mode overhang) with the storage minimum.
    SmallVector<int64_t> shape(xt.getShape()), extra = {0, 0};
    for (int i = 0; i < 2; ++i) {
      int64_t need = (outShape[2 + i] - 1) * s[i] + d[i] * (k[i] - 1) + 1;
      extra[i] = std::max<int64_t>(
          0, need - (xt.getDimSize(2 + i) + pads[i] + pads[2 + i]));
      shape[2 + i] += pads[i] + pads[2 + i] + extra[i];
    }
    Value lowest = arith::ConstantOp::create(
        rewriter, loc, et,
        rewriter.getIntegerAttr(et, storageBits(p->qmin, p->width)));
    SmallVector<OpFoldResult> low = {rewriter.getIndexAttr(0),
                                     rewriter.getIndexAttr(0),
                                     rewriter.getIndexAttr(pads[0]),
                                     rewriter.getIndexAttr(pads[1])};
    SmallVector<OpFoldResult> high = {
        rewriter.getIndexAttr(0), rewriter.getIndexAttr(0),
        rewriter.getIndexAttr(pads[2] + extra[0]),
        rewriter.getIndexAttr(pads[3] + extra[1])};
    x = tensor::PadOp::create(rewriter, loc, RankedTensorType::get(shape, et),
                              x, low, high, lowest);
    AffineExpr n, c, oh, ow, kh, kw;
    bindDims(ctx, n, c, oh, ow, kh, kw);
    SmallVector<AffineMap> maps = {
        AffineMap::get(6, 0, {n, c, oh * s[0] + kh * d[0], ow * s[1] + kw * d[1]},
                       ctx),
        AffineMap::get(6, 0, {n, c, oh, ow}, ctx)};
    Value init = linalg::FillOp::create(
                     rewriter, loc, lowest,
                     emptyTensor(rewriter, loc, outShape, et,
                                 dimValues(rewriter, loc, adaptor.getInput())))
                     .getResult(0);
    SmallVector<IteratorType> iters(4, IteratorType::parallel);
    iters.append(2, IteratorType::reduction);
    // The window iterates kh, kw through the map only; give the generic the
    // window extent with a dummy shape operand-free formulation: linalg
    // infers loop bounds from operands, so add a window tensor.
    Value window = tensor::EmptyOp::create(rewriter, loc, k, et);
    maps.insert(maps.begin() + 1, AffineMap::get(6, 0, {kh, kw}, ctx));
    bool isSigned = p->isSigned;
    Value y = linalg::GenericOp::create(
                  rewriter, loc,
                  TypeRange{RankedTensorType::get(outShape, et)},
                  ValueRange{x, window}, ValueRange{init}, maps, iters,
                  [&](OpBuilder &b, Location l, ValueRange a) {
                    Value m = isSigned
                                  ? Value(arith::MaxSIOp::create(b, l, a[0], a[2]))
                                  : Value(arith::MaxUIOp::create(b, l, a[0], a[2]));
                    linalg::YieldOp::create(b, l, m);
                  })
                  .getResult(0);
    rewriter.replaceOp(op, y);
    return success();
  }
};

/// Quantized relu / clip: requantize to the output parameters when they
/// differ, then clamp the stored integers to the activation's image.
template <typename OpTy>
struct ClampToInteger : IntPattern<OpTy> {
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
    Value y = linalg::GenericOp::create(
                  rewriter, loc, TypeRange{outType}, ValueRange{in},
                  ValueRange{init},
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
                    else if (from.getIntOrFloatBitWidth() > to.getIntOrFloatBitWidth())
                      r = arith::TruncIOp::create(b, l, to, v);
                    else if (from.getIntOrFloatBitWidth() < to.getIntOrFloatBitWidth())
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

/// Widens storage integers to i32 (zero point not removed).
Value widenTo32(OpBuilder &b, Location loc, Value x, bool isSigned) {
  auto t = cast<RankedTensorType>(x.getType());
  if (t.getElementType().isInteger(32))
    return x;
  int64_t rank = t.getRank();
  Value init = emptyTensor(b, loc, t.getShape(), b.getI32Type(),
                           dimValues(b, loc, x));
  return linalg::GenericOp::create(
             b, loc, TypeRange{RankedTensorType::get(t.getShape(), b.getI32Type())},
             ValueRange{x}, ValueRange{init},
             SmallVector<AffineMap>(2, b.getMultiDimIdentityMap(rank)),
             SmallVector<IteratorType>(rank, IteratorType::parallel),
             [&](OpBuilder &nb, Location l, ValueRange a) {
               linalg::YieldOp::create(nb, l, extTo32(nb, l, a[0], isSigned));
             })
      .getResult(0);
}

/// Elementwise i32 addition of two same-shape tensors.
Value addI32(OpBuilder &b, Location loc, Value x, Value y) {
  auto t = cast<RankedTensorType>(x.getType());
  int64_t rank = t.getRank();
  Value init = emptyTensor(b, loc, t.getShape(), b.getI32Type(),
                           dimValues(b, loc, x));
  return linalg::GenericOp::create(
             b, loc, TypeRange{t}, ValueRange{x, y}, ValueRange{init},
             SmallVector<AffineMap>(3, b.getMultiDimIdentityMap(rank)),
             SmallVector<IteratorType>(rank, IteratorType::parallel),
             [&](OpBuilder &nb, Location l, ValueRange a) {
               linalg::YieldOp::create(
                   nb, l, Value(arith::AddIOp::create(nb, l, a[0], a[1])));
             })
      .getResult(0);
}

/// Quantized add (same shapes): both inputs are rescaled to the output scale
/// with extra fractional (guard) bits in int32, added, and rescaled once more
/// to the output type (TFLite's scheme). Guard bits 24 - output bits: 16 for
/// 8-bit outputs, 8 for 16-bit ones, which leaves 2^7 of headroom in int32
/// for the input-to-output scale ratio and the sum.
struct AddToInteger : IntPattern<AddOp> {
  using IntPattern::IntPattern;
  LogicalResult
  matchAndRewrite(AddOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto ap = getParams(op.getLhs().getType());
    auto bp = getParams(op.getRhs().getType());
    auto yp = getParams(op.getOutput().getType());
    if (!ap || !bp || !yp || !ap->perTensor() || !bp->perTensor() ||
        !yp->perTensor())
      return rewriter.notifyMatchFailure(op, "not per-tensor quantized");
    if (op.getLhs().getType().getShape() != op.getRhs().getType().getShape())
      return rewriter.notifyMatchFailure(op, "broadcasting quantized add");
    Location loc = op.getLoc();
    int guardBits = 24 - int(yp->width);
    if (guardBits < 0)
      return rewriter.notifyMatchFailure(op, "output wider than 24 bits");
    double guard = double(1 << guardBits);
    QParams acc;
    acc.width = 32;
    acc.isSigned = true;
    acc.zps = {0};
    acc.scales = {yp->scales[0] / guard};
    acc.qmin = std::numeric_limits<int32_t>::min();
    acc.qmax = std::numeric_limits<int32_t>::max();
    auto side = [&](Value v, const QParams &p) {
      Value w = widenTo32(rewriter, loc, v, p.isSigned);
      return rescale(rewriter, loc, w, {math.div(p.scales[0], yp->scales[0]) * guard}, -1,
                     p.zps[0], acc, rounding, false);
    };
    Value sum = addI32(rewriter, loc, side(adaptor.getLhs(), *ap),
                       side(adaptor.getRhs(), *bp));
    Value out = rescale(rewriter, loc, sum, {1.0 / guard}, -1, 0, *yp,
                        rounding, false);
    rewriter.replaceOp(op, clampActivation(rewriter, loc, out, *yp,
                                           op.getActivationRange()));
    return success();
  }
};

/// Quantized global average pooling: int32 sum of (q - z) over H x W, then
/// one rescale by s_in / (s_out * H * W).
struct GlobalAvgPoolToInteger : IntPattern<GlobalAvgPool2DOp> {
  using IntPattern::IntPattern;
  LogicalResult
  matchAndRewrite(GlobalAvgPool2DOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto in = getParams(op.getInput().getType());
    auto out = getParams(op.getOutput().getType());
    if (!in || !out || !in->perTensor() || !out->perTensor())
      return rewriter.notifyMatchFailure(op, "not per-tensor quantized");
    auto inType = op.getInput().getType();
    if (inType.isDynamicDim(2) || inType.isDynamicDim(3))
      return rewriter.notifyMatchFailure(op, "dynamic spatial dims");
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value x = adaptor.getInput();
    SmallVector<Value> dims = dimValues(rewriter, loc, x);
    SmallVector<int64_t> redShape = {inType.getDimSize(0), inType.getDimSize(1)};
    Value init = linalg::FillOp::create(
                     rewriter, loc, intConst(rewriter, loc, rewriter.getI32Type(), 0),
                     emptyTensor(rewriter, loc, redShape, rewriter.getI32Type(), dims))
                     .getResult(0);
    AffineMap id = AffineMap::getMultiDimIdentityMap(4, ctx);
    AffineMap nc = AffineMap::get(4, 0, {getAffineDimExpr(0, ctx),
                                         getAffineDimExpr(1, ctx)}, ctx);
    bool isSigned = in->isSigned;
    int64_t zp = in->zps[0];
    Value sum = linalg::GenericOp::create(
                    rewriter, loc,
                    TypeRange{RankedTensorType::get(redShape, rewriter.getI32Type())},
                    ValueRange{x}, ValueRange{init},
                    SmallVector<AffineMap>{id, nc},
                    SmallVector<IteratorType>{IteratorType::parallel,
                                              IteratorType::parallel,
                                              IteratorType::reduction,
                                              IteratorType::reduction},
                    [&](OpBuilder &b, Location l, ValueRange a) {
                      Value v = extTo32(b, l, a[0], isSigned);
                      if (zp)
                        v = arith::SubIOp::create(
                            b, l, v, intConst(b, l, b.getI32Type(), zp));
                      linalg::YieldOp::create(
                          b, l, Value(arith::AddIOp::create(b, l, a[1], v)));
                    })
                    .getResult(0);
    double hw = double(inType.getDimSize(2) * inType.getDimSize(3));
    Value mean = rescale(rewriter, loc, sum,
                         {math.div(in->scales[0], math.mul(out->scales[0], hw))},
                         -1, 0, *out,
                         rounding, false);
    auto outType = cast<RankedTensorType>(
        getTypeConverter()->convertType(op.getOutput().getType()));
    SmallVector<OpFoldResult> sizes;
    sizes.push_back(outType.isDynamicDim(0)
                        ? OpFoldResult(dims[0])
                        : rewriter.getIndexAttr(outType.getDimSize(0)));
    for (int64_t d : outType.getShape().drop_front())
      sizes.push_back(rewriter.getIndexAttr(d));
    rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(
        op, outType, mean, SmallVector<ReassociationIndices>{{0}, {1, 2, 3}},
        sizes);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// The pass
//===----------------------------------------------------------------------===//

struct IntegerOnlyPass : qnn::impl::IntegerOnlyPassBase<IntegerOnlyPass> {
  using IntegerOnlyPassBase::IntegerOnlyPassBase;
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    RoundingMode mode;
    if (rounding == "double-round")
      mode = RoundingMode::DoubleRound;
    else if (rounding == "single-round")
      mode = RoundingMode::SingleRound;
    else {
      getOperation().emitError("integer-only: unknown rounding '")
          << rounding << "' (expected double-round or single-round)";
      return signalPassFailure();
    }

    ScaleMath math;
    if (scaleArithmetic == "f64")
      math.f32 = false;
    else if (scaleArithmetic != "f32") {
      getOperation().emitError("integer-only: unknown scale-arithmetic '")
          << scaleArithmetic << "' (expected f32 or f64)";
      return signalPassFailure();
    }

    TypeConverter converter;
    converter.addConversion([](Type t) { return t; });
    converter.addConversion([](RankedTensorType t) -> Type {
      Type et = t.getElementType();
      if (auto q = dyn_cast<quant::QuantizedType>(et))
        return RankedTensorType::get(
            t.getShape(),
            IntegerType::get(t.getContext(), q.getStorageTypeIntegralWidth()));
      if (auto i = dyn_cast<IntegerType>(et); i && !i.isSignless())
        return RankedTensorType::get(
            t.getShape(), IntegerType::get(t.getContext(), i.getWidth()));
      return t;
    });
    auto materialize = [](OpBuilder &b, Type type, ValueRange inputs,
                          Location loc) -> Value {
      if (inputs.size() != 1)
        return Value();
      auto from = cast<RankedTensorType>(inputs[0].getType());
      auto to = cast<RankedTensorType>(type);
      if (isa<quant::QuantizedType>(from.getElementType()) ||
          isa<quant::QuantizedType>(to.getElementType()))
        return quant::StorageCastOp::create(b, loc, type, inputs[0]);
      return tensor::BitcastOp::create(b, loc, type, inputs[0]);
    };
    converter.addSourceMaterialization(materialize);
    converter.addTargetMaterialization(materialize);

    ConversionTarget target(*ctx);
    auto isLegalType = [&](Type t) { return converter.isLegal(t); };
    target.markUnknownOpDynamicallyLegal([&](Operation *op) {
      if (auto f = dyn_cast<func::FuncOp>(op))
        return converter.isSignatureLegal(f.getFunctionType()) &&
               converter.isLegal(&f.getBody());
      return llvm::all_of(op->getOperandTypes(), isLegalType) &&
             llvm::all_of(op->getResultTypes(), isLegalType);
    });

    RewritePatternSet patterns(ctx);
    patterns.add<Conv2DToInteger, FullyConnectedToInteger, MatMulToInteger,
                 QuantizeToInteger, DynamicQuantizeToInteger,
                 DequantizeToInteger, RequantizeToInteger,
                 QConstToInteger, MaxPoolToInteger, ClampToInteger<ReluOp>,
                 ClampToInteger<ClipOp>, AddToInteger,
                 GlobalAvgPoolToInteger>(converter, ctx, mode, math);
    patterns.add<ErasedCast<quant::StorageCastOp>,
                 ErasedCast<tensor::BitcastOp>, RetypeDataMovement,
                 RetypeIntConstant, UnsignedCastToInteger>(converter, ctx);
    populateFunctionOpInterfaceTypeConversionPattern<func::FuncOp>(patterns,
                                                                   converter);
    populateReturnOpTypeConversionPattern(patterns, converter);
    populateCallOpTypeConversionPattern(patterns, converter);
    if (failed(applyFullConversion(getOperation(), target, std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
