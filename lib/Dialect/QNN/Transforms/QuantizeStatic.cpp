//===- QuantizeStatic.cpp - Calibrated graphs and QDQ graphs to quantized ops ===//
//
// Part of qopt. Implements `--quantize-static` and `--lower-fake-quant`.
// Both reduce to the same form: quantize / dequantize pairs around float
// ops, which the QDQ folding patterns turn into quantized ops.
//
//===----------------------------------------------------------------------===//

#include "qopt/Dialect/QNN/IR/QNN.h"
#include "qopt/Dialect/QNN/Transforms/LayerConfig.h"
#include "qopt/Dialect/QNN/Transforms/Passes.h"
#include "qopt/Dialect/QNN/Transforms/Transforms.h"
#include "qopt/Dialect/QNN/Transforms/WideRangeLogarithms.h"
#include "qopt/Dialect/QNN/Utils/ConstantUtils.h"
#include "qopt/Dialect/QNN/Utils/ElementwiseFunction.h"
#include "qopt/Dialect/QNN/Utils/LocationName.h"
#include "qopt/Dialect/QNN/Utils/QuantParams.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Regex.h"

#include <cmath>
#include <limits>

namespace mlir {
namespace qnn {
#define GEN_PASS_DEF_QUANTIZESTATICPASS
#define GEN_PASS_DEF_LOWERFAKEQUANTPASS
#include "qopt/Dialect/QNN/Transforms/Passes.h.inc"
} // namespace qnn
} // namespace mlir

using namespace mlir;
using namespace mlir::qnn;

namespace {

constexpr double kBiasMax = 1073741824.0; // 2^30: headroom for accumulation

// Per-layer overrides (--quantize-static=config=...) travel as discardable
// attributes on the ops between parsing the config and the QDQ folding.
constexpr llvm::StringLiteral kKeepFloat = kKeepFloatAttrName;
constexpr llvm::StringLiteral kWeightBits = kWeightBitsAttrName;
constexpr llvm::StringLiteral kPerChannel = kPerChannelAttrName;
constexpr llvm::StringLiteral kActivationBits = kActivationBitsAttrName;

bool keptFloat(Operation *op) { return op->hasAttr(kKeepFloat); }

/// The per-tensor parameters of a quantized tensor value, or null.
quant::UniformQuantizedType perTensorOf(Value v) {
  return dyn_cast<quant::UniformQuantizedType>(
      cast<RankedTensorType>(v.getType()).getElementType());
}

Value makeQConst(PatternRewriter &rewriter, Location loc,
                 ArrayRef<int64_t> shape, quant::QuantizedType q,
                 ArrayRef<int8_t> values) {
  auto storage = RankedTensorType::get(shape, rewriter.getI8Type());
  return QConstOp::create(rewriter, loc, RankedTensorType::get(shape, q),
                          DenseElementsAttr::get(storage, values));
}

/// Replaces `quantize(op(...))` with a clone of `op` on `operands` whose
/// result has the quantize's type.
void replaceWithQuantizedClone(PatternRewriter &rewriter, QuantizeOp quantize,
                               Operation *op, ValueRange operands) {
  Operation *newOp = rewriter.clone(*op);
  newOp->setOperands(operands);
  newOp->getResult(0).setType(quantize.getOutput().getType());
  rewriter.replaceOp(quantize, newOp->getResults());
  rewriter.eraseOp(op);
}

/// quantize(P(dequantize(x), W, b)) -> P_q(x, W_q, b_q) for conv2d,
/// fully_connected (weights along axis 0) and matmul (along the last axis).
template <typename OpTy>
struct FoldWeightedOp : OpRewritePattern<QuantizeOp> {
  FoldWeightedOp(MLIRContext *ctx, bool perChannel, unsigned weightBits)
      : OpRewritePattern(ctx, /*benefit=*/2), perChannel(perChannel),
        weightBits(weightBits) {}

  LogicalResult matchAndRewrite(QuantizeOp quantize,
                                PatternRewriter &rewriter) const override {
    auto op = quantize.getInput().getDefiningOp<OpTy>();
    if (!op || !op->getResult(0).hasOneUse())
      return rewriter.notifyMatchFailure(quantize, "no single-use producer");
    if (keptFloat(op))
      return rewriter.notifyMatchFailure(op, "kept float by the config");
    unsigned bits = weightBits;
    if (auto a = op->template getAttrOfType<IntegerAttr>(kWeightBits))
      bits = a.getInt();
    bool perChannel = this->perChannel;
    if (auto a = op->template getAttrOfType<BoolAttr>(kPerChannel))
      perChannel = a.getValue();
    auto dq = op->getOperand(0).template getDefiningOp<DequantizeOp>();
    if (!dq)
      return rewriter.notifyMatchFailure(op, "input is not dequantized");
    auto inType = dyn_cast<quant::UniformQuantizedType>(
        dq.getInput().getType().getElementType());
    auto outType = dyn_cast<quant::UniformQuantizedType>(
        quantize.getOutput().getType().getElementType());
    if (!inType || !outType)
      return rewriter.notifyMatchFailure(op, "needs per-tensor activations");
    Value weight = op->getOperand(1);
    auto wShape = cast<RankedTensorType>(weight.getType()).getShape();
    auto w = getConstantRealValues(weight);
    if (!w)
      return rewriter.notifyMatchFailure(op, "weights are not constant");
    bool isMatMul = std::is_same_v<OpTy, MatMulOp>;
    int64_t axis = isMatMul ? (int64_t)wShape.size() - 1 : 0;
    if (isMatMul && wShape.size() != 2)
      return rewriter.notifyMatchFailure(op, "matmul weight is not 2-D");
    std::optional<SmallVector<double>> bias;
    if (!isMatMul && op->getNumOperands() > 2) {
      bias = getConstantRealValues(op->getOperand(2));
      if (!bias)
        return rewriter.notifyMatchFailure(op, "bias is not constant");
    }
    double sx = inType.getScale();
    // TFLite's bias guard: widen a channel's weight scale so its bias fits
    // in +-2^30 at scale s_x * s_w.
    SmallVector<double> minScales;
    if (bias) {
      for (double b : *bias)
        minScales.push_back(std::fabs(b) / (kBiasMax * sx));
      if (!perChannel) {
        double m = *std::max_element(minScales.begin(), minScales.end());
        minScales = {m};
      }
    }
    MLIRContext *ctx = rewriter.getContext();
    Location loc = op->getLoc();
    QuantizedWeights qw;
    Value wq;
    // Weights that arrive quantized (QDQ / QAT models) keep their exact
    // parameters; float weights are quantized here.
    auto wdq = weight.getDefiningOp<DequantizeOp>();
    if (wdq && wdq.getInput().getDefiningOp<QConstOp>()) {
      UniformParams wp =
          getUniformParams(wdq.getInput().getType().getElementType());
      if (wp.axis >= 0 && wp.axis != axis)
        return rewriter.notifyMatchFailure(op, "weight quantized along "
                                               "another axis");
      qw.scales = wp.scales;
      wq = wdq.getInput();
      // The bias guard for weights chosen before this pass (round-weights,
      // whose scales could not know s_x): a channel whose bias would not
      // fit is re-rounded at the wider scale; the others keep their
      // integers exactly (their dequantized values divide evenly).
      auto storedType =
          cast<quant::QuantizedType>(wdq.getInput().getType().getElementType());
      bool widen = false;
      for (size_t c = 0; c < qw.scales.size(); ++c)
        for (size_t m = 0; m < minScales.size(); ++m)
          if (qw.scales.size() == 1 || minScales.size() == 1 || m == c)
            widen |= qw.scales[c] < minScales[m];
      if (widen &&
          llvm::all_of(wp.zeroPoints, [](int64_t z) { return z == 0; })) {
        SmallVector<double> floor(qw.scales);
        bool perAxis = qw.scales.size() > 1;
        if (!perAxis && minScales.size() > 1)
          minScales = {*std::max_element(minScales.begin(), minScales.end())};
        if (perAxis && minScales.size() == 1)
          minScales.assign(qw.scales.size(), minScales[0]);
        for (auto [c, f] : llvm::enumerate(floor))
          f = std::max(f, c < minScales.size() ? minScales[c] : 0.0);
        unsigned storedBits = storedType.getStorageTypeMax() <= 7 ? 4 : 8;
        qw = quantizeWeights(*w, wShape, axis, perAxis, floor, storedBits);
        wq =
            makeQConst(rewriter, loc, wShape,
                       weightType(ctx, qw.scales, axis, storedBits), qw.values);
      }
    } else {
      qw = quantizeWeights(*w, wShape, axis, perChannel, minScales, bits);
      wq = makeQConst(rewriter, loc, wShape,
                      weightType(ctx, qw.scales, axis, bits), qw.values);
    }
    SmallVector<Value> operands = {dq.getInput(), wq};
    if (bias) {
      int64_t channels = bias->size();
      SmallVector<double> bScales;
      SmallVector<int32_t> bValues;
      for (int64_t c = 0; c < channels; ++c) {
        double s = sx * qw.scales[qw.scales.size() == 1 ? 0 : c];
        bScales.push_back(s);
        bValues.push_back((int32_t)std::clamp(
            std::nearbyint((*bias)[c] / s), -2147483647.0, 2147483647.0));
      }
      quant::QuantizedType bt;
      Type i32 = rewriter.getI32Type(), f32 = rewriter.getF32Type();
      int64_t lo = std::numeric_limits<int32_t>::min(),
              hi = std::numeric_limits<int32_t>::max();
      if (qw.scales.size() == 1)
        bt = quant::UniformQuantizedType::get(quant::QuantizationFlags::Signed,
                                              i32, f32, bScales[0], 0, lo, hi);
      else
        bt = quant::UniformQuantizedPerAxisType::get(
            quant::QuantizationFlags::Signed, i32, f32, bScales,
            SmallVector<int64_t>(channels, 0), 0, lo, hi);
      auto storage = RankedTensorType::get({channels}, i32);
      operands.push_back(QConstOp::create(
          rewriter, loc, RankedTensorType::get({channels}, bt),
          DenseElementsAttr::get(storage, ArrayRef<int32_t>(bValues))));
    }
    replaceWithQuantizedClone(rewriter, quantize, op, operands);
    return success();
  }

  bool perChannel;
  unsigned weightBits;
};

/// op(dequantize(q)) -> dequantize(op_q(q)) for ops that keep their input's
/// parameters (DataMovementOpInterface).
struct SinkDequantize : OpInterfaceRewritePattern<DataMovementOpInterface> {
  using OpInterfaceRewritePattern::OpInterfaceRewritePattern;
  LogicalResult matchAndRewrite(DataMovementOpInterface mover,
                                PatternRewriter &rewriter) const override {
    Operation *op = mover.getOperation();
    if (keptFloat(op) || op->getNumResults() != 1)
      return rewriter.notifyMatchFailure(op, "kept float by the config");
    unsigned moved = mover.getMovedOperand().getOperandNumber();
    auto dq = op->getOperand(moved).getDefiningOp<DequantizeOp>();
    if (!dq || !isa<quant::UniformQuantizedType>(
                   dq.getInput().getType().getElementType()))
      return rewriter.notifyMatchFailure(op, "input is not dequantized");
    auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
    Operation *newOp = rewriter.clone(*op);
    newOp->setOperand(moved, dq.getInput());
    newOp->getResult(0).setType(RankedTensorType::get(
        resultType.getShape(), dq.getInput().getType().getElementType()));
    rewriter.replaceOpWithNewOp<DequantizeOp>(op, resultType,
                                              newOp->getResult(0));
    return success();
  }
};

/// quantize(act(dequantize(q))) -> act_q(q) for relu and clip.
template <typename OpTy>
struct FoldActivation : OpRewritePattern<QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(QuantizeOp quantize,
                                PatternRewriter &rewriter) const override {
    auto op = quantize.getInput().getDefiningOp<OpTy>();
    if (!op || !op->getResult(0).hasOneUse() || keptFloat(op))
      return failure();
    auto dq = op.getInput().template getDefiningOp<DequantizeOp>();
    if (!dq || !isa<quant::UniformQuantizedType>(
                   dq.getInput().getType().getElementType()) ||
        !isa<quant::UniformQuantizedType>(
            quantize.getOutput().getType().getElementType()))
      return failure();
    replaceWithQuantizedClone(rewriter, quantize, op, dq.getInput());
    return success();
  }
};

/// quantize(add(dequantize(a), dequantize(b))) -> add_q(a, b), same shapes.
struct FoldAdd : OpRewritePattern<QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(QuantizeOp quantize,
                                PatternRewriter &rewriter) const override {
    auto add = quantize.getInput().getDefiningOp<AddOp>();
    if (!add || !add->getResult(0).hasOneUse() || keptFloat(add) ||
        add.getLhs().getType().getShape() != add.getRhs().getType().getShape())
      return failure();
    auto da = add.getLhs().getDefiningOp<DequantizeOp>();
    auto db = add.getRhs().getDefiningOp<DequantizeOp>();
    if (!da || !db || !perTensorOf(da.getInput()) ||
        !perTensorOf(db.getInput()) || !perTensorOf(quantize.getOutput()))
      return failure();
    replaceWithQuantizedClone(rewriter, quantize, add,
                              {da.getInput(), db.getInput()});
    return success();
  }
};

/// quantize(matmul(dequantize(a), dequantize(b))) -> matmul_q(a, b) when
/// both operands are activations (attention's Q*K^T and P*V): per-tensor
/// parameters on both sides, i32 accumulation of (a - za) * (b - zb).
struct FoldActivationMatMul : OpRewritePattern<QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(QuantizeOp quantize,
                                PatternRewriter &rewriter) const override {
    auto op = quantize.getInput().getDefiningOp<MatMulOp>();
    if (!op || !op->getResult(0).hasOneUse() || keptFloat(op))
      return rewriter.notifyMatchFailure(quantize, "no single-use matmul");
    if (getConstantRealValues(op.getRhs()))
      return rewriter.notifyMatchFailure(op, "constant weights: weighted op");
    auto da = op.getLhs().getDefiningOp<DequantizeOp>();
    auto db = op.getRhs().getDefiningOp<DequantizeOp>();
    auto perTensor8 = [](Value v) {
      auto q = perTensorOf(v);
      return q && q.getStorageTypeIntegralWidth() <= 8;
    };
    if (!da || !db || !perTensor8(da.getInput()) ||
        !perTensor8(db.getInput()) || !perTensor8(quantize.getOutput()))
      return rewriter.notifyMatchFailure(op, "operands are not 8-bit "
                                             "per-tensor activations");
    // |a - za| * |b - zb| <= 255 * 255 per step: the i32 accumulator holds
    // any reduction shorter than 2^31 / 65025 (about 33000).
    auto lt = op.getLhs().getType();
    if (lt.getRank() < 2 || op.getRhs().getType().getRank() < 2)
      return rewriter.notifyMatchFailure(op, "rank-1 operand");
    int64_t k = lt.getDimSize(lt.getRank() - 1);
    if (ShapedType::isDynamic(k) || k > (int64_t(1) << 31) / (255 * 255))
      return rewriter.notifyMatchFailure(op, "reduction too long for i32");
    replaceWithQuantizedClone(rewriter, quantize, op,
                              {da.getInput(), db.getInput()});
    return success();
  }
};

/// quantize(mul(dequantize(a), dequantize(b))) -> mul_q(a, b) for two 8-bit
/// per-tensor activations (a squeeze-and-excitation gate times its
/// features, with broadcasting): i32 products rescaled by s_a * s_b / s_y.
/// A product that is a function of one tensor (x * sigmoid(x)) is left to
/// a lookup table, which is one step and exact.
struct FoldMul : OpRewritePattern<QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(QuantizeOp quantize,
                                PatternRewriter &rewriter) const override {
    auto mul = quantize.getInput().getDefiningOp<MulOp>();
    if (!mul || !mul->getResult(0).hasOneUse() || keptFloat(mul))
      return failure();
    auto da = mul.getLhs().getDefiningOp<DequantizeOp>();
    auto db = mul.getRhs().getDefiningOp<DequantizeOp>();
    auto perTensor8 = [](Value v) {
      auto q = perTensorOf(v);
      return q && q.getStorageTypeIntegralWidth() <= 8;
    };
    if (!da || !db || !perTensor8(da.getInput()) ||
        !perTensor8(db.getInput()) || !perTensor8(quantize.getOutput()))
      return rewriter.notifyMatchFailure(mul, "operands are not 8-bit "
                                              "per-tensor activations");
    if (ElementwiseFunction::trace(mul.getResult()))
      return rewriter.notifyMatchFailure(mul, "a table of one tensor");
    replaceWithQuantizedClone(rewriter, quantize, mul,
                              {da.getInput(), db.getInput()});
    return success();
  }
};

/// quantize(avg_pool(dequantize(x))) -> avg_pool_q(x) when every window
/// has the same divisor (one rescale of the int32 sum).
struct FoldAvgPool : OpRewritePattern<QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(QuantizeOp quantize,
                                PatternRewriter &rewriter) const override {
    auto pool = quantize.getInput().getDefiningOp<AvgPool2DOp>();
    if (!pool || !pool->getResult(0).hasOneUse() || keptFloat(pool) ||
        !pool.getUniformWindowCount())
      return failure();
    auto dq = pool.getInput().getDefiningOp<DequantizeOp>();
    if (!dq || !perTensorOf(dq.getInput()) ||
        !perTensorOf(quantize.getOutput()))
      return failure();
    replaceWithQuantizedClone(rewriter, quantize, pool, dq.getInput());
    return success();
  }
};

/// A linalg.generic whose every element is an element of one dequantized
/// tensor (extracted: the importer's Gather, GatherElements, GatherND,
/// nearest Resize; or an input broadcast by its map: Expand) selects stored
/// values: it runs on the
/// quantized tensor and keeps its parameters. dq(x) -> generic ->
/// becomes x -> generic_q -> dq.
struct SinkDequantizeIntoSelection : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::GenericOp generic,
                                PatternRewriter &rewriter) const override {
    if (generic->getNumResults() != 1 || generic.getNumDpsInits() != 1 ||
        keptFloat(generic))
      return failure();
    auto resultType = cast<RankedTensorType>(generic->getResult(0).getType());
    Block &body = generic.getRegion().front();
    auto yield = cast<linalg::YieldOp>(body.getTerminator());
    if (!body.getArguments().back().use_empty())
      return rewriter.notifyMatchFailure(generic, "reads its init");
    // The element comes from an extract of a captured tensor (Gather,
    // nearest Resize) or is an input's block argument (Expand: an input
    // broadcast by its indexing map).
    Value yielded = yield.getOperand(0);
    auto extract = yielded.getDefiningOp<tensor::ExtractOp>();
    auto arg = dyn_cast<BlockArgument>(yielded);
    if (arg && (arg.getOwner() != &body ||
                arg.getArgNumber() >= generic.getNumDpsInputs()))
      arg = BlockArgument();
    if ((!extract || extract->getBlock() != &body) && !arg)
      return rewriter.notifyMatchFailure(generic, "not an element selection");
    Value source = extract ? extract.getTensor()
                           : generic.getDpsInputs()[arg.getArgNumber()];
    auto dq = source.getDefiningOp<DequantizeOp>();
    auto q = dq ? perTensorOf(dq.getInput()) : quant::UniformQuantizedType();
    if (!q)
      return rewriter.notifyMatchFailure(generic, "source not dequantized");
    // Nothing else in the body computes on floats, and no other input is
    // float.
    for (Operation &op : body.without_terminator())
      if (op.getNumResults() && op.getResult(0) != yielded &&
          llvm::any_of(op.getResultTypes(),
                       [](Type t) { return isa<FloatType>(t); }))
        return rewriter.notifyMatchFailure(generic, "computes on floats");
    for (auto [i, in] : llvm::enumerate(generic.getDpsInputs()))
      if ((!arg || i != arg.getArgNumber()) &&
          isa<FloatType>(getElementTypeOrSelf(in.getType())))
        return rewriter.notifyMatchFailure(generic, "another float input");
    auto empty = generic.getDpsInits()[0].getDefiningOp<tensor::EmptyOp>();
    if (!empty)
      return rewriter.notifyMatchFailure(generic, "init is not empty");
    auto qType = RankedTensorType::get(resultType.getShape(), q);
    Value qEmpty = tensor::EmptyOp::create(rewriter, empty.getLoc(), qType,
                                           empty.getDynamicSizes());
    IRMapping map;
    Operation *clone = rewriter.clone(*generic, map);
    auto newGeneric = cast<linalg::GenericOp>(clone);
    newGeneric.getDpsInitsMutable()[0].set(qEmpty);
    newGeneric->getResult(0).setType(qType);
    Block &newBody = newGeneric.getRegion().front();
    newBody.getArguments().back().setType(q);
    if (extract) {
      auto newExtract =
          cast<tensor::ExtractOp>(map.lookup(extract.getOperation()));
      newExtract.getTensorMutable().set(dq.getInput());
      newExtract.getResult().setType(q);
    } else {
      newGeneric.getDpsInputOperand(arg.getArgNumber())->set(dq.getInput());
      newBody.getArgument(arg.getArgNumber()).setType(q);
    }
    rewriter.replaceOpWithNewOp<DequantizeOp>(generic, resultType,
                                              newGeneric->getResult(0));
    return success();
  }
};

/// pad(dequantize(x)) -> dequantize(pad_q(x)) when the padding is data
/// movement on the stored integers: edge / reflect, or a constant the
/// parameters represent exactly (0 is the zero point).
struct SinkDequantizeThroughPad : OpRewritePattern<PadOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(PadOp pad,
                                PatternRewriter &rewriter) const override {
    auto dq = pad.getInput().getDefiningOp<DequantizeOp>();
    auto q = dq ? perTensorOf(dq.getInput()) : quant::UniformQuantizedType();
    if (!q || keptFloat(pad))
      return failure();
    if (pad.getMode() == PadMode::Constant) {
      double stored = pad.getValue().convertToDouble() / q.getScale() +
                      q.getZeroPoint();
      if (std::fabs(stored - std::nearbyint(stored)) > 1e-6 ||
          stored < q.getStorageTypeMin() || stored > q.getStorageTypeMax())
        return rewriter.notifyMatchFailure(pad, "constant not representable");
    }
    auto resultType = pad.getOutput().getType();
    Operation *newOp = rewriter.clone(*pad);
    newOp->setOperand(0, dq.getInput());
    newOp->getResult(0).setType(RankedTensorType::get(resultType.getShape(), q));
    rewriter.replaceOpWithNewOp<DequantizeOp>(pad, resultType,
                                              newOp->getResult(0));
    return success();
  }
};

/// quantize(concat(dequantize(a_i))) -> concat_q(requantize(a_i)): every
/// operand brought to the result's parameters, then the stored integers
/// are concatenated.
struct FoldConcat : OpRewritePattern<QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(QuantizeOp quantize,
                                PatternRewriter &rewriter) const override {
    auto concat = quantize.getInput().getDefiningOp<ConcatOp>();
    if (!concat || !concat->getResult(0).hasOneUse() || keptFloat(concat))
      return failure();
    auto outQ = dyn_cast<quant::UniformQuantizedType>(
        quantize.getOutput().getType().getElementType());
    if (!outQ)
      return failure();
    SmallVector<Value> operands;
    for (Value v : concat->getOperands()) {
      auto dq = v.getDefiningOp<DequantizeOp>();
      if (!dq || !isa<quant::UniformQuantizedType>(
                     dq.getInput().getType().getElementType()))
        return rewriter.notifyMatchFailure(concat, "operand not quantized");
      auto t = cast<RankedTensorType>(v.getType());
      auto want = RankedTensorType::get(t.getShape(), outQ);
      Value q = dq.getInput();
      if (q.getType() != want)
        q = RequantizeOp::create(rewriter, concat.getLoc(), want, q);
      operands.push_back(q);
    }
    replaceWithQuantizedClone(rewriter, quantize, concat, operands);
    return success();
  }
};

/// quantize(float constant) -> qconst (QAT exports quantize weights in the
/// graph), round half to even and saturate like qnn.quantize.
struct FoldQuantizeConstant : OpRewritePattern<QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(QuantizeOp quantize,
                                PatternRewriter &rewriter) const override {
    auto values = getConstantFloatValues(quantize.getInput());
    if (!values)
      return failure();
    auto t = quantize.getOutput().getType();
    auto q = cast<quant::QuantizedType>(t.getElementType());
    UniformParams p = getUniformParams(q);
    ChannelIndexer channelOf(t.getShape(), p.axis);
    unsigned width = q.getStorageTypeIntegralWidth();
    SmallVector<APInt> bits;
    for (auto [i, v] : llvm::enumerate(*values)) {
      int64_t c = channelOf(i);
      double r = std::nearbyint(v / p.scales[c]) + p.zeroPoints[c];
      r = std::clamp<double>(r, q.getStorageTypeMin(), q.getStorageTypeMax());
      bits.push_back(APInt(64, (int64_t)r, true).trunc(width));
    }
    auto storage = RankedTensorType::get(t.getShape(),
                                         rewriter.getIntegerType(width));
    rewriter.replaceOpWithNewOp<QConstOp>(quantize, t,
                                          DenseElementsAttr::get(storage, bits));
    return success();
  }
};

/// quantize(dequantize(q)) -> q, or a requantize when parameters differ.
struct FoldQuantizeDequantize : OpRewritePattern<QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(QuantizeOp quantize,
                                PatternRewriter &rewriter) const override {
    auto dq = quantize.getInput().getDefiningOp<DequantizeOp>();
    if (!dq)
      return failure();
    Value q = dq.getInput();
    if (q.getType() == quantize.getOutput().getType()) {
      rewriter.replaceOp(quantize, q);
      return success();
    }
    if (!isa<quant::UniformQuantizedType>(
            cast<RankedTensorType>(q.getType()).getElementType()) ||
        !isa<quant::UniformQuantizedType>(
            quantize.getOutput().getType().getElementType()))
      return failure();
    rewriter.replaceOpWithNewOp<RequantizeOp>(
        quantize, quantize.getOutput().getType(), q);
    return success();
  }
};

/// Removes the observers of every computation that feeds a logarithm over
/// a range 8 bits cannot hold, marks its quantizable ops float, and warns
/// once per logarithm. True when anything changed.
bool keepWideLogarithmsFloat(ModuleOp module) {
  bool changed = false;
  for (WideRangeLogarithm &w : findWideRangeLogarithms(module)) {
    int64_t kept = 0, unobserved = 0;
    for (Operation *op : w.producers) {
      if (auto o = dyn_cast<ObserverOp>(op)) {
        o.replaceAllUsesWith(o.getInput());
        o.erase();
        ++unobserved;
        continue;
      }
      if (op->hasTrait<qnn::OpTrait::Quantizable>() ||
          op->hasTrait<qnn::OpTrait::ObservedResult>()) {
        op->setAttr(kKeepFloat, UnitAttr::get(module.getContext()));
        ++kept;
      }
    }
    // Nothing quantized there anyway (a layer norm's own square root).
    if (kept == 0 && unobserved == 0)
      continue;
    changed = true;
    std::string name = getLocationName(w.logarithm->getLoc());
    w.logarithm->emitWarning("quantize-static: the operand of the ")
        << w.kind
        << (name.empty() ? "" : " '" + name + "'") << " and the " << kept
        << " ops computing it stay float: " << w.reason
        << ", and 8-bit activations hold 48 dB";
  }
  return changed;
}

/// Whether `op` may be part of a float island that --integer-only turns
/// into a table.
bool isTableCandidate(Operation *op) {
  return isa<ScalarFunctionOpInterface, linalg::GenericOp>(op);
}

/// A quantize / dequantize pair between two float ops rounds for nothing:
/// no integer op reads the quantized value. Removes such pairs, except
/// where the pair starts an island that --integer-only can turn into a
/// table (its float users are elementwise and what feeds the pair is not
/// already a function of an 8-bit tensor).
void removeFloatToFloatPairs(ModuleOp module) {
  SmallVector<QuantizeOp> candidates;
  module.walk([&](QuantizeOp q) { candidates.push_back(q); });
  for (QuantizeOp q : candidates) {
    if (q->use_empty() || !llvm::all_of(q->getUsers(), [](Operation *u) {
          return isa<DequantizeOp>(u);
        }))
      continue;
    bool feedsIsland = llvm::any_of(q->getUsers(), [](Operation *dq) {
      return llvm::any_of(dq->getUsers(), isTableCandidate);
    });
    if (feedsIsland && !ElementwiseFunction::trace(q.getInput()))
      continue;
    for (Operation *dq : llvm::make_early_inc_range(q->getUsers())) {
      dq->getResult(0).replaceAllUsesWith(q.getInput());
      dq->erase();
    }
    q->erase();
  }
}

struct QuantizeStaticPass
    : qnn::impl::QuantizeStaticPassBase<QuantizeStaticPass> {
  using QuantizeStaticPassBase::QuantizeStaticPassBase;
  QuantizeStaticPass(const QuantizeStaticPassOptions &options,
                     Calibrator calibrator)
      : QuantizeStaticPassBase(options), calibrator(std::move(calibrator)) {}

  /// Set by the driver that created the pass (see Calibrator).
  Calibrator calibrator;

  /// Marks the ops the per-layer config matches (applyLayerConfig), then
  /// drops the observers a kept-float output no longer needs.
  LogicalResult applyConfig(ModuleOp module) {
    if (failed(applyLayerConfig(module, config, "quantize-static",
                                /*warnUnmatched=*/true)))
      return failure();
    // A float layer whose result only leaves the model needs no
    // quantize / dequantize after it: its output stays exactly float.
    SmallVector<ObserverOp> unneeded;
    module.walk([&](ObserverOp o) {
      // A model input kept float is not quantized at all.
      if (keptFloat(o)) {
        unneeded.push_back(o);
        return;
      }
      Operation *producer = o.getInput().getDefiningOp();
      if (producer && keptFloat(producer) &&
          llvm::all_of(o->getUsers(), [](Operation *u) {
            return isa<func::ReturnOp>(u);
          }))
        unneeded.push_back(o);
    });
    for (ObserverOp o : unneeded) {
      o.replaceAllUsesWith(o.getInput());
      o.erase();
    }
    return success();
  }

  /// Observes every activation (unless observers exist) and calibrates them
  /// on calibration-data with the pass's calibrator.
  LogicalResult calibrateInProcess() {
    ModuleOp module = getOperation();
    bool observed = false;
    module.walk([&](ObserverOp) { observed = true; });
    if (!observed) {
      OpPassManager pm(ModuleOp::getOperationName());
      InsertObserversPassOptions options;
      options.method = calibrationMethod;
      pm.addPass(createInsertObserversPass(options));
      if (failed(runPipeline(pm, module)))
        return failure();
    }
    if (!calibrator)
      return emitError(
          module.getLoc(),
          "quantize-static: this tool cannot calibrate in process (it does "
          "not link the JIT); calibrate with qopt-run --calibrate, or use qopt");
    SmallVector<std::string> paths(calibrationData.begin(),
                                   calibrationData.end());
    return calibrator(module, paths,
                      activationType == ActivationType::Int16 ? 16 : 8);
  }
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    bool isSigned = activationType != ActivationType::UInt8;
    // 16x8 (TFLite's 16-bit activations with 8-bit weights): symmetric int16
    // activations, zero point 0.
    unsigned activationBits = activationType == ActivationType::Int16 ? 16 : 8;
    if (weightBits != 8 && weightBits != 4) {
      emitError(getOperation().getLoc(),
                "quantize-static: weight-bits must be 8 or 4, "
                "got ")
          << static_cast<unsigned>(weightBits);
      return signalPassFailure();
    }
    // The config is read before calibrating (a mistake in it fails fast)
    // and applied after: it also addresses model inputs, through the
    // observers calibration inserts.
    if (!config.empty() && !calibrationData.empty() &&
        failed(applyLayerConfig(getOperation(), config, "quantize-static",
                                /*warnUnmatched=*/false)))
      return signalPassFailure();
    if (!calibrationData.empty() && failed(calibrateInProcess()))
      return signalPassFailure();
    if (!config.empty() && failed(applyConfig(getOperation())))
      return signalPassFailure();
    SmallVector<ObserverOp> observers;
    getOperation().walk([&](ObserverOp o) { observers.push_back(o); });
    if (observers.empty()) {
      emitError(
          getOperation().getLoc(),
          "quantize-static: no qnn.observer ops; calibrate in process with "
          "--quantize-static=calibration-data=calib.npy, or run qopt "
          "--insert-observers, then qopt-run --calibrate --input calib.npy -o "
          "calibrated.mlir");
      return signalPassFailure();
    }
    // Observers inside If/Loop bodies that calibration never reached (a
    // branch that did not run) have no range: their values stay float.
    // Every other observer must have been calibrated.
    bool anyTopLevelCalibrated = llvm::any_of(observers, [](ObserverOp o) {
      return o.getMin() && isa<func::FuncOp>(o->getParentOp());
    });
    llvm::erase_if(observers, [&](ObserverOp o) {
      if (o.getMin() || isa<func::FuncOp>(o->getParentOp()) ||
          !anyTopLevelCalibrated)
        return false;
      o.emitWarning("quantize-static: observer ")
          << o.getId() << (o.getName() ? " ('" + o.getName()->str() + "')" : "")
          << " saw no data during calibration (its If branch or Loop body "
             "never ran); the value stays float";
      o.replaceAllUsesWith(o.getInput());
      o.erase();
      return true;
    });
    for (ObserverOp o : observers)
      if (!o.getMin() || !o.getMax()) {
        o.emitError("observer ")
            << o.getId() << (o.getName() ? " ('" + o.getName()->str() + "')" : "")
            << " has no calibration statistics; calibrate with `qopt-run "
               "FILE --calibrate --input calib.npy -o calibrated.mlir` (or "
               "apply saved ones with --stats-in stats.json)";
        return signalPassFailure();
      }
    // Computations that feed a logarithm over more than 8 bits of range
    // stay float: no observer, no quantized op.
    if (keepWideLogarithmsFloat(getOperation()))
      observers.clear(), getOperation().walk([&](ObserverOp o) {
        observers.push_back(o);
      });
    OpBuilder b(ctx);
    for (ObserverOp o : observers) {
      // A per-layer config may give the producer's result another width:
      // 16 bits take the whole observed range (symmetric, as above), 8 bits
      // the chosen one.
      // (A model input's width is on its observer.)
      unsigned bits = activationBits;
      Operation *producer = o.getInput().getDefiningOp();
      if (auto a = (producer ? producer : o.getOperation())
                       ->getAttrOfType<IntegerAttr>(kActivationBits))
        bits = a.getInt();
      double lo = o.getMin()->convertToDouble(),
             hi = o.getMax()->convertToDouble();
      if (bits == 16 && activationBits != 16 && o.getObservedMin()) {
        lo = o.getObservedMin()->convertToDouble();
        hi = o.getObservedMax()->convertToDouble();
      }
      bool layerSigned = bits == 16 ? true : isSigned;
      bool layerSymmetric = bits == 16 || symmetricActivations;
      auto q = activationParams(ctx, lo, hi, layerSigned, layerSymmetric, bits);
      b.setInsertionPoint(o);
      auto t = o.getType();
      Value qv = QuantizeOp::create(b, o.getLoc(),
                                    RankedTensorType::get(t.getShape(), q),
                                    o.getInput());
      Value dv = DequantizeOp::create(b, o.getLoc(), t, qv);
      o.replaceAllUsesWith(dv);
      o.erase();
    }
    RewritePatternSet patterns(ctx);
    populateQDQFoldingPatterns(patterns, perChannel, weightBits);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
    removeFloatToFloatPairs(getOperation());
    getOperation().walk([](Operation *op) {
      // A float island kept float keeps the mark: lookup-table formation
      // (ElementwiseFunction) does not trace through it.
      if (!isFloatIsland(op))
        op->removeAttr(kKeepFloat);
      op->removeAttr(kWeightBits);
      op->removeAttr(kPerChannel);
      op->removeAttr(kActivationBits);
    });
  }
};

struct LowerFakeQuantPass
    : qnn::impl::LowerFakeQuantPassBase<LowerFakeQuantPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    OpBuilder b(ctx);
    getOperation().walk([&](FakeQuantOp fq) {
      b.setInsertionPoint(fq);
      auto t = fq.getType();
      Value qv = QuantizeOp::create(
          b, fq.getLoc(), RankedTensorType::get(t.getShape(), fq.getQtype()),
          fq.getInput());
      fq.getResult().replaceAllUsesWith(
          DequantizeOp::create(b, fq.getLoc(), t, qv).getResult());
      fq.erase();
    });
    // QAT exports keep their batch-norm simulation (conv -> div -> add ->
    // batch_norm) and unfused activations: fold both while lowering, so the
    // quantized weights absorb the per-channel factors in their scales.
    RewritePatternSet patterns(ctx);
    populateQDQFoldingPatterns(patterns, /*perChannel=*/true);
    populateFoldBatchNormPatterns(patterns, /*scaleShiftFallback=*/false);
    populateFuseActivationPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace

std::unique_ptr<Pass>
qnn::createQuantizeStaticPass(QuantizeStaticPassOptions options,
                              Calibrator calibrator) {
  return std::make_unique<QuantizeStaticPass>(options, std::move(calibrator));
}

void qnn::populateQDQFoldingPatterns(RewritePatternSet &patterns,
                                     bool perChannel, unsigned weightBits) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<FoldWeightedOp<Conv2DOp>, FoldWeightedOp<FullyConnectedOp>,
               FoldWeightedOp<MatMulOp>>(ctx, perChannel, weightBits);
  patterns.add<SinkDequantize, FoldActivation<ReluOp>, FoldActivation<ClipOp>,
               FoldActivation<GlobalAvgPool2DOp>, FoldAdd, FoldActivationMatMul, FoldConcat, FoldMul, FoldAvgPool,
               SinkDequantizeIntoSelection, SinkDequantizeThroughPad, FoldQuantizeConstant,
               FoldQuantizeDequantize>(ctx);
}
