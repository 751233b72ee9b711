//===- ShapeOps.cpp - ONNX data movement and shape ops --------------------===//
//
// Part of qopt. Reshape, Flatten, Squeeze, Unsqueeze, Transpose, Concat, Pad,
// Shape, Gather and Identity; on constants they fold.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "qopt/Dialect/QNN/IR/QNN.h"
#include "qopt/Dialect/QNN/Utils/ConstantUtils.h"
#include "qopt/Support/Sizes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Traits.h"

using namespace mlir;
using namespace mlir::qnn;
using namespace qopt::onnx_import;

static LogicalResult importFlatten(Importer &im, const onnx::NodeProto &node) {
  if (failed(im.requireInputs(node, 1, 1)))
    return failure();
  RankedTensorType xt = im.typeOf(node.input(0));
  int64_t rank = xt.getRank(), axis = getInt(node, "axis", 1);
  if (axis < -rank || axis > rank)
    return im.nodeError(node)
           << "axis " << axis << " is out of range for rank " << rank;
  if (axis < 0)
    axis += rank;
  auto outType = RankedTensorType::get(
      FlattenOp::inferShape(xt.getShape(), axis), xt.getElementType());
  if (ElementsAttr c = im.getConst(node.input(0))) {
    if (auto dense = dyn_cast<DenseElementsAttr>(c)) {
      im.setConst(node, dense.reshape(outType));
      return success();
    }
  }
  Value x = im.get(node.input(0));
  im.set(node, FlattenOp::create(im.builder, im.nodeLoc(node), outType, x,
                                 im.builder.getI64IntegerAttr(axis)));
  return success();
}

static LogicalResult importReshape(Importer &im, const onnx::NodeProto &node) {
  if (failed(im.requireInputs(node, 2, 2)))
    return failure();
  auto target = im.getConstInts(node.input(1));
  if (!target)
    return im.unsupported(node, "a shape input that is not a constant");
  RankedTensorType xt = im.typeOf(node.input(0));
  bool allowZero = getInt(node, "allowzero", 0);
  SmallVector<int64_t> shape;
  int inferIndex = -1;
  for (auto [i, d] : llvm::enumerate(*target)) {
    if (d == 0 && !allowZero) {
      if ((int64_t)i >= xt.getRank())
        return im.nodeError(node)
               << "shape entry " << i
               << " copies a dimension the input does not have";
      shape.push_back(xt.getDimSize(i));
    } else if (d == -1) {
      if (inferIndex >= 0)
        return im.nodeError(node) << "shape has more than one -1";
      inferIndex = i;
      shape.push_back(kDyn);
    } else if (d < 0) {
      return im.nodeError(node) << "invalid shape entry " << d;
    } else {
      shape.push_back(d);
    }
  }
  if (inferIndex >= 0) {
    // Dynamic dimensions copied by a 0 entry cancel out: -1 is the ratio of
    // the remaining static sizes ([N, 8, 2, 32] to [0, 0, -1] is [N, 8, 64]).
    int64_t known = 1, inStatic = 1;
    bool dynamicOther = false;
    SmallVector<bool> copied(xt.getRank(), false);
    for (auto [i, d] : llvm::enumerate(*target))
      if (d == 0 && !allowZero && (int64_t)i < xt.getRank())
        copied[i] = true;
    for (int64_t d = 0; d < xt.getRank(); ++d) {
      if (copied[d])
        continue;
      if (xt.isDynamicDim(d))
        dynamicOther = true;
      else
        inStatic *= xt.getDimSize(d);
    }
    for (auto [i, d] : llvm::enumerate(shape))
      if ((int)i != inferIndex && !((int64_t)i < xt.getRank() && copied[i])) {
        if (d == kDyn)
          dynamicOther = true;
        else
          known *= d;
      }
    if (!dynamicOther) {
      if (known == 0 || inStatic % known != 0)
        return im.nodeError(node) << "cannot reshape " << xt << " to "
                                  << (*target).size() << "-D shape";
      shape[inferIndex] = inStatic / known;
    }
  }
  auto outType = RankedTensorType::get(shape, xt.getElementType());
  if (outType.hasStaticShape() && xt.hasStaticShape() &&
      outType.getNumElements() != xt.getNumElements())
    return im.nodeError(node) << "cannot reshape " << xt << " to " << outType;
  if (auto dense =
          im.getDenseConst(node.input(0)))
    if (outType.hasStaticShape()) {
      im.setConst(node, dense.reshape(outType));
      return success();
    }
  if (outType.getNumDynamicDims() > 1)
    return im.unsupported(node, "a result with several dynamic dimensions; fix "
                                "the input shapes with --input-shape");
  Value x = im.get(node.input(0));
  im.set(node, ReshapeOp::create(im.builder, im.nodeLoc(node), outType, x));
  return success();
}

/// Squeeze / Unsqueeze; `axesAsInput` from opset 13 (an attribute before).
static LogicalResult importSqueeze(Importer &im, const onnx::NodeProto &node,
                                   bool unsqueeze, bool axesAsInput) {
  if (failed(im.requireInputs(node, 1, 2)))
    return failure();
  std::optional<SmallVector<int64_t>> axes;
  if (!axesAsInput)
    axes = getInts(node, "axes");
  else if (im.hasInput(node, 1)) {
    axes = im.getConstInts(node.input(1));
    if (!axes)
      return im.unsupported(node, "axes that are not a constant");
  }
  RankedTensorType xt = im.typeOf(node.input(0));
  SmallVector<int64_t> shape;
  if (unsqueeze) {
    if (!axes)
      return im.nodeError(node) << "missing axes";
    int64_t outRank = xt.getRank() + axes->size();
    SmallVector<bool> isNew(outRank, false);
    for (int64_t a : *axes) {
      if (a < -outRank || a >= outRank)
        return im.nodeError(node) << "axis " << a << " is out of range";
      if (isNew[a < 0 ? a + outRank : a])
        return im.nodeError(node) << "axis " << a << " is repeated";
      isNew[a < 0 ? a + outRank : a] = true;
    }
    int64_t j = 0;
    for (int64_t i = 0; i < outRank; ++i)
      shape.push_back(isNew[i] ? 1 : xt.getDimSize(j++));
  } else {
    SmallVector<bool> drop(xt.getRank(), false);
    if (axes) {
      for (int64_t a : *axes) {
        if (a < -xt.getRank() || a >= xt.getRank())
          return im.nodeError(node) << "axis " << a << " is out of range";
        int64_t d = a < 0 ? a + xt.getRank() : a;
        if (xt.getDimSize(d) != 1)
          return im.nodeError(node) << "cannot squeeze dimension " << d
                                    << " of size " << xt.getDimSize(d);
        drop[d] = true;
      }
    } else {
      for (int64_t d = 0; d < xt.getRank(); ++d)
        drop[d] = xt.getDimSize(d) == 1;
    }
    for (int64_t d = 0; d < xt.getRank(); ++d)
      if (!drop[d])
        shape.push_back(xt.getDimSize(d));
  }
  auto outType = RankedTensorType::get(shape, xt.getElementType());
  if (auto dense =
          im.getDenseConst(node.input(0))) {
    im.setConst(node, dense.reshape(outType));
    return success();
  }
  im.set(node, im.reshapeTo(im.nodeLoc(node), im.get(node.input(0)), shape));
  return success();
}

static LogicalResult importTranspose(Importer &im,
                                     const onnx::NodeProto &node) {
  if (failed(im.requireInputs(node, 1, 1)))
    return failure();
  RankedTensorType xt = im.typeOf(node.input(0));
  SmallVector<int64_t> perm;
  if (auto p = getInts(node, "perm"))
    perm = *p;
  else
    for (int64_t i = xt.getRank() - 1; i >= 0; --i)
      perm.push_back(i);
  SmallVector<bool> seen(xt.getRank(), false);
  if ((int64_t)perm.size() != xt.getRank())
    return im.nodeError(node) << "perm has " << perm.size()
                              << " entries for rank " << xt.getRank();
  for (int64_t p : perm) {
    if (p < 0 || p >= xt.getRank() || seen[p])
      return im.nodeError(node) << "perm is not a permutation";
    seen[p] = true;
  }
  // Small constants (shape arithmetic) fold.
  if (auto dense =
          im.getDenseConst(node.input(0));
      dense && xt.hasStaticShape() &&
      dense.getNumElements() <= kMaxFoldElements) {
    SmallVector<int64_t> shape;
    for (int64_t p : perm)
      shape.push_back(xt.getDimSize(p));
    auto outType = RankedTensorType::get(shape, xt.getElementType());
    if (dense.isSplat()) {
      im.setConst(node, dense.reshape(outType));
      return success();
    }
    SmallVector<Attribute> vals(dense.getValues<Attribute>()), out;
    SmallVector<int64_t> idx(shape.size(), 0), strides(xt.getRank(), 1);
    for (int64_t d = xt.getRank() - 2; d >= 0; --d)
      strides[d] = strides[d + 1] * xt.getDimSize(d + 1);
    for (int64_t n = 0; n < outType.getNumElements(); ++n) {
      int64_t src = 0;
      for (size_t d = 0; d < shape.size(); ++d)
        src += idx[d] * strides[perm[d]];
      out.push_back(vals[src]);
      for (int64_t d = shape.size() - 1; d >= 0; --d) {
        if (++idx[d] < shape[d])
          break;
        idx[d] = 0;
      }
    }
    im.setConst(node, DenseElementsAttr::get(outType, out));
    return success();
  }
  im.set(node, im.transpose(im.nodeLoc(node), im.get(node.input(0)), perm));
  return success();
}

static LogicalResult importConcat(Importer &im, const onnx::NodeProto &node) {
  // Variadic: every input is required (requireInputs only checks the first).
  if (failed(im.requireInputs(node, node.input_size(), node.input_size())) ||
      failed(im.requireInputs(node, 1, 1 << 20)))
    return failure();
  RankedTensorType first = im.typeOf(node.input(0));
  int64_t rank = first.getRank(), axis = getInt(node, "axis", 0);
  if (axis < -rank || axis >= rank)
    return im.nodeError(node)
           << "axis " << axis << " is out of range for rank " << rank;
  if (axis < 0)
    axis += rank;
  // Constant 1-D integer concatenation is shape arithmetic.
  bool allConstInts = rank == 1;
  SmallVector<int64_t> folded;
  for (const auto &in : node.input()) {
    auto v = im.getConstInts(in);
    if (!v) {
      allConstInts = false;
      break;
    }
    folded.append(v->begin(), v->end());
  }
  if (allConstInts && isa<IntegerType>(first.getElementType())) {
    auto t =
        RankedTensorType::get({(int64_t)folded.size()}, first.getElementType());
    SmallVector<APInt> vals;
    for (int64_t v : folded)
      vals.push_back(
          APInt(first.getElementType().getIntOrFloatBitWidth(), v, true));
    im.setConst(node, DenseElementsAttr::get(t, vals));
    return success();
  }
  // Constants of any rank (weights reordered by exporters) fold too.
  if (first.hasStaticShape() &&
      llvm::all_of(node.input(), [&](const std::string &in) {
        auto d = im.getDenseConst(in);
        return d && im.typeOf(in).hasStaticShape() &&
               im.typeOf(in).getRank() == rank &&
               im.typeOf(in).getElementType() == first.getElementType();
      })) {
    SmallVector<int64_t> shape(first.getShape());
    int64_t total = 0;
    bool fits = true;
    for (const auto &in : node.input()) {
      RankedTensorType t = im.typeOf(in);
      for (int64_t d = 0; d < rank; ++d)
        fits &= d == axis || t.getDimSize(d) == shape[d];
      std::optional<int64_t> n = qopt::checkedNumElements(t.getShape());
      if (!n || __builtin_add_overflow(total, *n, &total))
        fits = false;
    }
    if (fits && total <= kMaxFoldElements) {
      int64_t outer = 1, inner = 1;
      for (int64_t d = 0; d < axis; ++d)
        outer *= shape[d];
      for (int64_t d = axis + 1; d < rank; ++d)
        inner *= shape[d];
      SmallVector<SmallVector<Attribute>> parts;
      shape[axis] = 0;
      for (const auto &in : node.input()) {
        auto d = im.getDenseConst(in);
        if (__builtin_add_overflow(shape[axis], im.typeOf(in).getDimSize(axis),
                                   &shape[axis]))
          return im.nodeError(node)
                 << "the concatenated dimension overflows 64 bits";
        if (d.isSplat())
          parts.push_back(SmallVector<Attribute>(d.getNumElements(),
                                                 d.getSplatValue<Attribute>()));
        else
          parts.emplace_back(d.getValues<Attribute>());
      }
      SmallVector<Attribute> out;
      for (int64_t o = 0; o < outer; ++o)
        for (auto [k, in] : llvm::enumerate(node.input())) {
          int64_t chunk = im.typeOf(in).getDimSize(axis) * inner;
          out.append(parts[k].begin() + o * chunk,
                     parts[k].begin() + (o + 1) * chunk);
        }
      im.setConst(node, DenseElementsAttr::get(
                            RankedTensorType::get(shape, first.getElementType()),
                            out));
      return success();
    }
  }
  SmallVector<Value> inputs;
  SmallVector<int64_t> shape(first.getShape());
  shape[axis] = 0;
  for (const auto &in : node.input()) {
    RankedTensorType t = im.typeOf(in);
    if (t.getRank() != rank)
      return im.nodeError(node) << "input '" << in << "' has rank "
                                << t.getRank() << ", expected " << rank;
    if (shape[axis] == kDyn || t.getDimSize(axis) == kDyn) {
      shape[axis] = kDyn;
    } else if (__builtin_add_overflow(shape[axis], t.getDimSize(axis),
                                      &shape[axis])) {
      return im.nodeError(node)
             << "the concatenated dimension overflows 64 bits";
    }
    inputs.push_back(im.get(in));
  }
  im.set(node,
         ConcatOp::create(im.builder, im.nodeLoc(node),
                          RankedTensorType::get(shape, first.getElementType()),
                          inputs, im.builder.getI64IntegerAttr(axis)));
  return success();
}

/// Pad; `padsAsInputs` from opset 11 (pads and value were attributes).
static LogicalResult importPad(Importer &im, const onnx::NodeProto &node,
                               bool padsAsInputs) {
  if (failed(im.requireInputs(node, 1, 4)))
    return failure();
  std::optional<SmallVector<int64_t>> pads;
  float value = 0.0f;
  if (!padsAsInputs) {
    pads = getInts(node, "pads");
    value = getFloat(node, "value", 0.0f);
  } else {
    if (!im.hasInput(node, 1))
      return im.nodeError(node) << "missing pads input";
    pads = im.getConstInts(node.input(1));
    if (!pads)
      return im.unsupported(node, "pads that are not a constant");
    if (im.hasInput(node, 2)) {
      auto v = im.getConstFloats(node.input(2));
      if (!v || v->size() != 1)
        return im.unsupported(node, "a constant_value that is not a constant "
                                    "scalar");
      value = (*v)[0];
    }
  }
  if (!pads)
    return im.nodeError(node) << "missing pads";
  RankedTensorType xt = im.typeOf(node.input(0));
  if (padsAsInputs && im.hasInput(node, 3)) {
    // Opset 18: pads for the listed axes only.
    auto axes = im.getConstInts(node.input(3));
    if (!axes)
      return im.unsupported(node, "axes that are not a constant");
    int64_t rank = xt.getRank(), n = axes->size();
    if ((int64_t)pads->size() != 2 * n)
      return im.nodeError(node) << "pads has " << pads->size()
                                << " entries for " << n << " axes";
    SmallVector<int64_t> full(2 * rank, 0);
    for (int64_t i = 0; i < n; ++i) {
      int64_t a = (*axes)[i];
      if (a < -rank || a >= rank)
        return im.nodeError(node) << "axis " << a << " is out of range";
      if (a < 0)
        a += rank;
      full[a] = (*pads)[i];
      full[rank + a] = (*pads)[n + i];
    }
    pads = full;
  }
  if ((int64_t)pads->size() != 2 * xt.getRank())
    return im.nodeError(node) << "pads has " << pads->size()
                              << " entries, expected " << 2 * xt.getRank();
  if (llvm::any_of(*pads, [](int64_t p) { return p < 0; }))
    return im.unsupported(node, "negative pads (cropping)");
  std::string mode = getString(node, "mode", "constant");
  PadMode padMode;
  if (mode == "constant")
    padMode = PadMode::Constant;
  else if (mode == "reflect")
    padMode = PadMode::Reflect;
  else if (mode == "edge")
    padMode = PadMode::Edge;
  else
    return im.unsupported(node, "pad mode '" + mode + "'");
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < xt.getRank(); ++d) {
    int64_t s = xt.getDimSize(d), padded;
    if (s == kDyn) {
      shape.push_back(kDyn);
      continue;
    }
    int64_t widest = std::max((*pads)[d], (*pads)[d + xt.getRank()]);
    if (padMode == PadMode::Reflect && widest > 0 && widest >= s)
      return im.nodeError(node)
             << "reflect pad of " << widest << " on dimension " << d
             << " of size " << s << " (reflection pads at most size - 1)";
    if (padMode == PadMode::Edge && widest > 0 && s == 0)
      return im.nodeError(node) << "edge pad of the empty dimension " << d;
    if (__builtin_add_overflow(s, (*pads)[d], &padded) ||
        __builtin_add_overflow(padded, (*pads)[d + xt.getRank()], &padded))
      return im.nodeError(node) << "padded dimension " << d
                                << " overflows 64 bits";
    shape.push_back(padded);
  }
  Value x = im.get(node.input(0));
  im.set(node, PadOp::create(im.builder, im.nodeLoc(node),
                             RankedTensorType::get(shape, xt.getElementType()),
                             x, im.builder.getDenseI64ArrayAttr(*pads),
                             im.builder.getF32FloatAttr(value),
                             PadModeAttr::get(im.ctx, padMode)));
  return success();
}

static LogicalResult importShape(Importer &im, const onnx::NodeProto &node) {
  if (failed(im.requireInputs(node, 1, 1)))
    return failure();
  RankedTensorType xt = im.typeOf(node.input(0));
  int64_t rank = xt.getRank();
  int64_t start = getInt(node, "start", 0), end = getInt(node, "end", rank);
  if (start < 0)
    start += rank;
  if (end < 0)
    end += rank;
  start = std::clamp<int64_t>(start, 0, rank);
  end = std::clamp<int64_t>(end, start, rank);
  SmallVector<int64_t> dims(xt.getShape().slice(start, end - start));
  // Dynamic dimensions are handled symbolically before this handler runs
  // (SymbolicShapes.cpp); never fold a dynamic size into a constant.
  if (llvm::is_contained(dims, kDyn))
    return im.nodeError(node) << "internal error: dynamic dimensions reached "
                                 "the constant Shape handler";
  im.setConst(node, DenseElementsAttr::get(
                        RankedTensorType::get({(int64_t)dims.size()},
                                              IntegerType::get(im.ctx, 64)),
                        ArrayRef<int64_t>(dims)));
  return success();
}

static LogicalResult importGather(Importer &im, const onnx::NodeProto &node) {
  if (failed(im.requireInputs(node, 2, 2)))
    return failure();
  auto data = im.getDenseConst(node.input(0));
  auto indices = im.getConstInts(node.input(1));
  // A splat (ConstantOfShape) gathers to a splat of any size.
  if (data && data.isSplat() && im.typeOf(node.input(1)).hasStaticShape()) {
    auto dt = cast<RankedTensorType>(data.getType());
    auto it = im.typeOf(node.input(1));
    int64_t rank = dt.getRank(), axis = getInt(node, "axis", 0);
    if (axis < 0)
      axis += rank;
    if (axis < 0 || axis >= rank)
      return im.nodeError(node) << "axis is out of range";
    if (indices)
      for (int64_t i : *indices)
        if (i < -dt.getDimSize(axis) || i >= dt.getDimSize(axis))
          return im.nodeError(node) << "index " << i << " is out of range";
    SmallVector<int64_t> shape(dt.getShape().take_front(axis));
    shape.append(it.getShape().begin(), it.getShape().end());
    shape.append(dt.getShape().begin() + axis + 1, dt.getShape().end());
    if (!qopt::checkedByteSize(shape, kMaxElementBytes))
      return im.nodeError(node) << "result size overflows 64 bits";
    im.setConst(node, DenseElementsAttr::get(
                          RankedTensorType::get(shape, dt.getElementType()),
                          data.getSplatValue<Attribute>()));
    return success();
  }
  if (!data || !indices || data.getNumElements() > kMaxFoldElements)
    return importRuntimeGather(im, node);
  auto dt = cast<RankedTensorType>(data.getType());
  int64_t rank = dt.getRank(), axis = getInt(node, "axis", 0);
  if (axis < 0)
    axis += rank;
  if (axis < 0 || axis >= rank)
    return im.nodeError(node) << "axis is out of range";
  auto it = cast<RankedTensorType>(im.getConst(node.input(1)).getType());
  SmallVector<int64_t> shape(dt.getShape().take_front(axis));
  shape.append(it.getShape().begin(), it.getShape().end());
  shape.append(dt.getShape().begin() + axis + 1, dt.getShape().end());
  std::optional<int64_t> outElements = qopt::checkedNumElements(shape);
  if (!outElements)
    return im.nodeError(node) << "result size overflows 64 bits";
  if (*outElements > kMaxFoldElements)
    return importRuntimeGather(im, node);
  // The data holds at most kMaxFoldElements elements: no overflow below.
  int64_t outer = 1, inner = 1, dim = dt.getDimSize(axis);
  for (int64_t d = 0; d < axis; ++d)
    outer *= dt.getDimSize(d);
  for (int64_t d = axis + 1; d < rank; ++d)
    inner *= dt.getDimSize(d);
  SmallVector<Attribute> src(data.getValues<Attribute>());
  SmallVector<Attribute> out;
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t idx : *indices) {
      int64_t j = idx < 0 ? idx + dim : idx;
      if (j < 0 || j >= dim)
        return im.nodeError(node) << "index " << idx << " is out of range";
      for (int64_t i = 0; i < inner; ++i)
        out.push_back(src[(o * dim + j) * inner + i]);
    }
  im.setConst(node,
              DenseElementsAttr::get(
                  RankedTensorType::get(shape, dt.getElementType()), out));
  return success();
}

void qopt::onnx_import::registerShapeHandlers(HandlerTable &t) {
  t.onOp("Flatten", 1, importFlatten);
  t.onOp("Reshape", 1, importReshape);
  for (bool unsqueeze : {false, true}) {
    StringRef name = unsqueeze ? "Unsqueeze" : "Squeeze";
    t.onOp(name, 1, [unsqueeze](Importer &im, const onnx::NodeProto &n) {
      return importSqueeze(im, n, unsqueeze, /*axesAsInput=*/false);
    });
    t.onOp(name, 13, [unsqueeze](Importer &im, const onnx::NodeProto &n) {
      return importSqueeze(im, n, unsqueeze, /*axesAsInput=*/true);
    });
  }
  t.onOp("Transpose", 1, importTranspose);
  t.onOp("Concat", 1, importConcat);
  t.onOp("Pad", 1, [](Importer &im, const onnx::NodeProto &n) {
    return importPad(im, n, /*padsAsInputs=*/false);
  });
  t.onOp("Pad", 11, [](Importer &im, const onnx::NodeProto &n) {
    return importPad(im, n, /*padsAsInputs=*/true);
  });
  t.onOp("Shape", 1, importShape);
  t.onOp("Gather", 1, importGather);
  t.onOp("Identity", 1, [](Importer &im, const onnx::NodeProto &n) {
    if (failed(im.requireInputs(n, 1, 1)))
      return failure();
    if (ElementsAttr c = im.getConst(n.input(0)))
      im.setConst(n, c);
    else
      im.set(n, im.get(n.input(0)));
    return success();
  });
}
