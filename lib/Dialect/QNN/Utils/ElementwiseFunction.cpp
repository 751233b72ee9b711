//===- ElementwiseFunction.cpp - A float island as a function of one input ===//
//
// Part of qopt.
//
//===----------------------------------------------------------------------===//

#include "qopt/Dialect/QNN/Utils/ElementwiseFunction.h"

#include "qopt/Dialect/QNN/IR/QNN.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

using namespace mlir;
using namespace mlir::qnn;

namespace {

quant::UniformQuantizedType perTensorOf(Value v) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  return t ? dyn_cast<quant::UniformQuantizedType>(t.getElementType())
           : quant::UniformQuantizedType();
}

double dequantizeScalar(int64_t stored, quant::UniformQuantizedType t) {
  return (double)(stored - t.getZeroPoint()) * t.getScale();
}

/// The ops a linalg.generic body may use, in double precision.
std::optional<double> evalBodyOp(Operation *op, ArrayRef<double> x) {
  using F = double (*)(double);
  auto unary = [&](F f) -> std::optional<double> { return f(x[0]); };
  return llvm::TypeSwitch<Operation *, std::optional<double>>(op)
      .Case([&](arith::AddFOp) { return x[0] + x[1]; })
      .Case([&](arith::SubFOp) { return x[0] - x[1]; })
      .Case([&](arith::MulFOp) { return x[0] * x[1]; })
      .Case([&](arith::DivFOp) { return x[0] / x[1]; })
      .Case([&](arith::RemFOp) { return std::fmod(x[0], x[1]); })
      .Case([&](arith::NegFOp) { return -x[0]; })
      .Case([&](arith::MaximumFOp) {
        return std::isnan(x[0]) || std::isnan(x[1]) ? NAN
                                                    : std::max(x[0], x[1]);
      })
      .Case([&](arith::MinimumFOp) {
        return std::isnan(x[0]) || std::isnan(x[1]) ? NAN
                                                    : std::min(x[0], x[1]);
      })
      .Case([&](arith::MaxNumFOp) { return std::fmax(x[0], x[1]); })
      .Case([&](arith::MinNumFOp) { return std::fmin(x[0], x[1]); })
      .Case([&](arith::ExtFOp) { return x[0]; })
      .Case([&](arith::SelectOp) { return x[0] != 0 ? x[1] : x[2]; })
      .Case([&](arith::CmpFOp c) -> std::optional<double> {
        double a = x[0], b = x[1];
        bool unordered = std::isnan(a) || std::isnan(b);
        switch (c.getPredicate()) {
        case arith::CmpFPredicate::OEQ: return !unordered && a == b;
        case arith::CmpFPredicate::ONE: return !unordered && a != b;
        case arith::CmpFPredicate::OGT: return !unordered && a > b;
        case arith::CmpFPredicate::OGE: return !unordered && a >= b;
        case arith::CmpFPredicate::OLT: return !unordered && a < b;
        case arith::CmpFPredicate::OLE: return !unordered && a <= b;
        case arith::CmpFPredicate::UEQ: return unordered || a == b;
        case arith::CmpFPredicate::UNE: return unordered || a != b;
        case arith::CmpFPredicate::UGT: return unordered || a > b;
        case arith::CmpFPredicate::UGE: return unordered || a >= b;
        case arith::CmpFPredicate::ULT: return unordered || a < b;
        case arith::CmpFPredicate::ULE: return unordered || a <= b;
        case arith::CmpFPredicate::ORD: return !unordered;
        case arith::CmpFPredicate::UNO: return unordered;
        case arith::CmpFPredicate::AlwaysTrue: return 1.0;
        case arith::CmpFPredicate::AlwaysFalse: return 0.0;
        }
        return std::nullopt;
      })
      .Case([&](math::ExpOp) { return unary(std::exp); })
      .Case([&](math::Exp2Op) { return unary(std::exp2); })
      .Case([&](math::ExpM1Op) { return unary(std::expm1); })
      .Case([&](math::LogOp) { return unary(std::log); })
      .Case([&](math::Log2Op) { return unary(std::log2); })
      .Case([&](math::Log10Op) { return unary(std::log10); })
      .Case([&](math::Log1pOp) { return unary(std::log1p); })
      .Case([&](math::TanhOp) { return unary(std::tanh); })
      .Case([&](math::ErfOp) { return unary(std::erf); })
      .Case([&](math::SqrtOp) { return unary(std::sqrt); })
      .Case([&](math::RsqrtOp) { return 1.0 / std::sqrt(x[0]); })
      .Case([&](math::AbsFOp) { return unary(std::fabs); })
      .Case([&](math::FloorOp) { return unary(std::floor); })
      .Case([&](math::CeilOp) { return unary(std::ceil); })
      .Case([&](math::RoundOp) { return unary(std::round); })
      .Case([&](math::RoundEvenOp) { return unary(std::nearbyint); })
      .Case([&](math::TruncOp) { return unary(std::trunc); })
      .Case([&](math::SinOp) { return unary(std::sin); })
      .Case([&](math::CosOp) { return unary(std::cos); })
      .Case([&](math::TanOp) { return unary(std::tan); })
      .Case([&](math::AsinOp) { return unary(std::asin); })
      .Case([&](math::AcosOp) { return unary(std::acos); })
      .Case([&](math::AtanOp) { return unary(std::atan); })
      .Case([&](math::SinhOp) { return unary(std::sinh); })
      .Case([&](math::CoshOp) { return unary(std::cosh); })
      .Case([&](math::AsinhOp) { return unary(std::asinh); })
      .Case([&](math::AcoshOp) { return unary(std::acosh); })
      .Case([&](math::AtanhOp) { return unary(std::atanh); })
      .Case([&](math::CbrtOp) { return unary(std::cbrt); })
      .Case([&](math::PowFOp) { return std::pow(x[0], x[1]); })
      .Case([&](math::Atan2Op) { return std::atan2(x[0], x[1]); })
      .Case([&](math::CopySignOp) { return std::copysign(x[0], x[1]); })
      .Default([](Operation *) { return std::nullopt; });
}

bool isBodyOpSupported(Operation *op) {
  if (auto c = dyn_cast<arith::ConstantOp>(op))
    return isa<FloatAttr>(c.getValue()) ||
           (isa<IntegerAttr>(c.getValue()) && c.getType().isInteger(1));
  for (Type t : op->getResultTypes())
    if (!t.isF32() && !t.isF64() && !t.isInteger(1))
      return false;
  SmallVector<double> probe(op->getNumOperands(), 1.0);
  return evalBodyOp(op, probe).has_value();
}

/// The value of a scalar float (or i1) constant, wherever it is defined:
/// canonicalization hoists a body's constants out of the linalg.generic
/// that uses them.
std::optional<double> scalarConstant(Value v) {
  auto c = v.getDefiningOp<arith::ConstantOp>();
  if (!c)
    return std::nullopt;
  if (auto fa = dyn_cast<FloatAttr>(c.getValue()))
    return fa.getValueAsDouble();
  if (auto ia = dyn_cast<IntegerAttr>(c.getValue());
      ia && c.getType().isInteger(1))
    return ia.getValue().getBoolValue() ? 1.0 : 0.0;
  return std::nullopt;
}

} // namespace

int64_t qnn::quantizeScalar(double real, quant::UniformQuantizedType type) {
  if (std::isnan(real))
    return type.getZeroPoint();
  double q = std::nearbyint(real / type.getScale()) + type.getZeroPoint();
  return (int64_t)std::clamp<double>(q, type.getStorageTypeMin(),
                                     type.getStorageTypeMax());
}

std::optional<ElementwiseFunction> ElementwiseFunction::trace(Value root,
                                                              unsigned maxOps) {
  ElementwiseFunction f(root);
  f.budget = maxOps;
  if (!f.traceFloat(root) || !f.leaf)
    return std::nullopt;
  return f;
}

quant::UniformQuantizedType ElementwiseFunction::inputType() const {
  return perTensorOf(leaf);
}

bool ElementwiseFunction::isScalarConstant(Value v, double *value) const {
  DenseElementsAttr attr;
  if (!matchPattern(v, m_Constant(&attr)) ||
      !isa<FloatType>(attr.getElementType()))
    return false;
  if (!attr.isSplat() && attr.getNumElements() != 1)
    return false;
  if (value)
    *value = (*attr.getValues<APFloat>().begin()).convertToDouble();
  return true;
}

bool ElementwiseFunction::traceFloat(Value v) {
  if (traced.contains(v) || isScalarConstant(v))
    return true;
  auto t = dyn_cast<RankedTensorType>(v.getType());
  auto rootType = cast<RankedTensorType>(root.getType());
  if (!t || !t.getElementType().isF32() ||
      t.getShape() != rootType.getShape() || budget-- == 0)
    return false;
  Operation *def = v.getDefiningOp();
  // An island a per-layer config keeps float is never tabulated.
  if (!def || def->hasAttr(kKeepFloatAttrName))
    return false;
  bool ok = false;
  if (auto dq = dyn_cast<DequantizeOp>(def)) {
    ok = traceQuantized(dq.getInput());
  } else if (isa<ScalarFunctionOpInterface>(def)) {
    ok = llvm::all_of(def->getOperands(),
                      [&](Value o) { return traceFloat(o); });
    numFloatOps += ok;
  } else if (isa<linalg::GenericOp>(def)) {
    ok = traceGeneric(def);
    numFloatOps += ok;
  }
  if (ok) {
    traced.insert(v);
    traceOrder.push_back(v);
  }
  return ok;
}

bool ElementwiseFunction::traceGeneric(Operation *op) {
  auto generic = cast<linalg::GenericOp>(op);
  if (generic.getNumDpsInits() != 1 || generic->getNumResults() != 1 ||
      generic.getNumLoops() != generic.getNumParallelLoops())
    return false;
  if (!generic.getMatchingIndexingMap(generic.getDpsInitOperand(0))
           .isIdentity())
    return false;
  Block &body = generic.getRegion().front();
  if (!body.getArguments().back().use_empty())
    return false;
  for (OpOperand *in : generic.getDpsInputOperands()) {
    if (isScalarConstant(in->get()))
      continue;
    if (!generic.getMatchingIndexingMap(in).isIdentity() ||
        !traceFloat(in->get()))
      return false;
  }
  // Every value the body uses is its own (an argument or an op of the
  // body) or a scalar constant from above; nothing else can be evaluated.
  auto isKnown = [&](Value o) {
    return o.getParentBlock() == &body || scalarConstant(o).has_value();
  };
  for (Operation &bodyOp : body.without_terminator())
    if (!isBodyOpSupported(&bodyOp) ||
        !llvm::all_of(bodyOp.getOperands(), isKnown))
      return false;
  return llvm::all_of(body.getTerminator()->getOperands(), isKnown);
}

bool ElementwiseFunction::traceQuantized(Value v) {
  if (v == leaf || traced.contains(v))
    return true;
  // Through what the graph computes on quantized values first (a
  // quantize after float ops, a requantize, a quantized relu, an earlier
  // table); where that fails, `v` is the input.
  Operation *def = v.getDefiningOp();
  auto rootType = cast<RankedTensorType>(root.getType());
  auto vType = cast<RankedTensorType>(v.getType());
  if (def && perTensorOf(v) && vType.getShape() == rootType.getShape()) {
    Value savedLeaf = leaf;
    unsigned savedBudget = budget, savedFloatOps = numFloatOps;
    size_t savedOrder = traceOrder.size();
    bool ok = false;
    if (auto q = dyn_cast<QuantizeOp>(def))
      ok = traceFloat(q.getInput());
    else if (isa<RequantizeOp, LookupTableOp>(def))
      ok = traceQuantized(def->getOperand(0));
    else if (isa<ScalarFunctionOpInterface>(def))
      ok = llvm::all_of(def->getOperands(), [&](Value o) {
        return perTensorOf(o) && traceQuantized(o);
      });
    if (ok) {
      traced.insert(v);
      traceOrder.push_back(v);
      return true;
    }
    leaf = savedLeaf;
    budget = savedBudget;
    numFloatOps = savedFloatOps;
    for (size_t i = savedOrder; i < traceOrder.size(); ++i)
      traced.erase(traceOrder[i]);
    traceOrder.resize(savedOrder);
  }
  auto q = perTensorOf(v);
  if (!q || q.getStorageTypeIntegralWidth() != 8 ||
      vType.getShape() != rootType.getShape() || (leaf && leaf != v))
    return false;
  leaf = v;
  return true;
}

double ElementwiseFunction::evaluate(int64_t stored) {
  memo.clear();
  leafReal = dequantizeScalar(stored, inputType());
  return evalFloat(root);
}

double ElementwiseFunction::evalFloat(Value v) {
  double c;
  if (isScalarConstant(v, &c))
    return c;
  if (auto it = memo.find(v); it != memo.end())
    return it->second;
  Operation *def = v.getDefiningOp();
  double r = NAN;
  if (auto dq = dyn_cast<DequantizeOp>(def)) {
    r = evalQuantized(dq.getInput());
  } else if (auto f = dyn_cast<ScalarFunctionOpInterface>(def)) {
    SmallVector<double> args;
    for (Value o : def->getOperands())
      args.push_back(evalFloat(o));
    r = f.evaluateScalar(args).value_or(NAN);
  } else if (auto generic = dyn_cast<linalg::GenericOp>(def)) {
    Block &body = generic.getRegion().front();
    DenseMap<Value, double> scalars;
    for (OpOperand *in : generic.getDpsInputOperands())
      scalars[body.getArgument(in->getOperandNumber())] = evalFloat(in->get());
    for (Operation &op : body.without_terminator()) {
      if (auto cst = dyn_cast<arith::ConstantOp>(op)) {
        if (auto fa = dyn_cast<FloatAttr>(cst.getValue()))
          scalars[cst.getResult()] = fa.getValueAsDouble();
        else
          scalars[cst.getResult()] =
              cast<IntegerAttr>(cst.getValue()).getValue().getBoolValue();
        continue;
      }
      SmallVector<double> args;
      for (Value o : op.getOperands()) {
        auto it = scalars.find(o);
        args.push_back(it != scalars.end() ? it->second
                                           : scalarConstant(o).value_or(NAN));
      }
      double y = evalBodyOp(&op, args).value_or(NAN);
      // Values the body computes in f32 are rounded to f32, as at run time.
      if (op.getResult(0).getType().isF32())
        y = (double)(float)y;
      scalars[op.getResult(0)] = y;
    }
    Value yielded = body.getTerminator()->getOperand(0);
    auto it = scalars.find(yielded);
    r = it != scalars.end() ? it->second : scalarConstant(yielded).value_or(NAN);
  }
  memo[v] = r;
  return r;
}

double ElementwiseFunction::evalQuantized(Value v) {
  if (v == leaf)
    return leafReal;
  if (auto it = memo.find(v); it != memo.end())
    return it->second;
  Operation *def = v.getDefiningOp();
  auto type = perTensorOf(v);
  double real = NAN;
  if (auto q = dyn_cast<QuantizeOp>(def)) {
    real = evalFloat(q.getInput());
  } else if (isa<RequantizeOp>(def)) {
    real = evalQuantized(def->getOperand(0));
  } else if (auto table = dyn_cast<LookupTableOp>(def)) {
    auto inType = perTensorOf(table.getInput());
    int64_t in = quantizeScalar(evalQuantized(table.getInput()), inType);
    int64_t index = in - (inType.isSigned() ? -128 : 0);
    APInt bits = table.getTable().getValues<APInt>()[index];
    int64_t out = type.isSigned() ? bits.getSExtValue() : bits.getZExtValue();
    real = dequantizeScalar(out, type);
  } else if (auto f = dyn_cast<ScalarFunctionOpInterface>(def)) {
    SmallVector<double> args;
    for (Value o : def->getOperands())
      args.push_back(evalQuantized(o));
    real = f.evaluateScalar(args).value_or(NAN);
  }
  double r = dequantizeScalar(quantizeScalar(real, type), type);
  memo[v] = r;
  return r;
}
