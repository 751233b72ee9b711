//===- InsertObservers.cpp - Observe activations for calibration ----------===//
//
// Part of qopt. Implements `--insert-observers`.
//
//===----------------------------------------------------------------------===//

#include "qopt/Dialect/QNN/IR/QNN.h"
#include "qopt/Dialect/QNN/Transforms/Passes.h"
#include "qopt/Dialect/QNN/Utils/ConstantUtils.h"
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

/// True when quantization gives `v` parameters: it is observed, or data
/// movement that keeps parameters carries an observed value.
bool carriesParameters(Value v) {
  while (Operation *def = v.getDefiningOp()) {
    if (isa<ObserverOp>(def))
      return true;
    auto mover = dyn_cast<DataMovementOpInterface>(def);
    if (!mover)
      return false;
    v = mover.getMovedOperand().get();
  }
  return false;
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
        emitError(module.getLoc(), "insert-observers: bad override '")
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
          FloatAttr(), name.empty() ? StringAttr() : b.getStringAttr(name),
          FloatAttr(), FloatAttr());
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
      // Results with parameters of their own, at any depth: ops in If and
      // Loop bodies (scf regions) are observed too; calibration reports the
      // ones whose branch never ran.
      func.walk([&](Operation *op) {
        if (!producesOwnParameters(op))
          return;
        b.setInsertionPointAfter(op);
        for (Value r : op->getResults())
          observe(r, op->getLoc());
      });
      // Activations that reach an op with an integer implementation from
      // an op without parameters (a float island: a gather, a layer norm,
      // an If result, a loop-carried state) are observed where they are
      // made, so the quantizable op gets quantized operands.
      SmallVector<Value> unobserved;
      func.walk([&](Operation *op) {
        if (!op->hasTrait<qnn::OpTrait::Quantizable>())
          return;
        for (OpOperand &operand : op->getOpOperands()) {
          Value v = operand.get();
          // Constants (weights, biases, QAT's quantized weights) get their
          // parameters from their values; block-quantized weights
          // (qnn.block_dequantize) are quantized already, and their
          // product stays float on them.
          if (v.getDefiningOp<BlockDequantizeOp>())
            continue;
          if (isFloatTensor(v.getType()) && !carriesParameters(v) &&
              !getConstantRealValues(v) &&
              !llvm::is_contained(unobserved, v))
            unobserved.push_back(v);
        }
      });
      for (Value v : unobserved) {
        if (auto arg = dyn_cast<BlockArgument>(v)) {
          b.setInsertionPointToStart(arg.getOwner());
          observe(v, arg.getOwner()->getParentOp()->getLoc());
        } else {
          b.setInsertionPointAfterValue(v);
          observe(v, v.getDefiningOp()->getLoc());
        }
      }
    }
  }
};

} // namespace
