//===- TileAndVectorize.cpp - CPU tiling and vectorization ----------------===//
//
// Part of qopt. Upstream tiling (scf::tileUsingSCF) and vectorization
// (linalg::vectorize with masks) with tile sizes chosen per op: the output's
// innermost dimension gets vector lanes; everything else is a loop.
//
//===----------------------------------------------------------------------===//

#include "qopt/Conversion/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Hoisting.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"

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

  void runOnOperation() override {
    SmallVector<linalg::LinalgOp> ops;
    getOperation()->walk([&](linalg::LinalgOp op) {
      if (op.hasPureTensorSemantics())
        ops.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::LinalgOp op : ops)
      tile(op, rewriter);

    // Fold the peeled bounds into static tile shapes.
    RewritePatternSet canon(&getContext());
    for (RegisteredOperationName name :
         getContext().getRegisteredOperations())
      name.getCanonicalizationPatterns(canon, &getContext());
    (void)applyPatternsGreedily(getOperation(), std::move(canon));

    // Phase 2: vectorize the full tiles.
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
  }
};

struct HoistVectorTransfersPass
    : qnn::impl::HoistVectorTransfersPassBase<HoistVectorTransfersPass> {
  void runOnOperation() override {
    linalg::hoistRedundantVectorTransfers(getOperation());
  }
};

} // namespace
