//===- ReductionOps.cpp - ONNX reductions and arg-reductions ---------------===//
//
// Part of qopt. Reduce{Mean,Sum,Max,Min,Prod,L1,L2,SumSquare,LogSum,
// LogSumExp} and ArgMax/ArgMin become linalg.generic ops with reduction
// iterators (upstream linalg; the reduction runs in the input's type, as ONNX
// Runtime's does). The opset decides where the axes come from: an attribute,
// or (ReduceSum from 13, the others from 18) an optional input with
// `noop_with_empty_axes`.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"
#include "ScalarMath.h"

#include "qopt/Dialect/QNN/IR/QNN.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/TypeUtilities.h"

#include <limits>

using namespace mlir;
using namespace qopt::onnx_import;
namespace sc = qopt::onnx_import::scalar;

namespace {

enum class Reduce { Sum, Mean, Max, Min, Prod, L1, L2, SumSquare, LogSum,
                    LogSumExp };

/// The normalized, sorted, de-duplicated axes, or failure (diagnosed).
FailureOr<SmallVector<int64_t>> normalizeAxes(Importer &im,
                                              const onnx::NodeProto &node,
                                              ArrayRef<int64_t> axes,
                                              int64_t rank) {
  SmallVector<int64_t> out;
  for (int64_t a : axes) {
    if (a < -rank || a >= rank)
      return im.nodeError(node)
             << "axis " << a << " is out of range for rank " << rank;
    out.push_back(a < 0 ? a + rank : a);
  }
  llvm::sort(out);
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

/// The reduction's axes: attribute (`axesAsInput` false) or input 1.
/// An empty result means "all axes" unless the op is a no-op (`*noop`).
FailureOr<SmallVector<int64_t>> reductionAxes(Importer &im,
                                              const onnx::NodeProto &node,
                                              bool axesAsInput, bool *noop) {
  RankedTensorType xt = im.typeOf(node.input(0));
  SmallVector<int64_t> axes;
  *noop = false;
  if (axesAsInput && im.hasInput(node, 1)) {
    auto v = im.getConstInts(node.input(1));
    if (!v)
      return im.unsupported(node, "axes that are not a constant");
    axes = *v;
  } else if (!axesAsInput) {
    axes = getInts(node, "axes").value_or(SmallVector<int64_t>{});
  }
  if (axes.empty()) {
    if (axesAsInput && getInt(node, "noop_with_empty_axes", 0)) {
      *noop = true;
      return axes;
    }
    for (int64_t i = 0; i < xt.getRank(); ++i)
      axes.push_back(i);
  }
  return normalizeAxes(im, node, axes, xt.getRank());
}

Value identity(OpBuilder &b, Location l, Type t, Reduce r) {
  bool f = isa<FloatType>(t);
  switch (r) {
  case Reduce::Max:
    if (f)
      return sc::constant(b, l, t, -std::numeric_limits<double>::infinity());
    return arith::ConstantOp::create(
        b, l, b.getIntegerAttr(t, APInt::getSignedMinValue(
                                      t.getIntOrFloatBitWidth())));
  case Reduce::Min:
    if (f)
      return sc::constant(b, l, t, std::numeric_limits<double>::infinity());
    return arith::ConstantOp::create(
        b, l, b.getIntegerAttr(t, APInt::getSignedMaxValue(
                                      t.getIntOrFloatBitWidth())));
  case Reduce::Prod:
    return sc::constant(b, l, t, 1);
  default:
    return sc::constant(b, l, t, 0);
  }
}

/// Inserts size-1 dimensions at `axes` (sorted) of `v`.
Value keepDims(Importer &im, Location loc, Value v, ArrayRef<int64_t> axes,
               int64_t rank) {
  auto t = cast<RankedTensorType>(v.getType());
  SmallVector<int64_t> shape;
  for (int64_t i = 0, j = 0; i < rank; ++i)
    shape.push_back(llvm::is_contained(axes, i) ? 1 : t.getDimSize(j++));
  if (t.getRank() == 0 || !t.getNumDynamicDims())
    return im.reshapeTo(loc, v, shape);
  // Dynamic sizes: tensor.expand_shape keeps them.
  // Leading kept axes belong to the first group.
  SmallVector<ReassociationIndices> fixed;
  ReassociationIndices pending;
  for (int64_t i = 0; i < rank; ++i) {
    pending.push_back(i);
    if (!llvm::is_contained(axes, i)) {
      fixed.push_back(pending);
      pending.clear();
    }
  }
  if (!pending.empty())
    fixed.back().append(pending.begin(), pending.end());
  SmallVector<OpFoldResult> sizes;
  for (int64_t i = 0, j = 0; i < rank; ++i) {
    if (llvm::is_contained(axes, i)) {
      sizes.push_back(im.builder.getIndexAttr(1));
      continue;
    }
    if (t.isDynamicDim(j))
      sizes.push_back(
          tensor::DimOp::create(im.builder, loc, v, j).getResult());
    else
      sizes.push_back(im.builder.getIndexAttr(t.getDimSize(j)));
    ++j;
  }
  return tensor::ExpandShapeOp::create(
      im.builder, loc, RankedTensorType::get(shape, t.getElementType()), v,
      fixed, sizes);
}

/// reduce(x) over `axes` with the combiner of `r`; `pre` maps each element
/// first (|x|, x², exp x).
Value reduceGeneric(Importer &im, Location loc, Value x, ArrayRef<int64_t> axes,
                    Reduce r) {
  OpBuilder &b = im.builder;
  auto xt = cast<RankedTensorType>(x.getType());
  int64_t rank = xt.getRank();
  SmallVector<int64_t> outShape;
  SmallVector<Value> dyn;
  SmallVector<AffineExpr> outExprs;
  SmallVector<utils::IteratorType> iters;
  for (int64_t i = 0; i < rank; ++i) {
    if (llvm::is_contained(axes, i)) {
      iters.push_back(utils::IteratorType::reduction);
      continue;
    }
    iters.push_back(utils::IteratorType::parallel);
    outShape.push_back(xt.getDimSize(i));
    outExprs.push_back(b.getAffineDimExpr(i));
    if (xt.isDynamicDim(i))
      dyn.push_back(tensor::DimOp::create(b, loc, x, i));
  }
  Type et = xt.getElementType();
  Value init = tensor::EmptyOp::create(b, loc, outShape, et, dyn);
  Value filled =
      linalg::FillOp::create(b, loc, identity(b, loc, et, r), init).result();
  AffineMap inMap = b.getMultiDimIdentityMap(rank);
  AffineMap outMap = AffineMap::get(rank, 0, outExprs, im.ctx);
  auto g = linalg::GenericOp::create(
      b, loc, filled.getType(), ValueRange{x}, ValueRange{filled},
      ArrayRef<AffineMap>{inMap, outMap}, iters,
      [&](OpBuilder &nb, Location l, ValueRange args) {
        Value v = args[0], acc = args[1], out;
        switch (r) {
        case Reduce::Max:
          out = sc::max(nb, l, acc, v, false);
          break;
        case Reduce::Min:
          out = sc::min(nb, l, acc, v, false);
          break;
        case Reduce::Prod:
          out = sc::mul(nb, l, acc, v);
          break;
        case Reduce::L1:
          v = sc::isFloat(v) ? (Value)math::AbsFOp::create(nb, l, v)
                             : (Value)math::AbsIOp::create(nb, l, v);
          out = sc::add(nb, l, acc, v);
          break;
        case Reduce::L2:
        case Reduce::SumSquare:
          out = sc::add(nb, l, acc, sc::mul(nb, l, v, v));
          break;
        case Reduce::LogSumExp:
          out = sc::add(nb, l, acc, math::ExpOp::create(nb, l, v));
          break;
        default:
          out = sc::add(nb, l, acc, v);
        }
        linalg::YieldOp::create(nb, l, out);
      });
  return g.getResult(0);
}

/// Elementwise post-processing of a reduction result (mean, sqrt, log).
Value finish(Importer &im, Location loc, Value y, Value x,
             ArrayRef<int64_t> axes, Reduce r) {
  OpBuilder &b = im.builder;
  auto yt = cast<RankedTensorType>(y.getType());
  if (r != Reduce::Mean && r != Reduce::L2 && r != Reduce::LogSum &&
      r != Reduce::LogSumExp)
    return y;
  Value count;
  if (r == Reduce::Mean) {
    // The element count of the reduced dimensions (run-time if dynamic).
    auto xt = cast<RankedTensorType>(x.getType());
    Value n = arith::ConstantIndexOp::create(b, loc, 1);
    for (int64_t a : axes)
      n = arith::MulIOp::create(b, loc, n,
                                tensor::DimOp::create(b, loc, x, a));
    Value n64 = arith::IndexCastOp::create(b, loc, b.getI64Type(), n);
    Type et = xt.getElementType();
    count = isa<FloatType>(et)
                ? (Value)arith::SIToFPOp::create(b, loc, et, n64)
                : (Value)arith::TruncIOp::create(b, loc, et, n64);
    if (et.isInteger(64))
      count = n64;
  }
  SmallVector<Value> dyn;
  for (int64_t i = 0; i < yt.getRank(); ++i)
    if (yt.isDynamicDim(i))
      dyn.push_back(tensor::DimOp::create(b, loc, y, i));
  Value init = tensor::EmptyOp::create(b, loc, yt.getShape(),
                                       yt.getElementType(), dyn);
  AffineMap id = b.getMultiDimIdentityMap(yt.getRank());
  auto g = linalg::GenericOp::create(
      b, loc, yt, ValueRange{y}, ValueRange{init},
      ArrayRef<AffineMap>{id, id},
      SmallVector<utils::IteratorType>(yt.getRank(),
                                       utils::IteratorType::parallel),
      [&](OpBuilder &nb, Location l, ValueRange args) {
        Value v = args[0];
        if (r == Reduce::Mean)
          v = sc::div(nb, l, v, count, false);
        else if (r == Reduce::L2)
          v = sc::isFloat(v) ? (Value)math::SqrtOp::create(nb, l, v) : v;
        else
          v = math::LogOp::create(nb, l, v);
        linalg::YieldOp::create(nb, l, v);
      });
  return g.getResult(0);
}

Handler reduction(Reduce r, bool axesAsInput) {
  return [=](Importer &im, const onnx::NodeProto &node) -> LogicalResult {
    if (failed(im.requireInputs(node, 1, axesAsInput ? 2 : 1)))
      return failure();
    Location loc = im.nodeLoc(node);
    RankedTensorType xt = im.typeOf(node.input(0));
    Type et = xt.getElementType();
    if (isa<quant::QuantizedType>(et) || et.isInteger(1) ||
        et.isUnsignedInteger())
      return im.nodeError(node) << "unsupported element type " << et;
    bool needsFloat = r == Reduce::Mean || r == Reduce::L2 ||
                      r == Reduce::LogSum || r == Reduce::LogSumExp;
    if (needsFloat && !isa<FloatType>(et) && r != Reduce::Mean &&
        r != Reduce::L2)
      return im.nodeError(node) << "expects a float tensor, got " << et;
    bool noop = false;
    auto axes = reductionAxes(im, node, axesAsInput, &noop);
    if (failed(axes))
      return failure();
    Value x = im.get(node.input(0));
    if (noop) {
      im.set(node, x);
      return success();
    }
    Value y = reduceGeneric(im, loc, x, *axes, r);
    y = finish(im, loc, y, x, *axes, r);
    if (getInt(node, "keepdims", 1))
      y = keepDims(im, loc, y, *axes, xt.getRank());
    im.set(node, y);
    return success();
  };
}

/// ArgMax / ArgMin: the first (or with select_last_index the last) index of
/// the extreme value along `axis`, as int64.
Handler argReduction(bool isMax) {
  return [=](Importer &im, const onnx::NodeProto &node) -> LogicalResult {
    if (failed(im.requireInputs(node, 1, 1)))
      return failure();
    Location loc = im.nodeLoc(node);
    OpBuilder &b = im.builder;
    RankedTensorType xt = im.typeOf(node.input(0));
    Type et = xt.getElementType();
    if (!isa<FloatType>(et) && !(isa<IntegerType>(et) && et.isSignlessInteger() &&
                                 !et.isInteger(1)))
      return im.nodeError(node) << "unsupported element type " << et;
    int64_t rank = xt.getRank();
    auto axes = normalizeAxes(im, node, {getInt(node, "axis", 0)}, rank);
    if (failed(axes))
      return failure();
    int64_t axis = (*axes)[0];
    bool last = getInt(node, "select_last_index", 0);
    Value x = im.get(node.input(0));
    SmallVector<int64_t> outShape;
    SmallVector<Value> dyn;
    SmallVector<AffineExpr> outExprs;
    SmallVector<utils::IteratorType> iters;
    for (int64_t i = 0; i < rank; ++i) {
      if (i == axis) {
        iters.push_back(utils::IteratorType::reduction);
        continue;
      }
      iters.push_back(utils::IteratorType::parallel);
      outShape.push_back(xt.getDimSize(i));
      outExprs.push_back(b.getAffineDimExpr(i));
      if (xt.isDynamicDim(i))
        dyn.push_back(tensor::DimOp::create(b, loc, x, i));
    }
    Value vInit = linalg::FillOp::create(
                      b, loc, identity(b, loc, et, isMax ? Reduce::Max : Reduce::Min),
                      Value(tensor::EmptyOp::create(b, loc, outShape, et, dyn)))
                      .result();
    Value iInit = linalg::FillOp::create(
                      b, loc,
                      Value(arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(-1))),
                      Value(tensor::EmptyOp::create(b, loc, outShape, b.getI64Type(), dyn)))
                      .result();
    AffineMap inMap = b.getMultiDimIdentityMap(rank);
    AffineMap outMap = AffineMap::get(rank, 0, outExprs, im.ctx);
    auto g = linalg::GenericOp::create(
        b, loc, TypeRange{vInit.getType(), iInit.getType()}, ValueRange{x},
        ValueRange{vInit, iInit}, ArrayRef<AffineMap>{inMap, outMap, outMap},
        iters, [&](OpBuilder &nb, Location l, ValueRange args) {
          Value v = args[0], best = args[1], bestIdx = args[2];
          Value idx = arith::IndexCastOp::create(
              nb, l, nb.getI64Type(), linalg::IndexOp::create(nb, l, axis));
          sc::Cmp strict = isMax ? sc::Cmp::GT : sc::Cmp::LT;
          sc::Cmp loose = isMax ? sc::Cmp::GE : sc::Cmp::LE;
          Value better = sc::compare(nb, l, last ? loose : strict, v, best, false);
          // The first element always wins (the identity may equal it).
          Value first = arith::CmpIOp::create(
              nb, l, arith::CmpIPredicate::slt, bestIdx,
              arith::ConstantOp::create(nb, l, nb.getI64IntegerAttr(0)));
          Value take = arith::OrIOp::create(nb, l, better, first);
          if (sc::isFloat(v)) { // a NaN is the extreme value (numpy)
            Value nan = arith::CmpFOp::create(nb, l, arith::CmpFPredicate::UNO,
                                              v, v);
            Value bestNan = arith::CmpFOp::create(
                nb, l, arith::CmpFPredicate::UNO, best, best);
            Value firstNan = arith::AndIOp::create(
                nb, l, nan,
                arith::XOrIOp::create(
                    nb, l, bestNan,
                    arith::ConstantOp::create(nb, l, nb.getBoolAttr(true))));
            take = arith::AndIOp::create(
                nb, l, arith::OrIOp::create(nb, l, take, firstNan),
                arith::XOrIOp::create(
                    nb, l, bestNan,
                    arith::ConstantOp::create(nb, l, nb.getBoolAttr(true))));
            take = arith::OrIOp::create(nb, l, take, first);
          }
          linalg::YieldOp::create(
              nb, l,
              ValueRange{arith::SelectOp::create(nb, l, take, v, best),
                         arith::SelectOp::create(nb, l, take, idx, bestIdx)});
        });
    Value y = g.getResult(1);
    if (getInt(node, "keepdims", 1))
      y = keepDims(im, loc, y, {axis}, rank);
    im.set(node, y);
    return success();
  };
}


/// TopK: each element's rank along the axis (how many elements come before
/// it: better values, or equal values at lower indices, as ONNX orders
/// ties), then output position r takes the element of rank r. Two
/// quadratic generics over the axis, which real models keep short.
LogicalResult importTopK(Importer &im, const onnx::NodeProto &node,
                         bool kAsInput) {
  if (failed(im.requireInputs(node, 1, kAsInput ? 2 : 1)))
    return failure();
  Location loc = im.nodeLoc(node);
  OpBuilder &b = im.builder;
  RankedTensorType xt = im.typeOf(node.input(0));
  Type et = xt.getElementType();
  if (!isa<FloatType>(et) && !et.isSignlessInteger())
    return im.nodeError(node) << "unsupported element type " << et;
  int64_t k = getInt(node, "k", -1);
  // K known only at run time: the whole axis in order, with K as the row
  // count of both outputs (Importer::RowCount).
  bool runtimeK = false;
  if (kAsInput) {
    auto kv = im.getConstInts(node.input(1));
    if (kv && kv->size() != 1)
      return im.nodeError(node) << "K must be one value";
    if (kv) {
      k = (*kv)[0];
    } else {
      RankedTensorType kt = im.typeOf(node.input(1));
      if (kt.getNumElements() != 1 || !kt.getElementType().isInteger(64))
        return im.nodeError(node) << "K must be one int64 value, got " << kt;
      runtimeK = true;
    }
  }
  int64_t rank = xt.getRank();
  auto axes = normalizeAxes(im, node, {getInt(node, "axis", -1)}, rank);
  if (failed(axes))
    return failure();
  int64_t axis = (*axes)[0], n = xt.getDimSize(axis);
  if (n == kDyn)
    return im.unsupported(node, "a dynamic axis");
  if (runtimeK)
    k = n;
  if (k < 0 || k > n)
    return im.nodeError(node) << "K = " << k << " is not in [0, " << n << "]";
  if (n > kMaxQuadraticAxis)
    return im.unsupported(node, "TopK over an axis longer than " +
                                    Twine(kMaxQuadraticAxis) +
                                    " (its cost grows with the square of the "
                                    "length)");
  if (!getInt(node, "sorted", 1))
    ; // sorted output is a valid order for sorted = 0 too
  bool largest = getInt(node, "largest", 1);
  Value x = im.get(node.input(0));
  SmallVector<Value> dyn;
  for (int64_t d = 0; d < rank; ++d)
    if (xt.isDynamicDim(d))
      dyn.push_back(tensor::DimOp::create(b, loc, x, d));
  // rank[..., i, ...] = sum over j of before(j, i).
  auto i64 = b.getI64Type();
  Value zero64 = arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(0));
  Value rankInit = linalg::FillOp::create(
                       b, loc, zero64,
                       Value(tensor::EmptyOp::create(b, loc, xt.getShape(), i64,
                                                     dyn)))
                       .result();
  SmallVector<AffineExpr> iExprs, jExprs;
  for (int64_t d = 0; d < rank; ++d) {
    iExprs.push_back(b.getAffineDimExpr(d));
    jExprs.push_back(b.getAffineDimExpr(d == axis ? rank : d));
  }
  SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
  iters.push_back(utils::IteratorType::reduction);
  AffineMap iMap = AffineMap::get(rank + 1, 0, iExprs, im.ctx);
  AffineMap jMap = AffineMap::get(rank + 1, 0, jExprs, im.ctx);
  Value ranks =
      linalg::GenericOp::create(
          b, loc, rankInit.getType(), ValueRange{x, x}, ValueRange{rankInit},
          ArrayRef<AffineMap>{iMap, jMap, iMap}, iters,
          [&](OpBuilder &nb, Location l, ValueRange a) {
            Value xi = a[0], xj = a[1];
            Value i = linalg::IndexOp::create(nb, l, axis);
            Value j = linalg::IndexOp::create(nb, l, rank);
            Value better = sc::compare(nb, l, largest ? sc::Cmp::GT : sc::Cmp::LT,
                                       xj, xi, false);
            Value tie = arith::AndIOp::create(
                nb, l, sc::compare(nb, l, sc::Cmp::EQ, xj, xi, false),
                arith::CmpIOp::create(nb, l, arith::CmpIPredicate::ult, j, i));
            Value before = arith::OrIOp::create(nb, l, better, tie);
            Value one = arith::ExtUIOp::create(nb, l, i64, before);
            linalg::YieldOp::create(
                nb, l, Value(arith::AddIOp::create(nb, l, a[2], one)));
          })
          .getResult(0);
  // out[..., r, ...] = x[..., i, ...] where rank[..., i, ...] == r.
  SmallVector<int64_t> outShape(xt.getShape());
  outShape[axis] = k;
  Value vInit = linalg::FillOp::create(
                    b, loc, sc::constant(b, loc, et, 0),
                    Value(tensor::EmptyOp::create(b, loc, outShape, et, dyn)))
                    .result();
  Value iInit = linalg::FillOp::create(
                    b, loc, zero64,
                    Value(tensor::EmptyOp::create(b, loc, outShape, i64, dyn)))
                    .result();
  // Loops: output dims (axis = r), then i over the input axis.
  AffineMap srcMap = jMap; // d_axis -> i
  AffineMap outMap = iMap;
  auto pick = linalg::GenericOp::create(
      b, loc, TypeRange{vInit.getType(), iInit.getType()}, ValueRange{x, ranks},
      ValueRange{vInit, iInit},
      ArrayRef<AffineMap>{srcMap, srcMap, outMap, outMap}, iters,
      [&](OpBuilder &nb, Location l, ValueRange a) {
        Value r = arith::IndexCastOp::create(
            nb, l, i64, linalg::IndexOp::create(nb, l, axis));
        Value i = arith::IndexCastOp::create(
            nb, l, i64, linalg::IndexOp::create(nb, l, rank));
        Value hit = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::eq,
                                          a[1], r);
        linalg::YieldOp::create(
            nb, l,
            ValueRange{arith::SelectOp::create(nb, l, hit, a[0], a[2]),
                       arith::SelectOp::create(nb, l, hit, i, a[3])});
      });
  im.set(node, pick.getResult(0), 0);
  im.set(node, pick.getResult(1), 1);
  if (runtimeK) {
    // count = K clamped to [0, n] (ONNX Runtime rejects other K; the
    // padding rows hold the rest of the order).
    Value kv = im.scalarI64(loc, im.get(node.input(1)));
    kv = arith::MaxSIOp::create(b, loc, kv, zero64);
    kv = arith::MinSIOp::create(
        b, loc, kv, arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(n)));
    Value count = tensor::FromElementsOp::create(
        b, loc, RankedTensorType::get({}, i64), ValueRange{kv});
    for (int i = 0; i < node.output_size(); ++i)
      if (failed(im.setDataDependentOutput(node, i, axis, count)))
        return failure();
  }
  return success();
}

} // namespace

Value qopt::onnx_import::reduceAxes(Importer &im, Location loc, Value x,
                                    ArrayRef<int64_t> axes, bool isMax,
                                    bool keep) {
  Value y = reduceGeneric(im, loc, x, axes, isMax ? Reduce::Max : Reduce::Sum);
  if (keep)
    y = keepDims(im, loc, y, axes,
                 cast<RankedTensorType>(x.getType()).getRank());
  return y;
}

Value qopt::onnx_import::elementCount(Importer &im, Location loc, Value x,
                                      ArrayRef<int64_t> axes) {
  OpBuilder &b = im.builder;
  Value n = arith::ConstantIndexOp::create(b, loc, 1);
  for (int64_t a : axes)
    n = arith::MulIOp::create(b, loc, n, tensor::DimOp::create(b, loc, x, a));
  Value n64 = arith::IndexCastOp::create(b, loc, b.getI64Type(), n);
  Type et = cast<RankedTensorType>(x.getType()).getElementType();
  Value f = arith::SIToFPOp::create(b, loc, et, n64);
  return tensor::FromElementsOp::create(b, loc, RankedTensorType::get({}, et),
                                        f);
}

void qopt::onnx_import::registerReductionHandlers(HandlerTable &t) {
  struct {
    const char *name;
    Reduce r;
  } ops[] = {{"ReduceMean", Reduce::Mean},   {"ReduceMax", Reduce::Max},
             {"ReduceMin", Reduce::Min},     {"ReduceProd", Reduce::Prod},
             {"ReduceL1", Reduce::L1},       {"ReduceL2", Reduce::L2},
             {"ReduceSumSquare", Reduce::SumSquare},
             {"ReduceLogSum", Reduce::LogSum},
             {"ReduceLogSumExp", Reduce::LogSumExp}};
  for (auto &o : ops) {
    t.onOp(o.name, 1, reduction(o.r, /*axesAsInput=*/false));
    t.onOp(o.name, 18, reduction(o.r, /*axesAsInput=*/true));
  }
  t.onOp("ReduceSum", 1, reduction(Reduce::Sum, /*axesAsInput=*/false));
  t.onOp("ReduceSum", 13, reduction(Reduce::Sum, /*axesAsInput=*/true));
  t.onOp("ArgMax", 1, argReduction(/*isMax=*/true));
  t.onOp("TopK", 1, [](Importer &im, const onnx::NodeProto &n) {
    return importTopK(im, n, /*kAsInput=*/false);
  });
  t.onOp("TopK", 10, [](Importer &im, const onnx::NodeProto &n) {
    return importTopK(im, n, /*kAsInput=*/true);
  });
  t.onOp("ArgMin", 1, argReduction(/*isMax=*/false));
}
