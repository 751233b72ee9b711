//===- TileAndVectorize.cpp - CPU tiling and vectorization ----------------===//
//
// Part of qopt. Upstream tiling (scf::tileUsingSCF) and vectorization
// (linalg::vectorize with masks) with tile sizes chosen per op: the output's
// innermost dimension gets vector lanes; everything else is a loop.
//
//===----------------------------------------------------------------------===//

#include "qopt/Conversion/Passes.h"
#include "qopt/Conversion/Codegen/DotProductConv.h"
#include "qopt/Dialect/QNN/IR/QNN.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Hoisting.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/Dominance.h"
#include "mlir/Transforms/CSE.h"
#include "mlir/Transforms/LoopInvariantCodeMotionUtils.h"

namespace mlir {
namespace qnn {
#define GEN_PASS_DEF_TILEANDVECTORIZEPASS
#define GEN_PASS_DEF_HOISTVECTORTRANSFERSPASS
#include "qopt/Conversion/Passes.h.inc"
} // namespace qnn
} // namespace mlir

using namespace mlir;

namespace {

/// Tile sizes for `op`: the attribute if present, else 1 everywhere except
/// `width` lanes on the dimension that indexes the output's last dimension.
std::optional<SmallVector<int64_t>> chooseTileSizes(linalg::LinalgOp op,
                                                    int64_t width) {
  unsigned n = op.getNumLoops();
  if (auto attr = op->getAttrOfType<DenseI64ArrayAttr>("qopt.tile_sizes"))
    if (attr.size() == n)
      return SmallVector<int64_t>(attr.asArrayRef());
  if (op.getNumDpsInits() != 1 || n == 0)
    return std::nullopt;
  AffineMap out = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  if (out.getNumResults() == 0)
    return std::nullopt;
  auto last = dyn_cast<AffineDimExpr>(out.getResults().back());
  if (!last)
    return std::nullopt;
  SmallVector<int64_t> tiles(n, 1);
  unsigned vecDim = last.getPosition();
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  // Full vectors where the extent allows; the peeled remainder is scalar.
  // Extents shorter than a vector get the largest power of two that fits.
  auto fitting = [](int64_t extent, int64_t max) {
    if (ShapedType::isDynamic(extent))
      return max;
    // Prefer a width that divides the extent (no remainder tile) unless it
    // would be less than half the maximum.
    for (int64_t t = max; t >= max / 2 && t > 1; t /= 2)
      if (extent % t == 0)
        return t;
    int64_t t = max;
    while (t > 1 && t > extent)
      t /= 2;
    return t;
  };
  tiles[vecDim] = fitting(ranges[vecDim], width);
  // Register blocking for contractions: a second output dimension that some
  // input does not depend on (the output channels of a convolution, which
  // the input row does not vary with) gets kBlock rows, so every vector
  // loaded from that input feeds kBlock FMAs.
  constexpr int64_t kBlock = 8;
  if (op.getNumReductionLoops() == 0)
    return tiles;
  auto iters = op.getIteratorTypesArray();
  for (int64_t d = n - 1; d >= 0; --d) {
    if ((unsigned)d == vecDim || iters[d] != utils::IteratorType::parallel ||
        ShapedType::isDynamic(ranges[d]) || ranges[d] < kBlock ||
        !out.isFunctionOfDim(d))
      continue;
    bool reused = llvm::any_of(op.getDpsInputOperands(), [&](OpOperand *in) {
      AffineMap m = op.getMatchingIndexingMap(in);
      return m.isFunctionOfDim(vecDim) && !m.isFunctionOfDim(d);
    });
    if (reused) {
      tiles[d] = kBlock;
      break;
    }
  }
  return tiles;
}

/// Largest of `candidates` that divides `extent`, or 0.
int64_t largestDivisor(int64_t extent, ArrayRef<int64_t> candidates) {
  for (int64_t c : candidates)
    if (c <= extent && extent % c == 0)
      return c;
  return 0;
}

/// Register tiling of an NHWC convolution (dense or depthwise). One output
/// row, `ow` output columns and `ch` channels per tile; the accumulators
/// (ow x ch/16 vectors) stay in registers while kernel rows and input
/// channels are reduction loops around the 1-D convolution that upstream
/// vectorizes (Conv1DGenerator: unrolled over kernel width and columns,
/// broadcast input times weight-vector FMAs).
struct ConvTiles {
  int64_t ow = 0, ch = 0;
  bool depthwise = false;
  bool dotProduct = false; // --integer-only's u8 x s8 layout
};

std::optional<ConvTiles> chooseConvTiles(linalg::LinalgOp op) {
  ConvTiles t;
  t.depthwise = isa<linalg::DepthwiseConv2DNhwcHwcOp>(op);
  t.dotProduct = qnn::isDotProductConv(op);
  if (!t.depthwise && !t.dotProduct && !isa<linalg::Conv2DNhwcHwcfOp>(op))
    return std::nullopt;
  auto out = cast<RankedTensorType>(op->getResult(0).getType());
  if (ShapedType::isDynamic(out.getDimSize(2)) ||
      ShapedType::isDynamic(out.getDimSize(3)) ||
      ShapedType::isDynamic(out.getDimSize(1)))
    return std::nullopt;
  int64_t channels = out.getDimSize(3), width = out.getDimSize(2);
  // Up to 32 channels: for depthwise, two independent 16-lane accumulator
  // chains per column hide the 9-deep multiply-add latency (fp32 3-5%).
  t.ch = largestDivisor(channels, {32, 16, 8});
  if (!t.ch)
    t.ch = channels <= 32 ? channels : 0;
  if (!t.ch)
    return std::nullopt;
  int64_t maxW = t.ch > 16 ? 12 : 16;
  if (t.depthwise)
    maxW = 8;
  for (int64_t w = std::min(maxW, width); w >= 1; --w)
    if (width % w == 0) {
      t.ow = w;
      break;
    }
  return t;
}

struct TileAndVectorizePass
    : qnn::impl::TileAndVectorizePassBase<TileAndVectorizePass> {
  using TileAndVectorizePassBase::TileAndVectorizePassBase;

  /// Phase 1: tile every linalg op; peel the vector loop so that all but the
  /// last tile are full (static) and mark those tiles for vectorization.
  void tile(linalg::LinalgOp op, IRRewriter &rewriter) {
    auto tiles = chooseTileSizes(op, vectorWidth);
    if (!tiles)
      return;
    // Parallel loops outside, reductions inside.
    SmallVector<int64_t> interchange;
    auto iters = op.getIteratorTypesArray();
    for (auto [i, it] : llvm::enumerate(iters))
      if (it == utils::IteratorType::parallel)
        interchange.push_back(i);
    for (auto [i, it] : llvm::enumerate(iters))
      if (it != utils::IteratorType::parallel)
        interchange.push_back(i);
    scf::SCFTilingOptions options;
    options.setTileSizes(getAsIndexOpFoldResult(&getContext(), *tiles));
    options.setInterchange(interchange);
    rewriter.setInsertionPoint(op);
    FailureOr<scf::SCFTilingResult> tiled = scf::tileUsingSCF(
        rewriter, cast<TilingInterface>(op.getOperation()), options);
    if (failed(tiled))
      return;
    rewriter.replaceOp(op, tiled->replacements);
    if (tiled->tiledOps.empty())
      return;
    Operation *tileOp = tiled->tiledOps.back();
    tileOp->setAttr("qopt.vectorize", rewriter.getDenseI64ArrayAttr(*tiles));
    tileOp->removeAttr("qopt.tile_sizes");
    // Peel every loop whose tile may be partial (the vector and block
    // dimensions): the main loop then only sees full tiles.
    for (auto [loopIdx, dim] : llvm::enumerate(interchange)) {
      if ((*tiles)[dim] <= 1 || loopIdx >= tiled->loops.size())
        continue;
      auto forOp = dyn_cast<scf::ForOp>(tiled->loops[loopIdx].getOperation());
      if (!forOp)
        continue;
      // With static extents the remainder tile is static too, and gets
      // vectorized with shorter vectors.
      scf::ForOp partial;
      (void)scf::peelForLoopAndSimplifyBounds(rewriter, forOp, partial);
    }
  }

  /// Tiles an NHWC convolution and the elementwise op consuming it (bias is
  /// already the accumulator's initial value; the consumer applies the
  /// activation and permutes back) into register tiles; see ConvTiles.
  void tileConv(linalg::LinalgOp conv, const ConvTiles &t,
                IRRewriter &rewriter) {
    MLIRContext *ctx = &getContext();
    // Parallel tiling of the consumer when it is an NHWC elementwise op
    // reading the accumulator and writing its result in the same layout
    // (activation, requantization; per-channel parameters may broadcast) so
    // that it works on the accumulators in registers;
    // otherwise of the convolution alone.
    Operation *root = conv;
    Value result = conv->getResult(0);
    if (result.hasOneUse())
      if (auto user = dyn_cast<linalg::GenericOp>(*result.getUsers().begin()))
        if (user.getNumLoops() == 4 && user.getNumReductionLoops() == 0 &&
            user.getNumDpsInits() == 1 &&
            user.getMatchingIndexingMap(&*result.getUses().begin())
                .isIdentity() &&
            user.getMatchingIndexingMap(user.getDpsInitOperand(0))
                .isIdentity())
          root = user;
    SmallVector<int64_t> par = {1, 1, t.ow, t.ch};
    scf::SCFTilingOptions tiling;
    tiling.setTileSizes(getAsIndexOpFoldResult(ctx, par));
    // Dot-product convolutions loop over channel blocks outside the pixels:
    // a block's weights ([C/4, ch, 4] bytes) stay in L1 across the whole
    // output map instead of cycling all weights per output tile (4-8% on
    // mobilenet_v2 224, neutral at 32x32 batch 64).
    if (t.dotProduct)
      tiling.setInterchange({0, 3, 1, 2});
    scf::SCFTileAndFuseOptions options;
    options.setTilingOptions(tiling);
    // Fuse the convolution and its accumulator initialisation (fill or
    // bias broadcast), never its input (permutation, padding).
    options.setFusionControlFn(
        [&](tensor::ExtractSliceOp, OpResult producer, bool isDestination)
            -> std::optional<scf::SCFTileAndFuseOptions::ControlFnResult> {
          if (producer.getOwner() == conv.getOperation() ||
              producer == conv.getDpsInits()[0])
            return scf::SCFTileAndFuseOptions::ControlFnResult{};
          return std::nullopt;
        });
    rewriter.setInsertionPoint(root);
    FailureOr<scf::SCFTileAndFuseResult> fused =
        scf::tileConsumerAndFuseProducersUsingSCF(
            rewriter, cast<TilingInterface>(root), options);
    if (failed(fused))
      return;
    for (OpResult r : root->getResults())
      if (Value v = fused->replacements.lookup(r))
        rewriter.replaceAllUsesWith(r, v);
    // The loop bounds read the original ops' shapes (tensor.dim): resolve
    // them to the inputs' so that the untiled ops die.
    {
      RewritePatternSet dims(ctx);
      memref::populateResolveRankedShapedTypeResultDimsPatterns(dims);
      tensor::DimOp::getCanonicalizationPatterns(dims, ctx);
      (void)applyPatternsGreedily(getOperation(), std::move(dims));
    }
    linalg::LinalgOp tiledConv;
    for (Operation *op : fused->tiledAndFusedOps) {
      if (isa<linalg::Conv2DNhwcHwcfOp, linalg::DepthwiseConv2DNhwcHwcOp>(op) ||
          qnn::isDotProductConv(op))
        tiledConv = cast<linalg::LinalgOp>(op);
      else if (isa<linalg::LinalgOp>(op))
        op->setAttr("qopt.vectorize", rewriter.getUnitAttr());
    }
    if (!tiledConv)
      return;
    // Reduction loops: kernel rows one at a time (so the op decomposes into
    // a 1-D convolution), input channels one at a time (dense only); the
    // kernel width stays whole inside the vectorized 1-D convolution.
    // Dot-product convolutions loop over the kernel width and the groups of
    // four channels too; the group itself is the dot product.
    SmallVector<int64_t> red =
        t.dotProduct  ? SmallVector<int64_t>{0, 0, 0, 0, 1, 1, 1, 0}
        : t.depthwise ? SmallVector<int64_t>{0, 0, 0, 0, 1, 0}
                      : SmallVector<int64_t>{0, 0, 0, 0, 1, 0, 1};
    scf::SCFTilingOptions redOptions;
    redOptions.setTileSizes(getAsIndexOpFoldResult(ctx, red));
    rewriter.setInsertionPoint(tiledConv);
    FailureOr<scf::SCFTilingResult> tiled = scf::tileUsingSCF(
        rewriter, cast<TilingInterface>(tiledConv.getOperation()), redOptions);
    if (failed(tiled))
      return;
    rewriter.replaceOp(tiledConv, tiled->replacements);
  }

  /// Peeled full tiles still see their operands through tensor.cast to
  /// dynamic shapes; rebuild the op on the static sources.
  static linalg::LinalgOp makeStatic(linalg::LinalgOp op,
                                     IRRewriter &rewriter) {
    if (!op.hasDynamicShape())
      return op;
    SmallVector<Value> operands;
    for (Value v : op->getOperands()) {
      if (auto cast = v.getDefiningOp<tensor::CastOp>();
          cast && cast.getSource().getType().hasStaticShape())
        v = cast.getSource();
      if (auto t = dyn_cast<RankedTensorType>(v.getType());
          t && !t.hasStaticShape())
        return op;
      operands.push_back(v);
    }
    rewriter.setInsertionPoint(op);
    Operation *clone = rewriter.clone(*op);
    clone->setOperands(operands);
    auto dps = cast<DestinationStyleOpInterface>(clone);
    SmallVector<Value> results;
    for (auto [i, r] : llvm::enumerate(clone->getResults())) {
      Type oldType = r.getType();
      r.setType(dps.getDpsInits()[i].getType());
      results.push_back(r.getType() == oldType
                            ? Value(r)
                            : Value(tensor::CastOp::create(rewriter, op.getLoc(),
                                                           oldType, r)));
    }
    rewriter.replaceOp(op, results);
    return cast<linalg::LinalgOp>(clone);
  }

  /// Every registered op's canonicalization patterns, applied greedily.
  void canonicalize() {
    RewritePatternSet canon(&getContext());
    for (RegisteredOperationName name :
         getContext().getRegisteredOperations())
      name.getCanonicalizationPatterns(canon, &getContext());
    (void)applyPatternsGreedily(getOperation(), std::move(canon));
  }

  void runOnOperation() override {
    IRRewriter rewriter(&getContext());

    // Convolutions first: they choose their consumers' tiling.
    SmallVector<std::pair<linalg::LinalgOp, ConvTiles>> convs;
    getOperation()->walk([&](linalg::LinalgOp op) {
      if (op.hasPureTensorSemantics())
        if (std::optional<ConvTiles> t = chooseConvTiles(op))
          convs.push_back({op, *t});
    });
    for (auto &[conv, t] : convs)
      tileConv(conv, t, rewriter);
    // 1-D convolutions that upstream vectorizes.
    {
      RewritePatternSet decompose(&getContext());
      linalg::populateDecomposeConvolutionPatterns(decompose);
      (void)applyPatternsGreedily(getOperation(), std::move(decompose));
    }

    SmallVector<linalg::LinalgOp> ops;
    getOperation()->walk([&](linalg::LinalgOp op) {
      if (!op.hasPureTensorSemantics())
        return;
      bool convTile = (isa<linalg::ConvolutionOpInterface>(op.getOperation()) &&
                       !isa<linalg::GenericOp>(op)) ||
                      qnn::isDotProductConv(op);
      if (convTile && op->getParentOfType<scf::ForOp>()) {
        op->setAttr("qopt.vectorize", UnitAttr::get(&getContext()));
        return;
      }
      if (!op->hasAttr("qopt.vectorize"))
        ops.push_back(op);
    });
    for (linalg::LinalgOp op : ops)
      tile(op, rewriter);

    // Fold the peeled bounds into static tile shapes.
    canonicalize();

    // Phase 2: vectorize the full tiles; dot-product convolution tiles are
    // written as vector code directly.
    SmallVector<linalg::GenericOp> dotTiles;
    getOperation()->walk([&](linalg::GenericOp op) {
      if (op->hasAttr("qopt.vectorize") && qnn::isDotProductConv(op))
        dotTiles.push_back(op);
    });
    for (linalg::GenericOp op : dotTiles) {
      op->removeAttr("qopt.vectorize");
      auto tile = cast<linalg::GenericOp>(
          makeStatic(cast<linalg::LinalgOp>(op.getOperation()), rewriter)
              .getOperation());
      (void)qnn::vectorizeDotProductConvTile(rewriter, tile);
    }
    SmallVector<linalg::LinalgOp> tilesToVectorize;
    getOperation()->walk([&](linalg::LinalgOp op) {
      if (op->hasAttr("qopt.vectorize") && op.hasPureTensorSemantics())
        tilesToVectorize.push_back(op);
    });
    for (linalg::LinalgOp op : tilesToVectorize) {
      op->removeAttr("qopt.vectorize");
      op = makeStatic(op, rewriter);
      if (op.hasDynamicShape())
        continue;
      rewriter.setInsertionPoint(op);
      FailureOr<linalg::VectorizationResult> vec =
          linalg::vectorize(rewriter, op);
      if (failed(vec))
        continue; // stays a (tiled) scalar loop nest
      if (op->getNumResults())
        rewriter.replaceOp(op, vec->replacements);
      else
        rewriter.eraseOp(op);
    }
    getOperation()->walk(
        [](linalg::LinalgOp op) { op->removeAttr("qopt.vectorize"); });

    // Accumulators of the reduction loops become loop-carried vectors
    // (transfer_read / transfer_write pairs on the iteration tensor move out
    // of the loop), innermost loops first.
    // (Subsets are matched syntactically: fold and CSE the indices first.)
    canonicalize();
    {
      DominanceInfo dom(getOperation());
      eliminateCommonSubExpressions(rewriter, dom, getOperation());
    }
    SmallVector<scf::ForOp> loops;
    getOperation()->walk([&](scf::ForOp loop) { loops.push_back(loop); });
    for (scf::ForOp loop : loops)
      (void)hoistLoopInvariantSubsets(rewriter, loop);

    // Contractions from the 1-D convolutions become broadcast FMAs; reads
    // of a tile just written (accumulator -> activation) forward the value.
    RewritePatternSet lowering(&getContext());
    tensor::populateFoldTensorSubsetIntoVectorTransferPatterns(lowering);
    tensor::populateFoldTensorSubsetOpPatterns(lowering);
    vector::populateVectorContractLoweringPatterns(
        lowering, vector::VectorContractLowering::OuterProduct);
    vector::populateVectorTransferPermutationMapLoweringPatterns(lowering);
    vector::populateCastAwayVectorLeadingOneDimPatterns(lowering);
    (void)applyPatternsGreedily(getOperation(), std::move(lowering));
  }
};

struct HoistVectorTransfersPass
    : qnn::impl::HoistVectorTransfersPassBase<HoistVectorTransfersPass> {
  void runOnOperation() override {
    linalg::hoistRedundantVectorTransfers(getOperation());
    // n-D transfers of contiguous memory (a [channels x 4] weight tile of a
    // dot-product convolution) become one 1-D transfer: unrolled to rows
    // instead, LLVM assembles the vector from 4-byte pieces.
    RewritePatternSet flatten(&getContext());
    vector::populateFlattenVectorTransferPatterns(flatten);
    (void)applyPatternsGreedily(getOperation(), std::move(flatten));
  }
};

} // namespace
