//===- NamedOps.cpp - Lower float named qnn ops to linalg -----------------===//
//
// Part of qopt. conv2d (NHWC named ops, or NCHW generics for grouped
// convolutions), fully_connected, matmul, batch_norm and the pooling ops.
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

/// The body of a float contraction: acc + a * b (the inputs in that order).
void multiplyAdd(OpBuilder &b, Location l, ValueRange a) {
  Value p = arith::MulFOp::create(b, l, a[0], a[1]);
  linalg::YieldOp::create(b, l, Value(arith::AddFOp::create(b, l, a[2], p)));
}

/// The panel width of a dense fp32 convolution with `f` output channels:
/// panelWidth's, except that many channels no panel divides, with a few
/// left over by 32, take panels of 32 (the last one padded): a tile of two
/// vectors of channels loads one input broadcast per two FMAs instead of
/// one (openWakeWord's 257-bin STFT convolutions, 12 x 32 tiles instead of
/// 16 x 16: 2.15 -> 2.0 ms). A larger rest is a remainder tile of its own
/// whose odd width costs more than the panels save (MobileNetV3's 120- and
/// 200-channel convolutions ran 5x slower: 9.2 ms for the model, not 5.6).
int64_t floatPanelWidth(int64_t f) {
  return f > 64 && f % 16 && f % 32 <= 4 ? 32 : panelWidth(f);
}

/// A dense fp32 convolution of NHWC `x` (padded) with constant weights
/// packed at compile time in panels [ceil(F/P), KH, KW, C, P] (P =
/// panelWidth(F)), accumulated into `init`:
///   acc[n, oh, ow, f] += x[n, oh*s+kh*d, ow*s+kw*d, c]
///                         * w[f/P, kh, kw, c, f%P]
/// A register tile of P output channels reads one contiguous panel, which
/// stays in cache while the tile sweeps the output map (qcpu::isPanelConv;
/// in [KH, KW, C, F] its P-float pieces were F floats apart and shared a few
/// cache sets: 0.67-0.85x oneDNN on resnet18's 256- and 512-channel
/// layers). `values` are the weights [F, C/g, KH, KW]; with groups, the
/// input channel of output channel o is (o / (F/g)) * C/g + c, and null is
/// returned when a panel would straddle two groups (see panelsFitGroups).
Value panelConvFromValues(OpBuilder &b, Location loc, Value x,
                          ArrayRef<double> values, int64_t f, int64_t c,
                          int64_t kh, int64_t kw, Value init,
                          ArrayRef<int64_t> s, ArrayRef<int64_t> d,
                          int64_t group = 1) {
  // Grouped: c is the channels per group, and a panel (so a register tile)
  // must not straddle two groups.
  int64_t fpg = f / group;
  int64_t p = group == 1 ? floatPanelWidth(f) : panelWidth(fpg);
  if (group > 1 && fpg % p)
    return Value();
  // The last panel's channels past F stay zero.
  int64_t numPanels = (f + p - 1) / p;
  SmallVector<float> packed(numPanels * p * kh * kw * c, 0.0f);
  for (int64_t o = 0; o < f; ++o)
    for (int64_t ci = 0; ci < c; ++ci)
      for (int64_t y = 0; y < kh; ++y)
        for (int64_t xx = 0; xx < kw; ++xx)
          packed[((((o / p) * kh + y) * kw + xx) * c + ci) * p + o % p] =
              static_cast<float>(values[((o * c + ci) * kh + y) * kw + xx]);
  auto packedType =
      RankedTensorType::get({numPanels, kh, kw, c, p}, b.getF32Type());
  Value panels = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(packedType, ArrayRef<float>(packed)));
  MLIRContext *ctx = b.getContext();
  AffineExpr n, oh, ow, o, y, xx, ci;
  bindDims(ctx, n, oh, ow, o, y, xx, ci);
  // The input channel of output channel o: (o / fpg) * C/g + ci.
  AffineExpr inC = group == 1 ? ci : o.floorDiv(fpg) * c + ci;
  SmallVector<AffineMap> maps = {
      AffineMap::get(
          7, 0, {n, oh * s[0] + y * d[0], ow * s[1] + xx * d[1], inC}, ctx),
      AffineMap::get(7, 0, {o.floorDiv(p), y, xx, ci, o % p}, ctx),
      AffineMap::get(7, 0, {n, oh, ow, o}, ctx)};
  SmallVector<IteratorType> iters(4, IteratorType::parallel);
  iters.append(3, IteratorType::reduction);
  return linalg::GenericOp::create(
             b, loc, TypeRange{init.getType()}, ValueRange{x, panels},
             ValueRange{init}, maps, iters,
             multiplyAdd)
      .getResult(0);
}

/// Whether panelConvFromValues takes a convolution with `f` output channels
/// in `group` groups.
bool panelsFitGroups(int64_t f, int64_t group) {
  return group == 1 || (f / group) % panelWidth(f / group) == 0;
}

/// Dense and depthwise convolutions lower to NHWC between NCHW <-> NHWC
/// permutations: dense fp32 convolutions with constant weights to weight
/// panels (panelConv), the others to the named ops
/// (linalg.conv_2d_nhwc_hwcf, linalg.depthwise_conv_2d_nhwc_hwc) with
/// weights permuted at compile time. Channels innermost give every tile
/// contiguous channel vectors at any stride, and upstream decomposes and
/// vectorizes the named ops (qopt-tile-and-vectorize). The accumulator
/// starts at the bias; the activation is a separate elementwise op that
/// tiling fuses back.
struct Conv2DNHWCLowering : QNNPattern<Conv2DOp> {
  Conv2DNHWCLowering(const TypeConverter &converter, MLIRContext *ctx)
      : QNNPattern(converter, ctx, /*benefit=*/2) {}
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
    bool depthwise =
        group > 1 && group == c && f == c && wType.getDimSize(1) == 1;
    // Grouped convolutions take weight panels within each group (fp32,
    // constant weights, panels dividing the group's output channels);
    // others stay NCHW generics (Conv2DLowering).
    bool grouped = group != 1 && !depthwise;
    std::optional<SmallVector<double>> panelWeights;
    if (!depthwise && outType.getElementType().isF32() &&
        wType.hasStaticShape() && panelsFitGroups(f, group))
      panelWeights = getConstantFloatValues(adaptor.getWeight());
    if (grouped && !panelWeights)
      return rewriter.notifyMatchFailure(op, "grouped convolution");
    // Only the batch may be dynamic here (Conv2DLowering takes the rest).
    if (outType.isDynamicDim(1) || outType.isDynamicDim(2) ||
        outType.isDynamicDim(3))
      return rewriter.notifyMatchFailure(op, "dynamic spatial dimensions");
    Type et = outType.getElementType();
    Value x = permute(rewriter, loc, adaptor.getInput(), {0, 2, 3, 1});
    x = createPadNHWC(rewriter, loc, x, op.getPads(),
                      floatConst(rewriter, loc, et, 0.0));
    SmallVector<int64_t> outShape = {
        outType.getDimSize(0), outType.getDimSize(2), outType.getDimSize(3), f};
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
    if (panelWeights) {
      Value acc = panelConvFromValues(
          rewriter, loc, x, *panelWeights, f, wType.getDimSize(1),
          wType.getDimSize(2), wType.getDimSize(3), init, op.getStrides(),
          op.getDilations(), group);
      acc = epilogue(rewriter, loc, acc, Value(), 3, op.getActivationRange());
      rewriter.replaceOp(op, permute(rewriter, loc, acc, {0, 3, 1, 2}));
      return success();
    }
    // [F, C, KH, KW] -> [KH, KW, C, F]; depthwise (C = 1): [KH, KW, F].
    Value w = permuteWeights(rewriter, loc, adaptor.getWeight(), {2, 3, 1, 0});
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
    Value init =
        fill(rewriter, loc, emptyTensor(rewriter, loc, outType, outDims), 0.0);
    AffineExpr n, oc, c, kh, kw, oh, ow;
    bindDims(ctx, n, oc, c, kh, kw, oh, ow);
    AffineExpr inC = group == 1 ? c : oc.floorDiv(fpg) * cpg + c;
    SmallVector<AffineMap> maps = {
        AffineMap::get(
            7, 0, {n, inC, oh * s[0] + kh * d[0], ow * s[1] + kw * d[1]}, ctx),
        AffineMap::get(7, 0, {oc, c, kh, kw}, ctx),
        AffineMap::get(7, 0, {n, oc, oh, ow}, ctx)};
    SmallVector<IteratorType> iters = {
        IteratorType::parallel,  IteratorType::parallel,
        IteratorType::reduction, IteratorType::reduction,
        IteratorType::reduction, IteratorType::parallel,
        IteratorType::parallel};
    Value acc = linalg::GenericOp::create(rewriter, loc, TypeRange{outType},
                                          ValueRange{x, w}, ValueRange{init},
                                          maps, iters, multiplyAdd)
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
    Value init =
        fill(rewriter, loc,
             emptyLike(rewriter, loc, outType, adaptor.getInput()), 0.0);
    AffineExpr m, n, k;
    bindDims(ctx, m, n, k);
    // Constant weights [N, K] are stored [K, N] at compile time, so that a
    // tile vectorized along the outputs loads contiguous weights (a batch-1
    // classifier gathered one weight per row: 8 GOP/s).
    Value w = adaptor.getWeight();
    AffineMap wMap = AffineMap::get(3, 0, {n, k}, ctx);
    if (getConstantFloatValues(w) &&
        cast<RankedTensorType>(w.getType()).hasStaticShape()) {
      w = permuteWeights(rewriter, loc, w, {1, 0});
      wMap = AffineMap::get(3, 0, {k, n}, ctx);
    }
    SmallVector<AffineMap> maps = {AffineMap::get(3, 0, {m, k}, ctx), wMap,
                                   AffineMap::get(3, 0, {m, n}, ctx)};
    SmallVector<IteratorType> iters = {IteratorType::parallel,
                                       IteratorType::parallel,
                                       IteratorType::reduction};
    Value acc = linalg::GenericOp::create(
                    rewriter, loc, TypeRange{outType},
                    ValueRange{adaptor.getInput(), w},
                    ValueRange{init}, maps, iters,
                    multiplyAdd)
                    .getResult(0);
    rewriter.replaceOp(op, epilogue(rewriter, loc, acc, adaptor.getBias(), 1,
                                    op.getActivationRange()));
    return success();
  }
};

/// An fp32 product [B, M, K] x [K, N] (or [M, K] x [K, N]) with constant
/// weights (at least four rows, or large ones), as a 1x1 panel convolution of a
/// [B, 1, M, K] image: the weights packed in panels of output channels,
/// register tiles of rows x channels with a broadcast of each row's input
/// times a panel vector (a GEMM micro-kernel; the generic contraction ran a
/// BERT-style encoder's projections at 20-30 GOP/s, a fifth of the machine).
/// Null when it does not apply (activations on both sides, or a small
/// matrix-vector product: see below).
Value panelMatMul(OpBuilder &b, Location loc, Value lhs, Value rhs,
                  RankedTensorType outType) {
  auto lt = cast<RankedTensorType>(lhs.getType());
  auto rt = cast<RankedTensorType>(rhs.getType());
  if (!outType.getElementType().isF32() || rt.getRank() != 2 ||
      !rt.hasStaticShape() || (lt.getRank() != 2 && lt.getRank() != 3))
    return Value();
  int64_t m = lt.getDimSize(lt.getRank() - 2), k = rt.getDimSize(0),
          n = rt.getDimSize(1);
  // A matrix-vector product (fewer than four rows) takes the panels only
  // when its weights leave the caches (over 1 MiB): streamed from
  // contiguous panels they read at twice the bandwidth of the generic
  // tiles' rows 16 KiB apart (1 x 4096 x 4096: 5.7 -> 2.6 ms), while
  // small ones (a GRU's recurrent step) keep the generic tiles' four
  // accumulator chains.
  if (ShapedType::isDynamic(m) || lt.isDynamicDim(lt.getRank() - 1) ||
      (m < 4 && k * n < (int64_t(1) << 18)))
    return Value();
  std::optional<SmallVector<double>> values = getConstantFloatValues(rhs);
  if (!values)
    return Value();
  // [K, N] -> [F = N, C = K] weights of a 1x1 convolution.
  SmallVector<double> fc(values->size());
  for (int64_t i = 0; i < k; ++i)
    for (int64_t j = 0; j < n; ++j)
      fc[j * k + i] = (*values)[i * n + j];
  Value batch = lt.getRank() == 3 && lt.isDynamicDim(0)
                    ? Value(tensor::DimOp::create(b, loc, lhs, 0))
                    : Value();
  int64_t bs = lt.getRank() == 3 ? lt.getDimSize(0) : 1;
  auto imageType = RankedTensorType::get({bs, 1, m, k}, b.getF32Type());
  SmallVector<ReassociationIndices> toImage =
      lt.getRank() == 3 ? SmallVector<ReassociationIndices>{{0, 1}, {2}, {3}}
                        : SmallVector<ReassociationIndices>{{0, 1, 2}, {3}};
  SmallVector<OpFoldResult> imageShape = {
      batch ? OpFoldResult(batch) : OpFoldResult(b.getIndexAttr(bs)),
      b.getIndexAttr(1), b.getIndexAttr(m), b.getIndexAttr(k)};
  Value x = tensor::ExpandShapeOp::create(b, loc, imageType, lhs, toImage,
                                          imageShape);
  auto accType = RankedTensorType::get({bs, 1, m, n}, b.getF32Type());
  SmallVector<Value> accDims = {batch, Value(), Value(), Value()};
  Value init = fill(b, loc, emptyTensor(b, loc, accType, accDims), 0.0);
  Value acc =
      panelConvFromValues(b, loc, x, fc, n, k, 1, 1, init, {1, 1}, {1, 1});
  return tensor::CollapseShapeOp::create(b, loc, outType, acc, toImage);
}

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
    if (Value y = panelMatMul(rewriter, loc, lhs, rhs, outType)) {
      rewriter.replaceOp(op, epilogue(rewriter, loc, y, Value(),
                                      outType.getRank() - 1,
                                      op.getActivationRange()));
      return success();
    }
    int64_t rank = outType.getRank(); // batch dims + m + n
    // Iteration space: result dims, then k.
    auto operandMap = [&](RankedTensorType t, bool isLhs) {
      SmallVector<AffineExpr> exprs;
      int64_t batch = t.getRank() - 2, offset = (rank - 2) - batch;
      for (int64_t i = 0; i < batch; ++i)
        exprs.push_back(t.getDimSize(i) == 1 &&
                                outType.getDimSize(offset + i) != 1
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
    Value init =
        fill(rewriter, loc, emptyTensor(rewriter, loc, outType, dims), 0.0);
    Value acc = linalg::GenericOp::create(
                    rewriter, loc, TypeRange{outType}, ValueRange{lhs, rhs},
                    ValueRange{init}, maps, iters,
                    multiplyAdd)
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
          Value v =
              arith::AddFOp::create(b, l, a[4], floatConst(b, l, et, eps));
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

/// Max pooling over channels-last windows. The comparison is an ordered
/// greater-than and a select, which is exactly x86's (v)maxps and one
/// instruction per vector; NaN inputs are skipped, as ONNX Runtime's max pool
/// skips them.
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
    Value low = floatConst(rewriter, loc, et, lowest(et));
    Value y = windowReduceNHWC(
        rewriter, loc, adaptor.getInput(), et, outType.getShape(),
        op.getKernel(), op.getStrides(), op.getDilations(), op.getPads(), low,
        low, [](OpBuilder &b, Location l, Value acc, Value x) {
          Value gt = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, x,
                                           acc);
          return Value(arith::SelectOp::create(b, l, gt, x, acc));
        });
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
    if (inType.isDynamicDim(2) || inType.isDynamicDim(3) ||
        outType.isDynamicDim(2) || outType.isDynamicDim(3))
      return rewriter.notifyMatchFailure(op, "dynamic spatial dims");
    ArrayRef<int64_t> k = op.getKernel(), s = op.getStrides(), p = op.getPads();
    SmallVector<int64_t> dil = {1, 1};
    Value zero = floatConst(rewriter, loc, et, 0.0);
    Value sum = windowReduceNHWC(
        rewriter, loc, adaptor.getInput(), et, outType.getShape(), k, s, dil,
        p, zero, zero, [](OpBuilder &b, Location l, Value acc, Value x) {
          return Value(arith::AddFOp::create(b, l, acc, x));
        });
    // Divisors per output position, known at compile time. Positions in the
    // ceil-mode overhang never count; explicit pads count when
    // count_include_pad.
    int64_t oh = outType.getDimSize(2), ow = outType.getDimSize(3);
    int64_t h = inType.getDimSize(2), w = inType.getDimSize(3);
    bool includePad = op.getCountIncludePad();
    // One divisor for all windows needs no table; a table is bounded (a
    // model's own sizes are checked before lowering, text is not).
    std::optional<int64_t> uniform = op.getUniformWindowCount();
    if (uniform)
      oh = ow = 1;
    if (oh * ow > (int64_t(1) << 22))
      return rewriter.notifyMatchFailure(op, "divisor table too large");
    SmallVector<float> inv(oh * ow);
    for (int64_t i = 0; i < oh; ++i)
      for (int64_t j = 0; j < ow; ++j) {
        int64_t y0 = i * s[0] - p[0], x0 = j * s[1] - p[1];
        int64_t lo0 = includePad ? -p[0] : 0, hi0 = includePad ? h + p[2] : h;
        int64_t lo1 = includePad ? -p[1] : 0, hi1 = includePad ? w + p[3] : w;
        int64_t ny = std::min(y0 + k[0], hi0) - std::max(y0, lo0);
        int64_t nx = std::min(x0 + k[1], hi1) - std::max(x0, lo1);
        inv[i * ow + j] =
            1.0f / static_cast<float>(std::max<int64_t>(1, ny * nx));
      }
    if (uniform)
      inv[0] = 1.0f / static_cast<float>(*uniform);
    auto invType = RankedTensorType::get({oh, ow}, rewriter.getF32Type());
    Value invConst = arith::ConstantOp::create(
        rewriter, loc, DenseElementsAttr::get(invType, ArrayRef<float>(inv)));
    MLIRContext *ctx = rewriter.getContext();
    AffineMap id = AffineMap::getMultiDimIdentityMap(4, ctx);
    AffineMap hw =
        uniform ? AffineMap::get(4, 0,
                                 {getAffineConstantExpr(0, ctx),
                                  getAffineConstantExpr(0, ctx)},
                                 ctx)
                : AffineMap::get(
                      4, 0, {getAffineDimExpr(2, ctx), getAffineDimExpr(3, ctx)},
                      ctx);
    Value y =
        elementwise(rewriter, loc, outType, ValueRange{sum, invConst}, sum,
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
    if (inType.isDynamicDim(2) || inType.isDynamicDim(3))
      return rewriter.notifyMatchFailure(op, "dynamic spatial dims");
    Type et = outType.getElementType();
    auto redType =
        RankedTensorType::get({inType.getDimSize(0), inType.getDimSize(1)}, et);
    SmallVector<Value> dims = dimValues(rewriter, loc, x);
    Value init =
        fill(rewriter, loc, emptyTensor(rewriter, loc, redType, dims), 0.0);
    AffineMap id = AffineMap::getMultiDimIdentityMap(4, ctx);
    AffineMap nc = AffineMap::get(
        4, 0, {getAffineDimExpr(0, ctx), getAffineDimExpr(1, ctx)}, ctx);
    SmallVector<IteratorType> iters = {
        IteratorType::parallel, IteratorType::parallel, IteratorType::reduction,
        IteratorType::reduction};
    double inv =
        1.0 / static_cast<double>(inType.getDimSize(2) * inType.getDimSize(3));
    Value sum = linalg::GenericOp::create(
                    rewriter, loc, TypeRange{redType}, ValueRange{x},
                    ValueRange{init}, SmallVector<AffineMap>{id, nc}, iters,
                    [](OpBuilder &b, Location l, ValueRange a) {
                      linalg::YieldOp::create(
                          b, l, Value(arith::AddFOp::create(b, l, a[0], a[1])));
                    })
                    .getResult(0);
    Value mean = elementwise(rewriter, loc, redType, ValueRange{sum}, sum,
                             [&](OpBuilder &b, Location l, ValueRange a) {
                               return Value(arith::MulFOp::create(
                                   b, l, a[0], floatConst(b, l, et, inv)));
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

} // namespace

void lowering::populateNamedOpLoweringPatterns(TypeConverter &converter,
                                               RewritePatternSet &patterns) {
  patterns.add<Conv2DNHWCLowering, Conv2DLowering, FullyConnectedLowering,
               MatMulLowering, BatchNormLowering, MaxPoolLowering,
               AvgPoolLowering, GlobalAvgPoolLowering>(converter,
                                                       patterns.getContext());
}
