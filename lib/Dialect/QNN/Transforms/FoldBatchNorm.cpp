//===- FoldBatchNorm.cpp - Fold inference batch-norm into its producer ----===//
//
// Part of qopt. Implements `--fold-bn` (seed 004 §8.2):
//   a[c] = gamma[c] / sqrt(var[c] + eps),  shift[c] = beta[c] - mean[c] * a[c]
//   W'[c] = W[c] * a[c],                   b'[c] = b[c] * a[c] + shift[c]
// The arithmetic is done in double and rounded once into the weight type, so
// folding adds at most one rounding per weight.
//
//===----------------------------------------------------------------------===//

#include "qopt/Dialect/QNN/IR/QNN.h"
#include "qopt/Dialect/QNN/Transforms/Passes.h"
#include "qopt/Dialect/QNN/Transforms/Transforms.h"
#include "qopt/Dialect/QNN/Utils/ConstantUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>

namespace mlir {
namespace qnn {
#define GEN_PASS_DEF_FOLDBATCHNORMPASS
#include "qopt/Dialect/QNN/Transforms/Passes.h.inc"
} // namespace qnn
} // namespace mlir

using namespace mlir;
using namespace mlir::qnn;

namespace {

/// The batch-norm as a per-channel affine map y = x * scale + shift.
struct ChannelAffine {
  SmallVector<double> scale, shift;
};

std::optional<ChannelAffine> getConstantAffine(BatchNormOp bn) {
  auto gamma = getConstantFloatValues(bn.getScale());
  auto beta = getConstantFloatValues(bn.getBias());
  auto mean = getConstantFloatValues(bn.getMean());
  auto var = getConstantFloatValues(bn.getVariance());
  if (!gamma || !beta || !mean || !var)
    return std::nullopt;
  double eps = bn.getEpsilon().convertToDouble();
  ChannelAffine affine;
  for (size_t c = 0; c < gamma->size(); ++c) {
    double a = (*gamma)[c] / std::sqrt((*var)[c] + eps);
    affine.scale.push_back(a);
    affine.shift.push_back((*beta)[c] - (*mean)[c] * a);
  }
  return affine;
}

/// A weighted op whose weight has its output channels first (conv2d,
/// fully_connected): channel scales multiply weight rows, shifts the bias.
bool hasLeadingWeightChannels(Operation *op) {
  auto weighted = dyn_cast<WeightedOpInterface>(op);
  return weighted && weighted.getWeightChannelAxis() == 0;
}

/// Why `bn` cannot be folded into its producer, or "" if it can.
std::string whyNotFoldable(BatchNormOp bn) {
  if (!getConstantAffine(bn))
    return "its parameters are not constants";
  Operation *producer = bn.getInput().getDefiningOp();
  if (!producer || !isa<WeightedOpInterface>(producer))
    return "its input is not produced by conv2d, fully_connected or matmul";
  if (!producer->getResult(0).hasOneUse())
    return "its producer has other users";
  if (cast<FusedActivationOpInterface>(producer).getActivation() !=
      Activation::None)
    return "its producer has a fused activation";
  if (auto mm = dyn_cast<MatMulOp>(producer)) {
    if (mm.getRhs().getType().getRank() != 2 ||
        mm.getOutput().getType().getRank() != 2)
      return "the matmul is not 2-D, so axis 1 is not its output column";
    if (!getConstantFloatValues(mm.getRhs()))
      return "the matmul's right operand is not a constant";
    return "";
  }
  Value weight = producer->getOperand(1);
  if (!getConstantRealValues(weight))
    return "its producer's weight is not a constant";
  if (producer->getNumOperands() > 2 &&
      !getConstantRealValues(producer->getOperand(2)))
    return "its producer's bias is not a constant";
  return "";
}

Value createConstant(PatternRewriter &rewriter, Location loc,
                     RankedTensorType type, ArrayRef<double> values,
                     StringRef hint) {
  return arith::ConstantOp::create(
      rewriter, loc, cast<TypedAttr>(createFloatElements(type, values, hint)));
}

/// Absorbs y = producer(x) * scale[c] + shift[c] into a conv2d /
/// fully_connected with constant weights. Float weights are scaled; weights
/// given as dequantize(qconst) (QAT, QDQ) keep their integers and get their
/// per-channel scales multiplied instead, so the quantized values the
/// training simulated are exactly the ones that run.
FailureOr<Operation *> absorbChannelAffine(PatternRewriter &rewriter,
                                           Operation *producer,
                                           ArrayRef<double> scale,
                                           ArrayRef<double> shift,
                                           Type resultType, Location loc) {
  Value weight = producer->getOperand(1);
  auto weightType = cast<RankedTensorType>(weight.getType());
  int64_t channels = weightType.getDimSize(0);
  if ((int64_t)scale.size() != channels || (int64_t)shift.size() != channels)
    return failure();
  auto biasValues = producer->getNumOperands() > 2
                        ? getConstantRealValues(producer->getOperand(2))
                        : std::optional<SmallVector<double>>(
                              SmallVector<double>(channels, 0.0));
  if (!biasValues)
    return failure();
  SmallVector<double> bias = *biasValues;
  for (int64_t f = 0; f < channels; ++f)
    bias[f] = bias[f] * scale[f] + shift[f];

  rewriter.setInsertionPoint(producer);
  Value newWeight;
  auto dq = weight.getDefiningOp<DequantizeOp>();
  auto qc = dq ? dq.getInput().getDefiningOp<QConstOp>() : QConstOp();
  if (qc) {
    Type et = qc.getType().getElementType();
    UniformParams params = getUniformParams(et);
    if (params.axis > 0 || llvm::any_of(params.zeroPoints,
                                        [](int64_t z) { return z != 0; }))
      return failure();
    SmallVector<double> scales = params.scales;
    if (params.axis < 0)
      scales.assign(channels, params.scales[0]);
    auto q = cast<quant::QuantizedType>(et);
    int64_t perChannel = weightType.getNumElements() / channels;
    SmallVector<APInt> values;
    unsigned width = q.getStorageTypeIntegralWidth();
    int64_t i = 0;
    for (APInt v : qc.getValue().getValues<APInt>()) {
      int64_t f = i++ / perChannel;
      int64_t x = v.getSExtValue();
      if (scale[f] < 0) {
        // A negative factor flips the integers (symmetric range only).
        if (-x < q.getStorageTypeMin() || -x > q.getStorageTypeMax())
          return failure();
        x = -x;
      }
      values.push_back(APInt(width, x, /*isSigned=*/true));
    }
    for (int64_t f = 0; f < channels; ++f) {
      scales[f] *= std::fabs(scale[f]);
      if (!(scales[f] > 0))
        return failure();
    }
    auto newType = quant::UniformQuantizedPerAxisType::get(
        q.getFlags(), q.getStorageType(), q.getExpressedType(), scales,
        SmallVector<int64_t>(channels, 0), 0, q.getStorageTypeMin(),
        q.getStorageTypeMax());
    auto storage = RankedTensorType::get(weightType.getShape(),
                                         q.getStorageType());
    Value newQ = QConstOp::create(
        rewriter, loc, RankedTensorType::get(weightType.getShape(), newType),
        DenseElementsAttr::get(storage, values));
    newWeight = DequantizeOp::create(rewriter, loc, weightType, newQ);
  } else {
    auto w = getConstantFloatValues(weight);
    if (!w)
      return failure();
    int64_t perChannel = weightType.getNumElements() / channels;
    for (int64_t f = 0; f < channels; ++f)
      for (int64_t i = 0; i < perChannel; ++i)
        (*w)[f * perChannel + i] *= scale[f];
    newWeight = createConstant(rewriter, loc, weightType, *w, "folded_weight");
  }
  auto biasType = RankedTensorType::get({channels}, weightType.getElementType());
  Value newBias = createConstant(rewriter, loc, biasType, bias, "folded_bias");
  Operation *folded = rewriter.clone(*producer);
  folded->setOperands({producer->getOperand(0), newWeight, newBias});
  folded->setLoc(loc);
  folded->getResult(0).setType(resultType);
  return folded;
}

/// conv2d / fully_connected: scale output channel f of the weight (axis 0)
/// and fold the shift into the bias.
struct FoldIntoWeightedOp : OpRewritePattern<BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(BatchNormOp bn,
                                PatternRewriter &rewriter) const override {
    Operation *producer = bn.getInput().getDefiningOp();
    if (!producer || !hasLeadingWeightChannels(producer))
      return rewriter.notifyMatchFailure(bn, "producer is not conv/fc");
    std::string why = whyNotFoldable(bn);
    if (!why.empty())
      return rewriter.notifyMatchFailure(bn, why);
    ChannelAffine affine = *getConstantAffine(bn);
    Location loc = rewriter.getFusedLoc({producer->getLoc(), bn.getLoc()});
    auto folded = absorbChannelAffine(rewriter, producer, affine.scale,
                                      affine.shift, bn.getOutput().getType(),
                                      loc);
    if (failed(folded))
      return rewriter.notifyMatchFailure(bn, "weights cannot absorb the scale");
    rewriter.replaceOp(bn, (*folded)->getResults());
    rewriter.eraseOp(producer);
    return success();
  }
};

/// mul / div / add / sub of a conv2d or fully_connected output by a
/// per-channel constant ([C], [C, 1, 1] or [1, C, 1, 1]; QAT exports write
/// their batch-norm simulation this way) folds into the producer.
template <typename OpTy>
struct FoldChannelOpIntoWeightedOp : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    Operation *producer = op.getLhs().getDefiningOp();
    if (!producer || !hasLeadingWeightChannels(producer) ||
        !producer->getResult(0).hasOneUse() ||
        cast<FusedActivationOpInterface>(producer).getActivation() !=
            Activation::None)
      return rewriter.notifyMatchFailure(op, "no foldable producer");
    auto outType = cast<RankedTensorType>(producer->getResult(0).getType());
    if (!isa<FloatType>(outType.getElementType()))
      return failure();
    auto cType = cast<RankedTensorType>(op.getRhs().getType());
    int64_t channels = outType.getDimSize(1);
    // The constant must vary (at most) along the channel axis.
    int64_t rank = outType.getRank(), offset = rank - cType.getRank();
    for (int64_t d = 0; d < cType.getRank(); ++d)
      if (d + offset != 1 && cType.getDimSize(d) != 1)
        return rewriter.notifyMatchFailure(op, "not a per-channel constant");
    if (op.getOutput().getType() != outType)
      return rewriter.notifyMatchFailure(op, "broadcast changes the shape");
    auto c = getConstantFloatValues(op.getRhs());
    if (!c)
      return rewriter.notifyMatchFailure(op, "not a constant");
    SmallVector<double> values(channels, (*c)[0]);
    if ((int64_t)c->size() == channels)
      values = *c;
    else if (c->size() != 1)
      return failure();
    SmallVector<double> scale(channels, 1.0), shift(channels, 0.0);
    for (int64_t f = 0; f < channels; ++f) {
      if constexpr (std::is_same_v<OpTy, MulOp>)
        scale[f] = values[f];
      else if constexpr (std::is_same_v<OpTy, DivOp>)
        scale[f] = 1.0 / values[f];
      else if constexpr (std::is_same_v<OpTy, AddOp>)
        shift[f] = values[f];
      else
        shift[f] = -values[f];
    }
    if constexpr (std::is_same_v<OpTy, AddOp>)
      if (op.getActivation() != Activation::None)
        return failure();
    Location loc = rewriter.getFusedLoc({producer->getLoc(), op.getLoc()});
    auto folded = absorbChannelAffine(rewriter, producer, scale, shift, outType,
                                      loc);
    if (failed(folded))
      return rewriter.notifyMatchFailure(op, "weights cannot absorb it");
    rewriter.replaceOp(op, (*folded)->getResults());
    rewriter.eraseOp(producer);
    return success();
  }
};

/// matmul(x, W) with constant 2-D W: scale W's columns; add the shift.
struct FoldIntoMatMul : OpRewritePattern<BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(BatchNormOp bn,
                                PatternRewriter &rewriter) const override {
    auto mm = bn.getInput().getDefiningOp<MatMulOp>();
    if (!mm)
      return rewriter.notifyMatchFailure(bn, "producer is not matmul");
    std::string why = whyNotFoldable(bn);
    if (!why.empty())
      return rewriter.notifyMatchFailure(bn, why);
    ChannelAffine affine = *getConstantAffine(bn);

    auto rhsType = mm.getRhs().getType();
    SmallVector<double> w = *getConstantFloatValues(mm.getRhs());
    int64_t k = rhsType.getDimSize(0), n = rhsType.getDimSize(1);
    for (int64_t i = 0; i < k; ++i)
      for (int64_t j = 0; j < n; ++j)
        w[i * n + j] *= affine.scale[j];

    Location loc = rewriter.getFusedLoc({mm.getLoc(), bn.getLoc()});
    rewriter.setInsertionPoint(mm);
    Value newRhs = createConstant(rewriter, loc, rhsType, w, "folded_weight");
    auto shiftType = RankedTensorType::get({n}, rhsType.getElementType());
    Value shift =
        createConstant(rewriter, loc, shiftType, affine.shift, "folded_bias");
    auto outType = bn.getOutput().getType();
    Value product = MatMulOp::create(rewriter, loc, outType, mm.getLhs(), newRhs);
    Value sum = AddOp::create(rewriter, loc, outType, product, shift);
    rewriter.replaceOp(bn, sum);
    rewriter.eraseOp(mm);
    return success();
  }
};

/// Fallback: y = x * a + shift with a, shift broadcast along axis 1.
struct BatchNormToScaleShift : OpRewritePattern<BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(BatchNormOp bn,
                                PatternRewriter &rewriter) const override {
    auto inType = bn.getInput().getType();
    Type elementType = inType.getElementType();
    int64_t channels = inType.getDimSize(1);
    if (ShapedType::isDynamic(channels))
      return rewriter.notifyMatchFailure(bn, "dynamic channel count");
    // [C, 1, ..., 1]: broadcasts against [N, C, ...] from the right.
    SmallVector<int64_t> bshape(inType.getRank() - 1, 1);
    bshape[0] = channels;
    auto bType = RankedTensorType::get(bshape, elementType);
    auto cType = RankedTensorType::get({channels}, elementType);
    Location loc = bn.getLoc();

    Value scale, shift;
    if (auto affine = getConstantAffine(bn)) {
      scale = createConstant(rewriter, loc, bType, affine->scale, "bn_scale");
      shift = createConstant(rewriter, loc, bType, affine->shift, "bn_shift");
    } else {
      // Parameters known only at run time: compute a and shift in the graph.
      auto epsType = RankedTensorType::get({1}, elementType);
      Value eps = createConstant(rewriter, loc, epsType,
                                 {bn.getEpsilon().convertToDouble()}, "bn_eps");
      Value varEps = AddOp::create(rewriter, loc, cType, bn.getVariance(), eps);
      Value stddev = math::SqrtOp::create(rewriter, loc, varEps);
      Value a = DivOp::create(rewriter, loc, cType, bn.getScale(), stddev);
      Value meanA = MulOp::create(rewriter, loc, cType, bn.getMean(), a);
      Value s = SubOp::create(rewriter, loc, cType, bn.getBias(), meanA);
      scale = ReshapeOp::create(rewriter, loc, bType, a);
      shift = ReshapeOp::create(rewriter, loc, bType, s);
    }
    Value scaled =
        MulOp::create(rewriter, loc, inType, bn.getInput(), scale);
    rewriter.replaceOpWithNewOp<AddOp>(bn, bn.getOutput().getType(), scaled,
                                       shift);
    return success();
  }
};

struct FoldBatchNormPass
    : qnn::impl::FoldBatchNormPassBase<FoldBatchNormPass> {
  using FoldBatchNormPassBase::FoldBatchNormPassBase;
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateFoldBatchNormPatterns(patterns, scaleShiftFallback);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
    getOperation()->walk([](BatchNormOp bn) {
      bn.emitRemark("batch_norm not folded: ") << whyNotFoldable(bn);
    });
  }
};

} // namespace

void qnn::populateFoldBatchNormPatterns(RewritePatternSet &patterns,
                                        bool scaleShiftFallback) {
  patterns.add<FoldIntoWeightedOp, FoldIntoMatMul,
               FoldChannelOpIntoWeightedOp<MulOp>,
               FoldChannelOpIntoWeightedOp<DivOp>,
               FoldChannelOpIntoWeightedOp<AddOp>,
               FoldChannelOpIntoWeightedOp<SubOp>>(patterns.getContext(),
                                                   /*benefit=*/2);
  if (scaleShiftFallback)
    patterns.add<BatchNormToScaleShift>(patterns.getContext(), /*benefit=*/1);
}
