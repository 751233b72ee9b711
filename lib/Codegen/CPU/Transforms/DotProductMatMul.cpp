//===- DotProductMatMul.cpp - Vector code for W4A8 block products
//----------===//
//
// Part of qopt. Register tiles of integer matrix products in the
// dot-product layout, written directly as vector code: products of two
// run-time 8-bit operands (attention), and of int8 activations and packed
// 4-bit block weights (W4A8). For the latter: The
// contraction states one float term per weight, s_w * (u * q - z * S once
// per block); upstream vectorization would follow it literally: unpack,
// convert and multiply every weight in float. The kernel instead sums each
// block in i32 with u8 x s8 dot products (vpdpbusd: the unsigned nibbles
// against the signed activations, four at a time), takes z * S out and
// converts and scales once per block. The block sum is exact in i32 (|sum| <=
// 15 * 128 * B), so the tile's result differs from the contraction's only in
// the order of its f32 additions.
//
//===----------------------------------------------------------------------===//

#include "qopt/Codegen/CPU/Transforms/DotProductMatMul.h"
#include "qopt/Codegen/CPU/IR/QCPU.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace mlir::qcpu;

/// The number of leading dimensions of a W4A8 block product (its rows:
/// one, or several after reshapes were folded into the op), or 0 when `op`
/// is not one.
static int64_t blockDotRowDims(Operation *op) {
  auto generic = dyn_cast<linalg::GenericOp>(op);
  if (!generic || generic.getNumLoops() < 7 || generic.getNumDpsInputs() != 5 ||
      generic.getNumDpsInits() != 1)
    return 0;
  int64_t p = generic.getNumLoops() - 6;
  for (auto [i, it] : llvm::enumerate(generic.getIteratorTypesArray()))
    if ((it == utils::IteratorType::parallel) != ((int64_t)i < p + 2))
      return 0;
  auto elt = [&](int64_t i) {
    return getElementTypeOrSelf(generic->getOperand(i).getType());
  };
  if (!elt(0).isInteger(8) || !elt(1).isInteger(8) || !elt(2).isF32() ||
      !elt(3).isInteger(8) || !elt(4).isInteger(32) || !elt(5).isF32())
    return 0;
  MLIRContext *ctx = op->getContext();
  unsigned n = generic.getNumLoops();
  auto d = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
  // Rows m_0..m_{p-1}, then t, i, g, c, h, j.
  int64_t t = p, i = p + 1, g = p + 2, c = p + 3, h = p + 4, j = p + 5;
  auto rowsThen = [&](ArrayRef<int64_t> dims) {
    SmallVector<AffineExpr> e;
    for (int64_t r = 0; r < p; ++r)
      e.push_back(d(r));
    for (int64_t x : dims)
      e.push_back(d(x));
    return AffineMap::get(n, 0, e, ctx);
  };
  auto plain = [&](ArrayRef<int64_t> dims) {
    SmallVector<AffineExpr> e;
    for (int64_t x : dims)
      e.push_back(d(x));
    return AffineMap::get(n, 0, e, ctx);
  };
  SmallVector<AffineMap> expected = {
      rowsThen({g, c, h, j}), plain({t, g, c, i, j}), plain({t, g, i}),
      plain({t, g, i}),       rowsThen({g}),          rowsThen({t, i})};
  return generic.getIndexingMapsArray() == expected ? p : 0;
}

bool qcpu::isBlockDotProduct(Operation *op) { return blockDotRowDims(op) > 0; }

namespace {

/// A transfer_read of the whole static tensor `source` from its origin.
Value readAll(OpBuilder &b, Location loc, Value source) {
  auto type = cast<RankedTensorType>(source.getType());
  Type elt = type.getElementType();
  SmallVector<Value> zeros(type.getRank(),
                           arith::ConstantIndexOp::create(b, loc, 0));
  Value pad = arith::ConstantOp::create(b, loc, elt, b.getZeroAttr(elt));
  return vector::TransferReadOp::create(
      b, loc, VectorType::get(type.getShape(), elt), source, zeros, pad,
      b.getMultiDimIdentityMap(type.getRank()),
      SmallVector<bool>(type.getRank(), true));
}

/// Concatenates equal-length 1-D vectors (a tree of shuffles: a chain of
/// vector.insert would be canonicalized into per-element from_elements).
Value concat(OpBuilder &b, Location loc, SmallVector<Value> parts) {
  while (parts.size() > 1) {
    SmallVector<Value> joined;
    for (size_t i = 0; i + 1 < parts.size(); i += 2) {
      int64_t n = cast<VectorType>(parts[i].getType()).getNumElements() +
                  cast<VectorType>(parts[i + 1].getType()).getNumElements();
      joined.push_back(
          vector::ShuffleOp::create(b, loc, parts[i], parts[i + 1],
                                    llvm::to_vector(llvm::seq<int64_t>(0, n))));
    }
    if (parts.size() % 2)
      joined.push_back(parts.back());
    parts = std::move(joined);
  }
  return parts[0];
}

/// Writes the flat vector `v` over the whole static tensor `dest`.
Value writeAll(OpBuilder &b, Location loc, Value v, Value dest) {
  auto type = cast<RankedTensorType>(dest.getType());
  Value shaped = vector::ShapeCastOp::create(
      b, loc, VectorType::get(type.getShape(), type.getElementType()), v);
  SmallVector<Value> zeros(type.getRank(),
                           arith::ConstantIndexOp::create(b, loc, 0));
  return vector::TransferWriteOp::create(
             b, loc, shaped, dest, zeros,
             b.getMultiDimIdentityMap(type.getRank()),
             SmallVector<bool>(type.getRank(), true))
      .getResult();
}

/// Reads of a register tile's operands whose leading `lead` dimensions are
/// unit ones (rows or batches beyond the tiled one).
struct TileReader {
  OpBuilder &b;
  Location loc;
  int64_t lead;
  int64_t lanes;

  Value idx(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  /// Indices behind the leading unit dimensions.
  SmallVector<Value> at(ArrayRef<int64_t> v) {
    SmallVector<Value> out(lead, idx(0));
    for (int64_t x : v)
      out.push_back(idx(x));
    return out;
  }
  /// Static positions behind the leading unit dimensions.
  SmallVector<int64_t> pos(ArrayRef<int64_t> v) {
    SmallVector<int64_t> out(lead, 0);
    out.append(v.begin(), v.end());
    return out;
  }
  Value zeroByte() {
    return arith::ConstantOp::create(b, loc, b.getI8Type(),
                                     b.getI8IntegerAttr(0));
  }
  /// The [lanes, 4] bytes at `indices` of `w` (innermost two dimensions)
  /// as one 64-byte vector.
  Value weightBytes(Value w, ArrayRef<Value> indices) {
    Type i8 = b.getI8Type();
    auto rank = cast<RankedTensorType>(w.getType()).getRank();
    Value v = vector::TransferReadOp::create(
        b, loc, VectorType::get({lanes, 4}, i8), w, indices, zeroByte(),
        AffineMap::getMinorIdentityMap(rank, 2, b.getContext()),
        ArrayRef<bool>{true, true});
    return vector::ShapeCastOp::create(b, loc, VectorType::get({lanes * 4}, i8),
                                       v);
  }
  /// The four bytes at `indices` of `x` (innermost dimension) broadcast to
  /// every lane, as 64 bytes.
  Value broadcastGroup(Value x, ArrayRef<Value> indices) {
    Type i8 = b.getI8Type(), i32 = b.getI32Type();
    auto rank = cast<RankedTensorType>(x.getType()).getRank();
    Value four = vector::TransferReadOp::create(
        b, loc, VectorType::get({4}, i8), x, indices, zeroByte(),
        AffineMap::getMinorIdentityMap(rank, 1, b.getContext()),
        ArrayRef<bool>{true});
    Value word = vector::ExtractOp::create(
        b, loc,
        vector::BitCastOp::create(b, loc, VectorType::get({1}, i32), four),
        int64_t(0));
    return vector::BitCastOp::create(
        b, loc, VectorType::get({lanes * 4}, i8),
        vector::BroadcastOp::create(b, loc, VectorType::get({lanes}, i32),
                                    word));
  }
};

} // namespace

LogicalResult qcpu::vectorizeBlockDotTile(RewriterBase &rewriter,
                                          linalg::GenericOp op) {
  int64_t p = blockDotRowDims(op);
  if (!p || op.hasDynamicShape())
    return failure();
  SmallVector<int64_t> all = op.getStaticLoopRanges();
  // Rows along the last row dimension (the others 1); one block per tile;
  // the groups of the block, both nibbles and the four bytes of a dot
  // product whole.
  int64_t lead = p - 1;
  if (llvm::any_of(ArrayRef<int64_t>(all).take_front(lead),
                   [](int64_t e) { return e != 1; }))
    return failure();
  ArrayRef<int64_t> r = ArrayRef<int64_t>(all).drop_front(lead);
  if (r[3] != 1 || r[5] != 2 || r[6] != 4)
    return failure();
  int64_t rows = r[0], tiles = r[1], lanes = r[2], groups = r[4];
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  OpBuilder &b = rewriter;
  Type i8 = b.getI8Type(), i32 = b.getI32Type(), f32 = b.getF32Type();
  Value x = op.getDpsInputOperand(0)->get();
  Value w = op.getDpsInputOperand(1)->get();
  Value s = op.getDpsInputOperand(2)->get();
  Value z = op.getDpsInputOperand(3)->get();
  Value sums = op.getDpsInputOperand(4)->get();
  Value acc = op.getDpsInitOperand(0)->get();
  TileReader tr{b, loc, lead, lanes};
  auto bytesType = VectorType::get({lanes * 4}, i8);
  auto accType = VectorType::get({lanes}, i32);

  // Few accumulators: the nibbles get a chain each, so that at least four
  // independent dot-product chains hide the instruction's latency.
  bool split = rows * tiles < 4;
  Value zeroAcc = arith::ConstantOp::create(
      b, loc, accType, DenseElementsAttr::get(accType, b.getI32IntegerAttr(0)));
  SmallVector<Value> accLo(rows * tiles, zeroAcc), accHi(rows * tiles, zeroAcc);
  Value mask = arith::ConstantOp::create(
      b, loc, bytesType,
      DenseElementsAttr::get(bytesType, b.getI8IntegerAttr(15)));
  Value four = arith::ConstantOp::create(
      b, loc, bytesType,
      DenseElementsAttr::get(bytesType, b.getI8IntegerAttr(4)));
  for (int64_t c = 0; c < groups; ++c) {
    SmallVector<Value> lo, hi;
    for (int64_t t = 0; t < tiles; ++t) {
      Value v = tr.weightBytes(
          w, {tr.idx(t), tr.idx(0), tr.idx(c), tr.idx(0), tr.idx(0)});
      lo.push_back(arith::AndIOp::create(b, loc, v, mask));
      hi.push_back(arith::ShRUIOp::create(b, loc, v, four));
    }
    for (int64_t m = 0; m < rows; ++m) {
      // The row's two groups of four activations (one per nibble).
      Value xLo = tr.broadcastGroup(x, tr.at({m, 0, c, 0, 0}));
      Value xHi = tr.broadcastGroup(x, tr.at({m, 0, c, 1, 0}));
      for (int64_t t = 0; t < tiles; ++t) {
        Value &a = accLo[m * tiles + t];
        a = Dot4U8S8Op::create(b, loc, a, lo[t], xLo);
        Value &h = split ? accHi[m * tiles + t] : a;
        h = Dot4U8S8Op::create(b, loc, h, hi[t], xHi);
      }
    }
  }

  // Per block: minus z * S, to f32, times the block's scales.
  Value sAll = readAll(b, loc, s); // [tiles, 1, lanes]
  Value zAll = arith::ExtUIOp::create(
      b, loc, VectorType::get({tiles, 1, lanes}, i32), readAll(b, loc, z));
  Value sumAll = readAll(b, loc, sums); // [rows, 1]
  Value accAll = readAll(b, loc, acc);  // [rows, tiles, lanes]
  SmallVector<Value> results;
  for (int64_t m = 0; m < rows; ++m)
    for (int64_t t = 0; t < tiles; ++t) {
      Value sum = accLo[m * tiles + t];
      if (split)
        sum = arith::AddIOp::create(b, loc, sum, accHi[m * tiles + t]);
      Value zt =
          vector::ExtractOp::create(b, loc, zAll, ArrayRef<int64_t>{t, 0});
      Value sm = vector::BroadcastOp::create(
          b, loc, accType,
          vector::ExtractOp::create(b, loc, sumAll, tr.pos({m, 0})));
      sum = arith::SubIOp::create(b, loc, sum,
                                  arith::MulIOp::create(b, loc, zt, sm));
      Value st =
          vector::ExtractOp::create(b, loc, sAll, ArrayRef<int64_t>{t, 0});
      Value f =
          arith::SIToFPOp::create(b, loc, VectorType::get({lanes}, f32), sum);
      Value old = vector::ExtractOp::create(b, loc, accAll, tr.pos({m, t}));
      results.push_back(vector::FMAOp::create(b, loc, f, st, old));
    }
  Value written = writeAll(b, loc, concat(b, loc, results), acc);
  rewriter.replaceOp(op, written);
  return success();
}

/// The number of batch dimensions of a product of two run-time 8-bit
/// operands in the dot-product layout (0 or more), or -1 when `op` is not
/// one.
static int64_t dotMatMulBatchDims(Operation *op) {
  auto generic = dyn_cast<linalg::GenericOp>(op);
  if (!generic || generic.getNumLoops() < 5 || generic.getNumDpsInputs() != 2 ||
      generic.getNumDpsInits() != 1)
    return -1;
  int64_t q = generic.getNumLoops() - 5;
  for (auto [i, it] : llvm::enumerate(generic.getIteratorTypesArray()))
    if ((it == utils::IteratorType::parallel) != ((int64_t)i < q + 3))
      return -1;
  auto elt = [&](int64_t i) {
    return getElementTypeOrSelf(generic->getOperand(i).getType());
  };
  if (!elt(0).isInteger(8) || !elt(1).isInteger(8) || !elt(2).isInteger(32))
    return -1;
  MLIRContext *ctx = op->getContext();
  unsigned n = generic.getNumLoops();
  // Batch b_0..b_{q-1}, then m, t, i, c, j.
  int64_t m = q, t = q + 1, i = q + 2, c = q + 3, j = q + 4;
  auto batchThen = [&](ArrayRef<int64_t> dims) {
    SmallVector<AffineExpr> e;
    for (int64_t r = 0; r < q; ++r)
      e.push_back(getAffineDimExpr(r, ctx));
    for (int64_t x : dims)
      e.push_back(getAffineDimExpr(x, ctx));
    return AffineMap::get(n, 0, e, ctx);
  };
  SmallVector<AffineMap> expected = {
      batchThen({m, c, j}), batchThen({t, c, i, j}), batchThen({m, t, i})};
  return generic.getIndexingMapsArray() == expected ? q : -1;
}

bool qcpu::isDotProductMatMul(Operation *op) {
  return dotMatMulBatchDims(op) >= 0;
}

LogicalResult qcpu::vectorizeDotProductMatMulTile(RewriterBase &rewriter,
                                                  linalg::GenericOp op) {
  int64_t lead = dotMatMulBatchDims(op);
  if (lead < 0 || op.hasDynamicShape())
    return failure();
  SmallVector<int64_t> all = op.getStaticLoopRanges();
  // One batch per tile.
  if (llvm::any_of(ArrayRef<int64_t>(all).take_front(lead),
                   [](int64_t e) { return e != 1; }))
    return failure();
  ArrayRef<int64_t> r = ArrayRef<int64_t>(all).drop_front(lead);
  if (r[4] != 4)
    return failure();
  int64_t rows = r[0], tiles = r[1], lanes = r[2], groups = r[3];
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  OpBuilder &b = rewriter;
  Value x = op.getDpsInputOperand(0)->get();
  Value w = op.getDpsInputOperand(1)->get();
  Value acc = op.getDpsInitOperand(0)->get();
  TileReader tr{b, loc, lead, lanes};

  Value accAll = readAll(b, loc, acc); // [1..., rows, tiles, lanes]
  SmallVector<Value> accs;
  for (int64_t m = 0; m < rows; ++m)
    for (int64_t t = 0; t < tiles; ++t)
      accs.push_back(vector::ExtractOp::create(b, loc, accAll, tr.pos({m, t})));
  for (int64_t c = 0; c < groups; ++c) {
    SmallVector<Value> ws;
    for (int64_t t = 0; t < tiles; ++t)
      ws.push_back(tr.weightBytes(w, tr.at({t, c, 0, 0})));
    for (int64_t m = 0; m < rows; ++m) {
      // The row's four bytes of this group, broadcast to every lane.
      Value xs = tr.broadcastGroup(x, tr.at({m, c, 0}));
      for (int64_t t = 0; t < tiles; ++t) {
        Value &a = accs[m * tiles + t];
        a = Dot4U8S8Op::create(b, loc, a, xs, ws[t]);
      }
    }
  }
  Value written = writeAll(b, loc, concat(b, loc, accs), acc);
  rewriter.replaceOp(op, written);
  return success();
}
