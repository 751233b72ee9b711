//===- PadInPlace.cpp - Producers write straight into padded buffers ------===//
//
// Part of qopt. A convolution's padded input is, after bufferization, a
// buffer filled with the padding value into whose interior the unpadded
// activation is copied. When that activation is computed into a fresh
// tensor (a tile loop or a linalg op writing into tensor.empty), the
// producer can write into the padded buffer's interior instead: the copy
// disappears and only the border is filled.
//
//===----------------------------------------------------------------------===//

#include "qopt/Codegen/CPU/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Dominance.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"

namespace mlir {
namespace qcpu {
#define GEN_PASS_DEF_PADINPLACEPASS
#include "qopt/Codegen/CPU/Transforms/Passes.h.inc"
} // namespace qcpu
} // namespace mlir

using namespace mlir;

namespace {

/// The operand through which `v` is computed into a tensor.empty: `v` is
/// followed back through destination-passing producers (tile loops, linalg
/// ops, transfer writes, insert_slice) to their destination until one is a
/// tensor.empty. Null when the chain ends anywhere else.
OpOperand *findEmptyDestination(Value v) {
  for (int depth = 0; depth < 64; ++depth) {
    auto result = dyn_cast<OpResult>(v);
    if (!result)
      return nullptr;
    Operation *op = result.getOwner();
    unsigned i = result.getResultNumber();
    OpOperand *next = nullptr;
    if (auto loop = dyn_cast<scf::ForOp>(op))
      next = &loop.getInitArgsMutable()[i];
    else if (auto forall = dyn_cast<scf::ForallOp>(op))
      next = &forall.getOutputsMutable()[i];
    else if (auto dps = dyn_cast<DestinationStyleOpInterface>(op))
      next = dps.getTiedOpOperand(result);
    if (!next)
      return nullptr;
    if (next->get().getDefiningOp<tensor::EmptyOp>())
      return next;
    v = next->get();
  }
  return nullptr;
}

/// Rewrites `pad` as border fills of a new buffer plus its source inserted
/// into the interior, and makes the source's producer write into that
/// interior. Returns false when `pad` does not qualify.
bool padInPlace(RewriterBase &rewriter, DominanceInfo &dom, tensor::PadOp pad) {
  Value padValue = pad.getConstantPaddingValue();
  if (!padValue || pad.getNofold())
    return false;
  RankedTensorType type = pad.getResultType();
  ArrayRef<int64_t> low = pad.getStaticLow(), high = pad.getStaticHigh();
  if (llvm::any_of(llvm::concat<const int64_t>(low, high),
                   ShapedType::isDynamic))
    return false;
  OpOperand *use = findEmptyDestination(pad.getSource());
  if (!use)
    return false;
  auto empty = use->get().getDefiningOp<tensor::EmptyOp>();
  Operation *user = use->getOwner();
  // The new buffer is built right before the user of the empty tensor, so
  // the padding value must be available there (it is a constant or a
  // function argument in practice).
  if (!dom.properlyDominates(padValue, user))
    return false;
  int64_t rank = type.getRank();
  SmallVector<OpFoldResult> inner = empty.getMixedSizes();
  for (int64_t d = 0; d < rank; ++d)
    if (type.isDynamicDim(d) && (low[d] != 0 || high[d] != 0))
      return false;

  Location loc = pad.getLoc();
  rewriter.setInsertionPoint(user);
  SmallVector<OpFoldResult> full;
  for (int64_t d = 0; d < rank; ++d)
    full.push_back(type.isDynamicDim(d)
                       ? inner[d]
                       : OpFoldResult(rewriter.getIndexAttr(type.getDimSize(d))));
  Value buffer = tensor::EmptyOp::create(rewriter, loc, full,
                                         type.getElementType());
  SmallVector<OpFoldResult> one(rank, rewriter.getIndexAttr(1));
  SmallVector<OpFoldResult> at(rank, rewriter.getIndexAttr(0));
  for (int64_t d = 0; d < rank; ++d)
    at[d] = rewriter.getIndexAttr(low[d]);
  // Border slabs of dimension d: its low and high ranges, the interior in
  // the dimensions before d and everything in those after it.
  auto fillSlab = [&](int64_t d, int64_t start, int64_t size) {
    if (size <= 0)
      return;
    SmallVector<OpFoldResult> o(rank, rewriter.getIndexAttr(0)), z(full);
    for (int64_t i = 0; i < d; ++i) {
      o[i] = at[i];
      z[i] = inner[i];
    }
    o[d] = rewriter.getIndexAttr(start);
    z[d] = rewriter.getIndexAttr(size);
    Value slab = tensor::ExtractSliceOp::create(rewriter, loc, buffer, o, z, one);
    Value filled =
        linalg::FillOp::create(rewriter, loc, padValue, slab).getResult(0);
    buffer = tensor::InsertSliceOp::create(rewriter, loc, filled, buffer, o, z,
                                           one);
  };
  for (int64_t d = 0; d < rank; ++d) {
    if (type.isDynamicDim(d))
      continue;
    fillSlab(d, 0, low[d]);
    fillSlab(d, type.getDimSize(d) - high[d], high[d]);
  }
  Value interior =
      tensor::ExtractSliceOp::create(rewriter, loc, buffer, at, inner, one);
  rewriter.modifyOpInPlace(user, [&] { use->set(interior); });
  // The source is now the interior of `buffer` itself: inserting it back is
  // the identity, which bufferization recognizes (no copy).
  rewriter.setInsertionPoint(pad);
  rewriter.replaceOpWithNewOp<tensor::InsertSliceOp>(pad, pad.getSource(),
                                                     buffer, at, inner, one);
  return true;
}

struct PadInPlacePass : qcpu::impl::PadInPlacePassBase<PadInPlacePass> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    DominanceInfo dom(getOperation());
    SmallVector<tensor::PadOp> pads;
    getOperation()->walk([&](tensor::PadOp pad) { pads.push_back(pad); });
    for (tensor::PadOp pad : pads)
      padInPlace(rewriter, dom, pad);
  }
};

} // namespace
