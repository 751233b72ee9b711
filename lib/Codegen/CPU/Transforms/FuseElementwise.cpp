//===- FuseElementwise.cpp - Elementwise fusion around dot-product convs --===//
//
// Part of qopt. Upstream linalg-fuse-elementwise-ops with a control function
// that leaves the operands of dot-product convolutions materialised.
//
//===----------------------------------------------------------------------===//

#include "qopt/Codegen/CPU/Transforms/Passes.h"
#include "qopt/Codegen/CPU/Transforms/DotProductConv.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir {
namespace qcpu {
#define GEN_PASS_DEF_FUSEELEMENTWISEPASS
#include "qopt/Codegen/CPU/Transforms/Passes.h.inc"
} // namespace qcpu
} // namespace mlir

using namespace mlir;

namespace {

/// The NCHW -> NHWC permutation as an indexing map: loops (n, h, w, c)
/// reading an NCHW tensor.
AffineMap channelsLastRead(MLIRContext *ctx) {
  return AffineMap::getPermutationMap(ArrayRef<unsigned>{0, 3, 1, 2}, ctx);
}

/// A generic that only copies its one input channels-last
/// (out[n, h, w, c] = in[n, c, h, w]).
bool isChannelsLastCopy(linalg::GenericOp op) {
  if (op.getNumDpsInputs() != 1 || op.getNumDpsInits() != 1 ||
      op.getNumReductionLoops() != 0 || op.getNumLoops() != 4)
    return false;
  auto yield = cast<linalg::YieldOp>(op.getBody()->getTerminator());
  return yield.getNumOperands() == 1 &&
         yield.getOperand(0) == op.getBody()->getArgument(0) &&
         op.getMatchingIndexingMap(op.getDpsInitOperand(0)).isIdentity() &&
         op.getMatchingIndexingMap(op.getDpsInputOperand(0)) ==
             channelsLastRead(op.getContext());
}

/// A generic that reads `use` (one of its inputs) and could read the value
/// in another layout by changing its indexing map.
linalg::GenericOp retargetableReader(OpOperand &use) {
  auto g = dyn_cast<linalg::GenericOp>(use.getOwner());
  if (!g || !g.hasPureTensorSemantics() || !g.isDpsInput(&use))
    return {};
  return g;
}

/// An elementwise generic whose result has several users, one of them
/// reading it in channels-last order (a permutation to NHWC before the next
/// convolution or pool, or an elementwise op on NHWC loops such as a
/// squeeze-and-excitation product), is computed channels-last instead.
/// Generic readers get their indexing map permuted to match (a permuting
/// copy disappears); any other user reads the result through the inverse
/// permutation. Residual additions (read by the next block and by the skip
/// connection), activations feeding both a convolution and a concatenation,
/// and activations read by a squeeze-and-excitation pool and product then
/// stay channels-last. With one user, upstream's fusion does the same.
struct ComputeChannelsLast : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::GenericOp op,
                                PatternRewriter &rewriter) const override {
    if (op.getNumDpsInits() != 1 || op.getNumLoops() != 4 ||
        op.getNumReductionLoops() != 0 || op.hasIndexSemantics() ||
        !op.getMatchingIndexingMap(op.getDpsInitOperand(0)).isIdentity() ||
        op->getResult(0).hasOneUse() || !op.hasPureTensorSemantics())
      return failure();
    // The new init is an empty tensor: a body that reads its output (an
    // Einsum accumulating into a filled init) would read garbage.
    if (op.payloadUsesValueFromOperand(op.getDpsInitOperand(0)))
      return failure();
    if (llvm::any_of(op.getDpsInputOperands(), [&](OpOperand *in) {
          return !op.getMatchingIndexingMap(in).isProjectedPermutation();
        }))
      return failure();
    MLIRContext *ctx = op.getContext();
    if (llvm::none_of(op->getResult(0).getUses(), [&](OpOperand &use) {
          linalg::GenericOp g = retargetableReader(use);
          return g && g.getMatchingIndexingMap(&use) == channelsLastRead(ctx);
        }))
      return failure();
    Location loc = op.getLoc();
    // New loops j = (n, h, w, c) index the old ones through i = P(j).
    AffineMap toOld = channelsLastRead(ctx);
    SmallVector<AffineMap> maps;
    for (OpOperand *in : op.getDpsInputOperands())
      maps.push_back(op.getMatchingIndexingMap(in).compose(toOld));
    maps.push_back(AffineMap::getMultiDimIdentityMap(4, ctx));
    auto oldType = cast<RankedTensorType>(op->getResult(0).getType());
    SmallVector<int64_t> shape;
    SmallVector<Value> dynDims;
    rewriter.setInsertionPoint(op);
    for (unsigned d : {0u, 2u, 3u, 1u}) {
      shape.push_back(oldType.getDimSize(d));
      if (oldType.isDynamicDim(d))
        dynDims.push_back(tensor::DimOp::create(
            rewriter, loc, op.getDpsInitOperand(0)->get(), d));
    }
    auto newType = RankedTensorType::get(shape, oldType.getElementType());
    Value init = tensor::EmptyOp::create(rewriter, loc, newType, dynDims);
    auto channelsLast = linalg::GenericOp::create(
        rewriter, loc, TypeRange{newType}, op.getDpsInputs(), ValueRange{init},
        maps, op.getIteratorTypesArray());
    rewriter.inlineRegionBefore(op.getRegion(), channelsLast.getRegion(),
                                channelsLast.getRegion().begin());
    Value result = channelsLast->getResult(0);

    SmallVector<OpOperand *> uses;
    for (OpOperand &use : op->getResult(0).getUses())
      uses.push_back(&use);
    Value back; // the result in the old layout, made on first need
    for (OpOperand *use : uses) {
      linalg::GenericOp g = retargetableReader(*use);
      if (!g) {
        if (!back)
          back = permuteBack(rewriter, loc, result, oldType);
        rewriter.modifyOpInPlace(use->getOwner(), [&] { use->set(back); });
        continue;
      }
      if (isChannelsLastCopy(g)) {
        rewriter.replaceOp(g, result);
        continue;
      }
      AffineMap map = g.getMatchingIndexingMap(use);
      // NCHW coordinates (r0, r1, r2, r3) are NHWC (r0, r2, r3, r1).
      AffineMap moved = AffineMap::get(
          map.getNumDims(), map.getNumSymbols(),
          {map.getResult(0), map.getResult(2), map.getResult(3),
           map.getResult(1)},
          ctx);
      SmallVector<AffineMap> gMaps = g.getIndexingMapsArray();
      gMaps[use->getOperandNumber()] = moved;
      rewriter.modifyOpInPlace(g, [&] {
        use->set(result);
        g.setIndexingMapsAttr(rewriter.getAffineMapArrayAttr(gMaps));
      });
    }
    rewriter.eraseOp(op);
    return success();
  }

  /// `v` (NHWC) as an NCHW tensor of `oldType`.
  static Value permuteBack(PatternRewriter &rewriter, Location loc, Value v,
                           RankedTensorType oldType) {
    MLIRContext *ctx = rewriter.getContext();
    SmallVector<Value> oldDims;
    for (int64_t d = 0; d < 4; ++d)
      if (oldType.isDynamicDim(d))
        oldDims.push_back(tensor::DimOp::create(
            rewriter, loc, v, d == 0 ? 0 : (d == 1 ? 3 : d - 1)));
    Value oldInit = tensor::EmptyOp::create(rewriter, loc, oldType, oldDims);
    return linalg::GenericOp::create(
               rewriter, loc, TypeRange{oldType}, ValueRange{v},
               ValueRange{oldInit},
               SmallVector<AffineMap>{AffineMap::getPermutationMap(
                                          ArrayRef<unsigned>{0, 2, 3, 1}, ctx),
                                      AffineMap::getMultiDimIdentityMap(4, ctx)},
               SmallVector<utils::IteratorType>(4, utils::IteratorType::parallel),
               [](OpBuilder &b, Location l, ValueRange a) {
                 linalg::YieldOp::create(b, l, a[0]);
               })
        ->getResult(0);
  }
};

/// linalg.transpose (ONNX Transpose, a model's NHWC input permuted to
/// NCHW) as a generic, so that it fuses with its neighbours and cancels
/// against the permutations around convolutions.
struct GeneralizeTranspose : OpRewritePattern<linalg::TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::TransposeOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics())
      return failure();
    return linalg::generalizeNamedOp(rewriter, op);
  }
};

/// A static tensor.reshape (the lowering of qnn.reshape) as the
/// expand_shape or collapse_shape it is, or a collapse followed by an
/// expand: upstream's fusion moves those through generics, so the
/// permutations on either side of a reshape compose (a quantized matmul run
/// as a 1x1 convolution reshaped and transposed its rows into the
/// convolution's layout and back: three byte-by-byte copies that composed
/// to none, 70% of a 256x512x512 int8 product's time).
struct ReshapeAsExpandOrCollapse : OpRewritePattern<tensor::ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tensor::ReshapeOp op,
                                PatternRewriter &rewriter) const override {
    auto src = cast<RankedTensorType>(op.getSource().getType());
    auto dst = cast<RankedTensorType>(op.getResult().getType());
    if (!src.hasStaticShape() || !dst.hasStaticShape() || src.getRank() == 0 ||
        dst.getRank() == 0)
      return failure();
    ArrayRef<int64_t> from = src.getShape(), to = dst.getShape();
    if (src.getRank() > dst.getRank())
      if (auto r = getReassociationIndicesForCollapse(from, to)) {
        rewriter.replaceOpWithNewOp<tensor::CollapseShapeOp>(
            op, dst, op.getSource(), *r);
        return success();
      }
    if (dst.getRank() > src.getRank())
      if (auto r = getReassociationIndicesForCollapse(to, from)) {
        rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(op, dst,
                                                           op.getSource(), *r);
        return success();
      }
    // Neither is a refinement of the other: through the shape of their
    // non-unit dims when both have the same ones ([1, 512, 1, 256] ->
    // [1, 1, 512, 256]).
    SmallVector<int64_t> core;
    for (int64_t d : from)
      if (d != 1)
        core.push_back(d);
    SmallVector<int64_t> coreTo(
        llvm::make_filter_range(to, [](int64_t d) { return d != 1; }));
    if (core != coreTo || core.empty() || core.size() == from.size() ||
        core.size() == to.size())
      return failure();
    auto collapse = getReassociationIndicesForCollapse(from, core);
    auto expand = getReassociationIndicesForCollapse(to, core);
    if (!collapse || !expand)
      return failure();
    Value c = tensor::CollapseShapeOp::create(
        rewriter, op.getLoc(),
        RankedTensorType::get(core, src.getElementType()), op.getSource(),
        *collapse);
    rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(op, dst, c, *expand);
    return success();
  }
};

struct FuseElementwisePass
    : qcpu::impl::FuseElementwisePassBase<FuseElementwisePass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    // Upstream's default (a producer with one use), except into a
    // dot-product convolution.
    // Nor into a reduction that would recompute the producer: through a
    // window (pooling: once per window covering an element, a
    // requantization 9 times under a 3x3 pool), or across a parallel loop
    // the operand does not vary with (a matmul's activations once per
    // output column: a 1000-class classifier evaluated its input's
    // hard-swish table 1000 times per element).
    linalg::ControlFusionFn control = [](OpOperand *fused) {
      Operation *producer = fused->get().getDefiningOp();
      if (!producer || !producer->hasOneUse() ||
          qcpu::isDotProductConv(fused->getOwner()) ||
          qcpu::isPanelConv(fused->getOwner()))
        return false;
      auto consumer = dyn_cast<linalg::LinalgOp>(fused->getOwner());
      if (!consumer || consumer.getNumReductionLoops() == 0)
        return true;
      AffineMap map = consumer.getMatchingIndexingMap(fused);
      if (!map.isProjectedPermutation())
        return false;
      for (auto [d, it] : llvm::enumerate(consumer.getIteratorTypesArray()))
        if (it == utils::IteratorType::parallel && !map.isFunctionOfDim(d))
          return false;
      return true;
    };
    RewritePatternSet patterns(ctx);
    patterns.add<ComputeChannelsLast, GeneralizeTranspose,
                 ReshapeAsExpandOrCollapse>(ctx);
    linalg::populateElementwiseOpsFusionPatterns(patterns, control);
    linalg::populateFoldReshapeOpsByExpansionPatterns(patterns, control);
    tensor::populateBubbleUpExpandShapePatterns(patterns);
    affine::AffineApplyOp::getCanonicalizationPatterns(patterns, ctx);
    linalg::GenericOp::getCanonicalizationPatterns(patterns, ctx);
    tensor::ExpandShapeOp::getCanonicalizationPatterns(patterns, ctx);
    tensor::CollapseShapeOp::getCanonicalizationPatterns(patterns, ctx);
    ctx->getLoadedDialect<linalg::LinalgDialect>()->getCanonicalizationPatterns(
        patterns);
    linalg::populateConstantFoldLinalgOperations(patterns, control);
    (void)applyPatternsGreedily(getOperation(), std::move(patterns),
                                GreedyRewriteConfig().setUseTopDownTraversal());
  }
};

} // namespace
