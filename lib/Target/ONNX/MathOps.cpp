//===- MathOps.cpp - ONNX elementwise math, comparison and logic ops ------===//
//
// Part of qopt. The elementwise ops that have no qnn op (they are never
// quantized as such): math functions, activation functions other than the
// quantizable ones in ElementwiseOps.cpp, comparisons, logic, Where, Mod,
// Pow and the variadic Max/Min/Sum/Mean. Each becomes one linalg.generic
// (ElementwiseBuilder.cpp) whose body is built from arith and math ops,
// for every dtype the op takes.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"
#include "ScalarMath.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/TypeUtilities.h"

#include <limits>

using namespace mlir;
using namespace qopt::onnx_import;
namespace sc = qopt::onnx_import::scalar;

Value sc::convert(OpBuilder &b, Location l, Value x, Type to,
                  bool fromUnsigned, bool toUnsigned) {
  Type from = x.getType();
  if (from == to)
    return x;
  auto fromF = dyn_cast<FloatType>(from);
  auto toF = dyn_cast<FloatType>(to);
  if (fromF && toF)
    return fromF.getWidth() < toF.getWidth()
               ? (Value)arith::ExtFOp::create(b, l, to, x)
               : (Value)arith::TruncFOp::create(b, l, to, x);
  if (toF) {
    if (from.isInteger(1) || fromUnsigned)
      return arith::UIToFPOp::create(b, l, to, x);
    return arith::SIToFPOp::create(b, l, to, x);
  }
  auto toI = cast<IntegerType>(to);
  if (toI.getWidth() == 1) {
    Value zero = constant(b, l, from, 0);
    return fromF ? (Value)arith::CmpFOp::create(b, l, arith::CmpFPredicate::UNE,
                                                x, zero)
                 : (Value)arith::CmpIOp::create(b, l, arith::CmpIPredicate::ne,
                                                x, zero);
  }
  if (fromF) {
    // Truncation toward zero; out-of-range values saturate and NaN is 0
    // (fptosi alone is poison there).
    unsigned w = toI.getWidth();
    double lo = toUnsigned ? 0.0 : -std::ldexp(1.0, w - 1);
    double hi = toUnsigned ? std::ldexp(1.0, w) - 1 : std::ldexp(1.0, w - 1) - 1;
    Value v = x;
    if (fromF.getWidth() < 64)
      v = arith::ExtFOp::create(b, l, b.getF64Type(), x);
    Value nan = arith::CmpFOp::create(b, l, arith::CmpFPredicate::UNO, v, v);
    v = arith::MaximumFOp::create(b, l, v, constant(b, l, v.getType(), lo));
    v = arith::MinimumFOp::create(b, l, v, constant(b, l, v.getType(), hi));
    v = arith::SelectOp::create(b, l, nan, constant(b, l, v.getType(), 0), v);
    return toUnsigned ? (Value)arith::FPToUIOp::create(b, l, to, v)
                      : (Value)arith::FPToSIOp::create(b, l, to, v);
  }
  unsigned fw = from.getIntOrFloatBitWidth(), tw = toI.getWidth();
  if (fw > tw)
    return arith::TruncIOp::create(b, l, to, x);
  if (from.isInteger(1) || fromUnsigned)
    return arith::ExtUIOp::create(b, l, to, x);
  return arith::ExtSIOp::create(b, l, to, x);
}

namespace {

using Body = std::function<Value(OpBuilder &, Location, const ScalarArgs &)>;

/// Rejects inputs of the wrong kind with a diagnostic naming the dtype.
enum class Accepts { Float, Numeric, Bool, Any };

bool accepts(Accepts a, Type t) {
  switch (a) {
  case Accepts::Float:
    return isa<FloatType>(t);
  case Accepts::Numeric:
    return isa<FloatType>(t) || (isa<IntegerType>(t) && !t.isInteger(1));
  case Accepts::Bool:
    return t.isInteger(1);
  case Accepts::Any:
    return isa<FloatType, IntegerType>(t);
  }
  return false;
}

const char *describe(Accepts a) {
  switch (a) {
  case Accepts::Float:
    return "a float tensor";
  case Accepts::Numeric:
    return "a float or integer tensor";
  case Accepts::Bool:
    return "a boolean tensor";
  case Accepts::Any:
    return "a float, integer or boolean tensor";
  }
  return "";
}

/// Operands [first, last] of `node` (absent optional ones skipped), checked
/// to be of kind `a` and, if `sameType`, of one element type.
FailureOr<SmallVector<Value>> operands(Importer &im,
                                       const onnx::NodeProto &node,
                                       int min, int max, Accepts a,
                                       bool sameType = true) {
  if (failed(im.requireInputs(node, min, max)))
    return failure();
  SmallVector<Value> vals;
  for (int i = 0; i < node.input_size(); ++i) {
    if (!im.hasInput(node, i))
      continue;
    Type t = im.typeOf(node.input(i)).getElementType();
    if (isa<quant::QuantizedType>(t)) {
      im.rebind(node.input(i), im.toRaw(im.nodeLoc(node), im.get(node.input(i))));
      t = im.typeOf(node.input(i)).getElementType();
    }
    if (i == 0 || sameType) {
      if (!accepts(a, t))
        return im.nodeError(node) << "input " << i << " has element type " << t
                                  << "; the op takes " << describe(a);
      if (sameType && !vals.empty() &&
          t != getElementTypeOrSelf(vals.front().getType()))
        return im.nodeError(node)
               << "input element types differ: "
               << getElementTypeOrSelf(vals.front().getType()) << " and " << t;
    }
    vals.push_back(im.get(node.input(i)));
  }
  return vals;
}

/// A same-typed elementwise op: result element type = first input's, or i1.
Handler elementwise(int min, int max, Accepts a, Body body,
                    bool boolResult = false) {
  return [=](Importer &im, const onnx::NodeProto &node) -> LogicalResult {
    auto ops = operands(im, node, min, max, a);
    if (failed(ops))
      return failure();
    Type elt = boolResult ? Type(im.builder.getI1Type())
                          : getElementTypeOrSelf((*ops)[0].getType());
    auto r = im.mapElements(node, *ops, elt,
                            [&](OpBuilder &b, Location l, const ScalarArgs &x) {
                              return body(b, l, x);
                            });
    if (failed(r))
      return failure();
    im.set(node, *r);
    return success();
  };
}

/// A float op from an attribute-parameterized scalar function.
using FloatFn = std::function<Value(OpBuilder &, Location, Value,
                                    const onnx::NodeProto &)>;
Handler floatUnary(FloatFn fn) {
  return [=](Importer &im, const onnx::NodeProto &node) -> LogicalResult {
    auto ops = operands(im, node, 1, 1, Accepts::Float);
    if (failed(ops))
      return failure();
    auto r = im.mapElements(node, *ops, getElementTypeOrSelf((*ops)[0].getType()),
                            [&](OpBuilder &b, Location l, const ScalarArgs &x) {
                              return fn(b, l, x[0], node);
                            });
    if (failed(r))
      return failure();
    im.set(node, *r);
    return success();
  };
}

template <typename MathOp> FloatFn mathFn() {
  return [](OpBuilder &b, Location l, Value x, const onnx::NodeProto &) {
    return (Value)MathOp::create(b, l, x);
  };
}

Value cst(OpBuilder &b, Location l, Value like, double v) {
  return sc::constant(b, l, like.getType(), v);
}

Value select(OpBuilder &b, Location l, Value c, Value x, Value y) {
  return arith::SelectOp::create(b, l, c, x, y);
}

/// Python-style modulo (the result has the divisor's sign), fmod=0.
Value floorMod(OpBuilder &b, Location l, Value x, Value y, bool isUnsigned) {
  if (isUnsigned)
    return arith::RemUIOp::create(b, l, x, y);
  Value r = arith::RemSIOp::create(b, l, x, y);
  Value zero = cst(b, l, x, 0);
  Value nonzero = arith::CmpIOp::create(b, l, arith::CmpIPredicate::ne, r, zero);
  Value rNeg = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, r, zero);
  Value yNeg = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, y, zero);
  Value differ = arith::XOrIOp::create(b, l, rNeg, yNeg);
  Value fix = arith::AndIOp::create(b, l, nonzero, differ);
  return select(b, l, fix, arith::AddIOp::create(b, l, r, y), r);
}

LogicalResult importMod(Importer &im, const onnx::NodeProto &node) {
  auto ops = operands(im, node, 2, 2, Accepts::Numeric);
  if (failed(ops))
    return failure();
  bool fmod = getInt(node, "fmod", 0);
  Type elt = getElementTypeOrSelf((*ops)[0].getType());
  if (isa<FloatType>(elt) && !fmod)
    return im.nodeError(node) << "float inputs need fmod=1";
  auto r = im.mapElements(node, *ops, elt,
                          [&](OpBuilder &b, Location l, const ScalarArgs &x) {
                            if (sc::isFloat(x[0]))
                              return (Value)arith::RemFOp::create(b, l, x[0], x[1]);
                            if (fmod)
                              return x.isUnsigned[0]
                                         ? (Value)arith::RemUIOp::create(b, l, x[0], x[1])
                                         : (Value)arith::RemSIOp::create(b, l, x[0], x[1]);
                            return floorMod(b, l, x[0], x[1], x.isUnsigned[0]);
                          });
  if (failed(r))
    return failure();
  im.set(node, *r);
  return success();
}

/// Pow: the result has the base's type; the exponent may be of another
/// numeric type.
LogicalResult importPow(Importer &im, const onnx::NodeProto &node) {
  auto ops = operands(im, node, 2, 2, Accepts::Numeric, /*sameType=*/false);
  if (failed(ops))
    return failure();
  Type elt = getElementTypeOrSelf((*ops)[0].getType());
  Type et = getElementTypeOrSelf((*ops)[1].getType());
  if (!accepts(Accepts::Numeric, et))
    return im.nodeError(node) << "exponent has element type " << et;
  // x^2 (variance in LayerNorm, power spectra) is a multiply.
  if (auto e = im.getConstFloats(node.input(1));
      e && e->size() == 1 && (*e)[0] == 2.0 && isa<FloatType>(elt)) {
    auto r = im.mapElements(node, {(*ops)[0]}, elt,
                            [&](OpBuilder &b, Location l, const ScalarArgs &x) {
                              return sc::mul(b, l, x[0], x[0]);
                            });
    if (failed(r))
      return failure();
    im.set(node, *r);
    return success();
  }
  auto r = im.mapElements(
      node, *ops, elt, [&](OpBuilder &b, Location l, const ScalarArgs &x) {
        Value base = x[0], e = x[1];
        if (auto ft = dyn_cast<FloatType>(base.getType())) {
          e = sc::convert(b, l, e, ft, x.isUnsigned[1], false);
          return (Value)math::PowFOp::create(b, l, base, e);
        }
        if (!sc::isFloat(e)) {
          e = sc::convert(b, l, e, base.getType(), x.isUnsigned[1],
                          x.isUnsigned[0]);
          return (Value)math::IPowIOp::create(b, l, base, e);
        }
        Value fb = sc::convert(b, l, base, b.getF64Type(), x.isUnsigned[0], false);
        Value fe = sc::convert(b, l, e, b.getF64Type(), false, false);
        Value p = math::PowFOp::create(b, l, fb, fe);
        return sc::convert(b, l, p, base.getType(), false, x.isUnsigned[0]);
      });
  if (failed(r))
    return failure();
  im.set(node, *r);
  return success();
}

/// Variadic Max/Min/Sum/Mean (opset 8+ broadcasts).
enum class Fold { Max, Min, Sum, Mean };
Handler variadic(Fold f) {
  return elementwise(1, 1 << 20, f == Fold::Mean ? Accepts::Float : Accepts::Numeric,
                     [f](OpBuilder &b, Location l, const ScalarArgs &x) {
                       Value acc = x[0];
                       for (size_t i = 1; i < x.size(); ++i) {
                         switch (f) {
                         case Fold::Max:
                           acc = sc::max(b, l, acc, x[i], x.isUnsigned[0]);
                           break;
                         case Fold::Min:
                           acc = sc::min(b, l, acc, x[i], x.isUnsigned[0]);
                           break;
                         default:
                           acc = sc::add(b, l, acc, x[i]);
                         }
                       }
                       if (f == Fold::Mean)
                         acc = arith::DivFOp::create(
                             b, l, acc, cst(b, l, acc, (double)x.size()));
                       return acc;
                     });
}

Handler comparison(sc::Cmp c) {
  return elementwise(2, 2, Accepts::Any,
                     [c](OpBuilder &b, Location l, const ScalarArgs &x) {
                       return sc::compare(b, l, c, x[0], x[1], x.isUnsigned[0]);
                     },
                     /*boolResult=*/true);
}

template <typename OpTy> Handler logic() {
  return elementwise(2, 2, Accepts::Bool,
                     [](OpBuilder &b, Location l, const ScalarArgs &x) {
                       return (Value)OpTy::create(b, l, x[0], x[1]);
                     });
}

template <typename OpTy> Handler logicInt() {
  return [](Importer &im, const onnx::NodeProto &node) -> LogicalResult {
    auto ops = operands(im, node, 2, 2, Accepts::Numeric);
    if (failed(ops))
      return failure();
    Type et = getElementTypeOrSelf((*ops)[0].getType());
    if (!isa<IntegerType>(et))
      return im.nodeError(node) << "expects integer tensors, got " << et;
    auto r = im.mapElements(node, *ops, et,
                            [](OpBuilder &b, Location l, const ScalarArgs &x) {
                              return (Value)OpTy::create(b, l, x[0], x[1]);
                            });
    if (failed(r))
      return failure();
    im.set(node, *r);
    return success();
  };
}

LogicalResult importWhere(Importer &im, const onnx::NodeProto &node) {
  if (failed(im.requireInputs(node, 3, 3)))
    return failure();
  if (!im.typeOf(node.input(0)).getElementType().isInteger(1))
    return im.nodeError(node) << "condition must be a boolean tensor";
  Type xt = im.typeOf(node.input(1)).getElementType();
  if (xt != im.typeOf(node.input(2)).getElementType())
    return im.nodeError(node) << "X and Y element types differ";
  SmallVector<Value> ops{im.get(node.input(0)), im.get(node.input(1)),
                         im.get(node.input(2))};
  auto r = im.mapElements(node, ops, xt,
                          [&](OpBuilder &b, Location l, const ScalarArgs &x) {
                            return select(b, l, x[0], x[1], x[2]);
                          });
  if (failed(r))
    return failure();
  im.set(node, *r);
  return success();
}

/// PRelu: slope broadcasts to X (unidirectionally).
LogicalResult importPRelu(Importer &im, const onnx::NodeProto &node) {
  auto ops = operands(im, node, 2, 2, Accepts::Numeric);
  if (failed(ops))
    return failure();
  auto r = im.mapElements(
      node, *ops, getElementTypeOrSelf((*ops)[0].getType()),
      [&](OpBuilder &b, Location l, const ScalarArgs &x) {
        Value neg = sc::compare(b, l, sc::Cmp::LT, x[0], cst(b, l, x[0], 0),
                                x.isUnsigned[0]);
        return select(b, l, neg, sc::mul(b, l, x[0], x[1]), x[0]);
      });
  if (failed(r))
    return failure();
  im.set(node, *r);
  return success();
}

/// Clip whose min or max is a run-time tensor (constant bounds use the
/// quantizable qnn.clip; ElementwiseOps.cpp).
LogicalResult runtimeClip(Importer &im, const onnx::NodeProto &node) {
  auto ops = operands(im, node, 1, 3, Accepts::Numeric);
  if (failed(ops))
    return failure();
  bool hasMin = im.hasInput(node, 1), hasMax = im.hasInput(node, 2);
  for (int i = 1; i <= 2; ++i)
    if (im.hasInput(node, i) && im.typeOf(node.input(i)).getNumElements() != 1)
      return im.nodeError(node) << (i == 1 ? "min" : "max")
                                << " must be a scalar";
  auto r = im.mapElements(node, *ops, getElementTypeOrSelf((*ops)[0].getType()),
                          [&](OpBuilder &b, Location l, const ScalarArgs &x) {
                            Value v = x[0];
                            unsigned k = 1;
                            if (hasMin)
                              v = sc::max(b, l, v, x[k++], x.isUnsigned[0]);
                            if (hasMax)
                              v = sc::min(b, l, v, x[k], x.isUnsigned[0]);
                            return v;
                          });
  if (failed(r))
    return failure();
  im.set(node, *r);
  return success();
}

LogicalResult importIsInf(Importer &im, const onnx::NodeProto &node) {
  auto ops = operands(im, node, 1, 1, Accepts::Float);
  if (failed(ops))
    return failure();
  bool neg = getInt(node, "detect_negative", 1),
       pos = getInt(node, "detect_positive", 1);
  auto r = im.mapElements(
      node, *ops, im.builder.getI1Type(),
      [&](OpBuilder &b, Location l, const ScalarArgs &x) {
        double inf = std::numeric_limits<double>::infinity();
        Value p = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OEQ, x[0],
                                        cst(b, l, x[0], inf));
        Value n = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OEQ, x[0],
                                        cst(b, l, x[0], -inf));
        Value f = arith::ConstantOp::create(b, l, b.getBoolAttr(false));
        Value out = pos ? p : f;
        return neg ? (Value)arith::OrIOp::create(b, l, out, n) : out;
      });
  if (failed(r))
    return failure();
  im.set(node, *r);
  return success();
}

} // namespace

/// Integer Add/Sub/Mul/Div on run-time values (float ones are qnn ops).
FailureOr<Value> qopt::onnx_import::arithmeticGeneric(
    Importer &im, const onnx::NodeProto &node, char opChar) {
  auto ops = operands(im, node, 2, 2, Accepts::Numeric);
  if (failed(ops))
    return failure();
  return im.mapElements(node, *ops, getElementTypeOrSelf((*ops)[0].getType()),
                        [&](OpBuilder &b, Location l, const ScalarArgs &x) {
                          switch (opChar) {
                          case '+':
                            return sc::add(b, l, x[0], x[1]);
                          case '-':
                            return sc::sub(b, l, x[0], x[1]);
                          case '*':
                            return sc::mul(b, l, x[0], x[1]);
                          default:
                            return sc::div(b, l, x[0], x[1], x.isUnsigned[0]);
                          }
                        });
}

LogicalResult qopt::onnx_import::importRuntimeClip(Importer &im,
                                                   const onnx::NodeProto &n) {
  return runtimeClip(im, n);
}

void qopt::onnx_import::registerMathHandlers(HandlerTable &t) {
  using sc::Cmp;
  auto fl = [](auto fn) { return floatUnary(fn); };
  t.onOp("Exp", 1, fl(mathFn<math::ExpOp>()));
  t.onOp("Log", 1, fl(mathFn<math::LogOp>()));
  t.onOp("Sqrt", 1, fl(mathFn<math::SqrtOp>()));
  t.onOp("Tanh", 1, fl(mathFn<math::TanhOp>()));
  t.onOp("Erf", 1, fl(mathFn<math::ErfOp>()));
  t.onOp("Sin", 1, fl(mathFn<math::SinOp>()));
  t.onOp("Cos", 1, fl(mathFn<math::CosOp>()));
  t.onOp("Tan", 1, fl(mathFn<math::TanOp>()));
  t.onOp("Atan", 1, fl(mathFn<math::AtanOp>()));
  t.onOp("Asin", 7, fl(mathFn<math::AsinOp>()));
  t.onOp("Acos", 7, fl(mathFn<math::AcosOp>()));
  t.onOp("Sinh", 9, fl(mathFn<math::SinhOp>()));
  t.onOp("Cosh", 9, fl(mathFn<math::CoshOp>()));
  t.onOp("Asinh", 9, fl(mathFn<math::AsinhOp>()));
  t.onOp("Acosh", 9, fl(mathFn<math::AcoshOp>()));
  t.onOp("Atanh", 9, fl(mathFn<math::AtanhOp>()));
  t.onOp("Floor", 1, fl(mathFn<math::FloorOp>()));
  t.onOp("Ceil", 1, fl(mathFn<math::CeilOp>()));
  t.onOp("Round", 11, fl(mathFn<math::RoundEvenOp>()));
  t.onOp("Reciprocal", 1, fl([](OpBuilder &b, Location l, Value x,
                                const onnx::NodeProto &) {
           return (Value)arith::DivFOp::create(b, l, cst(b, l, x, 1.0), x);
         }));
  t.onOp("Softplus", 1, fl([](OpBuilder &b, Location l, Value x,
                              const onnx::NodeProto &) {
           Value e = math::ExpOp::create(b, l, x);
           return (Value)math::LogOp::create(
               b, l, arith::AddFOp::create(b, l, e, cst(b, l, x, 1.0)));
         }));
  t.onOp("Softsign", 1, fl([](OpBuilder &b, Location l, Value x,
                              const onnx::NodeProto &) {
           Value d = arith::AddFOp::create(b, l, cst(b, l, x, 1.0),
                                           math::AbsFOp::create(b, l, x));
           return (Value)arith::DivFOp::create(b, l, x, d);
         }));
  t.onOp("Elu", 6, fl([](OpBuilder &b, Location l, Value x,
                         const onnx::NodeProto &n) {
           Value a = cst(b, l, x, getFloat(n, "alpha", 1.0f));
           Value em1 = arith::SubFOp::create(b, l, math::ExpOp::create(b, l, x),
                                             cst(b, l, x, 1.0));
           Value neg = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLT, x,
                                             cst(b, l, x, 0.0));
           return select(b, l, neg, arith::MulFOp::create(b, l, a, em1), x);
         }));
  t.onOp("Selu", 6, fl([](OpBuilder &b, Location l, Value x,
                          const onnx::NodeProto &n) {
           Value a = cst(b, l, x, getFloat(n, "alpha", 1.67326319217681884765625f));
           Value g = cst(b, l, x, getFloat(n, "gamma", 1.05070102214813232421875f));
           Value neg = arith::SubFOp::create(
               b, l, arith::MulFOp::create(b, l, a, math::ExpOp::create(b, l, x)), a);
           Value pos = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, x,
                                             cst(b, l, x, 0.0));
           return (Value)arith::MulFOp::create(b, l, g, select(b, l, pos, x, neg));
         }));
  t.onOp("Celu", 12, fl([](OpBuilder &b, Location l, Value x,
                           const onnx::NodeProto &n) {
           Value a = cst(b, l, x, getFloat(n, "alpha", 1.0f));
           Value zero = cst(b, l, x, 0.0);
           Value e = arith::SubFOp::create(
               b, l, math::ExpOp::create(b, l, arith::DivFOp::create(b, l, x, a)),
               cst(b, l, x, 1.0));
           Value neg = arith::MinimumFOp::create(
               b, l, zero, arith::MulFOp::create(b, l, a, e));
           return (Value)arith::AddFOp::create(
               b, l, arith::MaximumFOp::create(b, l, zero, x), neg);
         }));
  t.onOp("ThresholdedRelu", 10, fl([](OpBuilder &b, Location l, Value x,
                                      const onnx::NodeProto &n) {
           Value gt = arith::CmpFOp::create(
               b, l, arith::CmpFPredicate::OGT, x,
               cst(b, l, x, getFloat(n, "alpha", 1.0f)));
           return select(b, l, gt, x, cst(b, l, x, 0.0));
         }));
  t.onOp("Shrink", 9, fl([](OpBuilder &b, Location l, Value x,
                            const onnx::NodeProto &n) {
           double bias = getFloat(n, "bias", 0.0f),
                  lambd = getFloat(n, "lambd", 0.5f);
           Value lo = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLT, x,
                                            cst(b, l, x, -lambd));
           Value hi = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, x,
                                            cst(b, l, x, lambd));
           Value r = select(b, l, hi,
                            arith::SubFOp::create(b, l, x, cst(b, l, x, bias)),
                            cst(b, l, x, 0.0));
           return select(b, l, lo,
                         arith::AddFOp::create(b, l, x, cst(b, l, x, bias)), r);
         }));
  t.onOp("HardSwish", 14, fl([](OpBuilder &b, Location l, Value x,
                                const onnx::NodeProto &) {
           Value h = arith::AddFOp::create(
               b, l, arith::MulFOp::create(b, l, x, cst(b, l, x, 1.0 / 6.0)),
               cst(b, l, x, 0.5));
           h = arith::MaximumFOp::create(b, l, h, cst(b, l, x, 0.0));
           h = arith::MinimumFOp::create(b, l, h, cst(b, l, x, 1.0));
           return (Value)arith::MulFOp::create(b, l, x, h);
         }));
  t.onOp("Mish", 18, fl([](OpBuilder &b, Location l, Value x,
                          const onnx::NodeProto &) {
           // x * tanh(softplus(x))
           Value sp = math::LogOp::create(
               b, l, arith::AddFOp::create(b, l, math::ExpOp::create(b, l, x),
                                           cst(b, l, x, 1.0)));
           return (Value)arith::MulFOp::create(b, l, x,
                                               math::TanhOp::create(b, l, sp));
         }));
  t.onOp("Gelu", 20, fl([](OpBuilder &b, Location l, Value x,
                          const onnx::NodeProto &n) {
           Value half = cst(b, l, x, 0.5), one = cst(b, l, x, 1.0);
           Value inner;
           if (getString(n, "approximate", "none") == "tanh") {
             // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
             Value x3 = arith::MulFOp::create(
                 b, l, x, arith::MulFOp::create(b, l, x, x));
             Value u = arith::AddFOp::create(
                 b, l, x,
                 arith::MulFOp::create(b, l, cst(b, l, x, 0.044715), x3));
             inner = math::TanhOp::create(
                 b, l,
                 arith::MulFOp::create(b, l, cst(b, l, x, std::sqrt(2.0 / M_PI)),
                                       u));
           } else {
             inner = math::ErfOp::create(
                 b, l, arith::MulFOp::create(b, l, x, cst(b, l, x, M_SQRT1_2)));
           }
           return (Value)arith::MulFOp::create(
               b, l, arith::MulFOp::create(b, l, half, x),
               arith::AddFOp::create(b, l, one, inner));
         }));
  // BitShift (unsigned integers): a shift by the width or more gives 0, as
  // NumPy's and ONNX Runtime's (LLVM's would be poison).
  t.onOp("BitShift", 11,
         [](Importer &im, const onnx::NodeProto &node) -> LogicalResult {
           auto ops = operands(im, node, 2, 2, Accepts::Numeric);
           if (failed(ops))
             return failure();
           Type et = im.typeOf(node.input(0)).getElementType();
           if (!et.isUnsignedInteger())
             return im.nodeError(node)
                    << "expects unsigned integer tensors, got " << et;
           std::string dir = getString(node, "direction", "");
           if (dir != "LEFT" && dir != "RIGHT")
             return im.nodeError(node)
                    << "direction must be LEFT or RIGHT, got '" << dir << "'";
           bool left = dir == "LEFT";
           auto r = im.mapElements(
               node, *ops, getElementTypeOrSelf((*ops)[0].getType()),
               [&](OpBuilder &b, Location l, const ScalarArgs &x) {
                 Type t = x[0].getType();
                 Value width = arith::ConstantOp::create(
                     b, l, b.getIntegerAttr(t, t.getIntOrFloatBitWidth()));
                 Value zero =
                     arith::ConstantOp::create(b, l, b.getIntegerAttr(t, 0));
                 Value inRange = arith::CmpIOp::create(
                     b, l, arith::CmpIPredicate::ult, x[1], width);
                 Value amount =
                     arith::SelectOp::create(b, l, inRange, x[1], zero);
                 Value v =
                     left ? (Value)arith::ShLIOp::create(b, l, x[0], amount)
                          : (Value)arith::ShRUIOp::create(b, l, x[0], amount);
                 return (Value)arith::SelectOp::create(b, l, inRange, v, zero);
               });
           if (failed(r))
             return failure();
           im.set(node, *r);
           return success();
         });
  t.onOp("BitwiseAnd", 18, logicInt<arith::AndIOp>());
  t.onOp("BitwiseOr", 18, logicInt<arith::OrIOp>());
  t.onOp("BitwiseXor", 18, logicInt<arith::XOrIOp>());
  t.onOp("BitwiseNot", 18, elementwise(1, 1, Accepts::Numeric,
                                       [](OpBuilder &b, Location l,
                                          const ScalarArgs &x) {
                                         if (sc::isFloat(x[0]))
                                           return x[0];
                                         Value ones = arith::ConstantOp::create(
                                             b, l, b.getIntegerAttr(x[0].getType(), -1));
                                         return (Value)arith::XOrIOp::create(b, l, x[0], ones);
                                       }));
  t.onOp("Abs", 1, elementwise(1, 1, Accepts::Numeric,
                               [](OpBuilder &b, Location l, const ScalarArgs &x) {
                                 if (sc::isFloat(x[0]))
                                   return (Value)math::AbsFOp::create(b, l, x[0]);
                                 if (x.isUnsigned[0])
                                   return x[0];
                                 return (Value)math::AbsIOp::create(b, l, x[0]);
                               }));
  t.onOp("Neg", 1, elementwise(1, 1, Accepts::Numeric,
                               [](OpBuilder &b, Location l, const ScalarArgs &x) {
                                 if (sc::isFloat(x[0]))
                                   return (Value)arith::NegFOp::create(b, l, x[0]);
                                 return sc::sub(b, l, cst(b, l, x[0], 0), x[0]);
                               }));
  t.onOp("Sign", 9, elementwise(1, 1, Accepts::Numeric,
                                [](OpBuilder &b, Location l, const ScalarArgs &x) {
                                  Value v = x[0], zero = cst(b, l, v, 0);
                                  bool u = x.isUnsigned[0];
                                  Value pos = sc::compare(b, l, sc::Cmp::GT, v, zero, u);
                                  Value neg = sc::compare(b, l, sc::Cmp::LT, v, zero, u);
                                  Value r = select(b, l, pos, cst(b, l, v, 1), zero);
                                  r = select(b, l, neg, cst(b, l, v, -1), r);
                                  if (sc::isFloat(v)) // NaN stays NaN
                                    r = select(b, l,
                                               arith::CmpFOp::create(b, l, arith::CmpFPredicate::UNO, v, v),
                                               v, r);
                                  return r;
                                }));
  t.onOp("IsNaN", 9, elementwise(1, 1, Accepts::Float,
                                 [](OpBuilder &b, Location l, const ScalarArgs &x) {
                                   return (Value)arith::CmpFOp::create(
                                       b, l, arith::CmpFPredicate::UNO, x[0], x[0]);
                                 },
                                 /*boolResult=*/true));
  t.onOp("IsInf", 10, importIsInf);
  t.onOp("Not", 1, elementwise(1, 1, Accepts::Bool,
                               [](OpBuilder &b, Location l, const ScalarArgs &x) {
                                 Value one = arith::ConstantOp::create(b, l, b.getBoolAttr(true));
                                 return (Value)arith::XOrIOp::create(b, l, x[0], one);
                               }));
  t.onOp("And", 7, logic<arith::AndIOp>());
  t.onOp("Or", 7, logic<arith::OrIOp>());
  t.onOp("Xor", 7, logic<arith::XOrIOp>());
  t.onOp("Equal", 7, comparison(Cmp::EQ));
  t.onOp("Greater", 7, comparison(Cmp::GT));
  t.onOp("Less", 7, comparison(Cmp::LT));
  t.onOp("GreaterOrEqual", 12, comparison(Cmp::GE));
  t.onOp("LessOrEqual", 12, comparison(Cmp::LE));
  t.onOp("Where", 9, importWhere);
  t.onOp("PRelu", 7, importPRelu);
  t.onOp("Pow", 7, importPow);
  t.onOp("Mod", 10, importMod);
  t.onOp("Max", 6, variadic(Fold::Max)); // same shapes before 8: a subset
  t.onOp("Min", 6, variadic(Fold::Min));
  t.onOp("Sum", 6, variadic(Fold::Sum));
  t.onOp("Mean", 6, variadic(Fold::Mean));
}
