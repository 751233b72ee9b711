//===- PrepareQAT.cpp - Fake-quant simulation for QAT ---------------------===//
//
// Part of qopt. Implements `--prepare-qat`: observers and weights get
// `qnn.fake_quant` ops with the parameters `--quantize-static` would choose,
// so QAT starts from the PTQ grid and `--lower-fake-quant` ends on it.
//
//===----------------------------------------------------------------------===//

#include "qopt/Dialect/QNN/IR/QNN.h"
#include "qopt/Dialect/QNN/Transforms/Passes.h"
#include "qopt/Dialect/QNN/Utils/ConstantUtils.h"
#include "qopt/Dialect/QNN/Utils/QuantParams.h"

#include "mlir/IR/Builders.h"

#include <cmath>

namespace mlir {
namespace qnn {
#define GEN_PASS_DEF_PREPAREQATPASS
#include "qopt/Dialect/QNN/Transforms/Passes.h.inc"
} // namespace qnn
} // namespace mlir

using namespace mlir;
using namespace mlir::qnn;

namespace {

/// The weight operand of a weighted op and the axis of its output channels.
std::optional<std::pair<OpOperand *, int64_t>> weightOperand(Operation *op) {
  auto weighted = dyn_cast<WeightedOpInterface>(op);
  if (!weighted)
    return std::nullopt;
  std::optional<int64_t> axis = weighted.getWeightChannelAxis();
  if (!axis)
    return std::nullopt;
  return std::make_pair(&weighted.getWeightOperand(), *axis);
}

struct PrepareQATPass : qnn::impl::PrepareQATPassBase<PrepareQATPass> {
  using PrepareQATPassBase::PrepareQATPassBase;

  LogicalResult checkOptions(ModuleOp module) {
    if (weightBits != 8 && weightBits != 4)
      return emitError(module.getLoc(),
                       "prepare-qat: weight-bits must be 8 or 4, got ")
             << static_cast<unsigned>(weightBits);
    if (!activationRange.empty() &&
        (activationRange.size() != 2 || !std::isfinite(activationRange[0]) ||
         !std::isfinite(activationRange[1]) ||
         activationRange[0] >= activationRange[1]))
      return emitError(module.getLoc(),
                       "prepare-qat: activation-range must be LO,HI "
                       "with finite LO < HI");
    return success();
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (failed(checkOptions(module)))
      return signalPassFailure();
    MLIRContext *ctx = &getContext();
    bool isSigned = activationType == ActivationType::Int8;

    SmallVector<ObserverOp> observers;
    module.walk([&](ObserverOp o) { observers.push_back(o); });
    if (observers.empty()) {
      emitError(module.getLoc(),
                "prepare-qat: no qnn.observer ops; run qopt "
                "--insert-observers first, then calibrate (qopt-run "
                "--calibrate) or give activation-range=LO,HI");
      return signalPassFailure();
    }
    OpBuilder b(ctx);
    for (ObserverOp o : observers) {
      double lo, hi;
      if (o.getMin() && o.getMax()) {
        lo = o.getMin()->convertToDouble();
        hi = o.getMax()->convertToDouble();
      } else if (!activationRange.empty()) {
        lo = activationRange[0];
        hi = activationRange[1];
      } else {
        o.emitError("observer ")
            << o.getId()
            << (o.getName() ? " ('" + o.getName()->str() + "')" : "")
            << " has no calibration statistics and no activation-range was "
               "given; calibrate with `qopt-run FILE --calibrate --input "
               "calib.npy -o calibrated.mlir` or pass "
               "--prepare-qat=activation-range=LO,HI";
        return signalPassFailure();
      }
      auto q = activationParams(ctx, lo, hi, isSigned, symmetricActivations);
      b.setInsertionPoint(o);
      Value fq = FakeQuantOp::create(b, o.getLoc(), o.getType(), o.getInput(),
                                     TypeAttr::get(q));
      o.replaceAllUsesWith(fq);
      o.erase();
    }

    WalkResult r = module.walk([&](Operation *op) {
      auto wo = weightOperand(op);
      if (!wo)
        return WalkResult::advance();
      auto [operand, axis] = *wo;
      Value w = operand->get();
      if (w.getDefiningOp<FakeQuantOp>())
        return WalkResult::advance(); // already prepared
      auto values = getConstantFloatValues(w);
      if (!values) // activations times activations: observers cover them
        return WalkResult::advance();
      auto t = cast<RankedTensorType>(w.getType());
      QuantizedWeights qw = quantizeWeights(*values, t.getShape(), axis,
                                            perChannel, {}, weightBits);
      auto qt = weightType(ctx, qw.scales, axis, weightBits);
      b.setInsertionPoint(op);
      operand->set(FakeQuantOp::create(b, op->getLoc(), t, w,
                                       TypeAttr::get(qt)));
      return WalkResult::advance();
    });
    if (r.wasInterrupted())
      signalPassFailure();
  }
};

} // namespace
