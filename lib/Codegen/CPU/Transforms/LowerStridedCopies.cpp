//===- LowerStridedCopies.cpp - memref.copy without the runtime call ------===//
//
// Part of qopt. Keeps compiled models free of the memrefCopy runtime call
// and makes the copies that bufferized pads and inserts leave behind run as
// memcpy of their longest contiguous blocks.
//
//===----------------------------------------------------------------------===//

#include "qopt/Codegen/CPU/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir {
namespace qcpu {
#define GEN_PASS_DEF_LOWERSTRIDEDCOPIESPASS
#include "qopt/Codegen/CPU/Transforms/Passes.h.inc"
} // namespace qcpu
} // namespace mlir

using namespace mlir;

namespace {

/// Number of trailing dimensions over which `t` is contiguous (static sizes,
/// unit innermost stride, each stride the product of the sizes inside it).
int64_t contiguousTrailingDims(MemRefType t) {
  SmallVector<int64_t> strides;
  int64_t offset;
  if (failed(t.getStridesAndOffset(strides, offset)))
    return 0;
  int64_t rank = t.getRank(), k = 0, expected = 1;
  for (int64_t i = rank - 1; i >= 0; --i) {
    if (ShapedType::isDynamic(strides[i]) || strides[i] != expected ||
        t.isDynamicDim(i))
      break;
    expected *= t.getDimSize(i);
    ++k;
  }
  return k;
}

/// Copies `src` to `dst` as loops over the leading dimensions around a
/// memref.copy of the trailing `k` dimensions, contiguous in both (which
/// finalize-memref-to-llvm turns into a memcpy intrinsic).
void copyByBlocks(IRRewriter &rewriter, memref::CopyOp copy, int64_t k) {
  Location loc = copy.getLoc();
  Value src = copy.getSource(), dst = copy.getTarget();
  auto st = cast<MemRefType>(src.getType());
  auto dt = cast<MemRefType>(dst.getType());
  int64_t rank = st.getRank(), outer = rank - k;
  rewriter.setInsertionPoint(copy);
  SmallVector<Value> ivs;
  Value c0 = arith::ConstantIndexOp::create(rewriter, loc, 0);
  Value c1 = arith::ConstantIndexOp::create(rewriter, loc, 1);
  for (int64_t i = 0; i < outer; ++i) {
    Value ub = memref::DimOp::create(rewriter, loc, src, i);
    auto loop = scf::ForOp::create(rewriter, loc, c0, ub, c1);
    rewriter.setInsertionPointToStart(loop.getBody());
    ivs.push_back(loop.getInductionVar());
  }
  SmallVector<OpFoldResult> offsets, sizes, strides(rank, rewriter.getIndexAttr(1));
  for (int64_t i = 0; i < rank; ++i) {
    offsets.push_back(i < outer ? OpFoldResult(ivs[i]) : rewriter.getIndexAttr(0));
    sizes.push_back(i < outer ? rewriter.getIndexAttr(1)
                              : rewriter.getIndexAttr(st.getDimSize(i)));
  }
  ArrayRef<int64_t> block = st.getShape().drop_front(outer);
  auto view = [&](Value v, MemRefType t) -> Value {
    auto type = memref::SubViewOp::inferRankReducedResultType(
        block, t, offsets, sizes, strides);
    return memref::SubViewOp::create(rewriter, loc, type, v, offsets, sizes,
                                     strides);
  };
  memref::CopyOp::create(rewriter, loc, view(src, st), view(dst, dt));
  rewriter.eraseOp(copy);
}

/// A bufferized tensor.pad: `linalg.map` writing the padding value over a
/// whole buffer, directly followed by a subview of the buffer's interior
/// that a memref.copy of the source fills. The interior is written twice; the
/// map becomes maps over the border slabs only (for dimension d: its low and
/// high ranges, the interior in the dimensions before d, everything in the
/// dimensions after it).
void fillBorderOnly(IRRewriter &rewriter, linalg::MapOp map) {
  if (map.getInputs().size() != 0)
    return;
  Value buffer = map.getInit();
  auto type = dyn_cast<MemRefType>(buffer.getType());
  if (!type || !type.getLayout().isIdentity())
    return;
  auto interior = dyn_cast_or_null<memref::SubViewOp>(map->getNextNode());
  if (!interior || interior.getSource() != buffer || !interior->hasOneUse())
    return;
  auto copy = dyn_cast<memref::CopyOp>(*interior->getUsers().begin());
  if (!copy || copy.getTarget() != interior.getResult() ||
      copy->getBlock() != map->getBlock())
    return;
  ArrayRef<int64_t> offsets = interior.getStaticOffsets();
  ArrayRef<int64_t> sizes = interior.getStaticSizes();
  ArrayRef<int64_t> strides = interior.getStaticStrides();
  int64_t rank = type.getRank();
  if ((int64_t)offsets.size() != rank ||
      llvm::any_of(strides, [](int64_t v) { return v != 1; }))
    return;
  // A dynamic dimension (the batch) must be padded by nothing: the interior
  // spans all of it, so it has no border slab.
  for (int64_t d = 0; d < rank; ++d) {
    if (ShapedType::isDynamic(offsets[d]))
      return;
    if (ShapedType::isDynamic(sizes[d]) || type.isDynamicDim(d)) {
      if (offsets[d] != 0 || !type.isDynamicDim(d) ||
          !ShapedType::isDynamic(sizes[d]))
        return;
    }
  }
  rewriter.setInsertionPoint(map);
  Location loc = map.getLoc();
  SmallVector<OpFoldResult> full = memref::getMixedSizes(rewriter, loc, buffer);
  SmallVector<OpFoldResult> inner = interior.getMixedSizes();
  auto slab = [&](int64_t d, int64_t start, int64_t size) {
    if (size <= 0)
      return;
    SmallVector<OpFoldResult> o(rank, rewriter.getIndexAttr(0)), z(full),
        one(rank, rewriter.getIndexAttr(1));
    for (int64_t i = 0; i < d; ++i) {
      o[i] = rewriter.getIndexAttr(offsets[i]);
      z[i] = inner[i];
    }
    o[d] = rewriter.getIndexAttr(start);
    z[d] = rewriter.getIndexAttr(size);
    Value view = memref::SubViewOp::create(rewriter, loc, buffer, o, z, one);
    IRMapping mapping;
    auto clone = cast<linalg::MapOp>(rewriter.clone(*map, mapping));
    clone.getInitMutable().assign(view);
  };
  for (int64_t d = 0; d < rank; ++d) {
    if (type.isDynamicDim(d))
      continue;
    slab(d, 0, offsets[d]);
    slab(d, offsets[d] + sizes[d], type.getDimSize(d) - offsets[d] - sizes[d]);
  }
  rewriter.eraseOp(map);
}

struct LowerStridedCopiesPass
    : qcpu::impl::LowerStridedCopiesPassBase<LowerStridedCopiesPass> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    SmallVector<linalg::MapOp> maps;
    getOperation()->walk([&](linalg::MapOp map) { maps.push_back(map); });
    for (linalg::MapOp map : maps)
      fillBorderOnly(rewriter, map);
    SmallVector<memref::CopyOp> copies;
    getOperation()->walk([&](memref::CopyOp copy) { copies.push_back(copy); });
    for (memref::CopyOp copy : copies) {
      auto src = cast<MemRefType>(copy.getSource().getType());
      auto dst = cast<MemRefType>(copy.getTarget().getType());
      if (src.getLayout().isIdentity() && dst.getLayout().isIdentity())
        continue; // becomes a memcpy
      int64_t k = std::min(contiguousTrailingDims(src),
                           contiguousTrailingDims(dst));
      if (k > 0 && src.getShape() == dst.getShape()) {
        copyByBlocks(rewriter, copy, k);
        continue;
      }
      rewriter.setInsertionPoint(copy);
      rewriter.replaceOpWithNewOp<linalg::CopyOp>(copy, copy.getSource(),
                                                  copy.getTarget());
    }
  }
};
} // namespace
