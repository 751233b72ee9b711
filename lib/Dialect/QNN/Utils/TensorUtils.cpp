//===- TensorUtils.cpp - Helpers for building linalg on tensors -----------===//
//
// Part of qopt.
//
//===----------------------------------------------------------------------===//

#include "qopt/Dialect/QNN/Utils/TensorUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

SmallVector<Value> qnn::getDimValues(OpBuilder &b, Location loc, Value v) {
  auto t = cast<RankedTensorType>(v.getType());
  SmallVector<Value> out;
  for (int64_t i = 0; i < t.getRank(); ++i)
    out.push_back(t.isDynamicDim(i)
                      ? Value(tensor::DimOp::create(b, loc, v, i))
                      : Value(arith::ConstantIndexOp::create(b, loc,
                                                             t.getDimSize(i))));
  return out;
}

Value qnn::createEmptyTensor(OpBuilder &b, Location loc,
                             ArrayRef<int64_t> shape, Type elementType,
                             ArrayRef<Value> dims) {
  SmallVector<Value> dynamic;
  for (auto [i, d] : llvm::enumerate(shape))
    if (ShapedType::isDynamic(d))
      dynamic.push_back(dims[i]);
  return tensor::EmptyOp::create(b, loc, shape, elementType, dynamic);
}
