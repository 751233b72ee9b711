//===- IntegerNamedOps.cpp - Quantized named qnn ops to integer linalg ----===//
//
// Part of qopt. conv2d, fully_connected and matmul as i32 accumulation plus
// qnn.rescale; max_pool2d, global_avg_pool2d and add on storage integers.
// Dense and depthwise convolutions go through IntegerConv.cpp.
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
  MacBody body{xp.isSigned, wp.isSigned, xp.zps[0], zwOperand ? 0 : wp.zps[0],
               zwOperand};
  return linalg::GenericOp::create(b, loc, TypeRange{init.getType()}, inputs,
                                   ValueRange{init}, maps, iters, body)
      .getResult(0);
}

struct Conv2DToInteger : IntPattern<Conv2DOp> {
  Conv2DToInteger(const TypeConverter &tc, MLIRContext *ctx,
                  RoundingMode rounding, ScaleMath math, bool eightBitDots)
      : IntPattern(tc, ctx, rounding, math), eightBitDots(eightBitDots) {}
  bool eightBitDots;
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
                                  rewriter, *xp, *wp, eightBitDots)) {
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
      SmallVector<OpFoldResult> low = {
          rewriter.getIndexAttr(0), rewriter.getIndexAttr(0),
          rewriter.getIndexAttr(pads[0]), rewriter.getIndexAttr(pads[1])};
      SmallVector<OpFoldResult> high = {
          rewriter.getIndexAttr(0), rewriter.getIndexAttr(0),
          rewriter.getIndexAttr(pads[2]), rewriter.getIndexAttr(pads[3])};
      Type et = xt.getElementType();
      Value zx = arith::ConstantOp::create(
          rewriter, loc, et,
          rewriter.getIntegerAttr(et, storageBits(xp->zps[0], xp->width)));
      x = tensor::PadOp::create(rewriter, loc, RankedTensorType::get(shape, et),
                                x, low, high, zx);
    }
    int64_t group = op.getGroup(), f = wt.getDimSize(0), cpg = wt.getDimSize(1);
    int64_t fpg = f / group;
    AffineExpr n, oc, oh, ow, c, kh, kw;
    bindDims(ctx, n, oc, oh, ow, c, kh, kw);
    AffineExpr inC = group == 1 ? c : oc.floorDiv(fpg) * cpg + c;
    SmallVector<AffineMap> maps = {
        AffineMap::get(
            7, 0, {n, inC, oh * s[0] + kh * d[0], ow * s[1] + kw * d[1]}, ctx),
        AffineMap::get(7, 0, {oc, c, kh, kw}, ctx)};
    SmallVector<Value> dims = dimValues(rewriter, loc, adaptor.getInput());
    Value init =
        initAccumulator(rewriter, loc, outShape, dims, adaptor.getBias(), 1);
    SmallVector<IteratorType> iters(4, IteratorType::parallel);
    iters.append(3, IteratorType::reduction);
    Value acc = buildIntegerMac(rewriter, loc, x, w, maps[0], maps[1], oc,
                                AffineMap::get(7, 0, {n, oc, oh, ow}, ctx),
                                init, iters, *xp, *wp);
    rewriter.replaceOp(op, requantizeAccumulator(
                               rewriter, loc, acc, accScales(*xp, *wp, math), 1,
                               *yp, rounding, math, op.getActivationRange()));
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
    // Constant weights [N, K] are stored [K, N] at compile time: a tile
    // vectorized along the outputs n then loads contiguous weights instead
    // of gathering one per row (a batch-1 classifier ran at 4 GOP/s).
    Value w = adaptor.getWeight();
    AffineMap wMap = AffineMap::get(3, 0, {n, k}, ctx);
    if (auto qc = op.getWeight().getDefiningOp<QConstOp>()) {
      auto attr = dyn_cast<DenseIntElementsAttr>(qc.getValue());
      auto wt = attr ? dyn_cast<RankedTensorType>(attr.getType()) : nullptr;
      if (wt && wt.hasStaticShape() && wt.getRank() == 2) {
        int64_t rows = wt.getDimSize(0), cols = wt.getDimSize(1);
        SmallVector<APInt> values(attr.getValues<APInt>());
        SmallVector<APInt> transposed(values.size());
        for (int64_t r = 0; r < rows; ++r)
          for (int64_t c = 0; c < cols; ++c)
            transposed[c * rows + r] = values[r * cols + c];
        w = arith::ConstantOp::create(
            rewriter, loc,
            DenseElementsAttr::get(
                RankedTensorType::get({cols, rows}, wt.getElementType()),
                transposed));
        wMap = AffineMap::get(3, 0, {k, n}, ctx);
      }
    }
    Value acc = buildIntegerMac(rewriter, loc, adaptor.getInput(), w,
                                AffineMap::get(3, 0, {m, k}, ctx), wMap, n,
                                AffineMap::get(3, 0, {m, n}, ctx), init, iters,
                                *xp, *wp);
    rewriter.replaceOp(op, requantizeAccumulator(
                               rewriter, loc, acc, accScales(*xp, *wp, math), 1,
                               *yp, rounding, math, op.getActivationRange()));
    return success();
  }
};

struct MatMulToInteger : IntPattern<MatMulOp> {
  MatMulToInteger(const TypeConverter &tc, MLIRContext *ctx,
                  RoundingMode rounding, ScaleMath math, bool eightBitDots)
      : IntPattern(tc, ctx, rounding, math), eightBitDots(eightBitDots) {}
  bool eightBitDots;
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
    // Two run-time 8-bit operands (attention): the dot-product layout.
    if (eightBitDots && !op.getRhs().getDefiningOp<QConstOp>())
      if (Value acc = lowerDotMatMul(rewriter, loc, adaptor.getLhs(),
                                     adaptor.getRhs(), outType, *ap, *bp)) {
        rewriter.replaceOp(
            op, requantizeAccumulator(rewriter, loc, acc,
                                      accScales(*ap, *bp, math), rank - 1, *yp,
                                      rounding, math, op.getActivationRange()));
        return success();
      }
    auto operandMap = [&](RankedTensorType t, bool isLhs) {
      SmallVector<AffineExpr> exprs;
      int64_t batch = t.getRank() - 2, offset = (rank - 2) - batch;
      for (int64_t i = 0; i < batch; ++i)
        exprs.push_back(t.getDimSize(i) == 1 &&
                                outType.getDimSize(offset + i) != 1
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
    rewriter.replaceOp(op, requantizeAccumulator(rewriter, loc, acc,
                                                 accScales(*ap, *bp, math),
                                                 rank - 1, *yp, rounding, math,
                                                 op.getActivationRange()));
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
    Value x = adaptor.getInput();
    Type et = cast<RankedTensorType>(x.getType()).getElementType();
    // Pad (explicit and ceil-mode overhang) with the storage minimum.
    Value lowest = arith::ConstantOp::create(
        rewriter, loc, et,
        rewriter.getIntegerAttr(et, storageBits(p->qmin, p->width)));
    bool isSigned = p->isSigned;
    Value y = windowReduceNHWC(
        rewriter, loc, x, et, op.getOutput().getType().getShape(),
        op.getKernel(), op.getStrides(), op.getDilations(), op.getPads(),
        lowest, lowest, [&](OpBuilder &b, Location l, Value acc, Value v) {
          return isSigned ? Value(arith::MaxSIOp::create(b, l, v, acc))
                          : Value(arith::MaxUIOp::create(b, l, v, acc));
        });
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
  Value init =
      emptyTensor(b, loc, t.getShape(), b.getI32Type(), dimValues(b, loc, x));
  return linalg::GenericOp::create(
             b, loc,
             TypeRange{RankedTensorType::get(t.getShape(), b.getI32Type())},
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
  Value init =
      emptyTensor(b, loc, t.getShape(), b.getI32Type(), dimValues(b, loc, x));
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
      return rescale(rewriter, loc, w,
                     {math.div(p.scales[0], yp->scales[0]) * guard}, -1,
                     p.zps[0], acc, rounding, false);
    };
    Value sum = addI32(rewriter, loc, side(adaptor.getLhs(), *ap),
                       side(adaptor.getRhs(), *bp));
    Value out =
        rescale(rewriter, loc, sum, {1.0 / guard}, -1, 0, *yp, rounding, false);
    rewriter.replaceOp(
        op, clampActivation(rewriter, loc, out, *yp, op.getActivationRange()));
    return success();
  }
};

/// Quantized multiplication (numpy broadcasting): the i32 product of the
/// zero-point-free operands, |(a - za)(b - zb)| <= 2^16, rescaled by
/// s_a * s_b / s_y.
struct MulToInteger : IntPattern<MulOp> {
  using IntPattern::IntPattern;
  LogicalResult
  matchAndRewrite(MulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto ap = getParams(op.getLhs().getType());
    auto bp = getParams(op.getRhs().getType());
    auto yp = getParams(op.getOutput().getType());
    if (!ap || !bp || !yp || !ap->perTensor() || !bp->perTensor() ||
        !yp->perTensor() || ap->width > 8 || bp->width > 8)
      return rewriter.notifyMatchFailure(op, "not 8-bit per-tensor");
    Location loc = op.getLoc();
    auto outType = op.getOutput().getType();
    auto accType = RankedTensorType::get(outType.getShape(),
                                         rewriter.getI32Type());
    // The operand whose shape is the result's gives the dynamic sizes.
    Value like = op.getLhs().getType().getShape() == outType.getShape()
                     ? adaptor.getLhs()
                     : adaptor.getRhs();
    Type i32 = rewriter.getI32Type();
    Value acc = elementwise(
        rewriter, loc, accType, {adaptor.getLhs(), adaptor.getRhs()}, like,
        [&](OpBuilder &b, Location l, ValueRange v) -> Value {
          Value x = extTo32(b, l, v[0], ap->isSigned);
          Value y = extTo32(b, l, v[1], bp->isSigned);
          if (ap->zps[0])
            x = arith::SubIOp::create(b, l, x, intConst(b, l, i32, ap->zps[0]));
          if (bp->zps[0])
            y = arith::SubIOp::create(b, l, y, intConst(b, l, i32, bp->zps[0]));
          return arith::MulIOp::create(b, l, x, y);
        });
    double m = math.div(math.mul(ap->scales[0], bp->scales[0]),
                        yp->scales[0]);
    rewriter.replaceOp(op, rescale(rewriter, loc, acc, {m}, -1, 0, *yp,
                                   rounding, false));
    return success();
  }
};

/// Quantized average pooling with one divisor for every window: the int32
/// sum of (q - z) (padding contributes 0, the real zero), then one rescale
/// by s_in / (s_out * count).
struct AvgPoolToInteger : IntPattern<AvgPool2DOp> {
  using IntPattern::IntPattern;
  LogicalResult
  matchAndRewrite(AvgPool2DOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto in = getParams(op.getInput().getType());
    auto out = getParams(op.getOutput().getType());
    std::optional<int64_t> count = op.getUniformWindowCount();
    if (!in || !out || !in->perTensor() || !out->perTensor() || !count)
      return rewriter.notifyMatchFailure(op, "not a uniform quantized pool");
    Location loc = op.getLoc();
    Value x = adaptor.getInput();
    auto xt = cast<RankedTensorType>(x.getType());
    Type i32 = rewriter.getI32Type();
    bool isSigned = in->isSigned;
    int64_t zp = in->zps[0];
    auto wideType = RankedTensorType::get(xt.getShape(), i32);
    Value wide = elementwise(rewriter, loc, wideType, x, x,
                             [&](OpBuilder &b, Location l, ValueRange a) {
                               Value v = extTo32(b, l, a[0], isSigned);
                               if (zp)
                                 v = arith::SubIOp::create(
                                     b, l, v, intConst(b, l, i32, zp));
                               return v;
                             });
    Value zero = intConst(rewriter, loc, i32, 0);
    Value sum = windowReduceNHWC(
        rewriter, loc, wide, i32, op.getOutput().getType().getShape(),
        op.getKernel(), op.getStrides(), {1, 1}, op.getPads(), zero, zero,
        [](OpBuilder &b, Location l, Value acc, Value v) {
          return Value(arith::AddIOp::create(b, l, acc, v));
        });
    rewriter.replaceOp(
        op, rescale(rewriter, loc, sum,
                    {math.div(in->scales[0], math.mul(out->scales[0],
                                                      double(*count)))},
                    -1, 0, *out, rounding, false));
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
    SmallVector<int64_t> redShape = {inType.getDimSize(0),
                                     inType.getDimSize(1)};
    Value init =
        linalg::FillOp::create(
            rewriter, loc, intConst(rewriter, loc, rewriter.getI32Type(), 0),
            emptyTensor(rewriter, loc, redShape, rewriter.getI32Type(), dims))
            .getResult(0);
    AffineMap id = AffineMap::getMultiDimIdentityMap(4, ctx);
    AffineMap nc = AffineMap::get(
        4, 0, {getAffineDimExpr(0, ctx), getAffineDimExpr(1, ctx)}, ctx);
    bool isSigned = in->isSigned;
    int64_t zp = in->zps[0];
    Value sum =
        linalg::GenericOp::create(
            rewriter, loc,
            TypeRange{RankedTensorType::get(redShape, rewriter.getI32Type())},
            ValueRange{x}, ValueRange{init}, SmallVector<AffineMap>{id, nc},
            SmallVector<IteratorType>{
                IteratorType::parallel, IteratorType::parallel,
                IteratorType::reduction, IteratorType::reduction},
            [&](OpBuilder &b, Location l, ValueRange a) {
              Value v = extTo32(b, l, a[0], isSigned);
              if (zp)
                v = arith::SubIOp::create(b, l, v,
                                          intConst(b, l, b.getI32Type(), zp));
              linalg::YieldOp::create(
                  b, l, Value(arith::AddIOp::create(b, l, a[1], v)));
            })
            .getResult(0);
    double hw = double(inType.getDimSize(2) * inType.getDimSize(3));
    Value mean =
        rescale(rewriter, loc, sum,
                {math.div(in->scales[0], math.mul(out->scales[0], hw))}, -1, 0,
                *out, rounding, false);
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

} // namespace

void lowering::populateIntegerNamedOpPatterns(TypeConverter &converter,
                                              RewritePatternSet &patterns,
                                              RoundingMode rounding,
                                              ScaleMath math,
                                              bool eightBitDots) {
  patterns.add<Conv2DToInteger, MatMulToInteger>(
      converter, patterns.getContext(), rounding, math, eightBitDots);
  patterns.add<FullyConnectedToInteger, MaxPoolToInteger, AddToInteger,
               MulToInteger, AvgPoolToInteger, GlobalAvgPoolToInteger>(
      converter, patterns.getContext(), rounding, math);
}
