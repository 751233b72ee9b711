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
  // Full tiles only (static shapes, no masks): the largest power of two up
  // to `width` that divides the extent.
  auto dividing = [](int64_t extent, int64_t max) {
    if (ShapedType::isDynamic(extent))
      return int64_t(1);
    int64_t t = max;
    while (t > 1 && extent % t != 0)
      t /= 2;
    return t;
  };
  tiles[vecDim] = dividing(ranges[vecDim], width);
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
        ShapedType::isDynamic(ranges[d]) || ranges[d] % kBlock != 0 ||
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

  void runOnOperation() override {
    SmallVector<linalg::LinalgOp> ops;
    getOperation()->walk([&](linalg::LinalgOp op) {
      if (op.hasPureTensorSemantics())
        ops.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::LinalgOp op : ops) {
      auto tiles = chooseTileSizes(op, vectorWidth);
      if (!tiles)
        continue;
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
        continue;
      rewriter.replaceOp(op, tiled->replacements);
      if (tiled->tiledOps.empty())
        continue;
      Operation *tile = tiled->tiledOps.back();
      rewriter.setInsertionPoint(tile);
      FailureOr<linalg::VectorizationResult> vec =
          linalg::vectorize(rewriter, tile);
      if (failed(vec))
        continue; // stays a (tiled) scalar loop nest
      if (tile->getNumResults())
        rewriter.replaceOp(tile, vec->replacements);
      else
        rewriter.eraseOp(tile);
    }
  }
};

struct HoistVectorTransfersPass
    : qnn::impl::HoistVectorTransfersPassBase<HoistVectorTransfersPass> {
  void runOnOperation() override {
    linalg::hoistRedundantVectorTransfers(getOperation());
  }
};

} // namespace
