//===- NormalizationOps.cpp - ONNX normalizations and softmax variants ----===//
//
// Part of qopt. LayerNormalization, InstanceNormalization,
// MeanVarianceNormalization, LRN, LogSoftmax and Hardmax, composed from the
// importer's reductions (ReductionOps.cpp) and broadcasting elementwise
// generics (ElementwiseBuilder.cpp), so that they stay float islands that
// upstream linalg fusion can merge.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"
#include "ScalarMath.h"

#include "qopt/Dialect/QNN/IR/QNN.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace qopt::onnx_import;
namespace sc = qopt::onnx_import::scalar;

namespace {

FailureOr<int64_t> axisOf(Importer &im, const onnx::NodeProto &node,
                          int64_t dflt, int64_t rank) {
  int64_t a = getInt(node, "axis", dflt);
  if (a < -rank || a >= rank)
    return im.nodeError(node) << "axis " << a << " is out of range for rank "
                              << rank;
  return a < 0 ? a + rank : a;
}

/// mean and 1/sqrt(var + eps) of x over `axes` (kept as size-1 dims).
FailureOr<std::pair<Value, Value>> moments(Importer &im,
                                           const onnx::NodeProto &node,
                                           Value x, ArrayRef<int64_t> axes,
                                           double eps) {
  Location loc = im.nodeLoc(node);
  Type et = cast<RankedTensorType>(x.getType()).getElementType();
  Value n = elementCount(im, loc, x, axes);
  Value sum = reduceAxes(im, loc, x, axes, false, true);
  auto mean = im.mapElements(node, {sum, n}, et,
                             [](OpBuilder &b, Location l, const ScalarArgs &a) {
                               return (Value)arith::DivFOp::create(b, l, a[0],
                                                                   a[1]);
                             });
  if (failed(mean))
    return failure();
  auto sq = im.mapElements(node, {x, *mean}, et,
                           [](OpBuilder &b, Location l, const ScalarArgs &a) {
                             Value d = arith::SubFOp::create(b, l, a[0], a[1]);
                             return (Value)arith::MulFOp::create(b, l, d, d);
                           });
  if (failed(sq))
    return failure();
  Value ssum = reduceAxes(im, loc, *sq, axes, false, true);
  auto inv = im.mapElements(
      node, {ssum, n}, et, [&](OpBuilder &b, Location l, const ScalarArgs &a) {
        Value var = arith::DivFOp::create(b, l, a[0], a[1]);
        Value s = math::SqrtOp::create(
            b, l, arith::AddFOp::create(b, l, var,
                                        sc::constant(b, l, et, eps)));
        return (Value)arith::DivFOp::create(b, l, sc::constant(b, l, et, 1.0),
                                            s);
      });
  if (failed(inv))
    return failure();
  return std::make_pair(*mean, *inv);
}

LogicalResult importLayerNorm(Importer &im, const onnx::NodeProto &node) {
  if (failed(im.requireInputs(node, 2, 3)))
    return failure();
  RankedTensorType xt = im.typeOf(node.input(0));
  if (!isa<FloatType>(xt.getElementType()))
    return im.nodeError(node) << "expects a float input";
  auto axis = axisOf(im, node, -1, xt.getRank());
  if (failed(axis))
    return failure();
  Value x = im.get(node.input(0));
  float eps = getFloat(node, "epsilon", 1e-5f);
  // The common form (f32, no Mean / InvStdDev outputs) is one qnn op, which
  // quantization passes see as a layer norm (SmoothQuant folds its channel
  // factors into the scale and bias); f16/bf16 keep their own precision
  // below, as do the optional statistics outputs.
  auto wanted = [&](int i) {
    return node.output_size() > i && !node.output(i).empty();
  };
  Value scale = im.get(node.input(1));
  bool hasB = im.hasInput(node, 2);
  if (xt.getElementType().isF32() && !wanted(1) && !wanted(2) &&
      cast<RankedTensorType>(scale.getType()).getElementType().isF32()) {
    Value y = qnn::LayerNormOp::create(
        im.builder, im.nodeLoc(node), xt, x, scale,
        hasB ? im.get(node.input(2)) : Value(),
        im.builder.getI64IntegerAttr(*axis), im.builder.getF32FloatAttr(eps));
    im.set(node, y, 0);
    return success();
  }
  SmallVector<int64_t> axes;
  for (int64_t a = *axis; a < xt.getRank(); ++a)
    axes.push_back(a);
  auto m = moments(im, node, x, axes, eps);
  if (failed(m))
    return failure();
  SmallVector<Value> ops{x, m->first, m->second, scale};
  if (hasB)
    ops.push_back(im.get(node.input(2)));
  auto y = im.mapElements(node, ops, xt.getElementType(),
                          [&](OpBuilder &b, Location l, const ScalarArgs &a) {
                            Value v = arith::MulFOp::create(
                                b, l, arith::SubFOp::create(b, l, a[0], a[1]),
                                a[2]);
                            v = arith::MulFOp::create(b, l, v, a[3]);
                            return hasB ? (Value)arith::AddFOp::create(b, l, v,
                                                                       a[4])
                                        : v;
                          });
  if (failed(y))
    return failure();
  im.set(node, *y, 0);
  im.set(node, m->first, 1);
  im.set(node, m->second, 2);
  return success();
}

/// [C] -> [C, 1, ..., 1] so a per-channel vector broadcasts over NC...
Value perChannel(Importer &im, Location loc, Value v, int64_t rank) {
  auto t = cast<RankedTensorType>(v.getType());
  SmallVector<int64_t> shape{t.getNumElements()};
  shape.append(rank - 2, 1);
  return im.reshapeTo(loc, v, shape);
}

LogicalResult importInstanceNorm(Importer &im, const onnx::NodeProto &node) {
  if (failed(im.requireInputs(node, 3, 3)))
    return failure();
  Location loc = im.nodeLoc(node);
  RankedTensorType xt = im.typeOf(node.input(0));
  if (!isa<FloatType>(xt.getElementType()) || xt.getRank() < 3)
    return im.nodeError(node) << "expects a float input of rank >= 3";
  SmallVector<int64_t> axes;
  for (int64_t a = 2; a < xt.getRank(); ++a)
    axes.push_back(a);
  Value x = im.get(node.input(0));
  auto m = moments(im, node, x, axes, getFloat(node, "epsilon", 1e-5f));
  if (failed(m))
    return failure();
  Value scale = perChannel(im, loc, im.get(node.input(1)), xt.getRank());
  Value bias = perChannel(im, loc, im.get(node.input(2)), xt.getRank());
  auto y = im.mapElements(node, {x, m->first, m->second, scale, bias},
                          xt.getElementType(),
                          [](OpBuilder &b, Location l, const ScalarArgs &a) {
                            Value v = arith::MulFOp::create(
                                b, l, arith::SubFOp::create(b, l, a[0], a[1]),
                                a[2]);
                            v = arith::MulFOp::create(b, l, v, a[3]);
                            return (Value)arith::AddFOp::create(b, l, v, a[4]);
                          });
  if (failed(y))
    return failure();
  im.set(node, *y);
  return success();
}

/// (X - E[X]) / (sqrt(E[X^2] - E[X]^2) + 1e-9), ONNX's function body.
LogicalResult importMVN(Importer &im, const onnx::NodeProto &node) {
  if (failed(im.requireInputs(node, 1, 1)))
    return failure();
  Location loc = im.nodeLoc(node);
  RankedTensorType xt = im.typeOf(node.input(0));
  Type et = xt.getElementType();
  if (!isa<FloatType>(et))
    return im.nodeError(node) << "expects a float input";
  SmallVector<int64_t> axes;
  for (int64_t a : getInts(node, "axes").value_or(SmallVector<int64_t>{0, 2, 3})) {
    if (a < -xt.getRank() || a >= xt.getRank())
      return im.nodeError(node) << "axis " << a << " is out of range";
    axes.push_back(a < 0 ? a + xt.getRank() : a);
  }
  llvm::sort(axes);
  Value x = im.get(node.input(0));
  Value n = elementCount(im, loc, x, axes);
  Value sum = reduceAxes(im, loc, x, axes, false, true);
  auto sq = im.mapElements(node, {x}, et,
                           [](OpBuilder &b, Location l, const ScalarArgs &a) {
                             return (Value)arith::MulFOp::create(b, l, a[0],
                                                                 a[0]);
                           });
  if (failed(sq))
    return failure();
  Value sqsum = reduceAxes(im, loc, *sq, axes, false, true);
  auto y = im.mapElements(
      node, {x, sum, sqsum, n}, et,
      [&](OpBuilder &b, Location l, const ScalarArgs &a) {
        Value mean = arith::DivFOp::create(b, l, a[1], a[3]);
        Value ex2 = arith::DivFOp::create(b, l, a[2], a[3]);
        Value var = arith::SubFOp::create(
            b, l, ex2, arith::MulFOp::create(b, l, mean, mean));
        Value sd = arith::AddFOp::create(b, l, math::SqrtOp::create(b, l, var),
                                         sc::constant(b, l, et, 1e-9));
        return (Value)arith::DivFOp::create(
            b, l, arith::SubFOp::create(b, l, a[0], mean), sd);
      });
  if (failed(y))
    return failure();
  im.set(node, *y);
  return success();
}

/// LRN across channels: x / (bias + alpha / size * sum of squares over the
/// channel window)^beta.
LogicalResult importLRN(Importer &im, const onnx::NodeProto &node) {
  if (failed(im.requireInputs(node, 1, 1)))
    return failure();
  Location loc = im.nodeLoc(node);
  OpBuilder &b = im.builder;
  RankedTensorType xt = im.typeOf(node.input(0));
  Type et = xt.getElementType();
  int64_t size = getInt(node, "size", 0), rank = xt.getRank();
  if (!isa<FloatType>(et) || rank < 3 || size <= 0 ||
      size > qnn::kMaxWindowExtent)
    return im.nodeError(node) << "expects a float input of rank >= 3 and a "
                                 "positive size";
  double alpha = getFloat(node, "alpha", 1e-4f), beta = getFloat(node, "beta", 0.75f),
         bias = getFloat(node, "bias", 1.0f);
  Value x = im.get(node.input(0));
  SmallVector<Value> dyn;
  for (int64_t d = 0; d < rank; ++d)
    if (xt.isDynamicDim(d))
      dyn.push_back(tensor::DimOp::create(b, loc, x, d));
  Value init = linalg::FillOp::create(
                   b, loc, sc::constant(b, loc, et, 0.0),
                   Value(tensor::EmptyOp::create(b, loc, xt.getShape(), et, dyn)))
                   .result();
  SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
  iters.push_back(utils::IteratorType::reduction);
  // Loops: rank output dims, then k in [0, size); a dummy input of size
  // `size` gives k its bound.
  Value window = tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{size}, et);
  SmallVector<AffineMap> maps{
      AffineMap::get(rank + 1, 0, b.getAffineDimExpr(rank), im.ctx),
      AffineMap::get(rank + 1, 0,
                     llvm::to_vector(llvm::map_range(
                         llvm::seq<int64_t>(0, rank),
                         [&](int64_t d) { return b.getAffineDimExpr(d); })),
                     im.ctx)};
  int64_t lo = (size - 1) / 2;
  auto sums = linalg::GenericOp::create(
      b, loc, xt, ValueRange{window}, ValueRange{init}, maps, iters,
      [&](OpBuilder &nb, Location l, ValueRange a) {
        SmallVector<Value> at;
        for (int64_t d = 0; d < rank; ++d)
          at.push_back(linalg::IndexOp::create(nb, l, d));
        Value k = linalg::IndexOp::create(nb, l, rank);
        Value c = arith::SubIOp::create(
            nb, l, arith::AddIOp::create(nb, l, at[1], k),
            arith::ConstantIndexOp::create(nb, l, lo));
        Value cDim = tensor::DimOp::create(nb, l, x, 1);
        Value zero = arith::ConstantIndexOp::create(nb, l, 0);
        Value inside = arith::AndIOp::create(
            nb, l,
            arith::CmpIOp::create(nb, l, arith::CmpIPredicate::sge, c, zero),
            arith::CmpIOp::create(nb, l, arith::CmpIPredicate::slt, c, cDim));
        Value one = arith::ConstantIndexOp::create(nb, l, 1);
        Value safe = arith::MinSIOp::create(
            nb, l, arith::MaxSIOp::create(nb, l, c, zero),
            arith::SubIOp::create(nb, l, cDim, one));
        at[1] = safe;
        Value v = tensor::ExtractOp::create(nb, l, x, at);
        v = arith::SelectOp::create(nb, l, inside,
                                    arith::MulFOp::create(nb, l, v, v),
                                    sc::constant(nb, l, et, 0.0));
        linalg::YieldOp::create(nb, l,
                                Value(arith::AddFOp::create(nb, l, a[1], v)));
      });
  auto y = im.mapElements(
      node, {x, sums.getResult(0)}, et,
      [&](OpBuilder &nb, Location l, const ScalarArgs &a) {
        Value d = arith::AddFOp::create(
            nb, l, sc::constant(nb, l, et, bias),
            arith::MulFOp::create(nb, l, sc::constant(nb, l, et, alpha / size),
                                  a[1]));
        Value p = math::PowFOp::create(nb, l, d, sc::constant(nb, l, et, beta));
        return (Value)arith::DivFOp::create(nb, l, a[0], p);
      });
  if (failed(y))
    return failure();
  im.set(node, *y);
  return success();
}

/// LogSoftmax and Hardmax; before opset 13 (`flattening`) over the
/// flattened dimensions from `axis` on (default 1), from 13 over `axis`
/// (default -1).
LogicalResult importSoftmaxLike(Importer &im, const onnx::NodeProto &node,
                                bool hardmax, bool flattening) {
  if (failed(im.requireInputs(node, 1, 1)))
    return failure();
  Location loc = im.nodeLoc(node);
  RankedTensorType xt = im.typeOf(node.input(0));
  Type et = xt.getElementType();
  if (!isa<FloatType>(et))
    return im.nodeError(node) << "expects a float input";
  auto axis = axisOf(im, node, flattening ? 1 : -1, xt.getRank());
  if (failed(axis))
    return failure();
  Value x = im.get(node.input(0));
  int64_t ax = *axis;
  // Before opset 13 the op works on [prod(dims before axis), prod(rest)];
  // over the last axis that is the same as the opset-13 form.
  if (flattening && ax == xt.getRank() - 1)
    flattening = false;
  if (flattening) {
    int64_t outer = 1, inner = 1, dynOuter = 0;
    for (int64_t d = 0; d < xt.getRank(); ++d) {
      if (xt.isDynamicDim(d)) {
        if (d >= ax)
          return im.unsupported(node, "the opset < 13 form over dynamic "
                                      "dimensions");
        ++dynOuter;
        continue;
      }
      (d < ax ? outer : inner) *= xt.getDimSize(d);
    }
    if (dynOuter > 1)
      return im.unsupported(node, "the opset < 13 form with several dynamic "
                                  "dimensions");
    x = im.reshapeTo(loc, x, {dynOuter ? kDyn : outer, inner});
    ax = 1;
  }
  FailureOr<Value> y;
  if (!hardmax) {
    y = logSoftmax(im, node, x, ax);
  } else {
    Value m = reduceAxes(im, loc, x, {ax}, /*isMax=*/true, true);
    // 1 at the first maximum along the axis: an element is it if it equals
    // the max and no earlier element does (a running count, as an
    // exclusive cumulative sum of "equals max", is avoided by comparing
    // indices with the first index of the max).
    auto eq = im.mapElements(node, {x, m}, im.builder.getI64Type(),
                             [&](OpBuilder &b, Location l, const ScalarArgs &a) {
                               Value isMax = arith::CmpFOp::create(
                                   b, l, arith::CmpFPredicate::OEQ, a[0], a[1]);
                               return (Value)arith::SelectOp::create(
                                   b, l, isMax,
                                   arith::IndexCastOp::create(
                                       b, l, b.getI64Type(),
                                       linalg::IndexOp::create(b, l, ax)),
                                   arith::ConstantOp::create(
                                       b, l, b.getI64IntegerAttr(INT64_MAX)));
                             });
    if (failed(eq))
      return failure();
    // min over the axis of (index where max, else INT64_MAX) = first index.
    auto neg = im.mapElements(node, {*eq}, im.builder.getI64Type(),
                              [](OpBuilder &b, Location l, const ScalarArgs &a) {
                                return (Value)arith::SubIOp::create(
                                    b, l,
                                    arith::ConstantOp::create(
                                        b, l, b.getI64IntegerAttr(0)),
                                    a[0]);
                              });
    if (failed(neg))
      return failure();
    Value firstNeg = reduceAxes(im, loc, *neg, {ax}, /*isMax=*/true, true);
    // x only gives the result its shape.
    y = im.mapElements(node, {firstNeg, x}, et,
                       [&](OpBuilder &b, Location l, const ScalarArgs &a) {
                         Value idx = arith::IndexCastOp::create(
                             b, l, b.getI64Type(),
                             linalg::IndexOp::create(b, l, ax));
                         Value first = arith::SubIOp::create(
                             b, l,
                             arith::ConstantOp::create(b, l,
                                                       b.getI64IntegerAttr(0)),
                             a[0]);
                         Value on = arith::CmpIOp::create(
                             b, l, arith::CmpIPredicate::eq, idx, first);
                         return (Value)arith::SelectOp::create(
                             b, l, on, sc::constant(b, l, et, 1.0),
                             sc::constant(b, l, et, 0.0));
                       });
  }
  if (failed(y))
    return failure();
  Value out = *y;
  if (flattening)
    out = im.reshapeTo(loc, out, xt.getShape());
  im.set(node, out);
  return success();
}

} // namespace

FailureOr<Value> qopt::onnx_import::logSoftmax(Importer &im,
                                               const onnx::NodeProto &node,
                                               Value x, int64_t axis) {
  Location loc = im.nodeLoc(node);
  Type et = cast<RankedTensorType>(x.getType()).getElementType();
  Value m = reduceAxes(im, loc, x, {axis}, /*isMax=*/true, /*keep=*/true);
  auto e = im.mapElements(node, {x, m}, et,
                          [](OpBuilder &b, Location l, const ScalarArgs &a) {
                            return (Value)math::ExpOp::create(
                                b, l, arith::SubFOp::create(b, l, a[0], a[1]));
                          });
  if (failed(e))
    return failure();
  Value s = reduceAxes(im, loc, *e, {axis}, /*isMax=*/false, /*keep=*/true);
  return im.mapElements(node, {x, m, s}, et,
                        [](OpBuilder &b, Location l, const ScalarArgs &a) {
                          Value d = arith::SubFOp::create(b, l, a[0], a[1]);
                          return (Value)arith::SubFOp::create(
                              b, l, d, math::LogOp::create(b, l, a[2]));
                        });
}

void qopt::onnx_import::registerNormalizationHandlers(HandlerTable &t) {
  t.onOp("LayerNormalization", 17, importLayerNorm);
  t.onOp("InstanceNormalization", 6, importInstanceNorm);
  t.onOp("MeanVarianceNormalization", 9, importMVN);
  t.onOp("LRN", 1, importLRN);
  for (bool hard : {false, true}) {
    StringRef name = hard ? "Hardmax" : "LogSoftmax";
    t.onOp(name, 1, [hard](Importer &im, const onnx::NodeProto &n) {
      return importSoftmaxLike(im, n, hard, /*flattening=*/true);
    });
    t.onOp(name, 13, [hard](Importer &im, const onnx::NodeProto &n) {
      return importSoftmaxLike(im, n, hard, /*flattening=*/false);
    });
  }
}
