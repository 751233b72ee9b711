//===- TensorUtils.cpp - Helpers for building linalg on tensors -----------===//
//
// Part of qopt.
//
//===----------------------------------------------------------------------===//

#include "qopt/Dialect/QNN/Utils/TensorUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
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

Value qnn::createPermutation(
    OpBuilder &b, Location loc, Value x, ArrayRef<int64_t> perm,
    function_ref<Value(OpBuilder &, Location, Value)> body) {
  auto t = cast<RankedTensorType>(x.getType());
  SmallVector<Value> inDims = getDimValues(b, loc, x), outDims;
  SmallVector<int64_t> shape;
  SmallVector<unsigned> inverse(perm.size());
  for (auto [k, p] : llvm::enumerate(perm)) {
    shape.push_back(t.getDimSize(p));
    outDims.push_back(inDims[p]);
    inverse[p] = k;
  }
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineMap> maps = {
      AffineMap::getPermutationMap(inverse, ctx),
      AffineMap::getMultiDimIdentityMap(perm.size(), ctx)};
  SmallVector<utils::IteratorType> iters(perm.size(),
                                         utils::IteratorType::parallel);
  Value init = createEmptyTensor(b, loc, shape, t.getElementType(), outDims);
  return linalg::GenericOp::create(
             b, loc, TypeRange{init.getType()}, ValueRange{x},
             ValueRange{init}, maps, iters,
             [&](OpBuilder &nb, Location nl, ValueRange a) {
               Value v = body ? body(nb, nl, a[0]) : a[0];
               linalg::YieldOp::create(nb, nl, v);
             })
      .getResult(0);
}
