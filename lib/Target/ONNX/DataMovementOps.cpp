//===- DataMovementOps.cpp - ONNX indexing and data movement ops ----------===//
//
// Part of qopt. Slice, Split, Expand, Tile, the Gather family, Size, Range,
// DepthToSpace/SpaceToDepth, Trilu, EyeLike, OneHot and CumSum. Static
// windows become upstream tensor ops (extract_slice), index arithmetic
// becomes linalg.generic ops that read their source with tensor.extract at a
// computed index (clamped into bounds: an index from the model never reads
// outside its tensor). Small constant inputs fold at import time.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"
#include "ScalarMath.h"

#include "qopt/Dialect/QNN/IR/QNN.h"
#include "qopt/Support/Sizes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace qopt::onnx_import;
namespace sc = qopt::onnx_import::scalar;

/// A linalg.generic over `outType` (dynamic sizes `dyn`) whose body computes
/// each element from the loop indices and the elements of `ins` (read with
/// `inMaps`).
Value qopt::onnx_import::generate(
    Importer &im, Location loc, RankedTensorType outType, ValueRange dyn,
    ValueRange ins, ArrayRef<AffineMap> inMaps,
    function_ref<Value(OpBuilder &, Location, ValueRange ivs, ValueRange args)>
        body) {
  OpBuilder &b = im.builder;
  int64_t rank = outType.getRank();
  Value init = tensor::EmptyOp::create(b, loc, outType.getShape(),
                                       outType.getElementType(), dyn);
  SmallVector<AffineMap> maps(inMaps);
  maps.push_back(b.getMultiDimIdentityMap(rank));
  auto g = linalg::GenericOp::create(
      b, loc, outType, ins, ValueRange{init}, maps,
      SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
      [&](OpBuilder &nb, Location l, ValueRange args) {
        SmallVector<Value> ivs;
        for (int64_t i = 0; i < rank; ++i)
          ivs.push_back(linalg::IndexOp::create(nb, l, i));
        linalg::YieldOp::create(nb, l, body(nb, l, ivs, args.drop_back()));
      });
  return g.getResult(0);
}

static Value dimValue(OpBuilder &b, Location l, Value t, int64_t i) {
  auto tt = cast<RankedTensorType>(t.getType());
  if (!tt.isDynamicDim(i))
    return arith::ConstantIndexOp::create(b, l, tt.getDimSize(i));
  return tensor::DimOp::create(b, l, t, i);
}

SmallVector<Value> qopt::onnx_import::dynDims(Importer &im, Location loc,
                                              Value t) {
  SmallVector<Value> out;
  auto tt = cast<RankedTensorType>(t.getType());
  for (int64_t i = 0; i < tt.getRank(); ++i)
    if (tt.isDynamicDim(i))
      out.push_back(tensor::DimOp::create(im.builder, loc, t, i));
  return out;
}

namespace {

/// Folds an index-mapping op on a small constant: element `i` of the result
/// is element `src(multi-index of i)` (linear) of `data`.
std::optional<DenseElementsAttr>
foldMapping(Importer &im, StringRef input, RankedTensorType outType,
            function_ref<int64_t(ArrayRef<int64_t>)> src) {
  auto data = im.getDenseConst(input);
  if (!data || !outType.hasStaticShape() ||
      data.getNumElements() > kMaxFoldElements ||
      outType.getNumElements() > kMaxFoldElements)
    return std::nullopt;
  if (data.isSplat())
    return DenseElementsAttr::get(outType, data.getSplatValue<Attribute>());
  SmallVector<Attribute> vals(data.getValues<Attribute>());
  SmallVector<Attribute> out;
  SmallVector<int64_t> idx(outType.getRank(), 0);
  for (int64_t n = 0; n < outType.getNumElements(); ++n) {
    out.push_back(vals[src(idx)]);
    for (int64_t d = outType.getRank() - 1; d >= 0; --d) {
      if (++idx[d] < outType.getDimSize(d))
        break;
      idx[d] = 0;
    }
  }
  return DenseElementsAttr::get(outType, out);
}

int64_t linearIndex(ArrayRef<int64_t> shape, ArrayRef<int64_t> idx) {
  int64_t lin = 0;
  for (auto [s, i] : llvm::zip(shape, idx))
    lin = lin * s + i;
  return lin;
}

FailureOr<int64_t> normAxis(Importer &im, const onnx::NodeProto &node,
                            int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank)
    return im.nodeError(node)
           << "axis " << axis << " is out of range for rank " << rank;
  return axis < 0 ? axis + rank : axis;
}

//===----------------------------------------------------------------------===//
// Slice
//===----------------------------------------------------------------------===//

/// Slice of one axis with run-time start and/or end and step 1: the whole
/// axis, shifted by the clamped start, with the clamped length as its row
/// count (Importer::RowCount); rows past it repeat the last element.
LogicalResult importRuntimeSlice(Importer &im, const onnx::NodeProto &node,
                                 std::optional<SmallVector<int64_t>> axes,
                                 std::optional<SmallVector<int64_t>> steps) {
  RankedTensorType xt = im.typeOf(node.input(0));
  int64_t rank = xt.getRank();
  auto one = [&](int i) {
    RankedTensorType t = im.typeOf(node.input(i));
    return t.getNumElements() == 1 && isa<IntegerType>(t.getElementType());
  };
  if (!one(1) || !one(2) || (axes && axes->size() != 1) ||
      (steps && (steps->size() != 1 || (*steps)[0] != 1)) ||
      (im.hasInput(node, 3) && !axes) || (im.hasInput(node, 4) && !steps))
    return im.unsupported(node, "starts or ends computed at run time on more "
                                "than one axis, with steps other than 1, or "
                                "with run-time axes");
  int64_t axis = axes ? (*axes)[0] : 0;
  auto a = normAxis(im, node, axis, rank);
  if (failed(a))
    return failure();
  int64_t dim = xt.getDimSize(*a);
  if (ShapedType::isDynamic(dim) || !xt.hasStaticShape())
    return im.unsupported(node, "run-time slice bounds on a tensor of a "
                                "dynamic shape");
  Location loc = im.nodeLoc(node);
  OpBuilder &b = im.builder;
  Type i64 = b.getI64Type();
  auto bound = [&](int i) -> Value {
    Value v = im.scalarI64(loc, im.get(node.input(i)));
    // Negative counts from the end; then clamped to [0, dim].
    Value d = arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(dim));
    Value zero = arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(0));
    Value neg =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, v, zero);
    v = arith::SelectOp::create(b, loc, neg,
                                arith::AddIOp::create(b, loc, v, d), v);
    v = arith::MaxSIOp::create(b, loc, v, zero);
    return arith::MinSIOp::create(b, loc, v, d);
  };
  Value start = bound(1), end = bound(2);
  Value count = arith::MaxSIOp::create(
      b, loc, arith::SubIOp::create(b, loc, end, start),
      arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(0)));
  Value x = im.get(node.input(0));
  Type et = xt.getElementType();
  Value init = tensor::EmptyOp::create(b, loc, xt.getShape(), et);
  SmallVector<AffineMap> maps = {b.getMultiDimIdentityMap(rank)};
  SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
  Value startIdx = arith::IndexCastOp::create(b, loc, b.getIndexType(), start);
  Value y = linalg::GenericOp::create(
                b, loc, TypeRange{init.getType()}, ValueRange{},
                ValueRange{init}, maps, iters,
                [&](OpBuilder &nb, Location l, ValueRange) {
                  SmallVector<Value> at;
                  for (int64_t d = 0; d < rank; ++d) {
                    Value i = linalg::IndexOp::create(nb, l, d);
                    if (d == *a)
                      i = arith::MinUIOp::create(
                          nb, l, arith::AddIOp::create(nb, l, i, startIdx),
                          arith::ConstantIndexOp::create(nb, l, dim - 1));
                    at.push_back(i);
                  }
                  linalg::YieldOp::create(
                      nb, l, Value(tensor::ExtractOp::create(nb, l, x, at)));
                })
                .getResult(0);
  im.set(node, y);
  return im.setDataDependentOutput(
      node, 0, *a,
      tensor::FromElementsOp::create(b, loc, RankedTensorType::get({}, i64),
                                     ValueRange{count}));
}

LogicalResult importSlice(Importer &im, const onnx::NodeProto &node,
                          bool asInputs) {
  if (failed(im.requireInputs(node, asInputs ? 3 : 1, asInputs ? 5 : 1)))
    return failure();
  Location loc = im.nodeLoc(node);
  OpBuilder &b = im.builder;
  RankedTensorType xt = im.typeOf(node.input(0));
  int64_t rank = xt.getRank();
  std::optional<SmallVector<int64_t>> starts, ends, axes, steps;
  if (!asInputs) {
    starts = getInts(node, "starts");
    ends = getInts(node, "ends");
    axes = getInts(node, "axes");
  } else {
    starts = im.getConstInts(node.input(1));
    ends = im.getConstInts(node.input(2));
    if (im.hasInput(node, 3))
      axes = im.getConstInts(node.input(3));
    if (im.hasInput(node, 4))
      steps = im.getConstInts(node.input(4));
    if (!starts || !ends || (im.hasInput(node, 3) && !axes) ||
        (im.hasInput(node, 4) && !steps))
      return importRuntimeSlice(im, node, axes, steps);
  }
  if (!starts || !ends || starts->size() != ends->size())
    return im.nodeError(node) << "starts and ends must have the same length";
  size_t n = starts->size();
  if (!axes) {
    axes.emplace();
    for (size_t i = 0; i < n; ++i)
      axes->push_back(i);
  }
  if (!steps)
    steps = SmallVector<int64_t>(n, 1);
  if (axes->size() != n || steps->size() != n)
    return im.nodeError(node) << "axes and steps must match starts in length";
  SmallVector<int64_t> offsets(rank, 0), sizes(xt.getShape()), strides(rank, 1);
  SmallVector<bool> seen(rank, false);
  // Sizes of sliced dynamic dimensions, known at run time: dim - start or
  // dim + end - start.
  SmallVector<std::optional<int64_t>> dynEnd(rank);
  for (size_t i = 0; i < n; ++i) {
    auto a = normAxis(im, node, (*axes)[i], rank);
    if (failed(a))
      return failure();
    if (seen[*a])
      return im.nodeError(node) << "axis " << *a << " is repeated";
    seen[*a] = true;
    int64_t s = (*starts)[i], e = (*ends)[i], st = (*steps)[i];
    if (st == 0)
      return im.nodeError(node) << "step must not be 0";
    int64_t dim = xt.getDimSize(*a);
    if (dim == kDyn) {
      // Only the common forms: x[s:], x[s:-k] with s >= 0, step 1.
      if (st != 1 || s < 0)
        return im.unsupported(node, "a slice of dynamic dimension " +
                                        std::to_string(*a) +
                                        " other than [start >= 0 : end] with "
                                        "step 1; fix it with --input-shape");
      offsets[*a] = s;
      dynEnd[*a] = e >= (int64_t(1) << 31) ? 0 : e;
      if (e >= 0 && e < (int64_t(1) << 31)) {
        // A positive end on a dynamic dim: the size is static if the dim
        // is at least `e` (exporters write it so).
        sizes[*a] = std::max<int64_t>(0, e - s);
        dynEnd[*a].reset();
      }
      strides[*a] = 1;
      continue;
    }
    auto clampI = [](int64_t v, int64_t lo, int64_t hi) {
      return std::min(std::max(v, lo), hi);
    };
    // A step longer than the dimension takes at most one element: clamp it
    // so that no arithmetic below overflows.
    st = clampI(st, -(dim + 1), dim + 1);
    if (s < 0)
      s = s < std::numeric_limits<int64_t>::min() / 2 ? -dim - 1 : s + dim;
    if (e < 0)
      e = e < std::numeric_limits<int64_t>::min() / 2 ? -dim - 1 : e + dim;
    if (st > 0) {
      s = clampI(s, 0, dim);
      e = clampI(e, 0, dim);
    } else {
      s = clampI(s, 0, dim - 1);
      e = clampI(e, -1, dim - 1);
    }
    int64_t len = std::max<int64_t>(0, st > 0 ? (e - s + st - 1) / st
                                              : (s - e + (-st) - 1) / (-st));
    // An empty slice starts at 0 (tensor.extract_slice rejects an offset at
    // the end of the dimension even for size 0).
    offsets[*a] = len == 0 ? 0 : s;
    sizes[*a] = len;
    strides[*a] = len == 0 ? 1 : st;
  }
  auto outType = RankedTensorType::get(sizes, xt.getElementType());
  if (auto folded = foldMapping(im, node.input(0), outType,
                                [&](ArrayRef<int64_t> o) {
                                  SmallVector<int64_t> in;
                                  for (int64_t d = 0; d < rank; ++d)
                                    in.push_back(offsets[d] + strides[d] * o[d]);
                                  return linearIndex(xt.getShape(), in);
                                })) {
    im.setConst(node, *folded);
    return success();
  }
  Value x = im.get(node.input(0));
  SmallVector<Value> dyn;
  for (int64_t d = 0; d < rank; ++d) {
    if (sizes[d] != kDyn)
      continue;
    Value dim = tensor::DimOp::create(b, loc, x, d);
    Value size = arith::SubIOp::create(
        b, loc, dim, arith::ConstantIndexOp::create(b, loc, offsets[d]));
    if (dynEnd[d] && *dynEnd[d] < 0)
      size = arith::AddIOp::create(
          b, loc, size, arith::ConstantIndexOp::create(b, loc, *dynEnd[d]));
    dyn.push_back(arith::MaxSIOp::create(
        b, loc, size, arith::ConstantIndexOp::create(b, loc, 0)));
  }
  // Negative steps read the same elements as the positive-step slice that
  // starts at the last of them, in reverse order: the slice with positive
  // strides, then a reversal of those axes by index. (A map such as
  // `-d0 + s` would be shorter, but upstream tiling sizes the operand slices
  // of negative-coefficient maps wrongly: invalid IR after
  // qopt-tile-and-vectorize.)
  SmallVector<bool> reversed(rank, false);
  for (int64_t d = 0; d < rank; ++d) {
    if (strides[d] > 0)
      continue;
    reversed[d] = true;
    offsets[d] += strides[d] * (sizes[d] - 1);
    strides[d] = -strides[d];
  }
  SmallVector<OpFoldResult> offs, szs, strs;
  unsigned k = 0;
  for (int64_t d = 0; d < rank; ++d) {
    offs.push_back(b.getIndexAttr(offsets[d]));
    szs.push_back(sizes[d] == kDyn ? OpFoldResult(dyn[k++])
                                   : OpFoldResult(b.getIndexAttr(sizes[d])));
    strs.push_back(b.getIndexAttr(strides[d]));
  }
  Value slice =
      tensor::ExtractSliceOp::create(b, loc, outType, x, offs, szs, strs);
  if (!llvm::is_contained(reversed, true)) {
    im.set(node, slice);
    return success();
  }
  // Reversed axes are static (dynamic ones take step 1 only).
  im.set(node,
         generate(im, loc, outType, dyn, {}, {},
                  [&](OpBuilder &nb, Location l, ValueRange ivs, ValueRange) {
                    SmallVector<Value> idx(ivs);
                    for (int64_t d = 0; d < rank; ++d)
                      if (reversed[d])
                        idx[d] = arith::SubIOp::create(
                            nb, l,
                            arith::ConstantIndexOp::create(nb, l, sizes[d] - 1),
                            ivs[d]);
                    return (Value)tensor::ExtractOp::create(nb, l, slice, idx);
                  }));
  return success();
}

//===----------------------------------------------------------------------===//
// Split
//===----------------------------------------------------------------------===//

LogicalResult importSplit(Importer &im, const onnx::NodeProto &node,
                          int form) {
  // form 0: `split` attribute; 13: `split` input; 18: also num_outputs.
  if (failed(im.requireInputs(node, 1, form == 0 ? 1 : 2)))
    return failure();
  Location loc = im.nodeLoc(node);
  RankedTensorType xt = im.typeOf(node.input(0));
  auto axis = normAxis(im, node, getInt(node, "axis", 0), xt.getRank());
  if (failed(axis))
    return failure();
  int64_t dim = xt.getDimSize(*axis), outs = node.output_size();
  std::optional<SmallVector<int64_t>> split;
  if (form == 0)
    split = getInts(node, "split");
  else if (im.hasInput(node, 1)) {
    split = im.getConstInts(node.input(1));
    if (!split)
      return im.unsupported(node, "a split input that is not a constant");
  }
  if (!split) {
    if (dim == kDyn)
      return im.unsupported(node, "splitting a dynamic dimension");
    int64_t parts = outs;
    if (form == 18 && findAttr(node, "num_outputs") &&
        getInt(node, "num_outputs", outs) != outs)
      return im.nodeError(node) << "num_outputs "
                                << getInt(node, "num_outputs", outs)
                                << " differs from the node's " << outs
                                << " outputs";
    if (parts <= 0)
      return im.nodeError(node) << "no outputs";
    int64_t each = dim / parts + (dim % parts != 0); // ceil, no overflow
    if (form != 18 && dim % parts != 0)
      return im.nodeError(node) << "dimension " << dim
                                << " does not split evenly into " << parts;
    split.emplace();
    for (int64_t i = 0, left = dim; i < parts; ++i, left -= each)
      split->push_back(std::min(each, left));
  }
  if ((int64_t)split->size() != outs)
    return im.nodeError(node) << "split has " << split->size()
                              << " entries for " << outs << " outputs";
  int64_t total = 0;
  for (int64_t s : *split) {
    if (s < 0)
      return im.nodeError(node) << "negative split size " << s;
    if (__builtin_add_overflow(total, s, &total))
      return im.nodeError(node) << "split sizes overflow 64 bits";
  }
  if (dim != kDyn && total != dim)
    return im.nodeError(node) << "split sizes add up to " << total
                              << ", not the dimension's " << dim;
  Value x = im.get(node.input(0));
  int64_t off = 0;
  for (int64_t k = 0; k < outs; ++k) {
    SmallVector<int64_t> shape(xt.getShape());
    shape[*axis] = (*split)[k];
    auto t = RankedTensorType::get(shape, xt.getElementType());
    if ((*split)[k] == 0 && t.hasStaticShape()) {
      im.set(node, tensor::EmptyOp::create(im.builder, loc, shape,
                                           xt.getElementType()),
             k);
      continue;
    }
    SmallVector<OpFoldResult> offs, szs, strs;
    for (int64_t d = 0; d < xt.getRank(); ++d) {
      offs.push_back(im.builder.getIndexAttr(d == *axis ? off : 0));
      szs.push_back(shape[d] == kDyn
                        ? OpFoldResult(tensor::DimOp::create(im.builder, loc, x, d)
                                           .getResult())
                        : OpFoldResult(im.builder.getIndexAttr(shape[d])));
      strs.push_back(im.builder.getIndexAttr(1));
    }
    im.set(node, tensor::ExtractSliceOp::create(im.builder, loc, t, x, offs, szs,
                                                strs),
           k);
    off += (*split)[k];
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Expand, Tile
//===----------------------------------------------------------------------===//

LogicalResult importExpand(Importer &im, const onnx::NodeProto &node) {
  if (failed(im.requireInputs(node, 2, 2)))
    return failure();
  auto shape = im.getConstInts(node.input(1));
  if (!shape)
    return im.unsupported(node, "a shape computed at run time");
  RankedTensorType xt = im.typeOf(node.input(0));
  int64_t rank = std::max<int64_t>(xt.getRank(), shape->size());
  SmallVector<int64_t> out(rank, 1);
  for (int64_t i = 0; i < rank; ++i) {
    int64_t xi = i - (rank - xt.getRank()), si = i - (rank - shape->size());
    int64_t a = xi >= 0 ? xt.getDimSize(xi) : 1;
    int64_t s = si >= 0 ? (*shape)[si] : 1;
    if (s < 0)
      return im.nodeError(node) << "negative dimension in shape";
    if (a == 1)
      out[i] = s;
    else if (s == 1 || s == a || a == kDyn)
      out[i] = a;
    else
      return im.nodeError(node) << "shape " << qopt::shapeString(*shape)
                                << " does not broadcast with " << xt;
  }
  if (!qopt::checkedByteSize(out, kMaxElementBytes))
    return im.nodeError(node) << "result size overflows 64 bits";
  auto outType = RankedTensorType::get(out, xt.getElementType());
  if (auto folded = foldMapping(im, node.input(0), outType,
                                [&](ArrayRef<int64_t> o) {
                                  SmallVector<int64_t> in;
                                  for (int64_t d = 0; d < xt.getRank(); ++d) {
                                    int64_t od = o[d + rank - xt.getRank()];
                                    in.push_back(xt.getDimSize(d) == 1 ? 0 : od);
                                  }
                                  return linearIndex(xt.getShape(), in);
                                })) {
    im.setConst(node, *folded);
    return success();
  }
  Value x = im.get(node.input(0));
  SmallVector<AffineExpr> exprs;
  for (int64_t d = 0; d < xt.getRank(); ++d)
    exprs.push_back(xt.getDimSize(d) == 1 && out[d + rank - xt.getRank()] != 1
                        ? im.builder.getAffineConstantExpr(0)
                        : im.builder.getAffineDimExpr(d + rank - xt.getRank()));
  SmallVector<Value> dyn;
  for (int64_t i = 0; i < rank; ++i)
    if (out[i] == kDyn)
      dyn.push_back(tensor::DimOp::create(im.builder, im.nodeLoc(node), x,
                                          i - (rank - xt.getRank())));
  im.set(node, generate(im, im.nodeLoc(node), outType, dyn, ValueRange{x},
                        {AffineMap::get(rank, 0, exprs, im.ctx)},
                        [](OpBuilder &, Location, ValueRange, ValueRange a) {
                          return a[0];
                        }));
  return success();
}

LogicalResult importTile(Importer &im, const onnx::NodeProto &node) {
  if (failed(im.requireInputs(node, 2, 2)))
    return failure();
  auto repeats = im.getConstInts(node.input(1));
  if (!repeats)
    return im.unsupported(node, "repeats computed at run time");
  RankedTensorType xt = im.typeOf(node.input(0));
  if ((int64_t)repeats->size() != xt.getRank())
    return im.nodeError(node) << "repeats has " << repeats->size()
                              << " entries for rank " << xt.getRank();
  if (!xt.hasStaticShape())
    return im.unsupported(node, "Tile of a dynamic shape");
  SmallVector<int64_t> out;
  for (auto [d, r] : llvm::zip(xt.getShape(), *repeats)) {
    int64_t v;
    if (r < 0 || __builtin_mul_overflow(d, r, &v))
      return im.nodeError(node) << "invalid repeats";
    out.push_back(v);
  }
  if (!qopt::checkedByteSize(out, kMaxElementBytes))
    return im.nodeError(node) << "result size overflows 64 bits";
  auto outType = RankedTensorType::get(out, xt.getElementType());
  Value x = im.get(node.input(0));
  im.set(node, generate(im, im.nodeLoc(node), outType, {}, {}, {},
                        [&](OpBuilder &b, Location l, ValueRange ivs,
                            ValueRange) {
                          SmallVector<Value> idx;
                          for (int64_t d = 0; d < xt.getRank(); ++d)
                            idx.push_back(arith::RemUIOp::create(
                                b, l, ivs[d],
                                arith::ConstantIndexOp::create(
                                    b, l, std::max<int64_t>(1, xt.getDimSize(d)))));
                          return (Value)tensor::ExtractOp::create(b, l, x, idx);
                        }));
  return success();
}

//===----------------------------------------------------------------------===//
// Gather family
//===----------------------------------------------------------------------===//

LogicalResult runtimeGather(Importer &im, const onnx::NodeProto &node) {
  Location loc = im.nodeLoc(node);
  RankedTensorType dt = im.typeOf(node.input(0)), it = im.typeOf(node.input(1));
  if (!isa<IntegerType>(it.getElementType()))
    return im.nodeError(node) << "indices must be integers";
  auto axis = normAxis(im, node, getInt(node, "axis", 0), dt.getRank());
  if (failed(axis))
    return failure();
  // Constant indices are checked now (ONNX makes an out-of-range index an
  // error); run-time ones are clamped below.
  if (auto idx = im.getConstInts(node.input(1)); idx && !dt.isDynamicDim(*axis))
    for (int64_t i : *idx)
      if (i < -dt.getDimSize(*axis) || i >= dt.getDimSize(*axis))
        return im.nodeError(node) << "index " << i << " is out of range";
  int64_t q = it.getRank();
  SmallVector<int64_t> shape(dt.getShape().take_front(*axis));
  shape.append(it.getShape().begin(), it.getShape().end());
  shape.append(dt.getShape().begin() + *axis + 1, dt.getShape().end());
  Value data = im.get(node.input(0)), indices = im.get(node.input(1));
  SmallVector<Value> dyn;
  for (int64_t i = 0; i < (int64_t)shape.size(); ++i) {
    if (shape[i] != kDyn)
      continue;
    if (i < *axis)
      dyn.push_back(tensor::DimOp::create(im.builder, loc, data, i));
    else if (i < *axis + q)
      dyn.push_back(tensor::DimOp::create(im.builder, loc, indices, i - *axis));
    else
      dyn.push_back(tensor::DimOp::create(im.builder, loc, data, i - q + 1));
  }
  SmallVector<AffineExpr> idxExprs;
  for (int64_t i = 0; i < q; ++i)
    idxExprs.push_back(im.builder.getAffineDimExpr(*axis + i));
  AffineMap idxMap = AffineMap::get(shape.size(), 0, idxExprs, im.ctx);
  Value dim = dimValue(im.builder, loc, data, *axis);
  auto outType = RankedTensorType::get(shape, dt.getElementType());
  im.set(node,
         generate(im, loc, outType, dyn, ValueRange{indices}, {idxMap},
                  [&](OpBuilder &b, Location l, ValueRange ivs, ValueRange a) {
                    SmallVector<Value> at(ivs.take_front(*axis));
                    at.push_back(sc::boundedIndex(b, l, a[0], dim));
                    for (int64_t d = *axis + 1; d < dt.getRank(); ++d)
                      at.push_back(ivs[d + q - 1]);
                    return (Value)tensor::ExtractOp::create(b, l, data, at);
                  }));
  return success();
}

/// ReverseSequence: along time_axis, the first sequence_lens[b] elements of
/// each batch entry b reversed, the rest copied.
LogicalResult importReverseSequence(Importer &im, const onnx::NodeProto &node) {
  if (failed(im.requireInputs(node, 2, 2)))
    return failure();
  Location loc = im.nodeLoc(node);
  RankedTensorType xt = im.typeOf(node.input(0)), lt = im.typeOf(node.input(1));
  int64_t timeAxis = getInt(node, "time_axis", 0),
          batchAxis = getInt(node, "batch_axis", 1);
  if (xt.getRank() < 2 ||
      !((timeAxis == 0 && batchAxis == 1) || (timeAxis == 1 && batchAxis == 0)))
    return im.nodeError(node) << "expects a tensor of rank >= 2 with "
                                 "time_axis and batch_axis 0 and 1";
  if (lt.getRank() != 1 || !isa<IntegerType>(lt.getElementType()))
    return im.nodeError(node) << "sequence_lens must be a 1-D integer tensor";
  Value x = im.get(node.input(0)), lens = im.get(node.input(1));
  Value steps = dimValue(im.builder, loc, x, timeAxis);
  Value lenCount = dimValue(im.builder, loc, lens, 0);
  im.set(node,
         generate(im, loc, xt, dynDims(im, loc, x), {}, {},
                  [&](OpBuilder &b, Location l, ValueRange ivs, ValueRange) {
                    Value t = ivs[timeAxis], bi = ivs[batchAxis];
                    Value len = tensor::ExtractOp::create(
                        b, l, lens,
                        ValueRange{sc::boundedIndex(b, l, bi, lenCount)});
                    len =
                        arith::IndexCastOp::create(b, l, b.getIndexType(), len);
                    // Lengths beyond the sequence reverse all of it.
                    len = arith::MinSIOp::create(b, l, len, steps);
                    Value inside = arith::CmpIOp::create(
                        b, l, arith::CmpIPredicate::slt, t, len);
                    Value one = arith::ConstantIndexOp::create(b, l, 1);
                    Value mirrored = arith::SubIOp::create(
                        b, l, arith::SubIOp::create(b, l, len, one), t);
                    SmallVector<Value> at(ivs);
                    at[timeAxis] =
                        arith::SelectOp::create(b, l, inside, mirrored, t);
                    return (Value)tensor::ExtractOp::create(b, l, x, at);
                  }));
  return success();
}

LogicalResult importGatherElements(Importer &im, const onnx::NodeProto &node) {
  if (failed(im.requireInputs(node, 2, 2)))
    return failure();
  Location loc = im.nodeLoc(node);
  RankedTensorType dt = im.typeOf(node.input(0)), it = im.typeOf(node.input(1));
  if (!isa<IntegerType>(it.getElementType()) || dt.getRank() != it.getRank())
    return im.nodeError(node)
           << "indices must be integers of the data's rank";
  auto axis = normAxis(im, node, getInt(node, "axis", 0), dt.getRank());
  if (failed(axis))
    return failure();
  Value data = im.get(node.input(0)), indices = im.get(node.input(1));
  Value dim = dimValue(im.builder, loc, data, *axis);
  auto outType = RankedTensorType::get(it.getShape(), dt.getElementType());
  im.set(node, generate(im, loc, outType, dynDims(im, loc, indices),
                        ValueRange{indices},
                        {im.builder.getMultiDimIdentityMap(it.getRank())},
                        [&](OpBuilder &b, Location l, ValueRange ivs,
                            ValueRange a) {
                          SmallVector<Value> at(ivs);
                          at[*axis] = sc::boundedIndex(b, l, a[0], dim);
                          // Other dimensions of indices may be smaller than
                          // the data's; never larger (clamped).
                          for (int64_t d = 0; d < dt.getRank(); ++d)
                            if (d != *axis)
                              at[d] = sc::boundedIndex(b, l, at[d],
                                                   dimValue(b, l, data, d));
                          return (Value)tensor::ExtractOp::create(b, l, data, at);
                        }));
  return success();
}

LogicalResult importGatherND(Importer &im, const onnx::NodeProto &node) {
  if (failed(im.requireInputs(node, 2, 2)))
    return failure();
  Location loc = im.nodeLoc(node);
  RankedTensorType dt = im.typeOf(node.input(0)), it = im.typeOf(node.input(1));
  int64_t bd = getInt(node, "batch_dims", 0), q = it.getRank(),
          r = dt.getRank();
  if (!isa<IntegerType>(it.getElementType()) || q < 1)
    return im.nodeError(node) << "indices must be integers of rank >= 1";
  int64_t k = it.getDimSize(q - 1);
  if (k == kDyn || bd < 0 || bd >= std::min(q, r) || k > r - bd)
    return im.nodeError(node) << "invalid indices shape " << it
                              << " or batch_dims " << bd;
  SmallVector<int64_t> shape(it.getShape().drop_back());
  shape.append(dt.getShape().begin() + bd + k, dt.getShape().end());
  if (llvm::is_contained(shape, kDyn))
    return im.unsupported(node, "GatherND with dynamic shapes");
  Value data = im.get(node.input(0)), indices = im.get(node.input(1));
  auto outType = RankedTensorType::get(shape, dt.getElementType());
  im.set(node, generate(
                   im, loc, outType, {}, {}, {},
                   [&](OpBuilder &b, Location l, ValueRange ivs, ValueRange) {
                     SmallVector<Value> at(ivs.take_front(bd));
                     for (int64_t j = 0; j < k; ++j) {
                       SmallVector<Value> ii(ivs.take_front(q - 1));
                       ii.push_back(arith::ConstantIndexOp::create(b, l, j));
                       Value v = tensor::ExtractOp::create(b, l, indices, ii);
                       at.push_back(sc::boundedIndex(b, l, v,
                                                 dimValue(b, l, data, bd + j)));
                     }
                     for (Value iv : ivs.drop_front(q - 1))
                       at.push_back(iv);
                     return (Value)tensor::ExtractOp::create(b, l, data, at);
                   }));
  return success();
}

//===----------------------------------------------------------------------===//
// Size, Range, EyeLike, Trilu, OneHot, CumSum, DepthToSpace, SpaceToDepth
//===----------------------------------------------------------------------===//

LogicalResult importSize(Importer &im, const onnx::NodeProto &node) {
  if (failed(im.requireInputs(node, 1, 1)))
    return failure();
  RankedTensorType xt = im.typeOf(node.input(0));
  auto t = RankedTensorType::get({}, im.builder.getI64Type());
  if (xt.hasStaticShape()) {
    im.setConst(node, DenseElementsAttr::get(t, xt.getNumElements()));
    return success();
  }
  Location loc = im.nodeLoc(node);
  Value x = im.get(node.input(0));
  Value n = arith::ConstantIndexOp::create(im.builder, loc, 1);
  for (int64_t d = 0; d < xt.getRank(); ++d)
    n = arith::MulIOp::create(im.builder, loc, n,
                              dimValue(im.builder, loc, x, d));
  Value v = arith::IndexCastOp::create(im.builder, loc, im.builder.getI64Type(), n);
  im.set(node, tensor::FromElementsOp::create(im.builder, loc, t, v));
  return success();
}

LogicalResult importRange(Importer &im, const onnx::NodeProto &node) {
  if (failed(im.requireInputs(node, 3, 3)))
    return failure();
  Type et = im.typeOf(node.input(0)).getElementType();
  auto start = im.getConstFloats(node.input(0)),
       limit = im.getConstFloats(node.input(1)),
       delta = im.getConstFloats(node.input(2));
  if (!start || !limit || !delta || start->size() != 1 || limit->size() != 1 ||
      delta->size() != 1)
    return im.unsupported(node, "a Range whose start, limit and delta are not "
                                "constants (its length depends on the data)");
  double s = (*start)[0], l = (*limit)[0], d = (*delta)[0];
  if (d == 0)
    return im.nodeError(node) << "delta must not be 0";
  double count = std::max(0.0, std::ceil((l - s) / d));
  if (count > kMaxFoldElements)
    return im.unsupported(node, "a Range of more than " +
                                    Twine(kMaxFoldElements) + " elements");
  auto t = RankedTensorType::get({(int64_t)count}, et);
  SmallVector<Attribute> vals;
  for (int64_t i = 0; i < (int64_t)count; ++i) {
    if (auto ft = dyn_cast<FloatType>(et))
      // ONNX computes start + i*delta in the element type.
      vals.push_back(FloatAttr::get(ft, (float)((float)s + (float)i * (float)d)));
    else
      vals.push_back(IntegerAttr::get(et, (int64_t)s + i * (int64_t)d));
  }
  im.setConst(node, DenseElementsAttr::get(t, vals));
  return success();
}

LogicalResult importEyeLike(Importer &im, const onnx::NodeProto &node) {
  if (failed(im.requireInputs(node, 1, 1)))
    return failure();
  RankedTensorType xt = im.typeOf(node.input(0));
  if (xt.getRank() != 2 || !xt.hasStaticShape())
    return im.nodeError(node) << "expects a static 2-D input, got " << xt;
  Type et = xt.getElementType();
  if (findAttr(node, "dtype")) {
    auto t = im.elementType(getInt(node, "dtype", 1), im.nodeLoc(node));
    if (failed(t))
      return failure();
    et = *t;
  }
  int64_t k = getInt(node, "k", 0);
  auto t = RankedTensorType::get(xt.getShape(), et);
  im.set(node, generate(im, im.nodeLoc(node), t, {}, {}, {},
                        [&](OpBuilder &b, Location l, ValueRange ivs,
                            ValueRange) {
                          Value j = arith::AddIOp::create(
                              b, l, ivs[0], arith::ConstantIndexOp::create(b, l, k));
                          Value on = arith::CmpIOp::create(
                              b, l, arith::CmpIPredicate::eq, j, ivs[1]);
                          return sc::convert(b, l, on, et.isUnsignedInteger()
                                                           ? IntegerType::get(im.ctx, et.getIntOrFloatBitWidth())
                                                           : et,
                                             false, false);
                        }));
  return success();
}

LogicalResult importTrilu(Importer &im, const onnx::NodeProto &node) {
  if (failed(im.requireInputs(node, 1, 2)))
    return failure();
  RankedTensorType xt = im.typeOf(node.input(0));
  if (xt.getRank() < 2)
    return im.nodeError(node) << "expects rank >= 2";
  int64_t k = 0;
  if (im.hasInput(node, 1)) {
    auto kv = im.getConstInts(node.input(1));
    if (!kv || kv->size() != 1)
      return im.unsupported(node, "k that is not a constant scalar");
    k = (*kv)[0];
  }
  bool upper = getInt(node, "upper", 1);
  Location loc = im.nodeLoc(node);
  Value x = im.toSignless(loc, im.get(node.input(0)));
  int64_t r = xt.getRank();
  Value y = generate(
      im, loc, cast<RankedTensorType>(x.getType()), dynDims(im, loc, x),
      ValueRange{x}, {im.builder.getMultiDimIdentityMap(r)},
      [&](OpBuilder &b, Location l, ValueRange ivs, ValueRange a) {
        Value i = arith::IndexCastOp::create(b, l, b.getI64Type(), ivs[r - 2]);
        Value j = arith::IndexCastOp::create(b, l, b.getI64Type(), ivs[r - 1]);
        Value ik = arith::AddIOp::create(
            b, l, i, arith::ConstantOp::create(b, l, b.getI64IntegerAttr(k)));
        Value keep = arith::CmpIOp::create(
            b, l, upper ? arith::CmpIPredicate::sge : arith::CmpIPredicate::sle,
            j, ik);
        return (Value)arith::SelectOp::create(
            b, l, keep, a[0], sc::constant(b, l, a[0].getType(), 0));
      });
  im.set(node, im.fromSignless(loc, y, xt.getElementType()));
  return success();
}

LogicalResult importOneHot(Importer &im, const onnx::NodeProto &node) {
  if (failed(im.requireInputs(node, 3, 3)))
    return failure();
  Location loc = im.nodeLoc(node);
  RankedTensorType it = im.typeOf(node.input(0));
  auto depthF = im.getConstFloats(node.input(1));
  if (!depthF || depthF->size() != 1)
    return im.unsupported(node, "a depth that is not a constant scalar");
  // Range-check the float before converting it: a NaN or huge depth is
  // undefined behaviour as an int64_t.
  double depthValue = (*depthF)[0];
  if (!(depthValue >= 1.0 && depthValue <= double(qnn::kMaxWindowExtent)))
    return im.nodeError(node) << "invalid depth " << depthValue;
  int64_t depth = int64_t(depthValue);
  RankedTensorType vt = im.typeOf(node.input(2));
  if (vt.getNumElements() != 2)
    return im.nodeError(node) << "values must hold [off, on]";
  int64_t r = it.getRank() + 1;
  auto axis = normAxis(im, node, getInt(node, "axis", -1), r);
  if (failed(axis))
    return failure();
  SmallVector<int64_t> shape(it.getShape());
  shape.insert(shape.begin() + *axis, depth);
  Value indices = im.toSignless(loc, im.get(node.input(0)));
  Value values = im.toSignless(loc, im.get(node.input(2)));
  Type et = getElementTypeOrSelf(values.getType());
  bool idxFloat = isa<FloatType>(it.getElementType());
  SmallVector<AffineExpr> exprs;
  for (int64_t d = 0; d < r; ++d)
    if (d != *axis)
      exprs.push_back(im.builder.getAffineDimExpr(d));
  SmallVector<Value> dyn;
  for (int64_t d = 0; d < it.getRank(); ++d)
    if (it.isDynamicDim(d))
      dyn.push_back(tensor::DimOp::create(im.builder, loc, indices, d));
  Value y = generate(
      im, loc, RankedTensorType::get(shape, et), dyn, ValueRange{indices},
      {AffineMap::get(r, 0, exprs, im.ctx)},
      [&](OpBuilder &b, Location l, ValueRange ivs, ValueRange a) {
        Value idx = a[0];
        if (idxFloat)
          idx = arith::FPToSIOp::create(
              b, l, b.getI64Type(),
              arith::ExtFOp::create(b, l, b.getF64Type(), idx));
        else
          idx = sc::convert(b, l, idx, b.getI64Type(),
                            it.getElementType().isUnsignedInteger(), false);
        Value d = arith::ConstantOp::create(b, l, b.getI64IntegerAttr(depth));
        Value neg = arith::CmpIOp::create(
            b, l, arith::CmpIPredicate::slt, idx,
            arith::ConstantOp::create(b, l, b.getI64IntegerAttr(0)));
        idx = arith::SelectOp::create(b, l, neg,
                                      arith::AddIOp::create(b, l, idx, d), idx);
        Value pos = arith::IndexCastOp::create(b, l, b.getI64Type(), ivs[*axis]);
        Value on = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, idx, pos);
        Value zero = arith::ConstantIndexOp::create(b, l, 0);
        Value one = arith::ConstantIndexOp::create(b, l, 1);
        Value offV = tensor::ExtractOp::create(
            b, l, values, vt.getRank() ? ValueRange{zero} : ValueRange{});
        Value onV = tensor::ExtractOp::create(
            b, l, values, vt.getRank() ? ValueRange{one} : ValueRange{});
        return (Value)arith::SelectOp::create(b, l, on, onV, offV);
      });
  im.set(node, im.fromSignless(loc, y, vt.getElementType()));
  return success();
}

/// CumSum as a reduction over the scanned axis with a triangular mask:
/// out[i] = sum over j of (j <= i) ? x[j] : 0 (exclusive / reverse change
/// the mask). Quadratic in the axis length, which real models keep short.
LogicalResult importCumSum(Importer &im, const onnx::NodeProto &node) {
  if (failed(im.requireInputs(node, 2, 2)))
    return failure();
  Location loc = im.nodeLoc(node);
  OpBuilder &b = im.builder;
  RankedTensorType xt = im.typeOf(node.input(0));
  auto av = im.getConstInts(node.input(1));
  if (!av || av->size() != 1)
    return im.unsupported(node, "an axis that is not a constant scalar");
  auto axis = normAxis(im, node, (*av)[0], xt.getRank());
  if (failed(axis))
    return failure();
  if (xt.getDimSize(*axis) == kDyn || xt.getDimSize(*axis) > kMaxQuadraticAxis)
    return im.unsupported(node, "CumSum over a dynamic axis or one longer than " +
                                    Twine(kMaxQuadraticAxis) +
                                    " (its cost grows with the square of the "
                                    "length)");
  bool exclusive = getInt(node, "exclusive", 0), reverse = getInt(node, "reverse", 0);
  Value x = im.toSignless(loc, im.get(node.input(0)));
  auto st = cast<RankedTensorType>(x.getType());
  int64_t r = st.getRank();
  Type et = st.getElementType();
  Value init = linalg::FillOp::create(
                   b, loc, sc::constant(b, loc, et, 0),
                   Value(tensor::EmptyOp::create(b, loc, st.getShape(), et,
                                                 dynDims(im, loc, x))))
                   .result();
  // Loops: the r output dimensions, then j (the summed position).
  SmallVector<AffineExpr> inExprs, outExprs;
  for (int64_t d = 0; d < r; ++d) {
    inExprs.push_back(b.getAffineDimExpr(d == *axis ? r : d));
    outExprs.push_back(b.getAffineDimExpr(d));
  }
  SmallVector<utils::IteratorType> iters(r, utils::IteratorType::parallel);
  iters.push_back(utils::IteratorType::reduction);
  auto g = linalg::GenericOp::create(
      b, loc, st, ValueRange{x}, ValueRange{init},
      ArrayRef<AffineMap>{AffineMap::get(r + 1, 0, inExprs, im.ctx),
                          AffineMap::get(r + 1, 0, outExprs, im.ctx)},
      iters, [&](OpBuilder &nb, Location l, ValueRange a) {
        Value i = linalg::IndexOp::create(nb, l, *axis);
        Value j = linalg::IndexOp::create(nb, l, r);
        arith::CmpIPredicate p =
            reverse ? (exclusive ? arith::CmpIPredicate::ugt
                                 : arith::CmpIPredicate::uge)
                    : (exclusive ? arith::CmpIPredicate::ult
                                 : arith::CmpIPredicate::ule);
        Value in = arith::CmpIOp::create(nb, l, p, j, i);
        Value v = arith::SelectOp::create(nb, l, in, a[0],
                                          sc::constant(nb, l, et, 0));
        linalg::YieldOp::create(nb, l, sc::add(nb, l, a[1], v));
      });
  im.set(node, im.fromSignless(loc, g.getResult(0), xt.getElementType()));
  return success();
}

/// DepthToSpace (DCR or CRD) and SpaceToDepth: reshape, transpose, reshape
/// (qnn ops: they keep quantization parameters).
LogicalResult importDepthSpace(Importer &im, const onnx::NodeProto &node,
                               bool toSpace) {
  if (failed(im.requireInputs(node, 1, 1)))
    return failure();
  Location loc = im.nodeLoc(node);
  RankedTensorType xt = im.typeOf(node.input(0));
  int64_t bs = getInt(node, "blocksize", 0);
  if (xt.getRank() != 4 || !xt.hasStaticShape() || bs <= 0 || bs > (1 << 15))
    return im.nodeError(node)
           << "expects a static 4-D input and a blocksize in [1, 32768]";
  {
    // The moved dimensions' sizes must fit (bs^2 <= 2^30 here).
    int64_t t;
    if (__builtin_mul_overflow(xt.getDimSize(2), bs, &t) ||
        __builtin_mul_overflow(xt.getDimSize(3), bs, &t) ||
        __builtin_mul_overflow(xt.getDimSize(1), bs * bs, &t))
      return im.nodeError(node) << "result dimensions overflow 64 bits";
  }
  int64_t n = xt.getDimSize(0), c = xt.getDimSize(1), h = xt.getDimSize(2),
          w = xt.getDimSize(3);
  Value x = im.get(node.input(0));
  if (toSpace) {
    if (c % (bs * bs))
      return im.nodeError(node) << "channels " << c << " not divisible by "
                                << bs * bs;
    bool crd = getString(node, "mode", "DCR") == "CRD";
    int64_t co = c / (bs * bs);
    Value t;
    if (crd) {
      t = im.reshapeTo(loc, x, {n, co, bs, bs, h, w});
      t = im.transpose(loc, t, {0, 1, 4, 2, 5, 3});
    } else {
      t = im.reshapeTo(loc, x, {n, bs, bs, co, h, w});
      t = im.transpose(loc, t, {0, 3, 4, 1, 5, 2});
    }
    im.set(node, im.reshapeTo(loc, t, {n, co, h * bs, w * bs}));
    return success();
  }
  if (h % bs || w % bs)
    return im.nodeError(node) << "spatial size not divisible by " << bs;
  Value t = im.reshapeTo(loc, x, {n, c, h / bs, bs, w / bs, bs});
  t = im.transpose(loc, t, {0, 3, 5, 1, 2, 4});
  im.set(node, im.reshapeTo(loc, t, {n, c * bs * bs, h / bs, w / bs}));
  return success();
}

} // namespace

LogicalResult qopt::onnx_import::importRuntimeGather(Importer &im,
                                                     const onnx::NodeProto &n) {
  return runtimeGather(im, n);
}

void qopt::onnx_import::registerDataMovementHandlers(HandlerTable &t) {
  t.onOp("Slice", 1, [](Importer &im, const onnx::NodeProto &n) {
    return importSlice(im, n, /*asInputs=*/false);
  });
  t.onOp("Slice", 10, [](Importer &im, const onnx::NodeProto &n) {
    return importSlice(im, n, /*asInputs=*/true);
  });
  t.onOp("Split", 1, [](Importer &im, const onnx::NodeProto &n) {
    return importSplit(im, n, 0);
  });
  t.onOp("Split", 13, [](Importer &im, const onnx::NodeProto &n) {
    return importSplit(im, n, 13);
  });
  t.onOp("Split", 18, [](Importer &im, const onnx::NodeProto &n) {
    return importSplit(im, n, 18);
  });
  t.onOp("Expand", 8, importExpand);
  t.onOp("Tile", 6, importTile);
  t.onOp("GatherElements", 11, importGatherElements);
  t.onOp("ReverseSequence", 10, importReverseSequence);
  t.onOp("GatherND", 11, importGatherND);
  t.onOp("Size", 1, importSize);
  t.onOp("Range", 11, importRange);
  t.onOp("EyeLike", 9, importEyeLike);
  t.onOp("Trilu", 14, importTrilu);
  t.onOp("OneHot", 9, importOneHot);
  t.onOp("CumSum", 11, importCumSum);
  t.onOp("DepthToSpace", 1, [](Importer &im, const onnx::NodeProto &n) {
    return importDepthSpace(im, n, /*toSpace=*/true);
  });
  t.onOp("SpaceToDepth", 1, [](Importer &im, const onnx::NodeProto &n) {
    return importDepthSpace(im, n, /*toSpace=*/false);
  });
}
