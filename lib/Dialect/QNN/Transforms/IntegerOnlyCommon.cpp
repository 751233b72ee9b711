//===- IntegerOnlyCommon.cpp - Shared pieces of --integer-only -----------===//
//
// Part of qopt.
//
//===----------------------------------------------------------------------===//

#include "IntegerOnlyCommon.h"

#include "qopt/Dialect/QNN/Utils/ConstantUtils.h"
#include "qopt/Dialect/QNN/Utils/TensorUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace mlir::qnn;

namespace mlir {
namespace qnn {
namespace integer_only {

std::optional<QParams> getParams(Type t) {
  auto q = dyn_cast<quant::QuantizedType>(getElementTypeOrSelf(t));
  if (!q)
    return std::nullopt;
  QParams p;
  p.isSigned = q.isSigned();
  p.width = q.getStorageTypeIntegralWidth();
  p.qmin = q.getStorageTypeMin();
  p.qmax = q.getStorageTypeMax();
  if (!isa<quant::UniformQuantizedType, quant::UniformQuantizedPerAxisType>(q))
    return std::nullopt;
  UniformParams u = getUniformParams(q);
  p.scales = u.scales;
  p.zps = u.zeroPoints;
  p.axis = u.axis;
  return p;
}

Value intConst(OpBuilder &b, Location loc, Type t, int64_t v) {
  return arith::ConstantOp::create(b, loc, t, b.getIntegerAttr(t, v));
}

/// Integer of any width -> i32, honouring the storage signedness.
Value extTo32(OpBuilder &b, Location loc, Value v, bool isSigned) {
  Type i32 = b.getI32Type();
  if (v.getType() == i32)
    return v;
  if (isSigned)
    return arith::ExtSIOp::create(b, loc, i32, v);
  return arith::ExtUIOp::create(b, loc, i32, v);
}

SmallVector<Value> dimValues(OpBuilder &b, Location loc, Value v) {
  return getDimValues(b, loc, v);
}

Value emptyTensor(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                  Type et, ArrayRef<Value> dims) {
  return createEmptyTensor(b, loc, shape, et, dims);
}

/// A 1-D i32 constant of per-channel values.
Value channelConst(OpBuilder &b, Location loc, ArrayRef<int64_t> values) {
  SmallVector<int32_t> v(values.begin(), values.end());
  auto t = RankedTensorType::get({(int64_t)v.size()}, b.getI32Type());
  return arith::ConstantOp::create(b, loc,
                                   DenseElementsAttr::get(t, ArrayRef<int32_t>(v)));
}

/// The storage bit pattern of an integer value (u8 128 is i8 -128).
APInt storageBits(int64_t v, unsigned width) {
  return APInt(64, v, /*isSigned=*/true).trunc(width);
}

} // namespace integer_only
} // namespace qnn
} // namespace mlir
