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
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
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

/// Evaluates an elementwise op on small constant operands at import time
/// (shape arithmetic: comparisons of dimensions, casts of sizes), by
/// building the scalar body once per element in a scratch function and
/// letting MLIR's folders reduce it to constants. Null if any element does
/// not fold.
static DenseElementsAttr foldElements(MLIRContext *ctx, Location loc,
                                      ArrayRef<Value> operands,
                                      ArrayRef<int64_t> shape,
                                      Type resultElement, ScalarBodyFn body) {
  constexpr int64_t kMaxFolded = 256;
  SmallVector<DenseElementsAttr> attrs;
  for (Value v : operands) {
    auto c = v.getDefiningOp<arith::ConstantOp>();
    auto d = c ? dyn_cast<DenseElementsAttr>(c.getValue()) : nullptr;
    if (!d || d.getNumElements() > kMaxFolded)
      return nullptr;
    attrs.push_back(d);
  }
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d == ShapedType::kDynamic || __builtin_mul_overflow(n, d, &n))
      return nullptr;
  }
  if (n > kMaxFolded)
    return nullptr;
  OpBuilder b(ctx);
  OwningOpRef<ModuleOp> scratch = ModuleOp::create(loc);
  b.setInsertionPointToStart(scratch->getBody());
  auto fn = func::FuncOp::create(b, loc, "fold", b.getFunctionType({}, {}));
  b.setInsertionPointToStart(fn.addEntryBlock());
  SmallVector<bool> isUnsigned;
  for (Value v : operands)
    isUnsigned.push_back(getElementTypeOrSelf(v.getType()).isUnsignedInteger());
  SmallVector<Value> results;
  SmallVector<int64_t> idx(shape.size(), 0);
  for (int64_t e = 0; e < n; ++e) {
    SmallVector<Value> args;
    for (DenseElementsAttr a : attrs) {
      auto t = cast<RankedTensorType>(a.getType());
      int64_t off = shape.size() - t.getRank(), lin = 0;
      for (int64_t i = 0; i < t.getRank(); ++i)
        lin = lin * t.getDimSize(i) + (t.getDimSize(i) == 1 ? 0 : idx[off + i]);
      Attribute v = a.isSplat() ? a.getSplatValue<Attribute>()
                                : a.getValues<Attribute>()[lin];
      Type st = signless(a.getElementType());
      if (auto iv = dyn_cast<IntegerAttr>(v))
        v = IntegerAttr::get(st, iv.getValue());
      args.push_back(arith::ConstantOp::create(b, loc, cast<TypedAttr>(v)));
    }
    results.push_back(body(b, loc, ScalarArgs{args, isUnsigned}));
    for (int64_t d = shape.size() - 1; d >= 0; --d) {
      if (++idx[d] < shape[d])
        break;
      idx[d] = 0;
    }
  }
  func::ReturnOp::create(b, loc, results);
  fn.setType(b.getFunctionType({}, ValueRange(results).getTypes()));
  (void)applyPatternsGreedily(fn, FrozenRewritePatternSet());
  auto ret = cast<func::ReturnOp>(fn.getBody().front().getTerminator());
  SmallVector<Attribute> vals;
  for (Value r : ret.getOperands()) {
    auto c = r.getDefiningOp<arith::ConstantOp>();
    if (!c)
      return nullptr;
    Attribute v = c.getValue();
    if (auto iv = dyn_cast<IntegerAttr>(v))
      v = IntegerAttr::get(resultElement, iv.getValue());
    vals.push_back(v);
  }
  return DenseElementsAttr::get(RankedTensorType::get(shape, resultElement),
                                vals);
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
  if (DenseElementsAttr folded =
          foldElements(ctx, loc, operands, *shape, resultElement, body))
    return Value(arith::ConstantOp::create(builder, loc, folded));
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
