//===- WideRangeLogarithms.cpp - Computations 8 bits cannot carry ---------===//
//
// Part of qopt.
//
//===----------------------------------------------------------------------===//

#include "qopt/Dialect/QNN/Transforms/WideRangeLogarithms.h"

#include "qopt/Dialect/QNN/IR/QNN.h"
#include "qopt/Dialect/QNN/Utils/LocationName.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"

#include <cmath>

using namespace mlir;
using namespace mlir::qnn;

namespace {

bool isLogarithm(Operation *op) {
  auto generic = dyn_cast<linalg::GenericOp>(op);
  if (!generic || generic.getNumDpsInputs() < 1)
    return false;
  bool found = false;
  generic.getRegion().walk([&](Operation *inner) {
    found |= isa<math::LogOp, math::Log2Op, math::Log10Op, math::Log1pOp>(
        inner);
  });
  return found;
}

/// The scalar a generic's block argument holds when its operand is a
/// splat constant.
std::optional<double> splatOf(Value v) {
  DenseElementsAttr attr;
  if (!matchPattern(v, m_Constant(&attr)) || !attr.isSplat() ||
      !isa<FloatType>(attr.getElementType()))
    return std::nullopt;
  return attr.getSplatValue<APFloat>().convertToDouble();
}

/// x * x or pow(x, 2): the result is a power.
bool isSquare(Operation *op) {
  if (auto mul = dyn_cast<MulOp>(op))
    return mul.getLhs() == mul.getRhs();
  auto generic = dyn_cast<linalg::GenericOp>(op);
  if (!generic)
    return false;
  Block &body = generic.getRegion().front();
  auto scalarOf = [&](Value v) -> std::optional<double> {
    if (auto arg = dyn_cast<BlockArgument>(v)) {
      if (arg.getOwner() != &body ||
          arg.getArgNumber() >= generic.getNumDpsInputs())
        return std::nullopt;
      return splatOf(generic.getDpsInputs()[arg.getArgNumber()]);
    }
    FloatAttr f;
    if (matchPattern(v, m_Constant(&f)))
      return f.getValueAsDouble();
    return std::nullopt;
  };
  for (Operation &inner : body.without_terminator()) {
    if (auto pow = dyn_cast<math::PowFOp>(inner))
      if (scalarOf(pow.getRhs()) == 2.0)
        return true;
    if (auto mul = dyn_cast<arith::MulFOp>(inner))
      if (mul.getLhs() == mul.getRhs())
        return true;
  }
  return false;
}

bool isSquareRoot(Operation *op) {
  auto generic = dyn_cast<linalg::GenericOp>(op);
  if (!generic || generic.getNumDpsInputs() < 1)
    return false;
  bool found = false;
  generic.getRegion().walk(
      [&](Operation *inner) { found |= isa<math::SqrtOp>(inner); });
  return found;
}

/// A magnitude sqrt(re^2 + im^2): the ops from the squares to the root,
/// when every path back from the root ends in a square or a constant.
std::optional<SetVector<Operation *>> powerBeforeRoot(Operation *root) {
  SetVector<Operation *> ops;
  SmallVector<Value> work(root->getOperands());
  DenseSet<Value> seen;
  bool square = false;
  while (!work.empty()) {
    Value v = work.pop_back_val();
    if (!seen.insert(v).second || matchPattern(v, m_Constant()))
      continue;
    Operation *def = v.getDefiningOp();
    if (!def || def->getParentRegion() != root->getParentRegion())
      return std::nullopt;
    if (ops.size() > 16)
      return std::nullopt;
    ops.insert(def);
    if (isSquare(def)) {
      square = true;
      continue;
    }
    // A generic's data are its inputs (its init is only a shape).
    ValueRange data = def->getOperands();
    if (auto generic = dyn_cast<linalg::GenericOp>(def))
      data = generic.getDpsInputs();
    for (Value operand : data)
      if (isa<RankedTensorType>(operand.getType()))
        work.push_back(operand);
  }
  if (!square)
    return std::nullopt;
  return ops;
}

} // namespace

SmallVector<WideRangeLogarithm> qnn::findWideRangeLogarithms(Operation *root) {
  SmallVector<WideRangeLogarithm> found;
  // Square roots of powers: 8 bits of power leave a magnitude about 4 bits
  // near zero; the power stays float from the squares to the root (the
  // squared values themselves are fine at 8 bits).
  root->walk([&](Operation *sqrt) {
    if (!isSquareRoot(sqrt))
      return;
    if (auto ops = powerBeforeRoot(sqrt))
      found.push_back({sqrt, "square root",
                       "it is the square root of a power (computed from "
                       "squares), which 8 bits leave with 4 bits near zero",
                       std::move(*ops)});
  });
  root->walk([&](Operation *log) {
    if (!isLogarithm(log))
      return;
    WideRangeLogarithm w{log, "logarithm", "", {}};
    bool square = false;
    std::optional<std::pair<double, double>> range;
    // Every op the operand depends on, back to inputs and constants, in
    // the same region.
    SmallVector<Value> work(log->getOperands());
    DenseSet<Value> seen;
    while (!work.empty()) {
      Value v = work.pop_back_val();
      if (!seen.insert(v).second)
        continue;
      Operation *def = v.getDefiningOp();
      if (!def || def->getParentRegion() != log->getParentRegion() ||
          matchPattern(v, m_Constant()) || def->getNumOperands() == 0)
        continue;
      auto t = dyn_cast<RankedTensorType>(v.getType());
      if (!t || !isa<FloatType>(t.getElementType()))
        continue;
      // Only an observer of the operand itself gives its range.
      if (auto o = dyn_cast<ObserverOp>(def);
          o && o.getMin() && llvm::is_contained(log->getOperands(), v))
        range = {o.getMin()->convertToDouble(),
                 o.getMax()->convertToDouble()};
      square |= isSquare(def);
      w.producers.insert(def);
      for (Value operand : def->getOperands())
        work.push_back(operand);
    }
    if (square) {
      w.reason = "its operand is a power (computed from a square), whose "
                 "range in dB is twice its amplitude's";
    } else if (range) {
      auto [lo, hi] = *range;
      if (lo <= 0 || hi / lo > 256.0) {
        double db = lo > 0 ? 10.0 * std::log10(hi / lo) : INFINITY;
        w.reason = "its operand spans " +
                   (std::isinf(db) ? std::string("an unbounded range")
                                   : std::to_string((int)db) + " dB") +
                   " in calibration";
      }
    }
    if (!w.reason.empty() && !w.producers.empty())
      found.push_back(std::move(w));
  });
  return found;
}
