//===- DistinctResultBuffers.cpp - One buffer per returned result ---------===//
//
// Part of qopt. See the pass description in Conversion/Passes.td: repeated
// return operands are copied so that buffer-results-to-out-params sees each
// returned buffer once.
//
//===----------------------------------------------------------------------===//

#include "qopt/Codegen/CPU/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/DenseSet.h"

namespace mlir {
namespace qcpu {
#define GEN_PASS_DEF_DISTINCTRESULTBUFFERSPASS
#include "qopt/Codegen/CPU/Transforms/Passes.h.inc"
} // namespace qcpu
} // namespace mlir

using namespace mlir;

namespace {

/// A fresh identity-layout buffer with `v`'s shape, holding a copy of `v`.
Value copyBuffer(OpBuilder &b, Location loc, Value v) {
  auto type = cast<MemRefType>(v.getType());
  SmallVector<Value> dynamicSizes;
  for (int64_t i = 0; i < type.getRank(); ++i)
    if (type.isDynamicDim(i))
      dynamicSizes.push_back(memref::DimOp::create(b, loc, v, i));
  Value copy = memref::AllocOp::create(b, loc, type, dynamicSizes);
  memref::CopyOp::create(b, loc, v, copy);
  return copy;
}

struct DistinctResultBuffersPass
    : qcpu::impl::DistinctResultBuffersPassBase<DistinctResultBuffersPass> {
  void runOnOperation() override {
    getOperation().walk([](func::ReturnOp ret) {
      llvm::SmallDenseSet<Value, 8> seen;
      OpBuilder b(ret);
      for (OpOperand &operand : ret->getOpOperands()) {
        Value v = operand.get();
        auto type = dyn_cast<MemRefType>(v.getType());
        if (!type || seen.insert(v).second)
          continue;
        // Only identity layouts can be allocated as they are; the function
        // boundary of qopt's bufferization uses nothing else.
        if (!type.getLayout().isIdentity())
          continue;
        operand.set(copyBuffer(b, ret.getLoc(), v));
      }
    });
  }
};

} // namespace
