//===- SelectCPUStrategy.cpp - Tile sizes and kernels for linalg ops ------===//
//
// Part of qopt. The one place where the CPU back end decides how each
// linalg op is tiled and turned into vector code; the decision is a typed
// #qcpu.lowering_config that qopt-tile-and-vectorize follows.
//
//===----------------------------------------------------------------------===//

#include "qopt/Codegen/CPU/Transforms/DotProductConv.h"
#include "qopt/Codegen/CPU/Transforms/DotProductMatMul.h"
#include "qopt/Codegen/CPU/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

namespace mlir {
namespace qcpu {
#define GEN_PASS_DEF_SELECTCPUSTRATEGYPASS
#include "qopt/Codegen/CPU/Transforms/Passes.h.inc"
} // namespace qcpu
} // namespace mlir

using namespace mlir;
using namespace mlir::qcpu;

namespace {

/// Tile sizes of the `generic` kernel: 1 everywhere except `width` lanes on
/// the dimension that indexes the output's last dimension (and a register
/// block of a second output dimension for contractions).
std::optional<SmallVector<int64_t>> chooseTileSizes(linalg::LinalgOp op,
                                                    int64_t width) {
  unsigned n = op.getNumLoops();
  if (op.getNumDpsInits() == 0 || n == 0)
    return std::nullopt;
  AffineMap out = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  // Several results (sibling maps fused into one op: a GRU step's two gate
  // sigmoids) tile together when they are written alike; before, such an
  // op stayed scalar.
  for (OpOperand &init : op.getDpsInitsMutable())
    if (op.getMatchingIndexingMap(&init) != out ||
        getElementTypeOrSelf(init.get()) !=
            getElementTypeOrSelf(op.getDpsInitOperand(0)->get()))
      return std::nullopt;
  if (op.getNumDpsInits() > 1 && op.getNumReductionLoops() != 0)
    return std::nullopt;
  if (out.getNumResults() == 0)
    return std::nullopt;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  // The innermost output dimension that is not a unit one (reshapes folded
  // by expansion leave trailing 1x1 dimensions, e.g. a pooled N x C x 1 x 1).
  std::optional<unsigned> vecDimFound;
  for (AffineExpr e : llvm::reverse(out.getResults())) {
    auto d = dyn_cast<AffineDimExpr>(e);
    if (!d)
      return std::nullopt;
    vecDimFound = d.getPosition();
    if (ranges[*vecDimFound] != 1)
      break;
  }
  if (!vecDimFound)
    return std::nullopt;
  SmallVector<int64_t> tiles(n, 1);
  unsigned vecDim = *vecDimFound;
  // A few channels innermost in the output (an NCHW image quantized into
  // NHWC with C = 3): vectorize along the dimension an input is contiguous
  // in instead, so that the arithmetic runs on full vectors and only the
  // stores are strided.
  auto iters = op.getIteratorTypesArray();
  if (!ShapedType::isDynamic(ranges[vecDim]) && ranges[vecDim] < 8) {
    for (OpOperand *in : op.getDpsInputOperands()) {
      AffineMap m = op.getMatchingIndexingMap(in);
      if (m.getNumResults() == 0)
        continue;
      auto d = dyn_cast<AffineDimExpr>(m.getResults().back());
      if (d && d.getPosition() != vecDim &&
          iters[d.getPosition()] == utils::IteratorType::parallel &&
          !ShapedType::isDynamic(ranges[d.getPosition()]) &&
          ranges[d.getPosition()] >= 16 && out.isFunctionOfDim(d.getPosition())) {
        vecDim = d.getPosition();
        width = 16;
        break;
      }
    }
  }
  // Full vectors where the extent allows; the peeled remainder is scalar.
  // Extents shorter than a vector get the largest power of two that fits.
  auto fitting = [](int64_t extent, int64_t max, int64_t step) {
    if (ShapedType::isDynamic(extent))
      return max;
    // Prefer a width that divides the extent (no remainder tile): a
    // multiple of `step` down to half the maximum (144 channels of i32 in
    // 48-lane tiles rather than 64 and a scalar remainder of 16).
    step = std::max<int64_t>(step, 1);
    for (int64_t t = max; t >= max / 2 && t > 1; t -= step)
      if (extent % t == 0)
        return t;
    int64_t t = max;
    while (t > 1 && t > extent)
      t /= 2;
    return t;
  };
  // Lanes are counted in 32-bit elements: a vector of bytes (a max pool,
  // a requantization writing i8) takes four times as many.
  Type outElt = getElementTypeOrSelf(op.getDpsInitOperand(0)->get());
  if (outElt.isIntOrFloat() && outElt.getIntOrFloatBitWidth() < 32 &&
      outElt.getIntOrFloatBitWidth() >= 8)
    width = width * 32 / outElt.getIntOrFloatBitWidth();
  tiles[vecDim] = fitting(ranges[vecDim], width, width / 2);
  // A tile of a dot-product convolution's output channels must not straddle
  // two weight panels (its slice of the panels would not be rectangular).
  if (int64_t panel = qcpu::getDotProductPanelWidth(op);
      panel && panel != ranges[vecDim] && vecDim == 3)
    while (tiles[vecDim] > 1 && panel % tiles[vecDim])
      tiles[vecDim] /= 2;
  // Register blocking for contractions: a second output dimension that some
  // input does not depend on (the output channels of a convolution, which
  // the input row does not vary with) gets kBlock rows, so every vector
  // loaded from that input feeds kBlock FMAs.
  int64_t kBlock = 8;
  bool packedPairs = false;
  if (op.getNumReductionLoops() == 0)
    return tiles;
  // A static parallel output dimension other than the vector one, not yet
  // tiled and of at least `minRange`: a candidate to block.
  auto blockable = [&](int64_t d, int64_t minRange) {
    return (unsigned)d != vecDim && iters[d] == utils::IteratorType::parallel &&
           !ShapedType::isDynamic(ranges[d]) && ranges[d] >= minRange &&
           tiles[d] == 1 && out.isFunctionOfDim(d);
  };
  // A small output dimension that a vector-loaded input does not vary with
  // (the two nibbles of a packed 4-bit weight byte, BlockwiseOps.cpp) is
  // taken whole, so that each load feeds every one of its outputs; the
  // register block below shrinks by as much.
  for (int64_t d = n - 1; d >= 0; --d) {
    if (!blockable(d, 2) || ranges[d] > 4)
      continue;
    bool shared = llvm::any_of(op.getDpsInputOperands(), [&](OpOperand *in) {
      AffineMap m = op.getMatchingIndexingMap(in);
      Type et = getElementTypeOrSelf(in->get());
      return m.isFunctionOfDim(vecDim) && !m.isFunctionOfDim(d) &&
             et.isIntOrFloat() && et.getIntOrFloatBitWidth() < 32;
    });
    if (shared) {
      // Dequantizing the weights costs as much as the multiply-adds: 16
      // rows of 16-lane accumulators where the register file holds them
      // (AVX-512), 8 otherwise.
      tiles[d] = ranges[d];
      kBlock = std::max<int64_t>(1, (width >= 16 ? 16 : 8) / ranges[d]);
      packedPairs = true;
      break;
    }
  }
  for (int64_t d = n - 1; d >= 0; --d) {
    if (!blockable(d, packedPairs ? 2 : kBlock))
      continue;
    bool reused = llvm::any_of(op.getDpsInputOperands(), [&](OpOperand *in) {
      AffineMap m = op.getMatchingIndexingMap(in);
      return m.isFunctionOfDim(vecDim) && !m.isFunctionOfDim(d);
    });
    if (reused) {
      // Packed weights are dequantized once per tile: every row shares
      // them, however few (4 rows: 1.2 -> 0.5 ms on 4 x 2048 x 2048).
      int64_t rows = std::min(kBlock, ranges[d]);
      while (packedPairs && rows > 1 && ranges[d] % rows)
        --rows;
      tiles[d] = rows;
      return tiles;
    }
  }
  // Nothing to block (a matrix-vector product: one row): four vectors of
  // outputs instead of one, so that four independent multiply-add chains
  // hide the latency of each (a batch-1 classifier: 8 -> 30+ GOP/s).
  tiles[vecDim] = fitting(ranges[vecDim], 4 * width, width);
  // A packed 4-bit product's [.., T, 2, 16] output has too few lanes for
  // four vectors: the next output dimension supplies the rest of the
  // chains (3.9 -> 3.1 ms on a 4096 x 4096 matrix-vector product).
  if (!packedPairs)
    return tiles;
  int64_t vectors = std::max<int64_t>(1, tiles[vecDim] / width);
  for (int64_t d = 0; d < (int64_t)n; ++d)
    if ((unsigned)d != vecDim)
      vectors *= tiles[d];
  if (vectors >= 4)
    return tiles;
  for (int64_t d = n - 1; d >= 0; --d) {
    if (!blockable(d, 2))
      continue;
    int64_t want = (4 + vectors - 1) / vectors;
    while (want > 1 && ranges[d] % want)
      --want;
    tiles[d] = want;
    break;
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
/// row (`oh` rows for weight-panel kernels on narrow maps), `ow` output
/// columns and `ch` channels per tile; the accumulators (oh x ow x ch/16
/// vectors) stay in registers while kernel rows and input
/// channels are reduction loops around the 1-D convolution that upstream
/// vectorizes (Conv1DGenerator: unrolled over kernel width and columns,
/// broadcast input times weight-vector FMAs).
struct ConvTiles {
  int64_t oh = 1, ow = 0, ch = 0;
  bool depthwise = false;
  bool dotProduct = false; // --integer-only's u8 x s8 layout
  bool panel = false;      // fp32 weight panels
};

std::optional<ConvTiles> chooseConvTiles(linalg::LinalgOp op, int64_t lanes,
                                         int64_t registers) {
  ConvTiles t;
  t.depthwise = isa<linalg::DepthwiseConv2DNhwcHwcOp>(op);
  t.dotProduct = qcpu::isDotProductConv(op);
  t.panel = qcpu::isPanelConv(op);
  if (!t.depthwise && !t.dotProduct && !t.panel &&
      !isa<linalg::Conv2DNhwcHwcfOp>(op))
    return std::nullopt;
  auto out = cast<RankedTensorType>(op->getResult(0).getType());
  if (ShapedType::isDynamic(out.getDimSize(2)) ||
      ShapedType::isDynamic(out.getDimSize(3)) ||
      ShapedType::isDynamic(out.getDimSize(1)))
    return std::nullopt;
  int64_t channels = out.getDimSize(3), width = out.getDimSize(2);
  // Up to 32 channels: for depthwise, two independent 16-lane accumulator
  // chains per column hide the 9-deep multiply-add latency (fp32 3-5%).
  // Dot-product convolutions take one weight panel per tile.
  // Extents that no tile divides (257 STFT bins, 397 frames) keep full
  // tiles: qopt-tile-and-vectorize splits the remainder off as a tile of
  // its own (a divisor of a prime extent is 1, a 35x cliff).
  t.ch = t.dotProduct || t.panel ? qcpu::getDotProductPanelWidth(op)
                      : largestDivisor(channels, {32, 16, 8});
  if (!t.ch)
    t.ch = channels <= 32 ? channels : 16;
  if (t.ch > 32)
    return std::nullopt;
  // At most two vectors of channels per column (32 with AVX-512, 16 with
  // AVX2): a tile narrower than a weight panel reads a piece of it.
  while (t.ch > 2 * lanes && t.ch % 2 == 0)
    t.ch /= 2;
  // Columns: the accumulators (ow x vecs), the weights (vecs) and a
  // broadcast input must fit the register file; 12-16 columns where it is
  // large (AVX-512: 32 registers of 16 lanes), 6 with AVX2's 16 of 8.
  int64_t vecs = std::max<int64_t>(1, (t.ch + lanes - 1) / lanes);
  int64_t maxW = t.ch > 16 ? 12 : 16;
  if (t.depthwise)
    maxW = 8;
  maxW = std::min(maxW, std::max<int64_t>(1, (registers - vecs - 1) / vecs));
  for (int64_t w = std::min(maxW, width); w >= 1; --w)
    if (width % w == 0) {
      t.ow = w;
      break;
    }
  if (t.ow < maxW / 2 && width > maxW)
    t.ow = maxW;
  // Weight-panel kernels on narrow maps (7, 14 or 28 columns: a row tile
  // of 7) take several output rows per tile, up to 14 pixels: each weight
  // vector then feeds twice the FMAs, which matters where the panels stream
  // from L2 (resnet50's 7x7 layers ran at 75 GOP/s). Rows that no tile
  // divides are split off like columns.
  if (t.panel || t.dotProduct) {
    int64_t pixels = std::min<int64_t>(14, (registers - vecs - 1) / vecs);
    for (int64_t oh = pixels / t.ow; oh > 1; --oh)
      if (out.getDimSize(1) % oh == 0) {
        t.oh = oh;
        break;
      }
  }
  return t;
}

/// Tiles of a W4A8 block product (m, t, i, g, c, h, j): a few rows and
/// 16-lane output tiles whose accumulators (an i32 one per nibble when
/// there are few, plus the f32 one) and weight vectors fit the register
/// file; one block at a time, its groups whole. Measured on one Xeon core
/// (bench/blockwise): 4 rows x 2 tiles beat 2 x 4 by 1.1-1.7x from 4 rows
/// up (the weights stream once per 4 rows), 4 x 4 spills; one row takes 4
/// tiles (four dot-product chains).
SmallVector<int64_t> chooseBlockDotTiles(linalg::LinalgOp op,
                                         int64_t vectorWidth) {
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  // Rows may span several leading dimensions (reshapes folded into the op):
  // the last one is blocked, the others tiled by one.
  int64_t lead = op.getNumLoops() - 7;
  int64_t m = ranges[lead], t = ranges[lead + 1];
  bool wide = vectorWidth >= 16;
  // A dynamic row count tiles by one row (static tiles only).
  int64_t rows =
      ShapedType::isDynamic(m) ? 1 : std::min<int64_t>(m, wide ? 4 : 2);
  int64_t tiles = rows == 1 ? 4 : 2;
  tiles = std::min(tiles, t);
  SmallVector<int64_t> sizes(lead, 1);
  sizes.append({rows, tiles, ranges[lead + 2], 1, 0, 0, 0});
  return sizes;
}

/// Tiles of a product of two run-time 8-bit operands (b..., m, t, i, c, j):
/// 4 rows x 4 16-lane output tiles of i32 accumulators (2 x 2 with 16
/// registers), 8 groups of four reduction steps per tile (a loop over the
/// rest keeps the accumulators in registers).
SmallVector<int64_t> chooseDotMatMulTiles(linalg::LinalgOp op,
                                          int64_t vectorWidth) {
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  int64_t batch = op.getNumLoops() - 5; // one batch per tile
  int64_t most = vectorWidth >= 16 ? 4 : 2;
  auto fit = [&](int64_t extent) {
    return ShapedType::isDynamic(extent) ? 1 : std::min(extent, most);
  };
  ArrayRef<int64_t> r = ArrayRef<int64_t>(ranges).drop_front(batch);
  int64_t groups = ShapedType::isDynamic(r[3]) ? 1 : std::min<int64_t>(r[3], 8);
  SmallVector<int64_t> sizes(batch, 1);
  sizes.append({fit(r[0]), fit(r[1]), r[2], groups, 0});
  return sizes;
}

/// The lowering config of `op`, or null when it is left alone.
LoweringConfigAttr chooseConfig(linalg::LinalgOp op, int64_t vectorWidth,
                                int64_t vectorRegisters) {
  MLIRContext *ctx = op->getContext();
  if (std::optional<ConvTiles> t =
          chooseConvTiles(op, vectorWidth, vectorRegisters)) {
    // Parallel tile (n, oh, ow, channels), then the reduction loops: kernel
    // rows one at a time (so the op decomposes into a 1-D convolution) and
    // input channels one at a time (dense only); the kernel width stays
    // whole inside the vectorized 1-D convolution. Dot-product convolutions
    // loop over the kernel width and the channel groups too; the group
    // itself is the dot product.
    SmallVector<int64_t> sizes = {1, t->oh, t->ow, t->ch};
    if (t->dotProduct)
      sizes.append({1, 1, 1, 0});
    else if (t->panel)
      sizes.append({1, 1, 1});
    else if (t->depthwise)
      sizes.append({1, 0});
    else
      sizes.append({1, 0, 1});
    return LoweringConfigAttr::get(ctx, sizes,
                                   t->dotProduct ? KernelKind::DotProductConv
                                   : t->panel    ? KernelKind::PanelConv
                                                 : KernelKind::ConvNHWC);
  }
  if (qcpu::isDotProductMatMul(op))
    return LoweringConfigAttr::get(ctx, chooseDotMatMulTiles(op, vectorWidth),
                                   KernelKind::DotMatMul);
  if (qcpu::isBlockDotProduct(op))
    return LoweringConfigAttr::get(ctx, chooseBlockDotTiles(op, vectorWidth),
                                   KernelKind::BlockDot);
  if (std::optional<SmallVector<int64_t>> tiles =
          chooseTileSizes(op, vectorWidth))
    return LoweringConfigAttr::get(ctx, *tiles, KernelKind::Generic);
  return {};
}

struct SelectCPUStrategyPass
    : qcpu::impl::SelectCPUStrategyPassBase<SelectCPUStrategyPass> {
  using SelectCPUStrategyPassBase::SelectCPUStrategyPassBase;
  void runOnOperation() override {
    getOperation()->walk([&](linalg::LinalgOp op) {
      // Ops inside loops count too: a recurrent layer's step (products
      // with the state, gate arithmetic) runs once per time step.
      if (!op.hasPureTensorSemantics() ||
          op->hasAttr(LoweringConfigAttr::getAttrName()))
        return;
      if (LoweringConfigAttr config =
              chooseConfig(op, vectorWidth, vectorRegisters))
        op->setAttr(LoweringConfigAttr::getAttrName(), config);
    });
  }
};

} // namespace
