//===- ScalarMath.h - Scalar arith/math for elementwise bodies -*- C++ -*-===//
//
// Part of qopt. Private to lib/Target/ONNX. Builders for one element of an
// ONNX op, picking the float or (signed / unsigned) integer arith op from the
// operand type, so one handler serves every dtype the op accepts.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_LIB_TARGET_ONNX_SCALARMATH_H
#define QOPT_LIB_TARGET_ONNX_SCALARMATH_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/Builders.h"

namespace qopt::onnx_import::scalar {

using namespace mlir;

inline bool isFloat(Value v) { return isa<FloatType>(v.getType()); }

inline Value constant(OpBuilder &b, Location loc, Type t, double v) {
  if (auto f = dyn_cast<FloatType>(t))
    return arith::ConstantOp::create(b, loc, b.getFloatAttr(f, v));
  return arith::ConstantOp::create(b, loc, b.getIntegerAttr(t, (int64_t)v));
}

inline Value add(OpBuilder &b, Location l, Value x, Value y) {
  return isFloat(x) ? (Value)arith::AddFOp::create(b, l, x, y)
                    : (Value)arith::AddIOp::create(b, l, x, y);
}
inline Value sub(OpBuilder &b, Location l, Value x, Value y) {
  return isFloat(x) ? (Value)arith::SubFOp::create(b, l, x, y)
                    : (Value)arith::SubIOp::create(b, l, x, y);
}
inline Value mul(OpBuilder &b, Location l, Value x, Value y) {
  return isFloat(x) ? (Value)arith::MulFOp::create(b, l, x, y)
                    : (Value)arith::MulIOp::create(b, l, x, y);
}
/// Integer division truncates toward zero (C, numpy's ONNX reference for
/// Div uses floor only for Mod).
inline Value div(OpBuilder &b, Location l, Value x, Value y, bool isUnsigned) {
  if (isFloat(x))
    return arith::DivFOp::create(b, l, x, y);
  return isUnsigned ? (Value)arith::DivUIOp::create(b, l, x, y)
                    : (Value)arith::DivSIOp::create(b, l, x, y);
}
/// Max/Min propagate NaN, as numpy (ONNX's reference) does.
inline Value max(OpBuilder &b, Location l, Value x, Value y, bool isUnsigned) {
  if (isFloat(x))
    return arith::MaximumFOp::create(b, l, x, y);
  return isUnsigned ? (Value)arith::MaxUIOp::create(b, l, x, y)
                    : (Value)arith::MaxSIOp::create(b, l, x, y);
}
inline Value min(OpBuilder &b, Location l, Value x, Value y, bool isUnsigned) {
  if (isFloat(x))
    return arith::MinimumFOp::create(b, l, x, y);
  return isUnsigned ? (Value)arith::MinUIOp::create(b, l, x, y)
                    : (Value)arith::MinSIOp::create(b, l, x, y);
}

enum class Cmp { EQ, GT, GE, LT, LE, NE };
inline Value compare(OpBuilder &b, Location l, Cmp c, Value x, Value y,
                     bool isUnsigned) {
  if (isFloat(x)) {
    arith::CmpFPredicate p[] = {
        arith::CmpFPredicate::OEQ, arith::CmpFPredicate::OGT,
        arith::CmpFPredicate::OGE, arith::CmpFPredicate::OLT,
        arith::CmpFPredicate::OLE, arith::CmpFPredicate::UNE};
    return arith::CmpFOp::create(b, l, p[(int)c], x, y);
  }
  arith::CmpIPredicate s[] = {
      arith::CmpIPredicate::eq,  arith::CmpIPredicate::sgt,
      arith::CmpIPredicate::sge, arith::CmpIPredicate::slt,
      arith::CmpIPredicate::sle, arith::CmpIPredicate::ne};
  arith::CmpIPredicate u[] = {
      arith::CmpIPredicate::eq,  arith::CmpIPredicate::ugt,
      arith::CmpIPredicate::uge, arith::CmpIPredicate::ult,
      arith::CmpIPredicate::ule, arith::CmpIPredicate::ne};
  return arith::CmpIOp::create(b, l, isUnsigned ? u[(int)c] : s[(int)c], x, y);
}

/// An index read from the model (any integer type) as an `index`, wrapped
/// once if negative and clamped into [0, dim): generated code never reads or
/// writes outside a tensor, whatever the model's indices are.
inline Value boundedIndex(OpBuilder &b, Location l, Value idx, Value dim) {
  if (!idx.getType().isIndex())
    idx = arith::IndexCastOp::create(b, l, b.getIndexType(), idx);
  Value zero = arith::ConstantIndexOp::create(b, l, 0);
  Value one = arith::ConstantIndexOp::create(b, l, 1);
  Value neg = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, idx, zero);
  idx = arith::SelectOp::create(b, l, neg, arith::AddIOp::create(b, l, idx, dim),
                                idx);
  idx = arith::MaxSIOp::create(b, l, idx, zero);
  return arith::MinSIOp::create(b, l, idx,
                                arith::SubIOp::create(b, l, dim, one));
}
inline Value boundedIndex(OpBuilder &b, Location l, Value idx, int64_t dim) {
  return boundedIndex(b, l, idx,
                      arith::ConstantIndexOp::create(b, l, std::max<int64_t>(dim, 1)));
}

/// Conversion between any two ONNX element types as Cast defines it:
/// float -> int truncates toward zero (saturating, NaN -> 0 by fptosi
/// semantics after clamping), int -> bool is `!= 0`, bool -> anything 0/1.
Value convert(OpBuilder &b, Location l, Value x, Type to, bool fromUnsigned,
              bool toUnsigned);

} // namespace qopt::onnx_import::scalar

#endif // QOPT_LIB_TARGET_ONNX_SCALARMATH_H
