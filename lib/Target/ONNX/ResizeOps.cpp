//===- ResizeOps.cpp - ONNX Resize and Upsample ---------------------------===//
//
// Part of qopt. Resize (opsets 10, 11, 13, 18, 19) and Upsample (7, 9) in
// nearest and linear modes, with every coordinate transformation mode but
// tf_crop_and_resize. The output size is static, so the source index (and for
// linear, the two neighbours and the weight) of each output coordinate along
// each resized axis is computed here, in double precision, into small
// constant tables; the run-time op is a linalg.generic that reads the table
// entries of its coordinates and gathers with tensor.extract.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"
#include "ScalarMath.h"

#include "qopt/Dialect/QNN/IR/QNN.h"
#include "qopt/Dialect/QNN/Utils/ShapeOrigin.h"
#include "qopt/Support/Sizes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

#include <array>
#include <cmath>

using namespace mlir;
using namespace qopt::onnx_import;
namespace sc = qopt::onnx_import::scalar;

namespace {

/// Per output coordinate of one axis: the source index and weight of each
/// tap (nearest 1, linear 2, cubic 4).
struct AxisTable {
  SmallVector<SmallVector<int64_t>> idx; ///< [tap][x]
  SmallVector<SmallVector<double>> w;    ///< [tap][x]
};

/// Keys' cubic convolution weights for the 4 taps around `frac`.
std::array<double, 4> cubicWeights(double frac, double a) {
  auto k = [a](double t) {
    t = std::fabs(t);
    if (t <= 1)
      return (a + 2) * t * t * t - (a + 3) * t * t + 1;
    if (t < 2)
      return a * t * t * t - 5 * a * t * t + 8 * a * t - 4 * a;
    return 0.0;
  };
  return {k(frac + 1), k(frac), k(1 - frac), k(2 - frac)};
}

FailureOr<double> sourceCoordinate(StringRef mode, int64_t x, int64_t in,
                                   int64_t out, double scale) {
  if (mode == "half_pixel")
    return (x + 0.5) / scale - 0.5;
  if (mode == "pytorch_half_pixel")
    return out > 1 ? (x + 0.5) / scale - 0.5 : 0.0;
  if (mode == "align_corners") {
    // The resized length is in * scale, unrounded (ONNX's reference).
    double len = double(in) * scale;
    return len == 1.0 ? 0.0 : x * double(in - 1) / (len - 1.0);
  }
  if (mode == "asymmetric")
    return x / scale;
  if (mode == "tf_half_pixel_for_nn")
    return (x + 0.5) / scale;
  return failure();
}

int64_t nearest(StringRef mode, double v) {
  if (mode == "floor")
    return (int64_t)std::floor(v);
  if (mode == "ceil")
    return (int64_t)std::ceil(v);
  double f = std::floor(v);
  if (v - f == 0.5)
    return mode == "round_prefer_ceil" ? (int64_t)f + 1 : (int64_t)f;
  return (int64_t)std::round(v);
}

LogicalResult importResize(Importer &im, const onnx::NodeProto &node,
                           int form) {
  // form 7: Upsample, scales attribute; 9: Upsample / Resize-10 (X, scales);
  // 11: Resize (X, roi, scales, sizes).
  if (failed(im.requireInputs(node, 1, form == 11 ? 4 : (form == 9 ? 2 : 1))))
    return failure();
  Location loc = im.nodeLoc(node);
  OpBuilder &b = im.builder;
  RankedTensorType xt = im.typeOf(node.input(0));
  int64_t rank = xt.getRank();
  std::string mode = getString(node, "mode", "nearest");
  if (mode == "bilinear") // Upsample's name for it
    mode = "linear";
  if (mode != "nearest" && mode != "linear" && mode != "cubic")
    return im.unsupported(node, "mode '" + mode + "'");
  double cubicA = getFloat(node, "cubic_coeff_a", -0.75f);
  bool excludeOutside = getInt(node, "exclude_outside", 0);
  std::string ctm = getString(node, "coordinate_transformation_mode",
                              form == 11 ? "half_pixel" : "asymmetric");
  std::string nearestMode = getString(node, "nearest_mode",
                                      form == 11 ? "round_prefer_floor"
                                                 : "floor");
  if (form != 11) // Upsample and Resize-10 floor the nearest index
    nearestMode = "floor";
  if (getInt(node, "antialias", 0))
    return im.unsupported(node, "antialias");
  if (getString(node, "keep_aspect_ratio_policy", "stretch") != "stretch")
    return im.unsupported(node, "keep_aspect_ratio_policy other than stretch");
  if (ctm == "tf_crop_and_resize")
    return im.unsupported(node, "coordinate_transformation_mode "
                                "tf_crop_and_resize");
  std::optional<SmallVector<double>> scales;
  std::optional<SmallVector<int64_t>> sizes;
  if (form == 7) {
    if (auto s = findAttr(node, "scales"))
      scales = SmallVector<double>(s->floats().begin(), s->floats().end());
  } else {
    int si = form == 11 ? 2 : 1;
    if (im.hasInput(node, si) && im.typeOf(node.input(si)).getNumElements()) {
      scales = im.getConstFloats(node.input(si));
      if (!scales)
        return im.unsupported(node, "scales computed at run time");
    }
    if (form == 11 && im.hasInput(node, 3)) {
      sizes = im.getConstInts(node.input(3));
      // Sizes computed from shapes with a dynamic batch: an element that
      // is provably the input's own (dynamic) dimension keeps it.
      if (const SymbolicVector *sym = im.getSymbolic(node.input(3));
          !sizes && sym && (int64_t)sym->elems.size() == rank) {
        Value x = im.get(node.input(0));
        sizes.emplace();
        for (auto [i, e] : llvm::enumerate(sym->elems)) {
          if (auto c = getConstantIntValue(e)) {
            sizes->push_back(*c);
            continue;
          }
          auto dim = dyn_cast<Value>(e).getDefiningOp<tensor::DimOp>();
          auto idx = dim ? dim.getConstantIndex() : std::nullopt;
          if (!idx || !xt.isDynamicDim(i) ||
              qnn::dimensionOrigin(dim.getSource(), *idx) !=
                  qnn::dimensionOrigin(x, i))
            return im.unsupported(node, "sizes computed at run time");
          sizes->push_back(kDyn);
        }
      }
      if (!sizes)
        return im.unsupported(node, "sizes computed at run time");
    }
  }
  SmallVector<int64_t> axes;
  if (auto a = getInts(node, "axes")) {
    for (int64_t v : *a)
      axes.push_back(v < 0 ? v + rank : v);
  } else {
    for (int64_t i = 0; i < rank; ++i)
      axes.push_back(i);
  }
  size_t given = sizes ? sizes->size() : (scales ? scales->size() : 0);
  if (given != axes.size())
    return im.nodeError(node) << "expects " << axes.size()
                              << " scales or sizes, got " << given;
  SmallVector<int64_t> outShape(xt.getShape());
  SmallVector<double> axisScale(rank, 1.0);
  for (size_t i = 0; i < axes.size(); ++i) {
    int64_t a = axes[i];
    if (a < 0 || a >= rank)
      return im.nodeError(node) << "axis out of range";
    int64_t in = xt.getDimSize(a);
    if (sizes) {
      int64_t o = (*sizes)[i];
      if (o == kDyn) // the input's own dynamic dimension
        continue;
      if (o <= 0 || o > qnn::kMaxWindowExtent)
        return im.nodeError(node) << "invalid size " << o;
      if (in == kDyn ? o != 1 : o != in) {
        if (in == kDyn)
          return im.unsupported(node, "resizing a dynamic dimension");
        axisScale[a] = double(o) / double(in);
      }
      outShape[a] = in == kDyn ? kDyn : o;
      continue;
    }
    double s = (*scales)[i];
    if (!(s > 0) || !std::isfinite(s))
      return im.nodeError(node) << "invalid scale " << s;
    if (s == 1.0)
      continue;
    if (in == kDyn)
      return im.unsupported(node, "resizing a dynamic dimension");
    double o = std::floor(in * s);
    if (o < 1 || o > qnn::kMaxWindowExtent)
      return im.nodeError(node) << "scale " << s << " gives output size " << o;
    outShape[a] = (int64_t)o;
    axisScale[a] = s;
  }
  if (!isa<FloatType>(xt.getElementType()) && mode != "nearest")
    return im.unsupported(node, mode + " resizing of integer tensors");
  if (!qopt::checkedByteSize(outShape, kMaxElementBytes))
    return im.nodeError(node) << "result size overflows 64 bits";
  // The index tables hold one entry per output coordinate of each resized
  // axis: bounded like folded constants.
  for (int64_t a = 0; a < rank; ++a)
    if (outShape[a] != xt.getDimSize(a) && outShape[a] > kMaxFoldElements)
      return im.unsupported(node, "a resized dimension of more than " +
                                      Twine(kMaxFoldElements) + " elements");
  // Per resized axis: index tables.
  SmallVector<int64_t> resized;
  SmallVector<AxisTable> tables;
  for (int64_t a = 0; a < rank; ++a) {
    if (outShape[a] == xt.getDimSize(a) && axisScale[a] == 1.0)
      continue;
    int64_t in = xt.getDimSize(a), out = outShape[a];
    AxisTable t;
    int taps = mode == "nearest" ? 1 : mode == "linear" ? 2 : 4;
    t.idx.resize(taps);
    t.w.resize(taps);
    for (int64_t x = 0; x < out; ++x) {
      auto c = sourceCoordinate(ctm, x, in, out, axisScale[a]);
      if (failed(c))
        return im.unsupported(node, "coordinate_transformation_mode '" + ctm +
                                        "'");
      if (mode == "nearest") {
        t.idx[0].push_back(
            std::clamp<int64_t>(nearest(nearestMode, *c), 0, in - 1));
        t.w[0].push_back(1.0);
      } else if (mode == "linear") {
        double v = std::clamp(*c, 0.0, double(in - 1));
        int64_t lo = (int64_t)std::floor(v);
        t.idx[0].push_back(lo);
        t.idx[1].push_back(std::min(lo + 1, in - 1));
        t.w[0].push_back(1.0 - (v - lo));
        t.w[1].push_back(v - lo);
      } else {
        // Cubic: taps at floor(c) - 1 .. floor(c) + 2, edge-clamped, or
        // dropped and the weights renormalized with exclude_outside.
        int64_t base = (int64_t)std::floor(*c);
        auto ws = cubicWeights(*c - base, cubicA);
        double sum = 0;
        for (int j = 0; j < 4; ++j) {
          int64_t src = base - 1 + j;
          bool outside = src < 0 || src >= in;
          if (excludeOutside && outside)
            ws[j] = 0;
          sum += ws[j];
          t.idx[j].push_back(std::clamp<int64_t>(src, 0, in - 1));
        }
        for (int j = 0; j < 4; ++j)
          t.w[j].push_back(excludeOutside && sum != 0 ? ws[j] / sum : ws[j]);
      }
    }
    resized.push_back(a);
    tables.push_back(std::move(t));
  }
  Value x = im.get(node.input(0));
  auto outType = RankedTensorType::get(outShape, xt.getElementType());
  SmallVector<Value> dyn;
  for (int64_t a = 0; a < rank; ++a)
    if (outShape[a] == kDyn)
      dyn.push_back(tensor::DimOp::create(b, loc, x, a));
  // Table operands: for each resized axis lo (and hi, w), read at d_axis.
  SmallVector<Value> ins;
  SmallVector<AffineMap> maps;
  Type et = xt.getElementType();
  int taps = tables.empty() ? 1 : tables[0].idx.size();
  for (auto [a, t] : llvm::zip(resized, tables)) {
    AffineMap m = AffineMap::get(rank, 0, b.getAffineDimExpr(a), im.ctx);
    for (int j = 0; j < taps; ++j) {
      auto it = RankedTensorType::get({(int64_t)t.idx[j].size()},
                                      b.getI64Type());
      ins.push_back(arith::ConstantOp::create(
          b, loc, DenseElementsAttr::get(it, ArrayRef<int64_t>(t.idx[j]))));
      maps.push_back(m);
    }
    if (mode == "nearest")
      continue;
    for (int j = 0; j < taps; ++j) {
      auto wt = RankedTensorType::get({(int64_t)t.w[j].size()}, et);
      SmallVector<Attribute> ws;
      for (double w : t.w[j])
        ws.push_back(FloatAttr::get(et, w));
      ins.push_back(arith::ConstantOp::create(b, loc,
                                              DenseElementsAttr::get(wt, ws)));
      maps.push_back(m);
    }
  }
  maps.push_back(b.getMultiDimIdentityMap(rank));
  Value init = tensor::EmptyOp::create(b, loc, outShape, et, dyn);
  auto g = linalg::GenericOp::create(
      b, loc, outType, ins, ValueRange{init}, maps,
      SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
      [&](OpBuilder &nb, Location l, ValueRange args) {
        SmallVector<Value> ivs;
        for (int64_t i = 0; i < rank; ++i)
          ivs.push_back(linalg::IndexOp::create(nb, l, i));
        auto idx = [&](Value v) {
          return (Value)arith::IndexCastOp::create(nb, l, nb.getIndexType(), v);
        };
        if (mode == "nearest") {
          SmallVector<Value> at(ivs);
          for (auto [k, a] : llvm::enumerate(resized))
            at[a] = idx(args[k]);
          linalg::YieldOp::create(nb, l,
                                  Value(tensor::ExtractOp::create(nb, l, x, at)));
          return;
        }
        // Linear and cubic: the sum over the taps^k corners of the value
        // times the product of its weights along the resized axes.
        size_t k = resized.size();
        int per = 2 * taps; // operands per axis: indices, then weights
        Value acc;
        uint64_t corners = 1;
        for (size_t j = 0; j < k; ++j)
          corners *= taps;
        for (uint64_t corner = 0; corner < corners; ++corner) {
          SmallVector<Value> at(ivs);
          Value weight;
          uint64_t rest = corner;
          for (size_t j = 0; j < k; ++j) {
            int tap = rest % taps;
            rest /= taps;
            at[resized[j]] = idx(args[per * j + tap]);
            Value w = args[per * j + taps + tap];
            weight = weight ? (Value)arith::MulFOp::create(nb, l, weight, w) : w;
          }
          Value v = tensor::ExtractOp::create(nb, l, x, at);
          Value term = weight ? (Value)arith::MulFOp::create(nb, l, v, weight) : v;
          acc = acc ? (Value)arith::AddFOp::create(nb, l, acc, term) : term;
        }
        linalg::YieldOp::create(nb, l, acc);
      });
  im.set(node, g.getResult(0));
  return success();
}

} // namespace

void qopt::onnx_import::registerResizeHandlers(HandlerTable &t) {
  t.onOp("Upsample", 7, [](Importer &im, const onnx::NodeProto &n) {
    return importResize(im, n, 7);
  });
  t.onOp("Upsample", 9, [](Importer &im, const onnx::NodeProto &n) {
    return importResize(im, n, 9);
  });
  t.onOp("Resize", 10, [](Importer &im, const onnx::NodeProto &n) {
    return importResize(im, n, 9);
  });
  t.onOp("Resize", 11, [](Importer &im, const onnx::NodeProto &n) {
    return importResize(im, n, 11);
  });
}
