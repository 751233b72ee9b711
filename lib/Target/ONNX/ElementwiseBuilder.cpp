//===- ElementwiseBuilder.cpp - linalg.generic for ONNX elementwise ops ---===//
//
// Part of qopt. The long tail of ONNX's elementwise ops (math functions,
// comparisons, logic, Where, variadic Max/Min/Sum/Mean...) has no qnn op: it
// stays float (or integer, or boolean) in every quantization mode, so the
// importer emits it as upstream linalg.generic ops with arith/math bodies.
// This file builds them: ONNX multidirectional broadcasting becomes indexing
// maps (a broadcast operand is read with a constant 0 index, never copied),
// dynamic result sizes come from the operands, and unsigned ONNX integers are
// viewed as signless for arith with `tensor.bitcast`.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace qopt::onnx_import;

/// The unsigned twin's signless type (ui8 -> i8); other types unchanged.
static Type signless(Type t) {
  if (auto i = dyn_cast<IntegerType>(t); i && !i.isSignless())
    return IntegerType::get(t.getContext(), i.getWidth());
  return t;
}

Value Importer::toSignless(Location loc, Value v) {
  auto t = cast<RankedTensorType>(v.getType());
  Type s = signless(t.getElementType());
  if (s == t.getElementType())
    return v;
  return tensor::BitcastOp::create(builder, loc, t.clone(s), v);
}

Value Importer::fromSignless(Location loc, Value v, Type element) {
  auto t = cast<RankedTensorType>(v.getType());
  if (t.getElementType() == element)
    return v;
  return tensor::BitcastOp::create(builder, loc, t.clone(element), v);
}

FailureOr<SmallVector<int64_t>>
Importer::broadcastShape(const onnx::NodeProto &node, ArrayRef<Value> operands) {
  int64_t rank = 0;
  for (Value v : operands)
    rank = std::max(rank, cast<RankedTensorType>(v.getType()).getRank());
  SmallVector<int64_t> shape(rank, 1);
  SmallVector<bool> seen(rank, false);
  for (Value v : operands) {
    auto t = cast<RankedTensorType>(v.getType());
    int64_t off = rank - t.getRank();
    for (int64_t i = 0; i < t.getRank(); ++i) {
      int64_t d = t.getDimSize(i), &r = shape[off + i];
      if (d == 1)
        continue;
      if (!seen[off + i] || r == 1) {
        r = d;
        seen[off + i] = true;
        continue;
      }
      // A dynamic size meets a static one: the static one wins (a dynamic
      // size that is 1 at run time is not broadcast; exporters write
      // broadcast dimensions as a static 1).
      if (r == kDyn) {
        r = d;
        continue;
      }
      if (d != kDyn && d != r) {
        auto diag = nodeError(node) << "operand shapes do not broadcast:";
        for (Value o : operands)
          diag << " " << o.getType();
        return failure();
      }
    }
  }
  return shape;
}

SmallVector<Value> Importer::resultDims(Location loc, ArrayRef<int64_t> shape,
                                        ArrayRef<Value> operands) {
  SmallVector<Value> dyn;
  for (auto [i, d] : llvm::enumerate(shape)) {
    if (d != kDyn)
      continue;
    for (Value v : operands) {
      auto t = cast<RankedTensorType>(v.getType());
      int64_t j = (int64_t)i - ((int64_t)shape.size() - t.getRank());
      if (j >= 0 && t.isDynamicDim(j)) {
        dyn.push_back(tensor::DimOp::create(builder, loc, v, j));
        break;
      }
    }
  }
  return dyn;
}

FailureOr<Value> Importer::mapElements(const onnx::NodeProto &node,
                                       ArrayRef<Value> operands,
                                       Type resultElement,
                                       ScalarBodyFn body) {
  Location loc = nodeLoc(node);
  auto shape = broadcastShape(node, operands);
  if (failed(shape))
    return failure();
  int64_t rank = shape->size();
  SmallVector<Value> ins;
  SmallVector<AffineMap> maps;
  for (Value v : operands) {
    auto t = cast<RankedTensorType>(v.getType());
    int64_t off = rank - t.getRank();
    SmallVector<AffineExpr> exprs;
    for (int64_t i = 0; i < t.getRank(); ++i)
      exprs.push_back(t.getDimSize(i) == 1 && (*shape)[off + i] != 1
                          ? builder.getAffineConstantExpr(0)
                          : builder.getAffineDimExpr(off + i));
    maps.push_back(AffineMap::get(rank, 0, exprs, ctx));
    ins.push_back(toSignless(loc, v));
  }
  maps.push_back(builder.getMultiDimIdentityMap(rank));
  Type outElement = signless(resultElement);
  Value init = tensor::EmptyOp::create(builder, loc, *shape, outElement,
                                       resultDims(loc, *shape, operands));
  SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
  SmallVector<bool> isUnsigned;
  for (Value v : operands)
    isUnsigned.push_back(getElementTypeOrSelf(v.getType()).isUnsignedInteger());
  auto generic = linalg::GenericOp::create(
      builder, loc, init.getType(), ins, ValueRange{init}, maps, iters,
      [&](OpBuilder &b, Location l, ValueRange args) {
        ScalarArgs a{args.drop_back(), isUnsigned};
        linalg::YieldOp::create(b, l, body(b, l, a));
      });
  return fromSignless(loc, generic.getResult(0), resultElement);
}
