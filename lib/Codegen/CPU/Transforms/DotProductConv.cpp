//===- DotProductConv.cpp - Vector code for dot-product convolutions ------===//
//
// Part of qopt. The register tile of an integer convolution in the
// dot-product layout (NHWC activations read in groups of four u8 or two s16
// channels, weights [KH,KW,C/g,F,g], i32 accumulators), written directly as
// vector code: upstream vectorization would produce a contraction over the
// group that no lowering maps to vpdpbusd / vpdpwssd, and LLVM does not form
// them from generic multiply-adds either. The dot products are
// qcpu.dot4_u8s8 / qcpu.dot2_s16s16 ops, lowered for the target after
// bufferization (LowerDotProducts.cpp).
//
//===----------------------------------------------------------------------===//

#include "qopt/Codegen/CPU/Transforms/DotProductConv.h"
#include "qopt/Codegen/CPU/IR/QCPU.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace mlir::qcpu;

/// P of a weight map whose first result is d3 floordiv P, or 0.
static int64_t mapPanelWidth(linalg::GenericOp op) {
  AffineMap m = op.getMatchingIndexingMap(op.getDpsInputOperand(1));
  if (m.getNumResults() == 0)
    return 0;
  auto div = dyn_cast<AffineBinaryOpExpr>(m.getResult(0));
  if (!div || div.getKind() != AffineExprKind::FloorDiv)
    return 0;
  auto p = dyn_cast<AffineConstantExpr>(div.getRHS());
  return p && p.getValue() > 0 ? p.getValue() : 0;
}

bool qcpu::isDotProductConv(Operation *op) {
  auto generic = dyn_cast<linalg::GenericOp>(op);
  if (!generic || generic.getNumLoops() != 8 ||
      generic.getNumDpsInputs() != 2 || generic.getNumDpsInits() != 1)
    return false;
  auto iters = generic.getIteratorTypesArray();
  for (auto [i, it] : llvm::enumerate(iters))
    if ((it == utils::IteratorType::parallel) != (i < 4))
      return false;
  Type x = getElementTypeOrSelf(generic.getDpsInputOperand(0)->get());
  Type w = getElementTypeOrSelf(generic.getDpsInputOperand(1)->get());
  Type acc = getElementTypeOrSelf(generic.getDpsInitOperand(0)->get());
  if (!acc.isInteger(32) || x != w || !(x.isInteger(8) || x.isInteger(16)))
    return false;
  // Weight panels [f / P, kh, kw, c/g, f % P, g], accumulator
  // [n, oh, ow, f], groups of g = 32 / bits channels. (A tile's slice may
  // hold part of a panel: P is read from the map.)
  auto wShaped = dyn_cast<ShapedType>(
      generic.getDpsInputOperand(1)->get().getType());
  if (!wShaped || !wShaped.hasRank() || wShaped.getRank() != 6 ||
      wShaped.getDimSize(5) != 32 / x.getIntOrFloatBitWidth())
    return false;
  int64_t panel = mapPanelWidth(generic);
  if (!panel)
    return false;
  MLIRContext *ctx = op->getContext();
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  return generic.getMatchingIndexingMap(generic.getDpsInputOperand(1)) ==
             AffineMap::get(8, 0,
                            {d(3).floorDiv(panel), d(4), d(5), d(6),
                             d(3) % panel, d(7)},
                            ctx) &&
         generic.getMatchingIndexingMap(generic.getDpsInitOperand(0)) ==
             AffineMap::get(8, 0, {d(0), d(1), d(2), d(3)}, ctx);
}

bool qcpu::isPanelConv(Operation *op) {
  auto generic = dyn_cast<linalg::GenericOp>(op);
  if (!generic || generic.getNumLoops() != 7 ||
      generic.getNumDpsInputs() != 2 || generic.getNumDpsInits() != 1)
    return false;
  auto iters = generic.getIteratorTypesArray();
  for (auto [i, it] : llvm::enumerate(iters))
    if ((it == utils::IteratorType::parallel) != (i < 4))
      return false;
  for (Value v : generic->getOperands())
    if (!getElementTypeOrSelf(v).isF32())
      return false;
  auto wShaped = dyn_cast<ShapedType>(
      generic.getDpsInputOperand(1)->get().getType());
  if (!wShaped || !wShaped.hasRank() || wShaped.getRank() != 5)
    return false;
  int64_t panel = mapPanelWidth(generic);
  if (!panel)
    return false;
  MLIRContext *ctx = op->getContext();
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  if (generic.getMatchingIndexingMap(generic.getDpsInputOperand(1)) !=
          AffineMap::get(
              7, 0, {d(3).floorDiv(panel), d(4), d(5), d(6), d(3) % panel},
              ctx) ||
      generic.getMatchingIndexingMap(generic.getDpsInitOperand(0)) !=
          AffineMap::get(7, 0, {d(0), d(1), d(2), d(3)}, ctx))
    return false;
  // acc + x * w
  Block *body = generic.getBody();
  auto yield = cast<linalg::YieldOp>(body->getTerminator());
  auto add = yield.getOperand(0).getDefiningOp<arith::AddFOp>();
  if (!add)
    return false;
  Value acc = body->getArgument(2);
  Value other = add.getLhs() == acc ? add.getRhs() : add.getLhs();
  auto mul = other.getDefiningOp<arith::MulFOp>();
  return mul && (add.getLhs() == acc || add.getRhs() == acc) &&
         ((mul.getLhs() == body->getArgument(0) &&
           mul.getRhs() == body->getArgument(1)) ||
          (mul.getLhs() == body->getArgument(1) &&
           mul.getRhs() == body->getArgument(0)));
}

int64_t qcpu::getDotProductPanelWidth(Operation *op) {
  if (!isPanelConv(op) && !isDotProductConv(op))
    return 0;
  return mapPanelWidth(cast<linalg::GenericOp>(op));
}

/// The map of a transfer reading the innermost `rank` dimensions of
/// `source`.
static AffineMap minorMap(Value source, unsigned rank) {
  auto type = cast<ShapedType>(source.getType());
  return AffineMap::getMinorIdentityMap(type.getRank(), rank,
                                        source.getContext());
}

/// Reads the OH x OW x F accumulators of a convolution tile (a
/// [1, OH, OW, F] tensor) as one [OH * OW, F] vector. Read once and written
/// once (writeAccumulatorRows), the pair is hoisted out of the reduction
/// loops, so the accumulators stay in registers and the epilogue's read of
/// the tile forwards from the write.
static Value readAccumulatorRows(OpBuilder &b, Location loc, Value acc,
                                 int64_t oh, int64_t ow, int64_t f) {
  Type elt = getElementTypeOrSelf(acc.getType());
  SmallVector<Value> zeros(4, arith::ConstantIndexOp::create(b, loc, 0));
  Value zero = arith::ConstantOp::create(b, loc, elt, b.getZeroAttr(elt));
  Value tile = vector::TransferReadOp::create(
      b, loc, VectorType::get({oh, ow, f}, elt), acc, zeros, zero,
      minorMap(acc, 3), ArrayRef<bool>{true, true, true});
  return vector::ShapeCastOp::create(b, loc, VectorType::get({oh * ow, f}, elt),
                                     tile);
}

/// The indices of a tile's activations for output pixel `pixel` (row-major
/// over the tile's OH x OW): the activation map at loop point
/// (0, pixel / OW, pixel % OW, 0, ...).
static SmallVector<Value> columnIndices(OpBuilder &b, Location loc,
                                        AffineMap xMap, int64_t pixel,
                                        int64_t ow) {
  SmallVector<int64_t> point(xMap.getNumDims(), 0);
  point[1] = pixel / ow;
  point[2] = pixel % ow;
  SmallVector<Value> indices;
  for (int64_t v : xMap.compose(point))
    indices.push_back(arith::ConstantIndexOp::create(b, loc, v));
  return indices;
}

/// Writes the OH * OW rows of F accumulators of a convolution tile back to
/// `acc` (a [1, OH, OW, F] tensor) as one vector. The rows are joined by
/// concatenating shuffles: a chain of vector.insert would be canonicalized
/// into per-element vector.from_elements.
static Value writeAccumulatorRows(OpBuilder &b, Location loc,
                                  SmallVector<Value> rows, Value acc,
                                  int64_t oh, int64_t ow, int64_t f) {
  Type elt = cast<VectorType>(rows[0].getType()).getElementType();
  while (rows.size() > 1) {
    SmallVector<Value> joined;
    for (size_t i = 0; i + 1 < rows.size(); i += 2) {
      int64_t n = cast<VectorType>(rows[i].getType()).getNumElements() +
                  cast<VectorType>(rows[i + 1].getType()).getNumElements();
      joined.push_back(vector::ShuffleOp::create(
          b, loc, rows[i], rows[i + 1],
          llvm::to_vector(llvm::seq<int64_t>(0, n))));
    }
    if (rows.size() % 2)
      joined.push_back(rows.back());
    rows = std::move(joined);
  }
  Value all = vector::ShapeCastOp::create(
      b, loc, VectorType::get({oh, ow, f}, elt), rows[0]);
  SmallVector<Value> zeros(4, arith::ConstantIndexOp::create(b, loc, 0));
  return vector::TransferWriteOp::create(
             b, loc, all, acc, zeros,
             AffineMap::getMinorIdentityMap(4, 3, b.getContext()),
             ArrayRef<bool>{true, true, true})
      .getResult();
}

LogicalResult qcpu::vectorizeDotProductConvTile(RewriterBase &rewriter,
                                               linalg::GenericOp op) {
  if (!isDotProductConv(op) || op.hasDynamicShape())
    return failure();
  // Groups of g = 32 / element bits: 4 bytes (u8 x s8) or 2 i16 (s16 x s16).
  Value x = op.getDpsInputOperand(0)->get();
  Type elt = getElementTypeOrSelf(x.getType());
  if (!elt.isInteger(8) && !elt.isInteger(16))
    return failure();
  int64_t g = 32 / elt.getIntOrFloatBitWidth();
  SmallVector<int64_t> r = op.getStaticLoopRanges();
  if (r[0] != 1 || r[4] != 1 || r[5] != 1 || r[6] != 1 || r[7] != g)
    return failure();
  int64_t oh = r[1], ow = r[2], f = r[3];
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  OpBuilder &b = rewriter;
  Type i32 = b.getI32Type();
  Value w = op.getDpsInputOperand(1)->get();
  Value acc = op.getDpsInitOperand(0)->get();
  AffineMap xMap = op.getMatchingIndexingMap(op.getDpsInputOperand(0));
  Value zeroX = arith::ConstantOp::create(b, loc, elt, b.getIntegerAttr(elt, 0));

  // Weights of the tile: F channels x g of one panel, flattened.
  SmallVector<Value> zeros6(6, arith::ConstantIndexOp::create(b, loc, 0));
  Value wTile = vector::TransferReadOp::create(
      b, loc, VectorType::get({f, g}, elt), w, zeros6, zeroX, minorMap(w, 2),
      ArrayRef<bool>{true, true});
  Value wFlat = vector::ShapeCastOp::create(
      b, loc, VectorType::get({f * g}, elt), wTile);
  Value accs = readAccumulatorRows(b, loc, acc, oh, ow, f);
  SmallVector<Value> rows;
  for (int64_t col = 0; col < oh * ow; ++col) {
    Value xGroup = vector::TransferReadOp::create(
        b, loc, VectorType::get({g}, elt), x,
        columnIndices(b, loc, xMap, col, ow), zeroX, minorMap(x, 1),
        ArrayRef<bool>{true});
    // The g activations as one i32, broadcast to every channel.
    Value packed = vector::BitCastOp::create(
        b, loc, VectorType::get({1}, i32), xGroup);
    Value bcast = vector::BroadcastOp::create(
        b, loc, VectorType::get({f}, i32),
        vector::ExtractOp::create(b, loc, packed, int64_t(0)));
    Value xBytes = vector::BitCastOp::create(
        b, loc, VectorType::get({f * g}, elt), bcast);
    Value row = vector::ExtractOp::create(b, loc, accs, col);
    rows.push_back(g == 4 ? Value(Dot4U8S8Op::create(b, loc, row, xBytes, wFlat))
                          : Value(Dot2S16S16Op::create(b, loc, row, xBytes,
                                                       wFlat)));
  }
  rewriter.replaceOp(op, writeAccumulatorRows(b, loc, rows, acc, oh, ow, f));
  return success();
}

LogicalResult qcpu::vectorizePanelConvTile(RewriterBase &rewriter,
                                          linalg::GenericOp op) {
  if (!isPanelConv(op) || op.hasDynamicShape())
    return failure();
  SmallVector<int64_t> r = op.getStaticLoopRanges();
  if (r[0] != 1 || r[4] != 1 || r[5] != 1 || r[6] != 1)
    return failure();
  int64_t oh = r[1], ow = r[2], f = r[3];
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  OpBuilder &b = rewriter;
  Type f32 = b.getF32Type();
  Value x = op.getDpsInputOperand(0)->get();
  Value w = op.getDpsInputOperand(1)->get();
  Value acc = op.getDpsInitOperand(0)->get();
  AffineMap xMap = op.getMatchingIndexingMap(op.getDpsInputOperand(0));
  Value zero = arith::ConstantOp::create(b, loc, f32, b.getF32FloatAttr(0));
  // The tile's F weights: one piece of one panel.
  SmallVector<Value> zeros5(5, arith::ConstantIndexOp::create(b, loc, 0));
  Value wVec = vector::TransferReadOp::create(
      b, loc, VectorType::get({f}, f32), w, zeros5, zero, minorMap(w, 1),
      ArrayRef<bool>{true});
  Value accs = readAccumulatorRows(b, loc, acc, oh, ow, f);
  SmallVector<Value> rows;
  for (int64_t col = 0; col < oh * ow; ++col) {
    Value xs = tensor::ExtractOp::create(b, loc, x,
                                         columnIndices(b, loc, xMap, col, ow))
                   .getResult();
    Value bcast =
        vector::BroadcastOp::create(b, loc, VectorType::get({f}, f32), xs);
    Value row = vector::ExtractOp::create(b, loc, accs, col);
    rows.push_back(vector::FMAOp::create(b, loc, bcast, wVec, row));
  }
  rewriter.replaceOp(op, writeAccumulatorRows(b, loc, rows, acc, oh, ow, f));
  return success();
}
