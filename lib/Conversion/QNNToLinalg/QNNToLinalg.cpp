//===- QNNToLinalg.cpp - Lower float qnn ops to linalg --------------------===//
//
// Part of qopt. Every pattern produces destination-passing linalg on tensors
// so one-shot bufferization can reuse buffers. Dynamic dimensions (the
// batch) are carried with tensor.dim of the input that determines them.
//
//===----------------------------------------------------------------------===//

#include "qopt/Conversion/QNNToLinalg/QNNToLinalg.h"
#include "qopt/Dialect/QNN/IR/QNN.h"
#include "qopt/Dialect/QNN/Utils/ConstantUtils.h"
#include "qopt/Dialect/QNN/Utils/TensorUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/AffineExpr.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/IR/PatternMatch.h"

#include <cstdint>
#include <limits>

using namespace mlir;
using namespace mlir::qnn;

namespace {

using utils::IteratorType;
constexpr int64_t kDyn = ShapedType::kDynamic;

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

/// tensor.empty of `type`; dynamic dim i is taken from `dims[i]`.
Value emptyTensor(OpBuilder &b, Location loc, RankedTensorType type,
                  ArrayRef<Value> dims) {
  return createEmptyTensor(b, loc, type.getShape(), type.getElementType(),
                           dims);
}

SmallVector<Value> dimValues(OpBuilder &b, Location loc, Value v) {
  return getDimValues(b, loc, v);
}

/// An empty result tensor whose dynamic dims equal those of `like` at the same
/// positions (true for the batch dimension of every op lowered here).
Value emptyLike(OpBuilder &b, Location loc, RankedTensorType type, Value like) {
  return emptyTensor(b, loc, type, dimValues(b, loc, like));
}

Value floatConst(OpBuilder &b, Location loc, Type t, double v) {
  return arith::ConstantOp::create(b, loc, t, b.getFloatAttr(t, v));
}

Value fill(OpBuilder &b, Location loc, Value init, double v) {
  Type et = cast<RankedTensorType>(init.getType()).getElementType();
  return linalg::FillOp::create(b, loc, floatConst(b, loc, et, v), init)
      .getResult(0);
}

double lowest(Type t) {
  return -llvm::APFloat::getLargest(cast<FloatType>(t).getFloatSemantics())
              .convertToDouble();
}

/// Map of an operand broadcast (numpy rules) into a result of rank `rank`.
AffineMap broadcastMap(MLIRContext *ctx, ArrayRef<int64_t> operandShape,
                       ArrayRef<int64_t> resultShape) {
  int64_t rank = resultShape.size(), offset = rank - operandShape.size();
  SmallVector<AffineExpr> exprs;
  for (auto [i, d] : llvm::enumerate(operandShape)) {
    int64_t r = resultShape[offset + i];
    exprs.push_back(d == 1 && r != 1 ? getAffineConstantExpr(0, ctx)
                                     : getAffineDimExpr(offset + i, ctx));
  }
  return AffineMap::get(rank, 0, exprs, ctx);
}

/// Applies a fused activation to a scalar.
Value applyActivation(OpBuilder &b, Location loc, Value x,
                      std::pair<double, double> range) {
  Type t = x.getType();
  if (range.first > -std::numeric_limits<double>::infinity())
    x = arith::MaximumFOp::create(b, loc, x, floatConst(b, loc, t, range.first));
  if (range.second < std::numeric_limits<double>::infinity())
    x = arith::MinimumFOp::create(b, loc, x,
                                  floatConst(b, loc, t, range.second));
  return x;
}

/// A parallel elementwise generic over `result` type. `inputs` are broadcast
/// into it; `body` maps the input scalars to the output scalar.
Value elementwise(
    OpBuilder &b, Location loc, RankedTensorType resultType, ValueRange inputs,
    Value like,
    function_ref<Value(OpBuilder &, Location, ValueRange)> body,
    ArrayRef<AffineMap> explicitMaps = {}) {
  MLIRContext *ctx = b.getContext();
  int64_t rank = resultType.getRank();
  SmallVector<AffineMap> maps;
  for (auto [i, in] : llvm::enumerate(inputs)) {
    if (i < explicitMaps.size() && explicitMaps[i]) {
      maps.push_back(explicitMaps[i]);
      continue;
    }
    maps.push_back(broadcastMap(
        ctx, cast<RankedTensorType>(in.getType()).getShape(),
        resultType.getShape()));
  }
  maps.push_back(AffineMap::getMultiDimIdentityMap(rank, ctx));
  Value init = emptyLike(b, loc, resultType, like);
  SmallVector<IteratorType> iters(rank, IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{resultType}, inputs, ValueRange{init}, maps, iters,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value r = body(nb, nl, args.drop_back());
        linalg::YieldOp::create(nb, nl, r);
      });
  return generic.getResult(0);
}

/// The bias + activation epilogue of conv / fully_connected / matmul:
/// out = act(acc + bias[channel]).
Value epilogue(OpBuilder &b, Location loc, Value acc, Value bias,
               int64_t channelDim, std::pair<double, double> range) {
  auto type = cast<RankedTensorType>(acc.getType());
  bool hasAct = range.first > -std::numeric_limits<double>::infinity() ||
                range.second < std::numeric_limits<double>::infinity();
  if (!bias && !hasAct)
    return acc;
  SmallVector<Value> inputs = {acc};
  SmallVector<AffineMap> maps = {
      AffineMap::getMultiDimIdentityMap(type.getRank(), b.getContext())};
  if (bias) {
    inputs.push_back(bias);
    maps.push_back(AffineMap::get(type.getRank(), 0,
                                  {b.getAffineDimExpr(channelDim)},
                                  b.getContext()));
  }
  return elementwise(
      b, loc, type, inputs, acc,
      [&](OpBuilder &nb, Location nl, ValueRange a) {
        Value x = a[0];
        if (a.size() > 1)
          x = arith::AddFOp::create(nb, nl, x, a[1]);
        return applyActivation(nb, nl, x, range);
      },
      maps);
}

/// Pads the two spatial dims of an NCHW tensor.
Value padSpatial(OpBuilder &b, Location loc, Value x, ArrayRef<int64_t> pads,
                 double value, ArrayRef<int64_t> extraHigh = {0, 0}) {
  if (llvm::all_of(pads, [](int64_t p) { return p == 0; }) &&
      extraHigh[0] == 0 && extraHigh[1] == 0)
    return x;
  auto t = cast<RankedTensorType>(x.getType());
  SmallVector<int64_t> shape(t.getShape());
  for (int i = 0; i < 2; ++i)
    if (shape[2 + i] != kDyn)
      shape[2 + i] += pads[i] + pads[2 + i] + extraHigh[i];
  auto padType = RankedTensorType::get(shape, t.getElementType());
  SmallVector<OpFoldResult> low = {b.getIndexAttr(0), b.getIndexAttr(0),
                                   b.getIndexAttr(pads[0]),
                                   b.getIndexAttr(pads[1])};
  SmallVector<OpFoldResult> high = {b.getIndexAttr(0), b.getIndexAttr(0),
                                    b.getIndexAttr(pads[2] + extraHigh[0]),
                                    b.getIndexAttr(pads[3] + extraHigh[1])};
  return tensor::PadOp::create(b, loc, padType, x, low, high,
                               floatConst(b, loc, t.getElementType(), value));
}

Value permute(OpBuilder &b, Location loc, Value x, ArrayRef<int64_t> perm) {
  return createPermutation(b, loc, x, perm);
}

/// `w` permuted by `perm`, folded at compile time when `w` is a constant.
Value permuteWeights(OpBuilder &b, Location loc, Value w,
                     ArrayRef<int64_t> perm) {
  auto t = cast<RankedTensorType>(w.getType());
  std::optional<SmallVector<double>> values = getConstantFloatValues(w);
  if (!values || !t.hasStaticShape())
    return permute(b, loc, w, perm);
  SmallVector<int64_t> shape, inStrides(t.getRank(), 1);
  for (int64_t i = t.getRank() - 2; i >= 0; --i)
    inStrides[i] = inStrides[i + 1] * t.getDimSize(i + 1);
  for (int64_t p : perm)
    shape.push_back(t.getDimSize(p));
  SmallVector<double> out(values->size());
  SmallVector<int64_t> idx(shape.size(), 0);
  for (double &o : out) {
    int64_t src = 0;
    for (auto [k, p] : llvm::enumerate(perm))
      src += idx[k] * inStrides[p];
    o = (*values)[src];
    for (int64_t k = shape.size() - 1; k >= 0 && ++idx[k] == shape[k]; --k)
      idx[k] = 0;
  }
  auto type = RankedTensorType::get(shape, t.getElementType());
  return arith::ConstantOp::create(
      b, loc, type, createFloatElements(type, out, "conv_weights_hwcf"));
}

/// Reshape to a static-or-batch-dynamic shape through a shape tensor.
Value reshapeTensor(OpBuilder &b, Location loc, Value src,
                    RankedTensorType resultType) {
  auto srcType = cast<RankedTensorType>(src.getType());
  if (srcType == resultType)
    return src;
  SmallVector<Value> dims;
  Value dynamicExtent;
  if (!resultType.hasStaticShape()) {
    // The one dynamic result dim is numel(src) / (product of static dims).
    Value numel = arith::ConstantIndexOp::create(b, loc, 1);
    for (Value d : dimValues(b, loc, src))
      numel = arith::MulIOp::create(b, loc, numel, d);
    int64_t known = 1;
    for (int64_t d : resultType.getShape())
      if (d != kDyn)
        known *= d;
    dynamicExtent = arith::DivUIOp::create(
        b, loc, numel, arith::ConstantIndexOp::create(b, loc, known));
  }
  for (int64_t d : resultType.getShape())
    dims.push_back(d == kDyn ? dynamicExtent
                             : Value(arith::ConstantIndexOp::create(b, loc, d)));
  Value shape = tensor::FromElementsOp::create(b, loc, dims);
  return tensor::ReshapeOp::create(b, loc, resultType, src, shape);
}

template <typename OpTy>
struct QNNPattern : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  using Adaptor = typename OpTy::Adaptor;
};

bool isFloatTensor(Type t) {
  return isa<FloatType>(cast<RankedTensorType>(t).getElementType());
}

#define REQUIRE_FLOAT(op, rewriter)                                           \
  for (Type t : op->getOperandTypes())                                        \
    if (!isFloatTensor(t))                                                    \
      return rewriter.notifyMatchFailure(op, "quantized form is lowered by "  \
                                             "--integer-only first");

//===----------------------------------------------------------------------===//
// Compute ops
//===----------------------------------------------------------------------===//

/// Dense and depthwise convolutions lower to the named NHWC ops
/// (linalg.conv_2d_nhwc_hwcf, linalg.depthwise_conv_2d_nhwc_hwc) between
/// NCHW <-> NHWC permutations; weights are permuted at compile time.
/// Channels innermost give every tile contiguous channel vectors at any
/// stride, and upstream decomposes and vectorizes these ops
/// (qopt-tile-and-vectorize). The accumulator starts at the bias; the
/// activation is a separate elementwise op that tiling fuses back.
struct Conv2DNHWCLowering : QNNPattern<Conv2DOp> {
  Conv2DNHWCLowering(MLIRContext *ctx) : QNNPattern(ctx, /*benefit=*/2) {}
  LogicalResult
  matchAndRewrite(Conv2DOp op, Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    REQUIRE_FLOAT(op, rewriter);
    Location loc = op.getLoc();
    auto outType = op.getOutput().getType();
    auto wType = cast<RankedTensorType>(adaptor.getWeight().getType());
    auto xType = cast<RankedTensorType>(adaptor.getInput().getType());
    int64_t group = op.getGroup(), f = wType.getDimSize(0);
    int64_t c = xType.getDimSize(1);
    bool depthwise = group > 1 && group == c && f == c &&
                     wType.getDimSize(1) == 1;
    if (group != 1 && !depthwise)
      return rewriter.notifyMatchFailure(op, "grouped convolution");
    Type et = outType.getElementType();
    Value x = permute(rewriter, loc, adaptor.getInput(), {0, 2, 3, 1});
    x = createPadNHWC(rewriter, loc, x, op.getPads(),
                      floatConst(rewriter, loc, et, 0.0));
    SmallVector<int64_t> outShape = {outType.getDimSize(0),
                                     outType.getDimSize(2),
                                     outType.getDimSize(3), f};
    auto nhwcType = RankedTensorType::get(outShape, et);
    SmallVector<Value> batch = dimValues(rewriter, loc, adaptor.getInput());
    SmallVector<Value> outDims = {batch[0], Value(), Value(), Value()};
    Value init = emptyTensor(rewriter, loc, nhwcType, outDims);
    if (Value bias = adaptor.getBias()) {
      MLIRContext *ctx = rewriter.getContext();
      SmallVector<AffineMap> maps = {
          AffineMap::get(4, 0, {rewriter.getAffineDimExpr(3)}, ctx),
          AffineMap::getMultiDimIdentityMap(4, ctx)};
      init = linalg::GenericOp::create(
                 rewriter, loc, TypeRange{nhwcType}, ValueRange{bias},
                 ValueRange{init}, maps,
                 SmallVector<IteratorType>(4, IteratorType::parallel),
                 [](OpBuilder &nb, Location nl, ValueRange a) {
                   linalg::YieldOp::create(nb, nl, a[0]);
                 })
                 .getResult(0);
    } else {
      init = fill(rewriter, loc, init, 0.0);
    }
    // [F, C, KH, KW] -> [KH, KW, C, F]; depthwise (C = 1): [KH, KW, F].
    Value w =
        permuteWeights(rewriter, loc, adaptor.getWeight(), {2, 3, 1, 0});
    if (depthwise) {
      auto hwcf = cast<RankedTensorType>(w.getType());
      w = tensor::CollapseShapeOp::create(
          rewriter, loc,
          RankedTensorType::get({hwcf.getDimSize(0), hwcf.getDimSize(1), f},
                                et),
          w, SmallVector<ReassociationIndices>{{0}, {1}, {2, 3}});
    }
    Value acc = createConvNHWC(rewriter, loc, x, w, init, op.getStrides(),
                               op.getDilations(), depthwise);
    acc = epilogue(rewriter, loc, acc, Value(), 3, op.getActivationRange());
    rewriter.replaceOp(op, permute(rewriter, loc, acc, {0, 3, 1, 2}));
    return success();
  }
};

/// Grouped convolutions (neither dense nor depthwise) lower to one
/// linalg.generic in NCHW whose loop order puts the contiguous output column
/// innermost: (n, f, c, kh, kw, oh, ow).
struct Conv2DLowering : QNNPattern<Conv2DOp> {
  using QNNPattern::QNNPattern;
  LogicalResult
  matchAndRewrite(Conv2DOp op, Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    REQUIRE_FLOAT(op, rewriter);
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto outType = op.getOutput().getType();
    Value x = padSpatial(rewriter, loc, adaptor.getInput(), op.getPads(), 0.0);
    Value w = adaptor.getWeight();
    auto wType = cast<RankedTensorType>(w.getType());
    int64_t group = op.getGroup(), f = wType.getDimSize(0);
    int64_t cpg = wType.getDimSize(1), fpg = f / group;
    ArrayRef<int64_t> s = op.getStrides(), d = op.getDilations();
    SmallVector<Value> outDims = dimValues(rewriter, loc, adaptor.getInput());
    Value init = fill(rewriter, loc,
                      emptyTensor(rewriter, loc, outType, outDims), 0.0);
    auto mac = [](OpBuilder &b, Location l, ValueRange a) {
      Value p = arith::MulFOp::create(b, l, a[0], a[1]);
      linalg::YieldOp::create(b, l,
                              Value(arith::AddFOp::create(b, l, a[2], p)));
    };
    AffineExpr n, oc, c, kh, kw, oh, ow;
    bindDims(ctx, n, oc, c, kh, kw, oh, ow);
    AffineExpr inC = group == 1 ? c : oc.floorDiv(fpg) * cpg + c;
    SmallVector<AffineMap> maps = {
        AffineMap::get(7, 0,
                       {n, inC, oh * s[0] + kh * d[0], ow * s[1] + kw * d[1]},
                       ctx),
        AffineMap::get(7, 0, {oc, c, kh, kw}, ctx),
        AffineMap::get(7, 0, {n, oc, oh, ow}, ctx)};
    SmallVector<IteratorType> iters = {
        IteratorType::parallel,  IteratorType::parallel,
        IteratorType::reduction, IteratorType::reduction,
        IteratorType::reduction, IteratorType::parallel,
        IteratorType::parallel};
    Value acc = linalg::GenericOp::create(rewriter, loc, TypeRange{outType},
                                          ValueRange{x, w}, ValueRange{init},
                                          maps, iters, mac)
                    .getResult(0);
    rewriter.replaceOp(op, epilogue(rewriter, loc, acc, adaptor.getBias(), 1,
                                    op.getActivationRange()));
    return success();
  }
};

struct FullyConnectedLowering : QNNPattern<FullyConnectedOp> {
  using QNNPattern::QNNPattern;
  LogicalResult
  matchAndRewrite(FullyConnectedOp op, Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    REQUIRE_FLOAT(op, rewriter);
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto outType = op.getOutput().getType();
    Value init = fill(rewriter, loc,
                      emptyLike(rewriter, loc, outType, adaptor.getInput()), 0.0);
    AffineExpr m, n, k;
    bindDims(ctx, m, n, k);
    SmallVector<AffineMap> maps = {AffineMap::get(3, 0, {m, k}, ctx),
                                   AffineMap::get(3, 0, {n, k}, ctx),
                                   AffineMap::get(3, 0, {m, n}, ctx)};
    SmallVector<IteratorType> iters = {IteratorType::parallel,
                                       IteratorType::parallel,
                                       IteratorType::reduction};
    Value acc = linalg::GenericOp::create(
                    rewriter, loc, TypeRange{outType},
                    ValueRange{adaptor.getInput(), adaptor.getWeight()},
                    ValueRange{init}, maps, iters,
                    [](OpBuilder &b, Location l, ValueRange a) {
                      Value p = arith::MulFOp::create(b, l, a[0], a[1]);
                      linalg::YieldOp::create(
                          b, l, Value(arith::AddFOp::create(b, l, a[2], p)));
                    })
                    .getResult(0);
    rewriter.replaceOp(op, epilogue(rewriter, loc, acc, adaptor.getBias(), 1,
                                    op.getActivationRange()));
    return success();
  }
};

struct MatMulLowering : QNNPattern<MatMulOp> {
  using QNNPattern::QNNPattern;
  LogicalResult
  matchAndRewrite(MatMulOp op, Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    REQUIRE_FLOAT(op, rewriter);
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value lhs = adaptor.getLhs(), rhs = adaptor.getRhs();
    auto lt = cast<RankedTensorType>(lhs.getType());
    auto rt = cast<RankedTensorType>(rhs.getType());
    if (lt.getRank() < 2 || rt.getRank() < 2)
      return rewriter.notifyMatchFailure(op, "rank-1 matmul operands");
    auto outType = op.getOutput().getType();
    int64_t rank = outType.getRank(); // batch dims + m + n
    // Iteration space: result dims, then k.
    auto operandMap = [&](RankedTensorType t, bool isLhs) {
      SmallVector<AffineExpr> exprs;
      int64_t batch = t.getRank() - 2, offset = (rank - 2) - batch;
      for (int64_t i = 0; i < batch; ++i)
        exprs.push_back(t.getDimSize(i) == 1 && outType.getDimSize(offset + i) != 1
                            ? getAffineConstantExpr(0, ctx)
                            : getAffineDimExpr(offset + i, ctx));
      if (isLhs) {
        exprs.push_back(getAffineDimExpr(rank - 2, ctx));
        exprs.push_back(getAffineDimExpr(rank, ctx));
      } else {
        exprs.push_back(getAffineDimExpr(rank, ctx));
        exprs.push_back(getAffineDimExpr(rank - 1, ctx));
      }
      return AffineMap::get(rank + 1, 0, exprs, ctx);
    };
    SmallVector<AffineExpr> outExprs;
    for (int64_t i = 0; i < rank; ++i)
      outExprs.push_back(getAffineDimExpr(i, ctx));
    SmallVector<AffineMap> maps = {operandMap(lt, true), operandMap(rt, false),
                                   AffineMap::get(rank + 1, 0, outExprs, ctx)};
    SmallVector<IteratorType> iters(rank, IteratorType::parallel);
    iters.push_back(IteratorType::reduction);
    // Dynamic result dims come from lhs (its batch/rows) by position.
    SmallVector<Value> dims(rank);
    for (int64_t i = 0; i < rank; ++i) {
      if (!outType.isDynamicDim(i))
        continue;
      int64_t li = i - (rank - lt.getRank());
      if (i == rank - 1 || li < 0)
        dims[i] = tensor::DimOp::create(rewriter, loc, rhs,
                                        i - (rank - rt.getRank()));
      else
        dims[i] = tensor::DimOp::create(rewriter, loc, lhs, li);
    }
    Value init = fill(rewriter, loc, emptyTensor(rewriter, loc, outType, dims), 0.0);
    Value acc = linalg::GenericOp::create(
                    rewriter, loc, TypeRange{outType}, ValueRange{lhs, rhs},
                    ValueRange{init}, maps, iters,
                    [](OpBuilder &b, Location l, ValueRange a) {
                      Value p = arith::MulFOp::create(b, l, a[0], a[1]);
                      linalg::YieldOp::create(
                          b, l, Value(arith::AddFOp::create(b, l, a[2], p)));
                    })
                    .getResult(0);
    rewriter.replaceOp(op, epilogue(rewriter, loc, acc, Value(), rank - 1,
                                    op.getActivationRange()));
    return success();
  }
};

struct BatchNormLowering : QNNPattern<BatchNormOp> {
  using QNNPattern::QNNPattern;
  LogicalResult
  matchAndRewrite(BatchNormOp op, Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = op.getOutput().getType();
    int64_t rank = type.getRank();
    AffineMap id = rewriter.getMultiDimIdentityMap(rank);
    AffineMap ch = AffineMap::get(rank, 0, {rewriter.getAffineDimExpr(1)},
                                  rewriter.getContext());
    double eps = op.getEpsilon().convertToDouble();
    Value y = elementwise(
        rewriter, loc, type,
        ValueRange{adaptor.getInput(), adaptor.getScale(), adaptor.getBias(),
                   adaptor.getMean(), adaptor.getVariance()},
        adaptor.getInput(),
        [&](OpBuilder &b, Location l, ValueRange a) {
          Type et = a[0].getType();
          Value v = arith::AddFOp::create(b, l, a[4], floatConst(b, l, et, eps));
          Value sd = math::SqrtOp::create(b, l, v);
          Value c = arith::SubFOp::create(b, l, a[0], a[3]);
          Value s = arith::MulFOp::create(b, l, c, a[1]);
          Value q = arith::DivFOp::create(b, l, s, sd);
          return Value(arith::AddFOp::create(b, l, q, a[2]));
        },
        {id, ch, ch, ch, ch});
    rewriter.replaceOp(op, y);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Elementwise ops
//===----------------------------------------------------------------------===//

template <typename OpTy>
struct UnaryLowering : QNNPattern<OpTy> {
  using QNNPattern<OpTy>::QNNPattern;
  using Adaptor = typename OpTy::Adaptor;
  LogicalResult
  matchAndRewrite(OpTy op, Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    REQUIRE_FLOAT(op, rewriter);
    Value y = elementwise(
        rewriter, op.getLoc(), op.getOutput().getType(),
        ValueRange{adaptor.getInput()}, adaptor.getInput(),
        [&](OpBuilder &b, Location l, ValueRange a) { return body(op, b, l, a[0]); });
    rewriter.replaceOp(op, y);
    return success();
  }

  static Value body(ReluOp, OpBuilder &b, Location l, Value x) {
    return arith::MaximumFOp::create(b, l, x, floatConst(b, l, x.getType(), 0));
  }
  static Value body(ClipOp op, OpBuilder &b, Location l, Value x) {
    return applyActivation(b, l, x,
                           {op.getMin().convertToDouble(),
                            op.getMax().convertToDouble()});
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

template <typename OpTy>
struct BinaryLowering : QNNPattern<OpTy> {
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

struct SoftmaxLowering : QNNPattern<SoftmaxOp> {
  using QNNPattern::QNNPattern;
  LogicalResult
  matchAndRewrite(SoftmaxOp op, Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value x = adaptor.getInput();
    auto type = op.getOutput().getType();
    int64_t rank = type.getRank(), axis = static_cast<int64_t>(op.getAxis());
    if (axis < 0)
      axis += rank;
    Type et = type.getElementType();
    // Reduced shape drops `axis`.
    SmallVector<int64_t> redShape;
    SmallVector<AffineExpr> redExprs;
    SmallVector<Value> allDims = dimValues(rewriter, loc, x), redDims;
    for (int64_t i = 0; i < rank; ++i)
      if (i != axis) {
        redShape.push_back(type.getDimSize(i));
        redExprs.push_back(getAffineDimExpr(i, ctx));
        redDims.push_back(allDims[i]);
      }
    auto redType = RankedTensorType::get(redShape, et);
    AffineMap id = AffineMap::getMultiDimIdentityMap(rank, ctx);
    AffineMap red = AffineMap::get(rank, 0, redExprs, ctx);
    SmallVector<IteratorType> iters(rank, IteratorType::parallel);
    iters[axis] = IteratorType::reduction;
    auto reduce = [&](Value in, double initValue, bool isMax) {
      Value init = fill(rewriter, loc,
                        emptyTensor(rewriter, loc, redType, redDims), initValue);
      return linalg::GenericOp::create(
                 rewriter, loc, TypeRange{redType}, ValueRange{in},
                 ValueRange{init}, SmallVector<AffineMap>{id, red}, iters,
                 [&](OpBuilder &b, Location l, ValueRange a) {
                   Value r = isMax ? Value(arith::MaximumFOp::create(b, l, a[0], a[1]))
                                   : Value(arith::AddFOp::create(b, l, a[0], a[1]));
                   linalg::YieldOp::create(b, l, r);
                 })
          .getResult(0);
    };
    Value max = reduce(x, lowest(et), true);
    Value e = elementwise(
        rewriter, loc, type, ValueRange{x, max}, x,
        [](OpBuilder &b, Location l, ValueRange a) {
          return Value(math::ExpOp::create(b, l,
                                           arith::SubFOp::create(b, l, a[0], a[1])));
        },
        {id, red});
    Value sum = reduce(e, 0.0, false);
    Value y = elementwise(
        rewriter, loc, type, ValueRange{e, sum}, x,
        [](OpBuilder &b, Location l, ValueRange a) {
          return Value(arith::DivFOp::create(b, l, a[0], a[1]));
        },
        {id, red});
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
    Value y = elementwise(
        rewriter, op.getLoc(), op.getOutput().getType(),
        ValueRange{adaptor.getInput()}, adaptor.getInput(),
        [&](OpBuilder &b, Location l, ValueRange a) {
          return convertScalar(b, l, a[0], dst, false, false);
        });
    rewriter.replaceOp(op, y);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

/// Extra high padding that makes every ceil-mode window fit.
SmallVector<int64_t> ceilExtra(ArrayRef<int64_t> in, ArrayRef<int64_t> out,
                               ArrayRef<int64_t> kernel,
                               ArrayRef<int64_t> strides,
                               ArrayRef<int64_t> dilations,
                               ArrayRef<int64_t> pads) {
  SmallVector<int64_t> extra = {0, 0};
  for (int i = 0; i < 2; ++i) {
    int64_t need = (out[i] - 1) * strides[i] + dilations[i] * (kernel[i] - 1) + 1;
    int64_t have = in[i] + pads[i] + pads[2 + i];
    extra[i] = std::max<int64_t>(0, need - have);
  }
  return extra;
}

struct MaxPoolLowering : QNNPattern<MaxPool2DOp> {
  using QNNPattern::QNNPattern;
  LogicalResult
  matchAndRewrite(MaxPool2DOp op, Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    REQUIRE_FLOAT(op, rewriter);
    Location loc = op.getLoc();
    auto inType = op.getInput().getType();
    auto outType = op.getOutput().getType();
    Type et = outType.getElementType();
    if (inType.isDynamicDim(2) || inType.isDynamicDim(3))
      return rewriter.notifyMatchFailure(op, "dynamic spatial dims");
    auto extra = ceilExtra(inType.getShape().drop_front(2),
                           outType.getShape().drop_front(2), op.getKernel(),
                           op.getStrides(), op.getDilations(), op.getPads());
    Value x = padSpatial(rewriter, loc, adaptor.getInput(), op.getPads(),
                         lowest(et), extra);
    Value init = fill(rewriter, loc,
                      emptyLike(rewriter, loc, outType, adaptor.getInput()),
                      lowest(et));
    Value window = tensor::EmptyOp::create(rewriter, loc, op.getKernel(), et);
    Value y = linalg::PoolingNchwMaxOp::create(
                  rewriter, loc, TypeRange{outType}, ValueRange{x, window},
                  ValueRange{init}, rewriter.getI64TensorAttr(op.getStrides()),
                  rewriter.getI64TensorAttr(op.getDilations()))
                  .getResult(0);
    rewriter.replaceOp(op, y);
    return success();
  }
};

struct AvgPoolLowering : QNNPattern<AvgPool2DOp> {
  using QNNPattern::QNNPattern;
  LogicalResult
  matchAndRewrite(AvgPool2DOp op, Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    REQUIRE_FLOAT(op, rewriter);
    Location loc = op.getLoc();
    auto inType = op.getInput().getType();
    auto outType = op.getOutput().getType();
    Type et = outType.getElementType();
    if (inType.isDynamicDim(2) || inType.isDynamicDim(3))
      return rewriter.notifyMatchFailure(op, "dynamic spatial dims");
    ArrayRef<int64_t> k = op.getKernel(), s = op.getStrides(), p = op.getPads();
    SmallVector<int64_t> dil = {1, 1};
    auto extra = ceilExtra(inType.getShape().drop_front(2),
                           outType.getShape().drop_front(2), k, s, dil, p);
    Value x = padSpatial(rewriter, loc, adaptor.getInput(), p, 0.0, extra);
    Value init = fill(rewriter, loc,
                      emptyLike(rewriter, loc, outType, adaptor.getInput()), 0.0);
    Value window = tensor::EmptyOp::create(rewriter, loc, k, et);
    Value sum = linalg::PoolingNchwSumOp::create(
                    rewriter, loc, TypeRange{outType}, ValueRange{x, window},
                    ValueRange{init}, rewriter.getI64TensorAttr(s),
                    rewriter.getI64TensorAttr(dil))
                    .getResult(0);
    // Divisors per output position, known at compile time. Positions in the
    // ceil-mode overhang never count; explicit pads count when
    // count_include_pad.
    int64_t oh = outType.getDimSize(2), ow = outType.getDimSize(3);
    int64_t h = inType.getDimSize(2), w = inType.getDimSize(3);
    bool includePad = op.getCountIncludePad();
    SmallVector<float> inv(oh * ow);
    for (int64_t i = 0; i < oh; ++i)
      for (int64_t j = 0; j < ow; ++j) {
        int64_t y0 = i * s[0] - p[0], x0 = j * s[1] - p[1];
        int64_t lo0 = includePad ? -p[0] : 0, hi0 = includePad ? h + p[2] : h;
        int64_t lo1 = includePad ? -p[1] : 0, hi1 = includePad ? w + p[3] : w;
        int64_t ny = std::min(y0 + k[0], hi0) - std::max(y0, lo0);
        int64_t nx = std::min(x0 + k[1], hi1) - std::max(x0, lo1);
        inv[i * ow + j] = 1.0f / static_cast<float>(std::max<int64_t>(1, ny * nx));
      }
    auto invType = RankedTensorType::get({oh, ow}, rewriter.getF32Type());
    Value invConst = arith::ConstantOp::create(
        rewriter, loc, DenseElementsAttr::get(invType, ArrayRef<float>(inv)));
    MLIRContext *ctx = rewriter.getContext();
    AffineMap id = AffineMap::getMultiDimIdentityMap(4, ctx);
    AffineMap hw = AffineMap::get(4, 0, {getAffineDimExpr(2, ctx),
                                         getAffineDimExpr(3, ctx)}, ctx);
    Value y = elementwise(
        rewriter, loc, outType, ValueRange{sum, invConst}, sum,
        [](OpBuilder &b, Location l, ValueRange a) {
          Value f = a[1];
          if (f.getType() != a[0].getType())
            f = arith::TruncFOp::create(b, l, a[0].getType(), f);
          return Value(arith::MulFOp::create(b, l, a[0], f));
        },
        {id, hw});
    rewriter.replaceOp(op, y);
    return success();
  }
};

struct GlobalAvgPoolLowering : QNNPattern<GlobalAvgPool2DOp> {
  using QNNPattern::QNNPattern;
  LogicalResult
  matchAndRewrite(GlobalAvgPool2DOp op, Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    REQUIRE_FLOAT(op, rewriter);
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value x = adaptor.getInput();
    auto inType = op.getInput().getType();
    auto outType = op.getOutput().getType();
    Type et = outType.getElementType();
    auto redType = RankedTensorType::get(
        {inType.getDimSize(0), inType.getDimSize(1)}, et);
    SmallVector<Value> dims = dimValues(rewriter, loc, x);
    Value init = fill(rewriter, loc, emptyTensor(rewriter, loc, redType, dims), 0.0);
    AffineMap id = AffineMap::getMultiDimIdentityMap(4, ctx);
    AffineMap nc = AffineMap::get(4, 0, {getAffineDimExpr(0, ctx),
                                         getAffineDimExpr(1, ctx)}, ctx);
    SmallVector<IteratorType> iters = {IteratorType::parallel,
                                       IteratorType::parallel,
                                       IteratorType::reduction,
                                       IteratorType::reduction};
    double inv = 1.0 / static_cast<double>(inType.getDimSize(2) *
                                           inType.getDimSize(3));
    Value sum = linalg::GenericOp::create(
                    rewriter, loc, TypeRange{redType}, ValueRange{x},
                    ValueRange{init}, SmallVector<AffineMap>{id, nc}, iters,
                    [](OpBuilder &b, Location l, ValueRange a) {
                      linalg::YieldOp::create(
                          b, l, Value(arith::AddFOp::create(b, l, a[0], a[1])));
                    })
                    .getResult(0);
    Value mean = elementwise(
        rewriter, loc, redType, ValueRange{sum}, sum,
        [&](OpBuilder &b, Location l, ValueRange a) {
          return Value(arith::MulFOp::create(b, l, a[0],
                                             floatConst(b, l, et, inv)));
        });
    SmallVector<OpFoldResult> sizes;
    sizes.push_back(outType.isDynamicDim(0)
                        ? OpFoldResult(dims[0])
                        : rewriter.getIndexAttr(outType.getDimSize(0)));
    sizes.push_back(rewriter.getIndexAttr(outType.getDimSize(1)));
    sizes.push_back(rewriter.getIndexAttr(1));
    sizes.push_back(rewriter.getIndexAttr(1));
    Value y = tensor::ExpandShapeOp::create(
        rewriter, loc, outType, mean,
        SmallVector<ReassociationIndices>{{0}, {1, 2, 3}}, sizes);
    rewriter.replaceOp(op, y);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

template <typename OpTy>
struct ReshapeLikeLowering : QNNPattern<OpTy> {
  using QNNPattern<OpTy>::QNNPattern;
  using Adaptor = typename OpTy::Adaptor;
  LogicalResult
  matchAndRewrite(OpTy op, Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, reshapeTensor(rewriter, op.getLoc(),
                                         adaptor.getInput(),
                                         op.getOutput().getType()));
    return success();
  }
};

struct TransposeLowering : QNNPattern<TransposeOp> {
  using QNNPattern::QNNPattern;
  LogicalResult
  matchAndRewrite(TransposeOp op, Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = adaptor.getInput();
    auto outType = op.getOutput().getType();
    SmallVector<Value> inDims = dimValues(rewriter, loc, x), outDims;
    for (int64_t p : op.getPerm())
      outDims.push_back(inDims[p]);
    Value init = emptyTensor(rewriter, loc, outType, outDims);
    Value y = linalg::TransposeOp::create(rewriter, loc, x, init, op.getPerm())
                  .getResult()[0];
    rewriter.replaceOp(op, y);
    return success();
  }
};

struct ConcatLowering : QNNPattern<ConcatOp> {
  using QNNPattern::QNNPattern;
  LogicalResult
  matchAndRewrite(ConcatOp op, Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto outType = op.getOutput().getType();
    int64_t rank = outType.getRank(), axis = static_cast<int64_t>(op.getAxis());
    if (axis < 0)
      axis += rank;
    ValueRange inputs = adaptor.getInputs();
    SmallVector<Value> dims = dimValues(rewriter, loc, inputs[0]);
    Value total = arith::ConstantIndexOp::create(rewriter, loc, 0);
    for (Value in : inputs)
      total = arith::AddIOp::create(rewriter, loc, total,
                                    dimValues(rewriter, loc, in)[axis]);
    dims[axis] = total;
    Value result = emptyTensor(rewriter, loc, outType, dims);
    OpFoldResult offset = rewriter.getIndexAttr(0);
    for (Value in : inputs) {
      SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(rewriter, loc, in);
      SmallVector<OpFoldResult> offsets(rank, rewriter.getIndexAttr(0));
      offsets[axis] = offset;
      SmallVector<OpFoldResult> strides(rank, rewriter.getIndexAttr(1));
      result = tensor::InsertSliceOp::create(rewriter, loc, in, result, offsets,
                                             sizes, strides);
      auto a = getConstantIntValue(offset), b = getConstantIntValue(sizes[axis]);
      if (a && b)
        offset = rewriter.getIndexAttr(*a + *b);
      else
        offset = arith::AddIOp::create(
                     rewriter, loc,
                     getValueOrCreateConstantIndexOp(rewriter, loc, offset),
                     getValueOrCreateConstantIndexOp(rewriter, loc, sizes[axis]))
                     .getResult();
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct PadLowering : QNNPattern<PadOp> {
  using QNNPattern::QNNPattern;
  LogicalResult
  matchAndRewrite(PadOp op, Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (isa<quant::QuantizedType>(op.getInput().getType().getElementType()))
      return rewriter.notifyMatchFailure(op, "quantized form is lowered by "
                                             "--integer-only first");
    Location loc = op.getLoc();
    Value x = adaptor.getInput();
    auto inType = op.getInput().getType();
    auto outType = op.getOutput().getType();
    int64_t rank = inType.getRank();
    ArrayRef<int64_t> pads = op.getPads();
    if (op.getMode() == PadMode::Constant) {
      SmallVector<OpFoldResult> low, high;
      for (int64_t d = 0; d < rank; ++d) {
        low.push_back(rewriter.getIndexAttr(pads[d]));
        high.push_back(rewriter.getIndexAttr(pads[d + rank]));
      }
      Type et = inType.getElementType();
      double value = op.getValue().convertToDouble();
      Value v = isa<FloatType>(et)
                    ? floatConst(rewriter, loc, et, value)
                    : Value(arith::ConstantOp::create(
                          rewriter, loc, et,
                          rewriter.getIntegerAttr(et, (int64_t)value)));
      rewriter.replaceOp(op, tensor::PadOp::create(rewriter, loc, outType, x,
                                                   low, high, v));
      return success();
    }
    // reflect / edge: out[i] = x[src(i)], src computed per dimension.
    if (!inType.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "reflect/edge pad needs static "
                                             "shapes");
    bool reflect = op.getMode() == PadMode::Reflect;
    Value init = tensor::EmptyOp::create(rewriter, loc, outType.getShape(),
                                         outType.getElementType());
    SmallVector<IteratorType> iters(rank, IteratorType::parallel);
    Value y = linalg::GenericOp::create(
                  rewriter, loc, TypeRange{outType}, ValueRange{},
                  ValueRange{init},
                  SmallVector<AffineMap>{rewriter.getMultiDimIdentityMap(rank)},
                  iters,
                  [&](OpBuilder &b, Location l, ValueRange) {
                    SmallVector<Value> idx;
                    for (int64_t d = 0; d < rank; ++d) {
                      int64_t n = inType.getDimSize(d);
                      Value i = linalg::IndexOp::create(b, l, d);
                      Value c0 = arith::ConstantIndexOp::create(b, l, 0);
                      Value last = arith::ConstantIndexOp::create(b, l, n - 1);
                      Value s = arith::SubIOp::create(
                          b, l, i, arith::ConstantIndexOp::create(b, l, pads[d]));
                      if (reflect) {
                        // |s| then mirror past the end: last - |last - |s||.
                        Value neg = arith::SubIOp::create(b, l, c0, s);
                        Value a = arith::MaxSIOp::create(b, l, s, neg);
                        Value t = arith::SubIOp::create(b, l, last, a);
                        Value tn = arith::SubIOp::create(b, l, c0, t);
                        Value at = arith::MaxSIOp::create(b, l, t, tn);
                        s = arith::SubIOp::create(b, l, last, at);
                      } else {
                        s = arith::MaxSIOp::create(b, l, s, c0);
                        s = arith::MinSIOp::create(b, l, s, last);
                      }
                      idx.push_back(s);
                    }
                    Value v = tensor::ExtractOp::create(b, l, x, idx);
                    linalg::YieldOp::create(b, l, v);
                  })
                  .getResult(0);
    rewriter.replaceOp(op, y);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Float-only quantization ops
//===----------------------------------------------------------------------===//

struct ObserverLowering : QNNPattern<ObserverOp> {
  using QNNPattern::QNNPattern;
  LogicalResult
  matchAndRewrite(ObserverOp op, Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    // Outside calibration an observer is the identity.
    rewriter.replaceOp(op, adaptor.getInput());
    return success();
  }
};

struct FakeQuantLowering : QNNPattern<FakeQuantOp> {
  using QNNPattern::QNNPattern;
  LogicalResult
  matchAndRewrite(FakeQuantOp op, Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = op.getOutput().getType();
    Type et = type.getElementType();
    auto q = cast<quant::QuantizedType>(op.getQtype());
    UniformParams params = getUniformParams(q);
    ArrayRef<double> scales = params.scales;
    ArrayRef<int64_t> zps = params.zeroPoints;
    int64_t axis = params.axis;
    double qmin = q.getStorageTypeMin(), qmax = q.getStorageTypeMax();
    auto paramType = RankedTensorType::get({(int64_t)scales.size()}, et);
    SmallVector<Attribute> sAttr, zAttr;
    for (auto [s, z] : llvm::zip_equal(scales, zps)) {
      sAttr.push_back(rewriter.getFloatAttr(et, s));
      zAttr.push_back(rewriter.getFloatAttr(et, (double)z));
    }
    Value sConst = arith::ConstantOp::create(
        rewriter, loc, DenseElementsAttr::get(paramType, sAttr));
    Value zConst = arith::ConstantOp::create(
        rewriter, loc, DenseElementsAttr::get(paramType, zAttr));
    MLIRContext *ctx = rewriter.getContext();
    int64_t rank = type.getRank();
    AffineMap id = AffineMap::getMultiDimIdentityMap(rank, ctx);
    AffineMap pm = AffineMap::get(
        rank, 0,
        {axis < 0 ? getAffineConstantExpr(0, ctx) : getAffineDimExpr(axis, ctx)},
        ctx);
    Value y = elementwise(
        rewriter, loc, type, ValueRange{adaptor.getInput(), sConst, zConst},
        adaptor.getInput(),
        [&](OpBuilder &b, Location l, ValueRange a) {
          Value d = arith::DivFOp::create(b, l, a[0], a[1]);
          Value r = math::RoundEvenOp::create(b, l, d);
          Value qv = arith::AddFOp::create(b, l, r, a[2]);
          qv = applyActivation(b, l, qv, {qmin, qmax});
          Value c = arith::SubFOp::create(b, l, qv, a[2]);
          return Value(arith::MulFOp::create(b, l, c, a[1]));
        },
        {id, pm, pm});
    rewriter.replaceOp(op, y);
    return success();
  }
};


//===----------------------------------------------------------------------===//
// Fixed-point requantization
//===----------------------------------------------------------------------===//

/// qnn.rescale, element by element in 64-bit integers. The arithmetic is the
/// one of qnn::multiplyByQuantizedMultiplier{Double,Single}Round
/// (Utils/FixedPoint.cpp), which the unit tests compare with gemmlowp.
struct RescaleLowering : QNNPattern<RescaleOp> {
  using QNNPattern::QNNPattern;
  LogicalResult
  matchAndRewrite(RescaleOp op, Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value x = adaptor.getInput();
    auto inType = op.getInput().getType();
    auto outType = op.getOutput().getType();
    int64_t rank = inType.getRank();
    Type i64 = rewriter.getI64Type();
    ArrayRef<int32_t> mult = op.getMultiplier(), shift = op.getShift();
    bool perChannel = mult.size() > 1;
    SmallVector<Value> inputs = {x};
    SmallVector<AffineMap> maps = {rewriter.getMultiDimIdentityMap(rank)};
    if (perChannel) {
      // Stored as i32 and sign-extended in the body: LLVM then sees 32-bit
      // factors and multiplies with vpmuldq instead of a full 64-bit
      // multiply.
      auto t = RankedTensorType::get({(int64_t)mult.size()},
                                     rewriter.getI32Type());
      inputs.push_back(arith::ConstantOp::create(
          rewriter, loc, DenseElementsAttr::get(t, mult)));
      inputs.push_back(arith::ConstantOp::create(
          rewriter, loc, DenseElementsAttr::get(t, shift)));
      AffineMap am = AffineMap::get(
          rank, 0, {getAffineDimExpr(static_cast<int64_t>(*op.getAxis()), ctx)},
          ctx);
      maps.append({am, am});
    }
    maps.push_back(rewriter.getMultiDimIdentityMap(rank));
    Value init = emptyLike(rewriter, loc, outType, x);
    SmallVector<IteratorType> iters(rank, IteratorType::parallel);
    bool inUnsigned = op.getInputUnsigned(), outUnsigned = op.getOutputUnsigned();
    int64_t inZp = static_cast<int64_t>(op.getInputZp());
    int64_t outZp = static_cast<int64_t>(op.getOutputZp());
    unsigned outWidth = outType.getElementTypeBitWidth();
    int64_t outMin = outUnsigned ? 0 : -(int64_t(1) << (outWidth - 1));
    int64_t outMax = outUnsigned ? (int64_t(1) << outWidth) - 1
                                 : (int64_t(1) << (outWidth - 1)) - 1;
    bool doubleRound = op.getRounding() == RoundingMode::DoubleRound;
    Type outElt = outType.getElementType();
    Value y = linalg::GenericOp::create(
                  rewriter, loc, TypeRange{outType}, inputs, ValueRange{init},
                  maps, iters,
                  [&](OpBuilder &b, Location l, ValueRange a) {
                    auto c = [&](int64_t v) {
                      return Value(arith::ConstantOp::create(
                          b, l, i64, b.getIntegerAttr(i64, v)));
                    };
                    Value v = a[0];
                    if (v.getType() != i64)
                      v = inUnsigned ? Value(arith::ExtUIOp::create(b, l, i64, v))
                                     : Value(arith::ExtSIOp::create(b, l, i64, v));
                    if (inZp)
                      v = arith::SubIOp::create(b, l, v, c(inZp));
                    Value m = perChannel
                                  ? Value(arith::ExtSIOp::create(b, l, i64, a[1]))
                                  : c(mult[0]);
                    Value sh = perChannel
                                   ? Value(arith::ExtSIOp::create(b, l, i64, a[2]))
                                   : c(shift[0]);
                    Value zero = c(0);
                    Value r;
                    if (doubleRound) {
                      Value left = arith::MaxSIOp::create(b, l, sh, zero);
                      Value right = arith::MaxSIOp::create(
                          b, l, arith::SubIOp::create(b, l, zero, sh), zero);
                      Value xs = arith::ShLIOp::create(b, l, v, left);
                      xs = arith::MaxSIOp::create(b, l, xs, c(INT32_MIN));
                      xs = arith::MinSIOp::create(b, l, xs, c(INT32_MAX));
                      // SaturatingRoundingDoublingHighMul (M >= 0, no INT_MIN^2).
                      Value ab = arith::MulIOp::create(b, l, xs, m);
                      Value nonNeg = arith::CmpIOp::create(
                          b, l, arith::CmpIPredicate::sge, ab, zero);
                      Value nudge = arith::SelectOp::create(
                          b, l, nonNeg, c(int64_t(1) << 30), c(1 - (int64_t(1) << 30)));
                      Value high = arith::DivSIOp::create(
                          b, l, arith::AddIOp::create(b, l, ab, nudge),
                          c(int64_t(1) << 31));
                      // RoundingDivideByPOT(high, right).
                      Value mask = arith::SubIOp::create(
                          b, l, arith::ShLIOp::create(b, l, c(1), right), c(1));
                      Value rem = arith::AndIOp::create(b, l, high, mask);
                      Value neg = arith::CmpIOp::create(
                          b, l, arith::CmpIPredicate::slt, high, zero);
                      Value threshold = arith::AddIOp::create(
                          b, l, arith::ShRSIOp::create(b, l, mask, c(1)),
                          arith::ExtUIOp::create(b, l, i64, neg));
                      Value up = arith::CmpIOp::create(
                          b, l, arith::CmpIPredicate::sgt, rem, threshold);
                      r = arith::AddIOp::create(
                          b, l, arith::ShRSIOp::create(b, l, high, right),
                          arith::ExtUIOp::create(b, l, i64, up));
                    } else {
                      Value total = arith::SubIOp::create(b, l, c(31), sh);
                      Value round = arith::ShLIOp::create(
                          b, l, c(1), arith::SubIOp::create(b, l, total, c(1)));
                      Value p = arith::MulIOp::create(b, l, v, m);
                      r = arith::ShRSIOp::create(
                          b, l, arith::AddIOp::create(b, l, p, round), total);
                      r = arith::MaxSIOp::create(b, l, r, c(INT32_MIN));
                      r = arith::MinSIOp::create(b, l, r, c(INT32_MAX));
                    }
                    if (outZp)
                      r = arith::AddIOp::create(b, l, r, c(outZp));
                    r = arith::MaxSIOp::create(b, l, r, c(outMin));
                    r = arith::MinSIOp::create(b, l, r, c(outMax));
                    if (outElt != i64)
                      r = arith::TruncIOp::create(b, l, outElt, r);
                    linalg::YieldOp::create(b, l, r);
                  })
                  .getResult(0);
    rewriter.replaceOp(op, y);
    return success();
  }
};

} // namespace

void qnn::populateQNNToLinalgConversionPatterns(RewritePatternSet &patterns) {
  patterns.add<Conv2DNHWCLowering, Conv2DLowering, FullyConnectedLowering, MatMulLowering,
               BatchNormLowering, UnaryLowering<ReluOp>, UnaryLowering<ClipOp>,
               UnaryLowering<LeakyReluOp>, UnaryLowering<SigmoidOp>,
               UnaryLowering<HardSigmoidOp>, BinaryLowering<AddOp>,
               BinaryLowering<SubOp>, BinaryLowering<MulOp>,
               BinaryLowering<DivOp>, SoftmaxLowering, MaxPoolLowering,
               AvgPoolLowering, GlobalAvgPoolLowering,
               ReshapeLikeLowering<ReshapeOp>, ReshapeLikeLowering<FlattenOp>,
               TransposeLowering, ConcatLowering, PadLowering,
               ObserverLowering, FakeQuantLowering, RescaleLowering,
               CastLowering>(
      patterns.getContext());
}
