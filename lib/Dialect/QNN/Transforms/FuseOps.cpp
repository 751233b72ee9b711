//===- FuseOps.cpp - Fuse activations into their producers ----------------===//
//
// Part of qopt. Implements `--fuse-ops`: relu and clip become the
// fused_activation of a conv2d, fully_connected, matmul or add whose only
// user they are. Clamps compose: the fused range is the intersection. A
// matmul with constant weights followed by the add of a constant bias
// becomes a fully_connected with that bias.
//
//===----------------------------------------------------------------------===//

#include "qopt/Dialect/QNN/IR/QNN.h"
#include "qopt/Dialect/QNN/Transforms/Passes.h"
#include "qopt/Dialect/QNN/Transforms/Transforms.h"
#include "qopt/Dialect/QNN/Utils/ConstantUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <limits>

namespace mlir {
namespace qnn {
#define GEN_PASS_DEF_FUSEOPSPASS
#include "qopt/Dialect/QNN/Transforms/Passes.h.inc"
} // namespace qnn
} // namespace mlir

using namespace mlir;
using namespace mlir::qnn;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

std::pair<double, double> getRange(ReluOp) { return {0.0, kInf}; }
std::pair<double, double> getRange(ClipOp op) {
  return {op.getMin().convertToDouble(), op.getMax().convertToDouble()};
}

template <typename ActOp>
struct FuseActivation : OpRewritePattern<ActOp> {
  FuseActivation(MLIRContext *ctx, bool fuseAdd)
      : OpRewritePattern<ActOp>(ctx), fuseAdd(fuseAdd) {}

  LogicalResult matchAndRewrite(ActOp act,
                                PatternRewriter &rewriter) const override {
    Operation *producer = act.getInput().getDefiningOp();
    auto fusable = dyn_cast_or_null<FusedActivationOpInterface>(producer);
    if (!fusable)
      return rewriter.notifyMatchFailure(act, "producer cannot fuse");
    if (!fuseAdd && isa<AddOp>(producer))
      return rewriter.notifyMatchFailure(act, "add fusion disabled");
    if (!producer->getResult(0).hasOneUse())
      return rewriter.notifyMatchFailure(act, "producer has other users");

    auto [lo1, hi1] = fusable.getActivationRange();
    auto [lo2, hi2] = getRange(act);
    double lo = std::max(lo1, lo2), hi = std::min(hi1, hi2);
    if (lo > hi)
      return rewriter.notifyMatchFailure(act, "clamp ranges do not overlap");

    Activation kind = Activation::Clip;
    std::optional<float> min = static_cast<float>(lo),
                         max = static_cast<float>(hi);
    if (lo == 0.0 && hi == kInf)
      kind = Activation::Relu;
    else if (lo == 0.0 && hi == 6.0)
      kind = Activation::Relu6;
    else if (lo == -kInf && hi == kInf)
      kind = Activation::None;
    if (kind != Activation::Clip)
      min = max = std::nullopt;

    rewriter.modifyOpInPlace(producer, [&] {
      fusable.setActivation(kind, min, max);
      producer->getResult(0).setType(act.getOutput().getType());
      producer->setLoc(rewriter.getFusedLoc({producer->getLoc(), act.getLoc()}));
    });
    rewriter.replaceOp(act, producer->getResults());
    return success();
  }

  bool fuseAdd;
};

/// act(move(producer(...))) -> move(act(producer(...))) when the producer
/// could fuse the activation: relu and clip are monotone and elementwise,
/// so they commute with data movement (a Conv1d's squeeze between the
/// convolution and its ReLU). Fused, the activation narrows the range the
/// producer's output is quantized to.
template <typename ActOp>
struct HoistActivationAboveDataMovement : OpRewritePattern<ActOp> {
  using OpRewritePattern<ActOp>::OpRewritePattern;
  LogicalResult matchAndRewrite(ActOp act,
                                PatternRewriter &rewriter) const override {
    auto mover = act.getInput().template getDefiningOp<DataMovementOpInterface>();
    if (!mover || mover->getNumResults() != 1 ||
        !mover->getResult(0).hasOneUse())
      return rewriter.notifyMatchFailure(act, "no single-use data movement");
    Value moved = mover.getMovedOperand().get();
    Operation *producer = moved.getDefiningOp();
    if (!isa_and_nonnull<FusedActivationOpInterface>(producer) ||
        !moved.hasOneUse())
      return rewriter.notifyMatchFailure(act, "nothing to fuse into");
    auto elementType =
        cast<RankedTensorType>(act.getOutput().getType()).getElementType();
    if (cast<RankedTensorType>(moved.getType()).getElementType() !=
        elementType)
      return rewriter.notifyMatchFailure(act, "element types differ");
    Operation *newAct = rewriter.clone(*act);
    newAct->setOperand(0, moved);
    newAct->getResult(0).setType(moved.getType());
    Operation *newMove = rewriter.clone(*mover);
    newMove->setOperand(mover.getMovedOperand().getOperandNumber(),
                        newAct->getResult(0));
    rewriter.replaceOp(act, newMove->getResults());
    rewriter.eraseOp(mover);
    return success();
  }
};

/// add(matmul(x, W), b) with constant f32 weights W [K, N] and a constant
/// bias b of N values along the last axis -> fully_connected(x as [M, K],
/// W^T, b), reshaped back. The bias joins the product's accumulator (i32
/// once quantized, the 1x1 convolution's initial value on the CPU) instead
/// of a separate pass over the output; quantized, the add was a float
/// island between the dequantized product and its requantized sum. A 3-D
/// MatMul + Add is how PyTorch exports nn.Linear (a 2-D Gemm imports as
/// fully_connected already). The fully_connected keeps the matmul's
/// location (its node name: per-layer configs and reports name the
/// product) and the add's activation.
struct FuseMatMulBias : OpRewritePattern<AddOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(AddOp add,
                                PatternRewriter &rewriter) const override {
    for (unsigned i = 0; i < 2; ++i) {
      auto mm = add->getOperand(i).getDefiningOp<MatMulOp>();
      Value bias = add->getOperand(1 - i);
      if (!mm || !mm->hasOneUse() ||
          mm.getActivation() != Activation::None ||
          mm.getOutput().getType() != add.getOutput().getType())
        continue;
      auto yt = cast<RankedTensorType>(add.getOutput().getType());
      auto xt = cast<RankedTensorType>(mm.getLhs().getType());
      auto wt = cast<RankedTensorType>(mm.getRhs().getType());
      auto bt = dyn_cast<RankedTensorType>(bias.getType());
      if (!yt.getElementType().isF32() || !yt.hasStaticShape() ||
          !xt.hasStaticShape() || xt.getRank() < 2 || wt.getRank() != 2 ||
          !bt || !bt.getElementType().isF32())
        continue;
      int64_t k = wt.getDimSize(0), n = wt.getDimSize(1);
      if (bt.getRank() == 0 || bt.getNumElements() != n ||
          bt.getShape().back() != n)
        continue;
      std::optional<SmallVector<double>> w =
          getConstantFloatValues(mm.getRhs());
      std::optional<SmallVector<double>> b = getConstantFloatValues(bias);
      if (!w || !b || !wt.getElementType().isF32())
        continue;
      // W^T [N, K] and b [N] as constants (dense_resource when large).
      SmallVector<double> wtv(n * k);
      for (int64_t r = 0; r < k; ++r)
        for (int64_t c = 0; c < n; ++c)
          wtv[c * k + r] = (*w)[r * n + c];
      Location loc = mm.getLoc();
      Type f32 = rewriter.getF32Type();
      Value wT = arith::ConstantOp::create(
          rewriter, loc,
          cast<TypedAttr>(createFloatElements(RankedTensorType::get({n, k}, f32),
                                              wtv, "fc_weight")));
      Value b1 = arith::ConstantOp::create(
          rewriter, add.getLoc(),
          cast<TypedAttr>(createFloatElements(RankedTensorType::get({n}, f32),
                                              *b, "fc_bias")));
      int64_t m = xt.getNumElements() / k;
      Value x = mm.getLhs();
      if (xt.getRank() != 2) {
        // One reshape per input, right after it, shared by every product
        // reading it (a layer norm feeding the Q, K and V projections stays
        // one value for SmoothQuant to scale).
        auto rowsType = RankedTensorType::get({m, k}, xt.getElementType());
        Value rows;
        for (Operation *user : x.getUsers())
          if (auto r = dyn_cast<ReshapeOp>(user);
              r && r.getType() == rowsType && r->getBlock() == mm->getBlock() &&
              r->isBeforeInBlock(mm))
            rows = r;
        if (!rows) {
          OpBuilder::InsertionGuard guard(rewriter);
          rewriter.setInsertionPointAfterValue(x);
          rows = ReshapeOp::create(rewriter, loc, rowsType, x);
        }
        x = rows;
      }
      SmallVector<NamedAttribute> attrs;
      for (NamedAttribute a : mm->getDiscardableAttrs())
        attrs.push_back(a);
      for (StringRef name : {"fused_activation", "clip_min", "clip_max"})
        if (Attribute a = add->getAttr(name))
          attrs.push_back(rewriter.getNamedAttr(name, a));
      Value y = FullyConnectedOp::create(
                    rewriter, loc,
                    TypeRange{RankedTensorType::get({m, n}, yt.getElementType())},
                    ValueRange{x, wT, b1}, attrs)
                    .getResult();
      if (yt.getRank() != 2)
        y = ReshapeOp::create(rewriter, add.getLoc(), yt, y);
      rewriter.replaceOp(add, y);
      rewriter.eraseOp(mm);
      return success();
    }
    return rewriter.notifyMatchFailure(add, "not a matmul plus a bias");
  }
};

struct FuseOpsPass : qnn::impl::FuseOpsPassBase<FuseOpsPass> {
  using FuseOpsPassBase::FuseOpsPassBase;
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateFuseActivationPatterns(patterns, fuseAdd);
    patterns.add<FuseMatMulBias>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace

void qnn::populateFuseActivationPatterns(RewritePatternSet &patterns,
                                         bool fuseAdd) {
  patterns.add<FuseActivation<ReluOp>, FuseActivation<ClipOp>>(
      patterns.getContext(), fuseAdd);
  patterns.add<HoistActivationAboveDataMovement<ReluOp>,
               HoistActivationAboveDataMovement<ClipOp>>(
      patterns.getContext());
}
