//===- TensorUtils.cpp - Helpers for building linalg on tensors -----------===//
//
// Part of qopt.
//
//===----------------------------------------------------------------------===//

#include "qopt/Dialect/QNN/Utils/TensorUtils.h"

#include "qopt/Dialect/QNN/IR/QNN.h"

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
    function_ref<Value(OpBuilder &, Location, Value)> body,
    Type resultElementType) {
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
  Value init = createEmptyTensor(
      b, loc, shape,
      resultElementType ? resultElementType : t.getElementType(), outDims);
  return linalg::GenericOp::create(
             b, loc, TypeRange{init.getType()}, ValueRange{x},
             ValueRange{init}, maps, iters,
             [&](OpBuilder &nb, Location nl, ValueRange a) {
               Value v = body ? body(nb, nl, a[0]) : a[0];
               linalg::YieldOp::create(nb, nl, v);
             })
      .getResult(0);
}

Value qnn::createPadNHWC(OpBuilder &b, Location loc, Value x,
                         ArrayRef<int64_t> pads, Value padValue) {
  if (llvm::all_of(pads, [](int64_t p) { return p == 0; }))
    return x;
  auto t = cast<RankedTensorType>(x.getType());
  SmallVector<int64_t> shape(t.getShape());
  for (int i = 0; i < 2; ++i)
    if (!ShapedType::isDynamic(shape[1 + i]))
      shape[1 + i] += pads[i] + pads[2 + i];
  auto zero = b.getIndexAttr(0);
  SmallVector<OpFoldResult> low = {zero, b.getIndexAttr(pads[0]),
                                   b.getIndexAttr(pads[1]), zero};
  SmallVector<OpFoldResult> high = {zero, b.getIndexAttr(pads[2]),
                                    b.getIndexAttr(pads[3]), zero};
  return tensor::PadOp::create(
      b, loc, RankedTensorType::get(shape, t.getElementType()), x, low, high,
      padValue);
}

Value qnn::createConvNHWC(OpBuilder &b, Location loc, Value x, Value w,
                          Value init, ArrayRef<int64_t> strides,
                          ArrayRef<int64_t> dilations, bool depthwise) {
  auto pair = [&](ArrayRef<int64_t> v) -> Attribute {
    return DenseIntElementsAttr::get(
        RankedTensorType::get({2}, b.getI64Type()), v);
  };
  Type type = init.getType();
  if (depthwise)
    return linalg::DepthwiseConv2DNhwcHwcOp::create(
               b, loc, TypeRange{type}, ValueRange{x, w}, ValueRange{init},
               pair(strides), pair(dilations))
        .getResult(0);
  return linalg::Conv2DNhwcHwcfOp::create(b, loc, TypeRange{type},
                                          ValueRange{x, w},
                                          ValueRange{init}, pair(strides),
                                          pair(dilations))
      .getResult(0);
}

LogicalResult qnn::verifyNoZeroSizedTensors(Operation *root) {
  auto isEmpty = [](Type t) {
    auto st = dyn_cast<ShapedType>(t);
    return st && st.hasRank() && llvm::is_contained(st.getShape(), 0);
  };
  LogicalResult result = success();
  root->walk<WalkOrder::PreOrder>([&](Operation *op) {
    // Data movement (reshape, slice, split, concat, pad, ...) and
    // elementwise ops produce correct empty results; the contractions,
    // windows and normalizations do not.
    if (!isa<Conv2DOp, FullyConnectedOp, MatMulOp, BatchNormOp, SoftmaxOp,
             MaxPool2DOp, AvgPool2DOp, GlobalAvgPool2DOp>(op))
      return WalkResult::advance();
    auto check = [&](Type t, StringRef what, unsigned i) {
      if (!isEmpty(t))
        return false;
      op->emitError() << what << " " << i << " has the zero-sized type " << t
                      << "; qopt does not compile convolutions, matrix "
                         "products, pools or normalizations of empty "
                         "tensors (fix the shape, e.g. with --input-shape)";
      return true;
    };
    for (auto [i, t] : llvm::enumerate(op->getOperandTypes()))
      if (check(t, "operand", i)) {
        result = failure();
        return WalkResult::interrupt();
      }
    for (auto [i, t] : llvm::enumerate(op->getResultTypes()))
      if (check(t, "result", i)) {
        result = failure();
        return WalkResult::interrupt();
      }
    return WalkResult::advance();
  });
  return result;
}
