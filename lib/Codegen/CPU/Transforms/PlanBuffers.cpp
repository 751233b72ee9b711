//===- PlanBuffers.cpp - Static intermediate buffers in one arena ---------===//
//
// Part of qopt. See the pass description in Passes.td: the entry block's
// static buffers get offsets in one arena by their lifetimes.
//
//===----------------------------------------------------------------------===//

#include "qopt/Codegen/CPU/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"

#include <algorithm>

namespace mlir {
namespace qcpu {
#define GEN_PASS_DEF_PLANBUFFERSPASS
#include "qopt/Codegen/CPU/Transforms/Passes.h.inc"
} // namespace qcpu
} // namespace mlir

using namespace mlir;

namespace {

constexpr int64_t kAlignment = 64;

/// One buffer to place: its allocation, its deallocation, its lifetime as
/// positions in the entry block, and its size in bytes.
struct Buffer {
  memref::AllocOp alloc;
  memref::DeallocOp dealloc;
  int64_t start = 0, end = 0, bytes = 0, offset = 0;
};

/// The size of a static identity-layout memref of whole-byte integers or
/// floats, rounded up to the arena's alignment; 0 when it does not qualify.
int64_t placeableBytes(MemRefType type) {
  if (!type.hasStaticShape() || !type.getLayout().isIdentity() ||
      type.getMemorySpace())
    return 0;
  Type elt = type.getElementType();
  if (!elt.isIntOrFloat() || elt.getIntOrFloatBitWidth() % 8)
    return 0;
  int64_t bytes = type.getNumElements() * (elt.getIntOrFloatBitWidth() / 8);
  return (bytes + kAlignment - 1) / kAlignment * kAlignment;
}

/// Offsets for `buffers` (largest first, each at the lowest aligned offset
/// that no buffer with an overlapping lifetime occupies); returns the arena
/// size.
int64_t assignOffsets(SmallVectorImpl<Buffer> &buffers) {
  SmallVector<Buffer *> order;
  for (Buffer &b : buffers)
    order.push_back(&b);
  // Largest first; equal sizes by position (a deterministic plan).
  llvm::sort(order, [](Buffer *a, Buffer *b) {
    return std::make_pair(-a->bytes, a->start) <
           std::make_pair(-b->bytes, b->start);
  });
  SmallVector<Buffer *> placed;
  int64_t total = 0;
  for (Buffer *b : order) {
    SmallVector<std::pair<int64_t, int64_t>> busy;
    for (Buffer *p : placed)
      if (p->start < b->end && b->start < p->end)
        busy.push_back({p->offset, p->offset + p->bytes});
    llvm::sort(busy);
    int64_t offset = 0;
    for (auto [lo, hi] : busy) {
      if (offset + b->bytes <= lo)
        break;
      offset = std::max(offset, hi);
    }
    b->offset = offset;
    total = std::max(total, offset + b->bytes);
    placed.push_back(b);
  }
  return total;
}

struct PlanBuffersPass : qcpu::impl::PlanBuffersPassBase<PlanBuffersPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    Block &entry = func.getBody().front();
    auto ret = dyn_cast<func::ReturnOp>(entry.getTerminator());
    if (!ret)
      return;
    DenseMap<Operation *, int64_t> position;
    int64_t next = 0;
    for (Operation &op : entry)
      position[&op] = next++;

    SmallVector<Buffer> buffers;
    for (Operation &op : entry) {
      auto alloc = dyn_cast<memref::AllocOp>(&op);
      if (!alloc)
        continue;
      int64_t bytes = placeableBytes(alloc.getType());
      if (!bytes)
        continue;
      // Freed exactly once, in this block (a returned buffer is not freed,
      // one freed in a branch is freed elsewhere).
      memref::DeallocOp dealloc;
      bool ok = true;
      for (Operation *user : alloc->getUsers())
        if (auto d = dyn_cast<memref::DeallocOp>(user)) {
          ok &= !dealloc && d->getBlock() == &entry;
          dealloc = d;
        }
      if (!ok || !dealloc)
        continue;
      buffers.push_back(
          {alloc, dealloc, position[alloc], position[dealloc], bytes, 0});
    }
    if (buffers.size() < 2)
      return;
    int64_t total = assignOffsets(buffers);

    OpBuilder b(&getContext());
    b.setInsertionPointToStart(&entry);
    Location loc = func.getLoc();
    auto arenaType = MemRefType::get({total}, b.getI8Type());
    Value arena = memref::AllocOp::create(b, loc, arenaType,
                                          b.getI64IntegerAttr(kAlignment));
    for (Buffer &buf : buffers) {
      b.setInsertionPoint(buf.alloc);
      Value offset =
          arith::ConstantIndexOp::create(b, buf.alloc.getLoc(), buf.offset);
      Value view =
          memref::ViewOp::create(b, buf.alloc.getLoc(), buf.alloc.getType(),
                                 arena, offset, ValueRange{});
      buf.dealloc.erase();
      buf.alloc.getResult().replaceAllUsesWith(view);
      buf.alloc.erase();
    }
    b.setInsertionPoint(ret);
    memref::DeallocOp::create(b, loc, arena);
  }
};

} // namespace
