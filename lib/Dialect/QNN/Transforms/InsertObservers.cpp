//===- InsertObservers.cpp - Observe activations for calibration ----------===//
//
// Part of qopt. Implements `--insert-observers`.
//
//===----------------------------------------------------------------------===//

#include "qopt/Dialect/QNN/IR/QNN.h"
#include "qopt/Dialect/QNN/Transforms/Passes.h"
#include "qopt/Dialect/QNN/Utils/LocationName.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "llvm/Support/Regex.h"

namespace mlir {
namespace qnn {
#define GEN_PASS_DEF_INSERTOBSERVERSPASS
#include "qopt/Dialect/QNN/Transforms/Passes.h.inc"
} // namespace qnn
} // namespace mlir

using namespace mlir;
using namespace mlir::qnn;

namespace {

std::optional<CalibrationMethod> parseMethod(StringRef s) {
  return symbolizeCalibrationMethod(s);
}

bool producesOwnParameters(Operation *op) {
  return op->hasTrait<qnn::OpTrait::ObservedResult>();
}

bool isFloatTensor(Type t) {
  auto r = dyn_cast<RankedTensorType>(t);
  return r && isa<FloatType>(r.getElementType());
}

struct InsertObserversPass
    : qnn::impl::InsertObserversPassBase<InsertObserversPass> {
  using InsertObserversPassBase::InsertObserversPassBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    std::optional<CalibrationMethod> dflt = method.getValue();
    SmallVector<std::pair<llvm::Regex, CalibrationMethod>> overrides;
    SmallVector<StringRef> items;
    StringRef(methodOverrides).split(items, ',', -1, false);
    for (StringRef item : items) {
      auto [re, m] = item.rsplit(':');
      auto parsed = parseMethod(m.trim());
      llvm::Regex regex(re.trim());
      std::string err;
      if (re.empty() || !parsed || !regex.isValid(err)) {
        module.emitError("insert-observers: bad override '")
            << item << "' (expected NAME_REGEX:METHOD)"
            << (err.empty() ? "" : ": " + err);
        return signalPassFailure();
      }
      overrides.emplace_back(std::move(regex), *parsed);
    }

    int64_t nextId = 0;
    module.walk([&](ObserverOp o) {
      nextId = std::max<int64_t>(nextId, o.getId() + 1);
    });
    OpBuilder b(&getContext());
    auto observe = [&](Value v, Location loc) {
      if (!isFloatTensor(v.getType()))
        return;
      // Already observed (a second run of the pass).
      if (v.hasOneUse() && isa<ObserverOp>(*v.getUsers().begin()))
        return;
      CalibrationMethod m = *dflt;
      std::string name = getLocationName(loc);
      for (auto &[re, om] : overrides)
        if (re.match(name)) {
          m = om;
          break;
        }
      auto obs = ObserverOp::create(
          b, loc, v.getType(), v, b.getI64IntegerAttr(nextId++),
          CalibrationMethodAttr::get(&getContext(), m), FloatAttr(),
          FloatAttr(), name.empty() ? StringAttr() : b.getStringAttr(name));
      v.replaceAllUsesExcept(obs.getResult(), obs);
    };
    for (auto func : module.getOps<func::FuncOp>()) {
      if (func.isExternal())
        continue;
      Block &entry = func.getBody().front();
      b.setInsertionPointToStart(&entry);
      for (auto [i, arg] : llvm::enumerate(entry.getArguments())) {
        Location loc = func.getLoc();
        if (auto name = func.getArgAttrOfType<StringAttr>(i, "onnx.name"))
          loc = NameLoc::get(name, loc);
        observe(arg, loc);
      }
      func.walk([&](Operation *op) {
        // Ops inside If/Loop bodies (scf regions) stay float for now: a
        // calibration run would have to return their statistics across the
        // region boundary.
        if (!producesOwnParameters(op) || op->getParentOp() != func)
          return;
        b.setInsertionPointAfter(op);
        for (Value r : op->getResults())
          observe(r, op->getLoc());
      });
    }
  }
};

} // namespace
