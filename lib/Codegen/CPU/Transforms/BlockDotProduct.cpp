//===- BlockDotProduct.cpp - Vector code for W4A8 block products ----------===//
//
// Part of qopt. The register tile of a product of int8 activations and
// packed 4-bit block weights, written directly as vector code. The
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

#include "qopt/Codegen/CPU/Transforms/BlockDotProduct.h"
#include "qopt/Codegen/CPU/IR/QCPU.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace mlir::qcpu;

bool qcpu::isBlockDotProduct(Operation *op) {
  auto generic = dyn_cast<linalg::GenericOp>(op);
  if (!generic || generic.getNumLoops() != 7 ||
      generic.getNumDpsInputs() != 5 || generic.getNumDpsInits() != 1)
    return false;
  for (auto [i, it] : llvm::enumerate(generic.getIteratorTypesArray()))
    if ((it == utils::IteratorType::parallel) != (i < 3))
      return false;
  auto elt = [&](int64_t i) {
    return getElementTypeOrSelf(generic->getOperand(i).getType());
  };
  if (!elt(0).isInteger(8) || !elt(1).isInteger(8) || !elt(2).isF32() ||
      !elt(3).isInteger(8) || !elt(4).isInteger(32) || !elt(5).isF32())
    return false;
  MLIRContext *ctx = op->getContext();
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  auto map = [&](ArrayRef<AffineExpr> e) {
    return AffineMap::get(7, 0, e, ctx);
  };
  SmallVector<AffineMap> expected = {map({d(0), d(3), d(4), d(5), d(6)}),
                                     map({d(1), d(3), d(4), d(2), d(6)}),
                                     map({d(1), d(3), d(2)}),
                                     map({d(1), d(3), d(2)}),
                                     map({d(0), d(3)}),
                                     map({d(0), d(1), d(2)})};
  return generic.getIndexingMapsArray() == expected;
}

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

} // namespace

LogicalResult qcpu::vectorizeBlockDotTile(RewriterBase &rewriter,
                                          linalg::GenericOp op) {
  if (!isBlockDotProduct(op) || op.hasDynamicShape())
    return failure();
  SmallVector<int64_t> r = op.getStaticLoopRanges();
  // One block per tile; the groups of the block, both nibbles and the four
  // bytes of a dot product whole.
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
  auto idx = [&](int64_t v) {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  Value zeroI8 = arith::ConstantOp::create(b, loc, i8, b.getI8IntegerAttr(0));
  auto bytesType = VectorType::get({lanes * 4}, i8);
  auto accType = VectorType::get({lanes}, i32);

  // Each group of four activation bytes is broadcast to every lane.
  auto xGroup = [&](int64_t m, int64_t c, int64_t h) -> Value {
    Value four = vector::TransferReadOp::create(
        b, loc, VectorType::get({4}, i8), x,
        ValueRange{idx(m), idx(0), idx(c), idx(h), idx(0)}, zeroI8,
        AffineMap::getMinorIdentityMap(5, 1, b.getContext()),
        ArrayRef<bool>{true});
    Value word = vector::ExtractOp::create(
        b, loc,
        vector::BitCastOp::create(b, loc, VectorType::get({1}, i32), four),
        int64_t(0));
    return vector::BitCastOp::create(
        b, loc, bytesType, vector::BroadcastOp::create(b, loc, accType, word));
  };

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
      Value v = vector::TransferReadOp::create(
          b, loc, VectorType::get({lanes, 4}, i8), w,
          ValueRange{idx(t), idx(0), idx(c), idx(0), idx(0)}, zeroI8,
          AffineMap::getMinorIdentityMap(5, 2, b.getContext()),
          ArrayRef<bool>{true, true});
      v = vector::ShapeCastOp::create(b, loc, bytesType, v);
      lo.push_back(arith::AndIOp::create(b, loc, v, mask));
      hi.push_back(arith::ShRUIOp::create(b, loc, v, four));
    }
    for (int64_t m = 0; m < rows; ++m) {
      Value xLo = xGroup(m, c, 0), xHi = xGroup(m, c, 1);
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
  Value accAll = readAll(b, loc, acc); // [rows, tiles, lanes]
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
          vector::ExtractOp::create(b, loc, sumAll, ArrayRef<int64_t>{m, 0}));
      sum = arith::SubIOp::create(b, loc, sum,
                                  arith::MulIOp::create(b, loc, zt, sm));
      Value st =
          vector::ExtractOp::create(b, loc, sAll, ArrayRef<int64_t>{t, 0});
      Value f =
          arith::SIToFPOp::create(b, loc, VectorType::get({lanes}, f32), sum);
      Value old =
          vector::ExtractOp::create(b, loc, accAll, ArrayRef<int64_t>{m, t});
      results.push_back(vector::FMAOp::create(b, loc, f, st, old));
    }
  auto outType = VectorType::get({rows, tiles, lanes}, f32);
  Value all =
      vector::ShapeCastOp::create(b, loc, outType, concat(b, loc, results));
  Value written =
      vector::TransferWriteOp::create(
          b, loc, all, acc, ValueRange{idx(0), idx(0), idx(0)},
          b.getMultiDimIdentityMap(3), ArrayRef<bool>{true, true, true})
          .getResult();
  rewriter.replaceOp(op, written);
  return success();
}
