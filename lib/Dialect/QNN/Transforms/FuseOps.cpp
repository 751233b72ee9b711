//===- FuseOps.cpp - Fuse activations into their producers ----------------===//
//
// Part of qopt. Implements `--fuse-ops`: relu and clip become the
// fused_activation of a conv2d, fully_connected, matmul or add whose only
// user they are. Clamps compose: the fused range is the intersection.
//
//===----------------------------------------------------------------------===//

#include "qopt/Dialect/QNN/IR/QNN.h"
#include "qopt/Dialect/QNN/Transforms/Passes.h"
#include "qopt/Dialect/QNN/Transforms/Transforms.h"

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

struct FuseOpsPass : qnn::impl::FuseOpsPassBase<FuseOpsPass> {
  using FuseOpsPassBase::FuseOpsPassBase;
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateFuseActivationPatterns(patterns, fuseAdd);
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
