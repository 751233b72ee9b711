//===- TileAndVectorize.cpp - CPU tiling and vectorization ----------------===//
//
// Part of qopt. Upstream tiling (scf::tileUsingSCF) and vectorization
// (linalg::vectorize) following each op's #qcpu.lowering_config, which
// qopt-select-cpu-strategy chose. A register tile made here gets a config
// with empty tile sizes: "a tile, vectorize it". Ops without a config are
// left alone; the configs are consumed.
//
//===----------------------------------------------------------------------===//

#include "qopt/Codegen/CPU/Transforms/DotProductConv.h"
#include "qopt/Codegen/CPU/Transforms/DotProductMatMul.h"
#include "qopt/Codegen/CPU/Transforms/Passes.h"
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
namespace qcpu {
#define GEN_PASS_DEF_TILEANDVECTORIZEPASS
#define GEN_PASS_DEF_HOISTVECTORTRANSFERSPASS
#include "qopt/Codegen/CPU/Transforms/Passes.h.inc"
} // namespace qcpu
} // namespace mlir

using namespace mlir;

namespace {

using qcpu::KernelKind;
using qcpu::LoweringConfigAttr;

LoweringConfigAttr getConfig(Operation *op) {
  return op->getAttrOfType<LoweringConfigAttr>(
      LoweringConfigAttr::getAttrName());
}

/// Marks `op` as a register tile to vectorize (empty tile sizes).
void markTile(Operation *op, KernelKind kernel) {
  op->setAttr(LoweringConfigAttr::getAttrName(),
              LoweringConfigAttr::get(op->getContext(), ArrayRef<int64_t>{}, kernel));
}

bool isTile(Operation *op) {
  LoweringConfigAttr config = getConfig(op);
  return config && config.getSizes().empty();
}

/// The kernel the strategy chose for `op` (carried by its tiles: tiling
/// clones keep the config), Generic without one. Tiling and vectorization
/// read this instead of matching the op's structure again.
KernelKind kernelOf(Operation *op) {
  LoweringConfigAttr config = getConfig(op);
  return config ? config.getKernel() : KernelKind::Generic;
}

/// Whether `op` runs inside a loop of the model itself (ONNX Loop/Scan,
/// recurrent layers' time steps): TileAndVectorize makes no loops before
/// its tiling, so any enclosing scf.for / scf.while is the model's.
bool insideModelLoop(Operation *op) {
  return op->getParentOfType<scf::ForOp>() ||
         op->getParentOfType<scf::WhileOp>();
}

bool isWeightPanelKernel(Operation *op) {
  KernelKind k = kernelOf(op);
  return k == KernelKind::DotProductConv || k == KernelKind::PanelConv;
}

/// shape_cast(broadcast(x)) where the shape_cast drops unit dimensions
/// becomes broadcast(shape_cast(x)). LLVM 22's canonicalizer rewrites the
/// first form to broadcast(x) whenever x broadcasts to the result, which is
/// wrong when the dropped unit dimension was x's own (vector<8x1> broadcast
/// to 8x8x1, cast to 8x8: the canonical form would stretch x's unit
/// dimension instead of repeating x's column). Rewriting first keeps that
/// pattern from seeing it.
struct ShapeCastOfBroadcast : OpRewritePattern<vector::ShapeCastOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(vector::ShapeCastOp cast,
                                PatternRewriter &rewriter) const override {
    auto bcast = cast.getSource().getDefiningOp<vector::BroadcastOp>();
    if (!bcast)
      return failure();
    auto srcType = dyn_cast<VectorType>(bcast.getSourceType());
    if (!srcType)
      return failure(); // a scalar broadcast is fine as it is
    ArrayRef<int64_t> d = bcast.getResultVectorType().getShape();
    ArrayRef<int64_t> r = cast.getResultVectorType().getShape();
    ArrayRef<int64_t> x = srcType.getShape();
    int64_t lead = d.size() - x.size();
    // r must be d with some unit dimensions removed.
    SmallVector<int64_t> keptX;
    size_t j = 0;
    for (size_t i = 0; i < d.size(); ++i) {
      if (j < r.size() && r[j] == d[i]) {
        ++j;
        if ((int64_t)i >= lead)
          keptX.push_back(x[i - lead]);
        continue;
      }
      if (d[i] != 1)
        return failure();
    }
    if (j != r.size() || keptX.size() == x.size())
      return failure();
    auto newSrcType = VectorType::get(keptX, srcType.getElementType());
    Value src = bcast.getSource();
    if (keptX.empty())
      src = vector::ExtractOp::create(rewriter, cast.getLoc(), src,
                                      SmallVector<int64_t>(x.size(), 0));
    else
      src = vector::ShapeCastOp::create(rewriter, cast.getLoc(), newSrcType,
                                        src);
    rewriter.replaceOpWithNewOp<vector::BroadcastOp>(
        cast, cast.getResultVectorType(), src);
    return success();
  }
};

/// Booleans stay scalar: LLVM packs vectors of i1 into bits in memory, while
/// scalar i1 loads and stores (and .npy bool arrays) use one byte each.
static bool touchesBooleans(linalg::LinalgOp op) {
  auto isBool = [](Type t) { return getElementTypeOrSelf(t).isInteger(1); };
  return llvm::any_of(op->getOperandTypes(), isBool) ||
         llvm::any_of(op->getResultTypes(), isBool);
}

struct TileAndVectorizePass
    : qcpu::impl::TileAndVectorizePassBase<TileAndVectorizePass> {
  using TileAndVectorizePassBase::TileAndVectorizePassBase;

  /// Phase 1: tile every linalg op; peel the vector loop so that all but the
  /// last tile are full (static) and mark those tiles for vectorization.
  /// With `parallel`: an scf.forall over the outermost parallel dimension
  /// of `op` that the config does not vectorize (tile size 1) and whose
  /// extent is above one, when the op does enough work to pay for a
  /// parallel region; returns the op inside it (or `op` unchanged).
  linalg::LinalgOp distribute(linalg::LinalgOp op, ArrayRef<int64_t> sizes,
                              IRRewriter &rewriter) {
    constexpr int64_t kMinIterations = 1 << 14;
    if (!threaded || op.hasDynamicShape())
      return op;
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    int64_t work = 1;
    for (int64_t r : ranges)
      work *= r;
    // Inside a model's own loop (a recurrent layer's steps) a parallel
    // region is entered once per step: only much larger ops pay for it.
    if (work < (insideModelLoop(op) ? kMinIterations << 4 : kMinIterations))
      return op;
    auto iters = op.getIteratorTypesArray();
    // Dot-product matrix products take whole register tiles per iteration,
    // along any parallel dimension the tiles divide; a W4A8 product splits
    // its output tiles first (each thread streams its share of the weights:
    // a one-row product has nothing else to split).
    KernelKind kernel = kernelOf(op);
    bool wholeTiles =
        kernel == KernelKind::BlockDot || kernel == KernelKind::DotMatMul;
    SmallVector<int64_t> order;
    if (kernel == KernelKind::BlockDot)
      order.push_back(op.getNumLoops() - 6); // t
    for (int64_t d = 0; d < (int64_t)op.getNumLoops(); ++d)
      order.push_back(d);
    for (int64_t d : order) {
      int64_t step = sizes[d] == 1 ? 1 : 0;
      if (wholeTiles && sizes[d] > 1 && ranges[d] > sizes[d] &&
          ranges[d] % sizes[d] == 0)
        step = sizes[d];
      if (iters[d] != utils::IteratorType::parallel || !step ||
          ranges[d] <= step)
        continue;
      SmallVector<int64_t> outer(op.getNumLoops(), 0);
      outer[d] = step;
      scf::SCFTilingOptions options;
      options.setTileSizes(getAsIndexOpFoldResult(&getContext(), outer));
      options.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
      rewriter.setInsertionPoint(op);
      FailureOr<scf::SCFTilingResult> tiled = scf::tileUsingSCF(
          rewriter, cast<TilingInterface>(op.getOperation()), options);
      if (failed(tiled) || tiled->tiledOps.empty())
        return op;
      LoweringConfigAttr config = getConfig(op);
      rewriter.replaceOp(op, tiled->replacements);
      auto inner = cast<linalg::LinalgOp>(tiled->tiledOps.back());
      inner->setAttr(LoweringConfigAttr::getAttrName(), config);
      return inner;
    }
    return op;
  }

  void tile(linalg::LinalgOp op, IRRewriter &rewriter) {
    LoweringConfigAttr config = getConfig(op);
    SmallVector<int64_t> tileSizes(config.getSizes());
    if (tileSizes.size() != op.getNumLoops()) {
      op->emitWarning("lowering_config has ")
          << tileSizes.size() << " tile sizes for " << op.getNumLoops()
          << " loops; not tiled";
      return;
    }
    op = distribute(op, tileSizes, rewriter);
    std::optional<SmallVector<int64_t>> tiles = tileSizes;
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
    // The tile keeps the strategy's kernel (a weight-panel convolution
    // tiled here is still vectorized as one).
    Operation *tileOp = tiled->tiledOps.back();
    markTile(tileOp, config.getKernel());
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
  /// activation and permutes back) into register tiles of the config's sizes.
  void tileConv(linalg::LinalgOp conv, LoweringConfigAttr config,
                IRRewriter &rewriter) {
    ArrayRef<int64_t> sizes = config.getSizes();
    bool dotProduct = config.getKernel() == KernelKind::DotProductConv ||
                      config.getKernel() == KernelKind::PanelConv;
    if (sizes.size() != conv.getNumLoops() || sizes.size() < 4) {
      conv->emitWarning("lowering_config does not fit the convolution; not "
                        "tiled");
      conv->removeAttr(LoweringConfigAttr::getAttrName());
      return;
    }
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
    // Output columns and channels that the tile does not divide: the
    // remainder is split off as an op of its own (linalg::splitOp), tiled
    // with the remainder's extent, so that every register tile is static.
    SmallVector<std::pair<Operation *, SmallVector<int64_t>>> pieces = {
        {root, SmallVector<int64_t>(sizes.take_front(4))}};
    Value convInit = conv.getDpsInits()[0];
    for (unsigned dim : {1u, 2u, 3u}) {
      SmallVector<std::pair<Operation *, SmallVector<int64_t>>> split;
      for (auto &[piece, par] : pieces) {
        int64_t range =
            cast<linalg::LinalgOp>(piece).getStaticLoopRanges()[dim];
        int64_t t = par[dim];
        if (ShapedType::isDynamic(range) || t <= 0 || range <= t ||
            range % t == 0) {
          split.push_back({piece, par});
          continue;
        }
        rewriter.setInsertionPoint(piece);
        auto [main, rest] =
            linalg::splitOp(rewriter, cast<TilingInterface>(piece), dim,
                            rewriter.getIndexAttr(range / t * t));
        SmallVector<int64_t> restSizes = par;
        restSizes[dim] = range % t;
        split.push_back({main.getOperation(), par});
        split.push_back({rest.getOperation(), restSizes});
      }
      pieces = std::move(split);
    }
    // (A convolution that is its own root was replaced by its pieces.)
    Operation *producer = root == conv.getOperation() ? nullptr : conv;
    for (auto &[piece, par] : pieces)
      tileConvPiece(piece, producer, convInit, config, par, dotProduct,
                    rewriter);
  }

  /// Tiles `root` (a convolution or its elementwise consumer, or a piece of
  /// either split off by tileConv) into register tiles of `par` (n, oh, ow,
  /// channels), fusing `conv` and its accumulator initialisation `convInit`
  /// into the tiles, then the convolution's reduction loops.
  void tileConvPiece(Operation *root, Operation *conv, Value convInit,
                     LoweringConfigAttr config, ArrayRef<int64_t> par,
                     bool dotProduct, IRRewriter &rewriter) {
    MLIRContext *ctx = &getContext();
    ArrayRef<int64_t> sizes = config.getSizes();
    scf::SCFTilingOptions tiling;
    tiling.setTileSizes(getAsIndexOpFoldResult(ctx, par));
    // Dot-product convolutions loop over channel blocks outside the pixels:
    // a block's weights ([C/4, ch, 4] bytes) stay in L1 across the whole
    // output map instead of cycling all weights per output tile (4-8% on
    // mobilenet_v2 224, neutral at 32x32 batch 64).
    if (dotProduct)
      tiling.setInterchange({0, 3, 1, 2});
    // Threads share the register tiles of the output (a static schedule
    // gives each a contiguous range of them) -- except in a model's own
    // loop, where the per-step products are small (a GRU's int8 step on two
    // threads ran 4x slower than on one).
    if (threaded && !insideModelLoop(root))
      tiling.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
    scf::SCFTileAndFuseOptions options;
    options.setTilingOptions(tiling);
    // Fuse the convolution and its accumulator initialisation (fill or
    // bias broadcast), never its input (permutation, padding).
    options.setFusionControlFn(
        [&](tensor::ExtractSliceOp, OpResult producer, bool isDestination)
            -> std::optional<scf::SCFTileAndFuseOptions::ControlFnResult> {
          if ((conv && producer.getOwner() == conv) || producer == convInit)
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
          isWeightPanelKernel(op))
        tiledConv = cast<linalg::LinalgOp>(op);
      else if (isa<linalg::LinalgOp>(op))
        markTile(op, KernelKind::Generic);
    }
    if (!tiledConv)
      return;
    // Reduction loops: kernel rows one at a time (so the op decomposes into
    // a 1-D convolution), input channels one at a time (dense only); the
    // kernel width stays whole inside the vectorized 1-D convolution.
    // Dot-product convolutions loop over the kernel width and the groups of
    // four channels too; the group itself is the dot product.
    SmallVector<int64_t> red(4, 0);
    red.append(sizes.begin() + 4, sizes.end());
    // The reduction tiles (and, for dot products, the tile itself) are
    // register tiles from here on.
    markTile(tiledConv, config.getKernel());
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

  /// `parallel`, unless the whole function is too small for it.
  bool threaded = false;

  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    // A model whose ops together iterate fewer than 2^22 times runs on one
    // thread: Silero VAD's step (0.02 ms, all of it inside an If, so not
    // under the loop rule below) ran 1.3-2x slower on two threads than on
    // one, each of its small ops entering a parallel region.
    constexpr int64_t kMinModelIterations = int64_t(1) << 22;
    int64_t modelWork = 0;
    getOperation()->walk([&](linalg::LinalgOp op) {
      if (!op.hasPureTensorSemantics())
        return;
      // A dynamic extent (a batch known at run time) may be large.
      int64_t work = 1;
      for (int64_t r : op.getStaticLoopRanges())
        work = ShapedType::isDynamic(r)
                   ? kMinModelIterations
                   : std::min<int64_t>(work * r, kMinModelIterations);
      modelWork = std::min(modelWork + work, kMinModelIterations);
    });
    threaded = parallel && modelWork >= kMinModelIterations;

    // Convolutions first: they choose their consumers' tiling.
    SmallVector<std::pair<linalg::LinalgOp, LoweringConfigAttr>> convs;
    getOperation()->walk([&](linalg::LinalgOp op) {
      LoweringConfigAttr config = getConfig(op);
      if (op.hasPureTensorSemantics() && config && !config.getSizes().empty() &&
          config.getKernel() != KernelKind::Generic &&
          config.getKernel() != KernelKind::BlockDot &&
          config.getKernel() != KernelKind::DotMatMul)
        convs.push_back({op, config});
    });
    for (auto &[conv, config] : convs)
      tileConv(conv, config, rewriter);
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
                      isWeightPanelKernel(op);
      // The 1-D convolutions that decomposition made inside conv tiles (new
      // ops without a config: named convolutions); weight-panel tiles are
      // marked already.
      if (convTile && op->getParentOfType<scf::ForOp>()) {
        if (!isTile(op))
          markTile(op, isWeightPanelKernel(op) ? kernelOf(op)
                                               : KernelKind::ConvNHWC);
        return;
      }
      LoweringConfigAttr config = getConfig(op);
      if (config && !config.getSizes().empty())
        ops.push_back(op);
    });
    for (linalg::LinalgOp op : ops)
      tile(op, rewriter);

    // Fold the peeled bounds into static tile shapes.
    canonicalize();

    // Phase 2: vectorize the full tiles; dot-product convolution tiles are
    // written as vector code directly.
    SmallVector<std::pair<linalg::GenericOp, KernelKind>> dotTiles;
    getOperation()->walk([&](linalg::GenericOp op) {
      if (isTile(op) && kernelOf(op) == KernelKind::DotProductConv)
        dotTiles.push_back({op, KernelKind::DotProductConv});
    });
    getOperation()->walk([&](linalg::GenericOp op) {
      if (isTile(op) && kernelOf(op) == KernelKind::PanelConv)
        dotTiles.push_back({op, KernelKind::PanelConv});
    });
    getOperation()->walk([&](linalg::GenericOp op) {
      if (isTile(op) && (kernelOf(op) == KernelKind::BlockDot ||
                         kernelOf(op) == KernelKind::DotMatMul))
        dotTiles.push_back({op, kernelOf(op)});
    });
    for (auto [op, kernel] : dotTiles) {
      op->removeAttr(LoweringConfigAttr::getAttrName());
      auto tile = cast<linalg::GenericOp>(
          makeStatic(cast<linalg::LinalgOp>(op.getOperation()), rewriter)
              .getOperation());
      // The vectorizers check the tile's structure themselves (failure
      // leaves it to the generic path).
      if (kernel == KernelKind::PanelConv)
        (void)qcpu::vectorizePanelConvTile(rewriter, tile);
      else if (kernel == KernelKind::BlockDot)
        (void)qcpu::vectorizeBlockDotTile(rewriter, tile);
      else if (kernel == KernelKind::DotMatMul)
        (void)qcpu::vectorizeDotProductMatMulTile(rewriter, tile);
      else
        (void)qcpu::vectorizeDotProductConvTile(rewriter, tile);
    }
    SmallVector<linalg::LinalgOp> tilesToVectorize;
    getOperation()->walk([&](linalg::LinalgOp op) {
      if (isTile(op) && op.hasPureTensorSemantics())
        tilesToVectorize.push_back(op);
    });
    for (linalg::LinalgOp op : tilesToVectorize) {
      op->removeAttr(LoweringConfigAttr::getAttrName());
      op = makeStatic(op, rewriter);
      if (op.hasDynamicShape() || touchesBooleans(op))
        continue;
      rewriter.setInsertionPoint(op);
      // A window tile (pooling: the input indexed oh * s + kh) with every
      // loop but the channels' at extent 1 is elementwise over the channels
      // once the unit loops are gone; upstream's vectorizer does not take
      // the windowed map itself.
      if (auto generic = dyn_cast<linalg::GenericOp>(op.getOperation());
          generic && op.getNumReductionLoops() > 0 &&
          llvm::any_of(op.getIndexingMapsArray(), [](AffineMap m) {
            return !m.isProjectedPermutation();
          })) {
        linalg::ControlDropUnitDims drop;
        drop.rankReductionStrategy = linalg::ControlDropUnitDims::
            RankReductionStrategy::ExtractInsertSlice;
        FailureOr<linalg::DropUnitDimsResult> dropped =
            linalg::dropUnitDims(rewriter, generic, drop);
        if (succeeded(dropped)) {
          rewriter.replaceOp(generic, dropped->replacements);
          op = cast<linalg::LinalgOp>(dropped->resultOp.getOperation());
          rewriter.setInsertionPoint(op);
        }
      }
      FailureOr<linalg::VectorizationResult> vec =
          linalg::vectorize(rewriter, op);
      if (failed(vec))
        continue; // stays a (tiled) scalar loop nest
      if (op->getNumResults())
        rewriter.replaceOp(op, vec->replacements);
      else
        rewriter.eraseOp(op);
    }
    getOperation()->walk([](linalg::LinalgOp op) {
      op->removeAttr(LoweringConfigAttr::getAttrName());
    });

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
    lowering.add<ShapeCastOfBroadcast>(&getContext(), /*benefit=*/10);
    (void)applyPatternsGreedily(getOperation(), std::move(lowering));
  }
};


struct HoistVectorTransfersPass
    : qcpu::impl::HoistVectorTransfersPassBase<HoistVectorTransfersPass> {
  void runOnOperation() override {
    linalg::hoistRedundantVectorTransfers(getOperation());
    // n-D transfers of contiguous memory (a [channels x 4] weight tile of a
    // dot-product convolution) become one 1-D transfer: unrolled to rows
    // instead, LLVM assembles the vector from 4-byte pieces.
    RewritePatternSet flatten(&getContext());
    vector::populateFlattenVectorTransferPatterns(flatten);
    flatten.add<ShapeCastOfBroadcast>(&getContext(), /*benefit=*/10);
    (void)applyPatternsGreedily(getOperation(), std::move(flatten));
  }
};

} // namespace
