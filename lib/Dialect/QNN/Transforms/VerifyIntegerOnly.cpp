//===- VerifyIntegerOnly.cpp - No float inside the quantized region -------===//
//
// Part of qopt. Implements `--verify-integer-only`.
//
//===----------------------------------------------------------------------===//

#include "qopt/Dialect/QNN/IR/QNN.h"
#include "qopt/Dialect/QNN/Transforms/Passes.h"

#include "llvm/ADT/SetVector.h"

namespace mlir {
namespace qnn {
#define GEN_PASS_DEF_VERIFYINTEGERONLYPASS
#include "qopt/Dialect/QNN/Transforms/Passes.h.inc"
} // namespace qnn
} // namespace mlir

using namespace mlir;
using namespace mlir::qnn;

namespace {

bool hasFloatTensor(TypeRange types) {
  return llvm::any_of(types, [](Type t) {
    auto r = dyn_cast<RankedTensorType>(t);
    return r && isa<FloatType>(r.getElementType());
  });
}

struct VerifyIntegerOnlyPass
    : qnn::impl::VerifyIntegerOnlyPassBase<VerifyIntegerOnlyPass> {
  void runOnOperation() override {
    bool failedAny = false;
    getOperation().walk([&](func::FuncOp func) {
      // Forward from every quantize, backward from every dequantize.
      llvm::SetVector<Operation *> forward, backward;
      SmallVector<Operation *> work;
      func.walk([&](QuantizeOp q) { work.push_back(q); });
      while (!work.empty()) {
        Operation *op = work.pop_back_val();
        for (Operation *user : op->getUsers())
          if (forward.insert(user))
            work.push_back(user);
      }
      func.walk([&](DequantizeOp d) { work.push_back(d); });
      while (!work.empty()) {
        Operation *op = work.pop_back_val();
        for (Value v : op->getOperands())
          if (Operation *def = v.getDefiningOp())
            if (backward.insert(def))
              work.push_back(def);
      }
      for (Operation *op : forward) {
        if (!backward.contains(op) || isa<QuantizeOp, DequantizeOp>(op))
          continue;
        if (hasFloatTensor(op->getResultTypes())) {
          op->emitError("float arithmetic inside the quantized region: '")
              << op->getName() << "' has no integer form here; it runs "
              << "between a qnn.dequantize and a qnn.quantize";
          failedAny = true;
        }
      }
    });
    if (failedAny)
      signalPassFailure();
  }
};

} // namespace
