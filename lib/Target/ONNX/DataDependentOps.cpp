//===- DataDependentOps.cpp - Import ops whose output size is data --------===//
//
// Part of qopt. NonMaxSuppression and NonZero become qnn ops whose result
// is padded to an upper bound, with the run-time count of real rows
// (RowCounts.cpp carries it to the graph outputs; TopK with a run-time K is
// in ReductionOps.cpp); Unique is built from pairwise linalg reductions.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "ScalarMath.h"

#include "qopt/Dialect/QNN/IR/QNN.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <algorithm>

using namespace mlir;
using namespace qopt::onnx_import;
namespace sc = qopt::onnx_import::scalar;

namespace {

LogicalResult importNonMaxSuppression(Importer &im,
                                      const onnx::NodeProto &node) {
  if (failed(im.requireInputs(node, 2, 5)))
    return failure();
  RankedTensorType boxes = im.typeOf(node.input(0));
  RankedTensorType scores = im.typeOf(node.input(1));
  if (!boxes.getElementType().isF32() || !scores.getElementType().isF32())
    return im.nodeError(node) << "expects float boxes and scores, got " << boxes
                              << " and " << scores;
  if (boxes.getRank() != 3 || scores.getRank() != 3 || boxes.getDimSize(2) != 4)
    return im.nodeError(node)
           << "expects boxes [batches, boxes, 4] and scores [batches, "
              "classes, boxes], got "
           << boxes << " and " << scores;
  if (!boxes.hasStaticShape() || !scores.hasStaticShape())
    return im.unsupported(node, "boxes or scores of a dynamic shape (the "
                                "output's upper bound needs static sizes: "
                                "fix the model's inputs with --input-shape)");
  int64_t batches = boxes.getDimSize(0), n = boxes.getDimSize(1),
          classes = scores.getDimSize(1);
  if (scores.getDimSize(0) != batches || scores.getDimSize(2) != n)
    return im.nodeError(node)
           << "scores " << scores << " do not match boxes " << boxes;
  int64_t center = getInt(node, "center_point_box", 0);
  if (center != 0 && center != 1)
    return im.nodeError(node)
           << "center_point_box must be 0 or 1, got " << center;
  // The bound: every class of every batch keeps at most min(k, boxes).
  int64_t perClass = n;
  if (im.hasInput(node, 2)) {
    if (auto k = im.getConstInts(node.input(2))) {
      if (k->size() != 1)
        return im.nodeError(node)
               << "max_output_boxes_per_class must be one value";
      perClass = std::clamp<int64_t>((*k)[0], 0, n);
    }
  } else {
    perClass = 0; // absent: no output
  }
  if (auto thr = im.hasInput(node, 3) ? im.getConstFloats(node.input(3))
                                      : std::nullopt)
    if (thr->size() == 1 && !((*thr)[0] >= 0 && (*thr)[0] <= 1))
      return im.nodeError(node)
             << "iou_threshold must be in [0, 1], got " << (*thr)[0];
  int64_t rows = std::max<int64_t>(1, batches * classes * perClass);

  Location loc = im.nodeLoc(node);
  OpBuilder &b = im.builder;
  auto optional = [&](int i) -> Value {
    return im.hasInput(node, i) ? im.get(node.input(i)) : Value();
  };
  Type i64 = b.getI64Type();
  auto op = mlir::qnn::NonMaxSuppressionOp::create(
      b, loc, RankedTensorType::get({rows, 3}, i64),
      RankedTensorType::get({}, i64), im.get(node.input(0)),
      im.get(node.input(1)), optional(2), optional(3), optional(4),
      b.getI64IntegerAttr(center));
  im.set(node, op.getSelected());
  return im.setDataDependentOutput(node, 0, 0, op.getCount());
}

LogicalResult importNonZero(Importer &im, const onnx::NodeProto &node) {
  if (failed(im.requireInputs(node, 1, 1)))
    return failure();
  RankedTensorType xt = im.typeOf(node.input(0));
  if (xt.getRank() == 0 || !xt.hasStaticShape())
    return im.unsupported(node, "a scalar or dynamic-shaped input (the "
                                "output's upper bound needs a static shape)");
  Location loc = im.nodeLoc(node);
  OpBuilder &b = im.builder;
  Value x = im.toSignless(loc, im.get(node.input(0)));
  auto op = mlir::qnn::NonZeroOp::create(
      b, loc,
      RankedTensorType::get({xt.getRank(), xt.getNumElements()},
                            b.getI64Type()),
      RankedTensorType::get({}, b.getI64Type()), x);
  im.set(node, op.getIndices());
  return im.setDataDependentOutput(node, 0, 1, op.getCount());
}

/// Unique without an axis: every output is a pairwise pass over the
/// flattened elements (i against j), like TopK's ranks -- O(N^2), for the
/// index tensors and label sets it is used on:
///   first[i] = the lowest j with x[j] == x[i]   (i is new iff first[i] == i)
///   count[i] = #{j : x[j] == x[i]}
///   pos[i]   = #{new j : x[j] < x[i]} (sorted) or #{new j : j < i}
/// then Y, indices and counts gather the new elements at their positions,
/// inverse_indices[k] = pos[first[k]], and U = #new is the row count.
LogicalResult importUnique(Importer &im, const onnx::NodeProto &node) {
  if (failed(im.requireInputs(node, 1, 1)))
    return failure();
  RankedTensorType xt = im.typeOf(node.input(0));
  Type et = xt.getElementType();
  if (!xt.hasStaticShape() || xt.getNumElements() == 0)
    return im.unsupported(node, "an input of a dynamic or empty shape");
  if (et.isUnsignedInteger() || !(isa<FloatType>(et) || et.isSignlessInteger()))
    return im.unsupported(
        node, "element type " + [&] {
          std::string text;
          llvm::raw_string_ostream os(text);
          os << et;
          return text;
        }());
  // Along an axis, the elements are the slices across it: the axis moved
  // to the front, the rest flattened to [A, L], compared through a key
  // matrix (below).
  bool alongAxis = findAttr(node, "axis") != nullptr;
  int64_t rank = xt.getRank();
  int64_t axis = getInt(node, "axis", 0);
  if (axis < -rank || axis >= rank)
    return im.nodeError(node)
           << "axis " << axis << " is out of range for rank " << rank;
  if (axis < 0)
    axis += rank;
  int64_t n = alongAxis ? xt.getDimSize(axis) : xt.getNumElements();
  int64_t sliceSize = alongAxis ? xt.getNumElements() / n : 1;
  if (n > kMaxQuadraticAxis || (alongAxis && n * n > (int64_t(1) << 24)))
    return im.unsupported(
        node, "more than " + Twine(alongAxis ? 4096 : kMaxQuadraticAxis) +
                  " elements to compare (its cost grows "
                  "with the square of the count)");
  bool sorted = getInt(node, "sorted", 1);
  Location loc = im.nodeLoc(node);
  OpBuilder &b = im.builder;
  Type i64 = b.getI64Type();
  SmallVector<int64_t> perm = {axis}, moved = {n};
  for (int64_t d = 0; d < rank; ++d)
    if (d != axis) {
      perm.push_back(d);
      moved.push_back(xt.getDimSize(d));
    }
  Value x =
      alongAxis
          ? im.reshapeTo(loc, im.transpose(loc, im.get(node.input(0)), perm),
                         {n, sliceSize})
          : im.reshapeTo(loc, im.get(node.input(0)), {n});
  auto fill = [&](Type t, ArrayRef<int64_t> shape, Attribute v) -> Value {
    Value c = arith::ConstantOp::create(b, loc, cast<TypedAttr>(v));
    return linalg::FillOp::create(
               b, loc, c, Value(tensor::EmptyOp::create(b, loc, shape, t)))
        .result();
  };
  AffineMap di = AffineMap::get(2, 0, {b.getAffineDimExpr(0)}, im.ctx);
  AffineMap dj = AffineMap::get(2, 0, {b.getAffineDimExpr(1)}, im.ctx);
  SmallVector<utils::IteratorType> pairIters = {utils::IteratorType::parallel,
                                                utils::IteratorType::reduction};
  AffineMap dij = AffineMap::get(
      2, 0, {b.getAffineDimExpr(0), b.getAffineDimExpr(1)}, im.ctx);
  // Along an axis: key[i, j] = 2l + (slice j < slice i ? 0 : 1) at the
  // first position l where they differ, 2L when they are equal.
  Value key;
  if (alongAxis) {
    MLIRContext *ctx = im.ctx;
    auto dim = [&](unsigned d) { return b.getAffineDimExpr(d); };
    key =
        linalg::GenericOp::create(
            b, loc, RankedTensorType::get({n, n}, i64), ValueRange{x, x},
            ValueRange{fill(i64, {n, n}, b.getI64IntegerAttr(2 * sliceSize))},
            SmallVector<AffineMap>{AffineMap::get(3, 0, {dim(0), dim(2)}, ctx),
                                   AffineMap::get(3, 0, {dim(1), dim(2)}, ctx),
                                   AffineMap::get(3, 0, {dim(0), dim(1)}, ctx)},
            SmallVector<utils::IteratorType>{utils::IteratorType::parallel,
                                             utils::IteratorType::parallel,
                                             utils::IteratorType::reduction},
            [&](OpBuilder &nb, Location l, ValueRange a) {
              Value xi = a[0], xj = a[1];
              Value differ = sc::compare(nb, l, sc::Cmp::NE, xj, xi, false);
              Value less = sc::compare(nb, l, sc::Cmp::LT, xj, xi, false);
              Value pos2 = arith::MulIOp::create(
                  nb, l,
                  arith::IndexCastOp::create(nb, l, nb.getI64Type(),
                                             linalg::IndexOp::create(nb, l, 2)),
                  arith::ConstantOp::create(nb, l, nb.getI64IntegerAttr(2)));
              Value code = arith::AddIOp::create(
                  nb, l, pos2,
                  arith::ExtUIOp::create(
                      nb, l, nb.getI64Type(),
                      arith::XOrIOp::create(nb, l, less,
                                            arith::ConstantOp::create(
                                                nb, l, nb.getBoolAttr(true)))));
              Value better = arith::AndIOp::create(
                  nb, l, differ,
                  arith::CmpIOp::create(nb, l, arith::CmpIPredicate::slt, code,
                                        a[2]));
              linalg::YieldOp::create(
                  nb, l,
                  Value(arith::SelectOp::create(nb, l, better, code, a[2])));
            })
            .getResult(0);
  }
  // out[i] = reduce over j of body(ins at i, ins at j, the key at (i, j),
  // out), with `ins` read at i (atI) or at j.
  auto pairwise = [&](ArrayRef<Value> atI, ArrayRef<Value> atJ, Value init,
                      function_ref<Value(OpBuilder &, Location, ValueRange,
                                         ValueRange, Value, Value)>
                          body) -> Value {
    SmallVector<Value> ins(atI.begin(), atI.end());
    ins.append(atJ.begin(), atJ.end());
    SmallVector<AffineMap> maps(atI.size(), di);
    maps.append(atJ.size(), dj);
    if (key) {
      ins.push_back(key);
      maps.push_back(dij);
    }
    maps.push_back(di);
    return linalg::GenericOp::create(
               b, loc, init.getType(), ins, ValueRange{init}, maps, pairIters,
               [&](OpBuilder &nb, Location l, ValueRange a) {
                 Value r = body(nb, l, a.take_front(atI.size()),
                                a.slice(atI.size(), atJ.size()),
                                key ? a[a.size() - 2] : Value(), a.back());
                 linalg::YieldOp::create(nb, l, r);
               })
        .getResult(0);
  };
  // Element j equal to element i; element j before element i in the sort.
  auto same = [&](OpBuilder &nb, Location l, Value xi, Value xj,
                  Value k) -> Value {
    if (k)
      return arith::CmpIOp::create(
          nb, l, arith::CmpIPredicate::eq, k,
          arith::ConstantOp::create(nb, l,
                                    nb.getI64IntegerAttr(2 * sliceSize)));
    return sc::compare(nb, l, sc::Cmp::EQ, xj, xi, false);
  };
  auto lessThan = [&](OpBuilder &nb, Location l, Value xi, Value xj,
                      Value k) -> Value {
    if (!k)
      return sc::compare(nb, l, sc::Cmp::LT, xj, xi, false);
    Value two = arith::ConstantOp::create(nb, l, nb.getI64IntegerAttr(2));
    Value even = arith::CmpIOp::create(
        nb, l, arith::CmpIPredicate::eq, arith::RemSIOp::create(nb, l, k, two),
        arith::ConstantOp::create(nb, l, nb.getI64IntegerAttr(0)));
    Value differs = arith::CmpIOp::create(
        nb, l, arith::CmpIPredicate::slt, k,
        arith::ConstantOp::create(nb, l, nb.getI64IntegerAttr(2 * sliceSize)));
    return arith::AndIOp::create(nb, l, even, differs);
  };
  // Scalars at i and j when there is no key.
  SmallVector<Value> xs =
      alongAxis ? SmallVector<Value>{} : SmallVector<Value>{x};
  auto xAt = [&](ValueRange v) { return v.empty() ? Value() : v[0]; };
  auto idx = [](OpBuilder &nb, Location l, unsigned d) -> Value {
    return arith::IndexCastOp::create(nb, l, nb.getI64Type(),
                                      linalg::IndexOp::create(nb, l, d));
  };
  auto add1 = [](OpBuilder &nb, Location l, Value cond, Value acc) -> Value {
    return arith::AddIOp::create(
        nb, l, acc, arith::ExtUIOp::create(nb, l, nb.getI64Type(), cond));
  };
  Value first = pairwise(
      xs, xs, fill(i64, {n}, b.getI64IntegerAttr(n)),
      [&](OpBuilder &nb, Location l, ValueRange xi, ValueRange xj, Value k,
          Value acc) {
        Value j = idx(nb, l, 1);
        Value hit = arith::AndIOp::create(
            nb, l, same(nb, l, xAt(xi), xAt(xj), k),
            arith::CmpIOp::create(nb, l, arith::CmpIPredicate::slt, j, acc));
        return arith::SelectOp::create(nb, l, hit, j, acc).getResult();
      });
  Value counts =
      pairwise(xs, xs, fill(i64, {n}, b.getI64IntegerAttr(0)),
               [&](OpBuilder &nb, Location l, ValueRange xi, ValueRange xj,
                   Value k, Value acc) {
                 return add1(nb, l, same(nb, l, xAt(xi), xAt(xj), k), acc);
               });
  SmallVector<Value> xsFirst(xs);
  xsFirst.push_back(first);
  Value pos = pairwise(
      xs, xsFirst, fill(i64, {n}, b.getI64IntegerAttr(0)),
      [&](OpBuilder &nb, Location l, ValueRange xi, ValueRange j, Value k,
          Value acc) {
        Value isNew = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::eq,
                                            j.back(), idx(nb, l, 1));
        Value before =
            sorted ? lessThan(nb, l, xAt(xi), alongAxis ? Value() : j[0], k)
                   : arith::CmpIOp::create(nb, l, arith::CmpIPredicate::slt,
                                           idx(nb, l, 1), idx(nb, l, 0))
                         .getResult();
        return add1(nb, l, arith::AndIOp::create(nb, l, isNew, before), acc);
      });
  // Y, indices and counts: out[r] = the new element with pos == r (along
  // an axis, Y gathers whole slices below).
  Value yInit = fill(et, {n}, b.getZeroAttr(et));
  Value zeros = fill(i64, {n}, b.getI64IntegerAttr(0));
  Value xFlat = alongAxis ? yInit : x;
  auto gathered = linalg::GenericOp::create(
      b, loc, TypeRange{yInit.getType(), zeros.getType(), zeros.getType()},
      ValueRange{xFlat, first, pos, counts}, ValueRange{yInit, zeros, zeros},
      SmallVector<AffineMap>{dj, dj, dj, dj, di, di, di}, pairIters,
      [&](OpBuilder &nb, Location l, ValueRange a) {
        Value i = idx(nb, l, 1);
        Value hit = arith::AndIOp::create(
            nb, l,
            arith::CmpIOp::create(nb, l, arith::CmpIPredicate::eq, a[1], i),
            arith::CmpIOp::create(nb, l, arith::CmpIPredicate::eq, a[2],
                                  idx(nb, l, 0)));
        linalg::YieldOp::create(
            nb, l,
            ValueRange{arith::SelectOp::create(nb, l, hit, a[0], a[4]),
                       arith::SelectOp::create(nb, l, hit, i, a[5]),
                       arith::SelectOp::create(nb, l, hit, a[3], a[6])});
      });
  Value y = gathered.getResult(0);
  if (alongAxis) {
    // y[r, l] = x[i, l] for the new slice i with pos == r; then the slices
    // back in place: [A, rest...] -> the input's layout.
    auto dim = [&](unsigned d) { return b.getAffineDimExpr(d); };
    MLIRContext *ctx = im.ctx;
    Value slices =
        linalg::GenericOp::create(
            b, loc, RankedTensorType::get({n, sliceSize}, et),
            ValueRange{x, first, pos},
            ValueRange{fill(et, {n, sliceSize}, b.getZeroAttr(et))},
            SmallVector<AffineMap>{AffineMap::get(3, 0, {dim(2), dim(1)}, ctx),
                                   AffineMap::get(3, 0, {dim(2)}, ctx),
                                   AffineMap::get(3, 0, {dim(2)}, ctx),
                                   AffineMap::get(3, 0, {dim(0), dim(1)}, ctx)},
            SmallVector<utils::IteratorType>{utils::IteratorType::parallel,
                                             utils::IteratorType::parallel,
                                             utils::IteratorType::reduction},
            [&](OpBuilder &nb, Location l, ValueRange a) {
              Value i = idx(nb, l, 2);
              Value hit = arith::AndIOp::create(
                  nb, l,
                  arith::CmpIOp::create(nb, l, arith::CmpIPredicate::eq, a[1],
                                        i),
                  arith::CmpIOp::create(nb, l, arith::CmpIPredicate::eq, a[2],
                                        idx(nb, l, 0)));
              linalg::YieldOp::create(
                  nb, l,
                  Value(arith::SelectOp::create(nb, l, hit, a[0], a[3])));
            })
            .getResult(0);
    SmallVector<int64_t> inverse(rank);
    for (auto [k, p] : llvm::enumerate(perm))
      inverse[p] = k;
    y = im.transpose(loc, im.reshapeTo(loc, slices, moved), inverse);
  }
  // inverse[k] = pos[first[k]].
  Value inverse = pairwise(
      {first}, {pos}, fill(i64, {n}, b.getI64IntegerAttr(0)),
      [&](OpBuilder &nb, Location l, ValueRange fk, ValueRange pi, Value,
          Value acc) {
        Value hit = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::eq,
                                          fk[0], idx(nb, l, 1));
        return arith::SelectOp::create(nb, l, hit, pi[0], acc).getResult();
      });
  // U = #new.
  AffineMap d0 = AffineMap::get(1, 0, {b.getAffineDimExpr(0)}, im.ctx);
  AffineMap scalarMap = AffineMap::get(1, 0, {}, im.ctx);
  Value u =
      linalg::GenericOp::create(
          b, loc, RankedTensorType::get({}, i64), ValueRange{first},
          ValueRange{fill(i64, {}, b.getI64IntegerAttr(0))},
          SmallVector<AffineMap>{d0, scalarMap},
          SmallVector<utils::IteratorType>{utils::IteratorType::reduction},
          [&](OpBuilder &nb, Location l, ValueRange a) {
            Value isNew = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::eq,
                                                a[0], idx(nb, l, 0));
            linalg::YieldOp::create(nb, l, add1(nb, l, isNew, a[1]));
          })
          .getResult(0);
  Value results[4] = {y, gathered.getResult(1), inverse, gathered.getResult(2)};
  for (int k = 0; k < 4 && k < node.output_size(); ++k) {
    if (node.output(k).empty())
      continue;
    im.set(node, results[k], k);
    // inverse_indices has one entry per input element.
    if (k != 2 && failed(im.setDataDependentOutput(
                      node, k, k == 0 && alongAxis ? axis : 0, u)))
      return failure();
  }
  return success();
}

/// Compress: the slices of the input along `axis` (of the flattened input
/// without one) whose condition is true, in order. The positions come from
/// qnn.non_zero on the condition (its first `count` entries, the rest
/// padding), the slices are gathered at them, and `count` is the output's
/// row count along the axis. A condition shorter than the axis drops the
/// remaining slices, as ONNX defines.
LogicalResult importCompress(Importer &im, const onnx::NodeProto &node) {
  if (failed(im.requireInputs(node, 2, 2)))
    return failure();
  Location loc = im.nodeLoc(node);
  OpBuilder &b = im.builder;
  RankedTensorType xt = im.typeOf(node.input(0)), ct = im.typeOf(node.input(1));
  if (!xt.hasStaticShape() || !ct.hasStaticShape())
    return im.unsupported(node, "dynamic shapes (the output's upper bound "
                                "needs static ones)");
  if (ct.getRank() != 1 || !ct.getElementType().isInteger(1))
    return im.nodeError(node)
           << "condition must be a 1-D boolean tensor, got " << ct;
  Value x = im.get(node.input(0));
  int64_t axis = 0;
  if (findAttr(node, "axis")) {
    axis = getInt(node, "axis", 0);
    if (axis < -xt.getRank() || axis >= xt.getRank())
      return im.nodeError(node)
             << "axis " << axis << " is out of range for rank " << xt.getRank();
    if (axis < 0)
      axis += xt.getRank();
  } else {
    x = im.reshapeTo(loc, x, {xt.getNumElements()});
  }
  auto vt = cast<RankedTensorType>(x.getType());
  int64_t length = ct.getDimSize(0);
  if (length > vt.getDimSize(axis))
    return im.nodeError(node)
           << "condition has " << length << " entries for "
           << vt.getDimSize(axis) << " slices along axis " << axis;
  auto nz = mlir::qnn::NonZeroOp::create(
      b, loc, RankedTensorType::get({1, length}, b.getI64Type()),
      RankedTensorType::get({}, b.getI64Type()),
      im.toSignless(loc, im.get(node.input(1))));
  Value positions = im.reshapeTo(loc, nz.getIndices(), {length});
  SmallVector<int64_t> shape(vt.getShape());
  shape[axis] = length;
  auto outType = RankedTensorType::get(shape, vt.getElementType());
  AffineMap posMap =
      AffineMap::get(outType.getRank(), 0, {b.getAffineDimExpr(axis)}, im.ctx);
  int64_t extent = vt.getDimSize(axis);
  Value y = generate(
      im, loc, outType, {}, {positions}, {posMap},
      [&](OpBuilder &nb, Location l, ValueRange ivs, ValueRange a) -> Value {
        SmallVector<Value> at(ivs);
        at[axis] = sc::boundedIndex(nb, l, a[0], extent);
        return tensor::ExtractOp::create(nb, l, x, at);
      });
  im.set(node, y);
  return im.setDataDependentOutput(node, 0, axis, nz.getCount());
}

} // namespace

void qopt::onnx_import::registerDataDependentHandlers(HandlerTable &t) {
  t.onOp("Compress", 9, importCompress);
  t.onOp("Unique", 11, importUnique);
  t.onOp("NonMaxSuppression", 10, importNonMaxSuppression);
  t.onOp("NonZero", 9, importNonZero);
}
