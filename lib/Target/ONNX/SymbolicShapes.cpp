//===- SymbolicShapes.cpp - Shape arithmetic on dynamic dimensions --------===//
//
// Part of qopt. Exporters compute reshape targets from the input's shape:
// Shape -> Gather/Slice -> (Mul, Concat, Unsqueeze, Equal/Where...) ->
// Reshape/Expand/ConstantOfShape. With static shapes these fold to
// constants; with a dynamic batch they are small integer vectors some of
// whose elements are run-time values. This file evaluates them element by
// element at import time: each element is a constant or an `index` SSA
// value (tensor.dim, arith), so the consumers see exactly which dimensions
// are dynamic and, where they can be proven equal to the input's, keep the
// others static (`x.view(x.size(0), -1)` stays [?, 512]). The vectors are
// also materialized as ordinary tensors for any other consumer.
//
// The Importer calls trySymbolic() before a node's handler; it returns
// failure(), having done nothing, when the node is not shape arithmetic on
// a symbolic vector.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "qopt/Dialect/QNN/IR/QNN.h"
#include "qopt/Dialect/QNN/Utils/ShapeOrigin.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

using namespace mlir;
using namespace qopt::onnx_import;

namespace {

using Elems = SmallVector<OpFoldResult>;

/// The elements of a symbolic or constant integer vector input.
std::optional<SymbolicVector> symOf(Importer &im, StringRef name) {
  if (auto s = im.getSymbolic(name))
    return *s;
  RankedTensorType t = im.typeOf(name);
  if (!isa<IntegerType>(t.getElementType()) || t.getRank() > 1)
    return std::nullopt;
  auto ints = im.getConstInts(name);
  if (!ints || ints->size() > 64)
    return std::nullopt;
  SymbolicVector v;
  v.scalar = t.getRank() == 0;
  v.elementType = t.getElementType();
  for (int64_t i : *ints)
    v.elems.push_back(im.builder.getI64IntegerAttr(i));
  return v;
}

Value asIndex(Importer &im, Location loc, OpFoldResult e) {
  if (auto v = dyn_cast<Value>(e))
    return v;
  return arith::ConstantIndexOp::create(
      im.builder, loc, cast<IntegerAttr>(cast<Attribute>(e)).getInt());
}

/// a (op) b on elements, folded when both are constants.
OpFoldResult binaryElem(Importer &im, Location loc, char op, OpFoldResult a,
                        OpFoldResult b) {
  auto ca = getConstantIntValue(a), cb = getConstantIntValue(b);
  if (ca && cb) {
    int64_t x = *ca, y = *cb, r = 0;
    switch (op) {
    case '+': r = x + y; break;
    case '-': r = x - y; break;
    case '*': r = x * y; break;
    case '/': r = y ? x / y : 0; break;
    case '=': r = x == y; break;
    }
    return im.builder.getI64IntegerAttr(r);
  }
  // x * 1, x + 0 keep x (and its provenance).
  if ((op == '*' && cb == 1) || ((op == '+' || op == '-') && cb == 0))
    return a;
  if ((op == '*' && ca == 1) || (op == '+' && ca == 0))
    return b;
  OpBuilder &bb = im.builder;
  Value x = asIndex(im, loc, a), y = asIndex(im, loc, b);
  switch (op) {
  case '+': return arith::AddIOp::create(bb, loc, x, y).getResult();
  case '-': return arith::SubIOp::create(bb, loc, x, y).getResult();
  case '*': return arith::MulIOp::create(bb, loc, x, y).getResult();
  case '/': return arith::DivSIOp::create(bb, loc, x, y).getResult();
  default: {
    // A dynamic dimension compared with a negative constant (torch's
    // "-1 means keep" test) is false: sizes are never negative.
    if ((ca && *ca < 0) || (cb && *cb < 0))
      return bb.getI64IntegerAttr(0);
    Value c = arith::CmpIOp::create(bb, loc, arith::CmpIPredicate::eq, x, y);
    return arith::IndexCastUIOp::create(bb, loc, bb.getIndexType(), c)
        .getResult();
  }
  }
}

/// Broadcast two vectors elementwise (scalars and 1-element vectors
/// broadcast); nullopt if the lengths are incompatible.
std::optional<SymbolicVector> zipElems(Importer &im, Location loc, char op,
                                       const SymbolicVector &a,
                                       const SymbolicVector &b) {
  size_t n = std::max(a.elems.size(), b.elems.size());
  if ((a.elems.size() != n && a.elems.size() != 1) ||
      (b.elems.size() != n && b.elems.size() != 1))
    return std::nullopt;
  SymbolicVector r;
  r.scalar = a.scalar && b.scalar;
  r.elementType = a.elementType;
  for (size_t i = 0; i < n; ++i)
    r.elems.push_back(binaryElem(im, loc, op,
                                 a.elems[a.elems.size() == 1 ? 0 : i],
                                 b.elems[b.elems.size() == 1 ? 0 : i]));
  return r;
}

bool isSym(Importer &im, const onnx::NodeProto &node, int i) {
  return im.hasInput(node, i) && im.getSymbolic(node.input(i));
}

/// The size of dimension `d` of `v` as an element.
OpFoldResult dimElem(Importer &im, Location loc, Value v, int64_t d) {
  auto t = cast<RankedTensorType>(v.getType());
  if (!t.isDynamicDim(d))
    return im.builder.getI64IntegerAttr(t.getDimSize(d));
  return im.dimOf(loc, v, d);
}

/// Whether element `e` is provably dimension `d` of `v` at run time.
bool isDimOf(OpFoldResult e, Value v, int64_t d) {
  auto val = dyn_cast<Value>(e);
  auto dim = val ? val.getDefiningOp<tensor::DimOp>() : nullptr;
  if (!dim || !dim.getConstantIndex())
    return false;
  if (dim.getSource() == v && dim.getConstantIndex() == d)
    return true;
  return qnn::dimensionOrigin(dim.getSource(), *dim.getConstantIndex()) ==
         qnn::dimensionOrigin(v, d);
}

LogicalResult symbolicReshape(Importer &im, const onnx::NodeProto &node,
                              const SymbolicVector &target) {
  Location loc = im.nodeLoc(node);
  OpBuilder &b = im.builder;
  Value x = im.get(node.input(0));
  auto xt = cast<RankedTensorType>(x.getType());
  bool allowZero = getInt(node, "allowzero", 0);
  SmallVector<OpFoldResult> dims;
  int infer = -1;
  for (auto [i, e] : llvm::enumerate(target.elems)) {
    auto c = getConstantIntValue(e);
    if (c && *c == 0 && !allowZero) {
      if ((int64_t)i >= xt.getRank())
        return im.nodeError(node) << "shape entry " << i
                                  << " copies a dimension the input does not "
                                     "have";
      dims.push_back(dimElem(im, loc, x, i));
    } else if (c && *c == -1) {
      if (infer >= 0)
        return im.nodeError(node) << "shape has more than one -1";
      infer = i;
      dims.push_back(OpFoldResult());
    } else if (c && *c < 0) {
      return im.nodeError(node) << "invalid shape entry " << *c;
    } else {
      dims.push_back(e);
    }
  }
  if (infer >= 0) {
    // Static if every dynamic input dimension is matched by a target
    // element that is that very dimension.
    int64_t inStatic = 1, outStatic = 1;
    bool provable = true;
    SmallVector<bool> used(dims.size(), false);
    for (int64_t d = 0; d < xt.getRank(); ++d) {
      if (!xt.isDynamicDim(d)) {
        inStatic *= xt.getDimSize(d);
        continue;
      }
      bool found = false;
      for (auto [i, e] : llvm::enumerate(dims))
        if ((int)i != infer && !used[i] && e && isDimOf(e, x, d)) {
          used[i] = found = true;
          break;
        }
      provable &= found;
    }
    for (auto [i, e] : llvm::enumerate(dims)) {
      if ((int)i == infer || used[i])
        continue;
      auto c = getConstantIntValue(e);
      if (!c)
        provable = false;
      else
        outStatic *= *c;
    }
    if (provable && outStatic > 0 && inStatic % outStatic == 0) {
      dims[infer] = b.getI64IntegerAttr(inStatic / outStatic);
    } else {
      // numel(x) / product of the others, at run time.
      Value n = arith::ConstantIndexOp::create(b, loc, 1);
      for (int64_t d = 0; d < xt.getRank(); ++d)
        n = arith::MulIOp::create(b, loc, n, asIndex(im, loc, dimElem(im, loc, x, d)));
      Value p = arith::ConstantIndexOp::create(b, loc, 1);
      for (auto [i, e] : llvm::enumerate(dims))
        if ((int)i != infer)
          p = arith::MulIOp::create(b, loc, p, asIndex(im, loc, e));
      p = arith::MaxSIOp::create(b, loc, p,
                                 arith::ConstantIndexOp::create(b, loc, 1));
      dims[infer] = arith::DivSIOp::create(b, loc, n, p).getResult();
    }
  }
  SmallVector<int64_t> shape;
  for (OpFoldResult e : dims) {
    auto c = getConstantIntValue(e);
    shape.push_back(c ? *c : kDyn);
  }
  auto outType = RankedTensorType::get(shape, xt.getElementType());
  if (outType.getNumDynamicDims() <= 1 && xt.getNumDynamicDims() <= 1) {
    // One dynamic dimension on each side: qnn.reshape infers it (and keeps
    // quantization parameters).
    im.set(node, im.reshapeTo(loc, x, shape));
    return success();
  }
  SmallVector<Value> sizes;
  for (OpFoldResult e : dims)
    sizes.push_back(asIndex(im, loc, e));
  Value shapeT = tensor::FromElementsOp::create(
      b, loc, RankedTensorType::get({(int64_t)sizes.size()}, b.getIndexType()),
      sizes);
  im.set(node, tensor::ReshapeOp::create(b, loc, outType, x, shapeT));
  return success();
}

} // namespace

//===----------------------------------------------------------------------===//
// Importer
//===----------------------------------------------------------------------===//

Value Importer::dimOf(Location loc, Value v, int64_t d) {
  // One tensor.dim per (value, dimension): provenance checks compare values.
  auto key = std::make_pair(v.getAsOpaquePointer(), d);
  auto it = dimCache.find(key);
  if (it != dimCache.end() && it->second.getParentBlock() ==
                                  builder.getInsertionBlock())
    return it->second;
  Value r = tensor::DimOp::create(builder, loc, v, d);
  dimCache[key] = r;
  return r;
}

const SymbolicVector *Importer::getSymbolic(StringRef name) const {
  auto it = symbolic.find(name);
  return it == symbolic.end() ? nullptr : &it->second;
}

void Importer::setSymbolic(const onnx::NodeProto &node, SymbolicVector v,
                           unsigned i) {
  if (i >= (unsigned)node.output_size() || node.output(i).empty())
    return;
  Location loc = nodeLoc(node);
  int64_t n = v.elems.size();
  auto type = RankedTensorType::get(v.scalar ? ArrayRef<int64_t>{}
                                             : ArrayRef<int64_t>{n},
                                    v.elementType);
  if (llvm::all_of(v.elems, [](OpFoldResult e) {
        return getConstantIntValue(e).has_value();
      })) {
    SmallVector<APInt> vals;
    for (OpFoldResult e : v.elems)
      vals.push_back(APInt(v.elementType.getIntOrFloatBitWidth(),
                           *getConstantIntValue(e), /*isSigned=*/true,
                           /*implicitTrunc=*/true));
    setConst(node, DenseElementsAttr::get(type, vals), i);
    return;
  }
  SmallVector<Value> vals;
  for (OpFoldResult e : v.elems) {
    Value x = asIndex(*this, loc, e);
    vals.push_back(v.elementType.isInteger(1)
                       ? (Value)arith::CmpIOp::create(
                             builder, loc, arith::CmpIPredicate::ne, x,
                             arith::ConstantIndexOp::create(builder, loc, 0))
                       : (Value)arith::IndexCastOp::create(
                             builder, loc, v.elementType, x));
  }
  values[node.output(i)] = tensor::FromElementsOp::create(builder, loc, type, vals);
  symbolic[node.output(i)] = std::move(v);
}

LogicalResult Importer::trySymbolic(const onnx::NodeProto &node) {
  StringRef op = node.op_type();
  Location loc = nodeLoc(node);
  auto anySym = [&] {
    for (int i = 0; i < node.input_size(); ++i)
      if (isSym(*this, node, i))
        return true;
    return false;
  };
  // Shape of a tensor with dynamic dimensions starts a symbolic vector.
  if (op == "Shape" && node.input_size() == 1 && has(node.input(0)) &&
      !typeOf(node.input(0)).hasStaticShape()) {
    Value x = get(node.input(0));
    int64_t rank = typeOf(node.input(0)).getRank();
    int64_t start = getInt(node, "start", 0), end = getInt(node, "end", rank);
    if (start < 0)
      start += rank;
    if (end < 0)
      end += rank;
    start = std::clamp<int64_t>(start, 0, rank);
    end = std::clamp<int64_t>(end, start, rank);
    SymbolicVector v{{}, false, builder.getI64Type()};
    for (int64_t d = start; d < end; ++d)
      v.elems.push_back(dimElem(*this, loc, x, d));
    setSymbolic(node, std::move(v));
    return success();
  }
  if (!anySym())
    return failure();
  for (int i = 0; i < node.input_size(); ++i)
    if (!node.input(i).empty() && !has(node.input(i)))
      return failure(); // the handler reports it
  // Every form below reads fixed input positions: check the arity first.
  auto arity = [&](int min, int max) {
    return node.input_size() >= min && node.input_size() <= max;
  };
  if ((op == "Identity" || op == "Cast") && arity(1, 1) && isSym(*this, node, 0)) {
    SymbolicVector v = *getSymbolic(node.input(0));
    if (op == "Cast") {
      auto to = elementType(getInt(node, "to", 0), loc);
      if (failed(to) || !isa<IntegerType>(*to) || (*to).isInteger(1))
        return failure();
      v.elementType = *to;
    }
    setSymbolic(node, std::move(v));
    return success();
  }
  if ((op == "Unsqueeze" || op == "Squeeze") && arity(1, 2) &&
      isSym(*this, node, 0)) {
    SymbolicVector v = *getSymbolic(node.input(0));
    if (op == "Unsqueeze" && v.scalar)
      v.scalar = false;
    else if (op == "Squeeze" && !v.scalar && v.elems.size() == 1)
      v.scalar = true;
    else
      return failure();
    setSymbolic(node, std::move(v));
    return success();
  }
  if (op == "Gather" && arity(2, 2) && isSym(*this, node, 0) &&
      getInt(node, "axis", 0) == 0) {
    const SymbolicVector &data = *getSymbolic(node.input(0));
    auto idx = getConstInts(node.input(1));
    if (!idx)
      return failure();
    SymbolicVector v{{}, typeOf(node.input(1)).getRank() == 0,
                     data.elementType};
    int64_t n = data.elems.size();
    for (int64_t i : *idx) {
      if (i < -n || i >= n)
        return nodeError(node) << "index " << i << " is out of range";
      v.elems.push_back(data.elems[i < 0 ? i + n : i]);
    }
    setSymbolic(node, std::move(v));
    return success();
  }
  // Slice: starts/ends as inputs (opset 10+) or attributes (before).
  bool sliceInputs = op == "Slice" && arity(3, 5) && isSym(*this, node, 0) &&
                     !node.input(1).empty() && !node.input(2).empty();
  bool sliceAttrs = op == "Slice" && arity(1, 1) && isSym(*this, node, 0);
  if (sliceInputs || sliceAttrs) {
    const SymbolicVector &data = *getSymbolic(node.input(0));
    std::optional<SmallVector<int64_t>> s, e, st;
    if (sliceInputs) {
      s = getConstInts(node.input(1));
      e = getConstInts(node.input(2));
      if (hasInput(node, 4))
        st = getConstInts(node.input(4));
    } else {
      s = getInts(node, "starts");
      e = getInts(node, "ends");
    }
    if (!s || !e || s->size() != 1 || e->size() != 1 ||
        (hasInput(node, 4) && (!st || (*st)[0] != 1)))
      return failure();
    int64_t n = data.elems.size();
    int64_t b0 = (*s)[0] < 0 ? (*s)[0] + n : (*s)[0];
    int64_t e0 = (*e)[0] < 0 ? (*e)[0] + n : (*e)[0];
    b0 = std::clamp<int64_t>(b0, 0, n);
    e0 = std::clamp<int64_t>(e0, b0, n);
    SymbolicVector v{{}, false, data.elementType};
    v.elems.append(data.elems.begin() + b0, data.elems.begin() + e0);
    setSymbolic(node, std::move(v));
    return success();
  }
  if (op == "Concat" && arity(1, 1 << 20) &&
      llvm::none_of(node.input(), [](const std::string &i) { return i.empty(); })) {
    SymbolicVector v{{}, false, Type()};
    for (const auto &in : node.input()) {
      auto s = symOf(*this, in);
      if (!s || s->scalar)
        return failure();
      v.elementType = s->elementType;
      v.elems.append(s->elems);
    }
    setSymbolic(node, std::move(v));
    return success();
  }
  if ((op == "Add" || op == "Sub" || op == "Mul" || op == "Div" ||
       op == "Equal") &&
      arity(2, 2) && !node.input(0).empty() && !node.input(1).empty()) {
    auto a = symOf(*this, node.input(0)), b = symOf(*this, node.input(1));
    if (!a || !b)
      return failure();
    char c = op == "Add" ? '+' : op == "Sub" ? '-' : op == "Mul" ? '*'
             : op == "Div" ? '/' : '=';
    auto r = zipElems(*this, loc, c, *a, *b);
    if (!r)
      return failure();
    if (op == "Equal")
      r->elementType = builder.getI1Type();
    setSymbolic(node, std::move(*r));
    return success();
  }
  if (op == "Where" && arity(3, 3) &&
      llvm::none_of(node.input(), [](const std::string &i) { return i.empty(); })) {
    auto c = symOf(*this, node.input(0)), a = symOf(*this, node.input(1)),
         b = symOf(*this, node.input(2));
    if (!c || !a || !b)
      return failure();
    size_t n = std::max({c->elems.size(), a->elems.size(), b->elems.size()});
    SymbolicVector r{{}, false, a->elementType};
    auto at = [&](const SymbolicVector &v, size_t i) {
      return v.elems[v.elems.size() == 1 ? 0 : i];
    };
    for (size_t i = 0; i < n; ++i) {
      auto cc = getConstantIntValue(at(*c, i));
      if (cc) {
        r.elems.push_back(*cc ? at(*a, i) : at(*b, i));
        continue;
      }
      Value cond = arith::CmpIOp::create(
          builder, loc, arith::CmpIPredicate::ne, asIndex(*this, loc, at(*c, i)),
          arith::ConstantIndexOp::create(builder, loc, 0));
      r.elems.push_back(arith::SelectOp::create(builder, loc, cond,
                                                asIndex(*this, loc, at(*a, i)),
                                                asIndex(*this, loc, at(*b, i)))
                            .getResult());
    }
    setSymbolic(node, std::move(r));
    return success();
  }
  if (op == "Reshape" && arity(2, 2) && !node.input(0).empty() &&
      isSym(*this, node, 1))
    return symbolicReshape(*this, node, *getSymbolic(node.input(1)));
  if (op == "Reshape" && arity(2, 2) && !node.input(1).empty() &&
      isSym(*this, node, 0)) {
    // A reshape of the vector itself (to [-1], [n] or a scalar).
    SymbolicVector v = *getSymbolic(node.input(0));
    auto t = getConstInts(node.input(1));
    if (!t || t->size() > 1)
      return failure();
    v.scalar = t->empty();
    setSymbolic(node, std::move(v));
    return success();
  }
  if (op == "ConstantOfShape" && arity(1, 1) && isSym(*this, node, 0)) {
    const SymbolicVector &s = *getSymbolic(node.input(0));
    Attribute value = builder.getF32FloatAttr(0.0f);
    if (const auto *a = findAttr(node, "value")) {
      auto attr = tensorToAttr(a->t(), loc);
      if (failed(attr) || attr->getNumElements() != 1)
        return failure();
      value = *attr->getValues<Attribute>().begin();
    }
    SmallVector<int64_t> shape;
    SmallVector<Value> dyn;
    for (OpFoldResult e : s.elems) {
      auto c = getConstantIntValue(e);
      shape.push_back(c ? *c : kDyn);
      if (!c)
        dyn.push_back(cast<Value>(e));
    }
    Value init = tensor::EmptyOp::create(builder, loc, shape,
                                         cast<TypedAttr>(value).getType(), dyn);
    Value fill = arith::ConstantOp::create(builder, loc, cast<TypedAttr>(value));
    set(node, linalg::FillOp::create(builder, loc, fill, init).result());
    return success();
  }
  if (op == "Expand" && arity(2, 2) && !node.input(0).empty() &&
      isSym(*this, node, 1)) {
    const SymbolicVector &s = *getSymbolic(node.input(1));
    Value x = get(node.input(0));
    auto xt = cast<RankedTensorType>(x.getType());
    int64_t rank = std::max<int64_t>(xt.getRank(), s.elems.size());
    SmallVector<int64_t> shape;
    SmallVector<Value> dyn;
    SmallVector<AffineExpr> exprs;
    for (int64_t i = 0; i < rank; ++i) {
      int64_t xi = i - (rank - xt.getRank());
      int64_t si = i - (rank - (int64_t)s.elems.size());
      int64_t a = xi >= 0 ? xt.getDimSize(xi) : 1;
      OpFoldResult e = si >= 0 ? s.elems[si] : builder.getI64IntegerAttr(1);
      auto c = getConstantIntValue(e);
      if (a != 1) { // x's size wins (ONNX broadcasting)
        shape.push_back(a);
        if (a == kDyn)
          dyn.push_back(dimOf(loc, x, xi));
      } else if (c) {
        shape.push_back(*c);
      } else {
        shape.push_back(kDyn);
        dyn.push_back(cast<Value>(e));
      }
      if (xi >= 0)
        exprs.push_back(a == 1 && shape.back() != 1
                            ? builder.getAffineConstantExpr(0)
                            : builder.getAffineDimExpr(i));
    }
    auto outType = RankedTensorType::get(shape, xt.getElementType());
    Value init = tensor::EmptyOp::create(builder, loc, shape,
                                         xt.getElementType(), dyn);
    auto g = linalg::GenericOp::create(
        builder, loc, outType, ValueRange{x}, ValueRange{init},
        ArrayRef<AffineMap>{AffineMap::get(rank, 0, exprs, ctx),
                            builder.getMultiDimIdentityMap(rank)},
        SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
        [](OpBuilder &b, Location l, ValueRange a) {
          linalg::YieldOp::create(b, l, a[0]);
        });
    set(node, g.getResult(0));
    return success();
  }
  return failure();
}
