//===- GridSampleOps.cpp - ONNX GridSample --------------------------------===//
//
// Part of qopt. GridSample (opsets 16 and 20) on 4-D NCHW input: each output
// pixel reads the input at the normalized position grid[n, y, x] = (gx, gy)
// in [-1, 1], with PyTorch's grid_sample semantics (ONNX's definition):
//
//   ix = ((gx + 1) / 2) * (W - 1)        align_corners = 1
//   ix = ((gx + 1) * W - 1) / 2          align_corners = 0
//
// padding_mode border clips the position into the image, reflection folds
// it back by the borders (about pixel centers with align_corners, about
// the image's edges without), zeros reads 0 outside. Modes: nearest (round
// half to even), bilinear, bicubic (Keys, A = -0.75, the padding applied to
// each of the 16 taps). Every read is clamped into the tensor.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"
#include "ScalarMath.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace qopt::onnx_import;
namespace sc = qopt::onnx_import::scalar;

namespace {

enum class Padding { Zeros, Border, Reflection };
enum class Mode { Nearest, Linear, Cubic };

/// Scalar code of one output element.
struct Sampler {
  OpBuilder &b;
  Location l;
  Type et;
  Value image;  // [N, C, H, W]
  Value n, c;   // index of the batch entry and channel
  Value h, w;   // H and W as index
  Value hf, wf; // H and W as et
  Padding padding;
  bool alignCorners;

  Value f(double v) { return sc::constant(b, l, et, v); }
  Value add(Value x, Value y) { return arith::AddFOp::create(b, l, x, y); }
  Value sub(Value x, Value y) { return arith::SubFOp::create(b, l, x, y); }
  Value mul(Value x, Value y) { return arith::MulFOp::create(b, l, x, y); }
  Value clip(Value x, Value hi) {
    return arith::MinimumFOp::create(
        b, l, arith::MaximumFOp::create(b, l, x, f(0)), hi);
  }

  Value unnormalize(Value g, Value size) {
    if (alignCorners)
      return mul(mul(add(g, f(1)), f(0.5)), sub(size, f(1)));
    return mul(sub(mul(add(g, f(1)), size), f(1)), f(0.5));
  }

  /// PyTorch's reflect_coordinates over [twiceLow / 2, twiceHigh / 2].
  Value reflect(Value x, Value twiceLow, Value twiceHigh) {
    Value lo = mul(twiceLow, f(0.5));
    Value span = mul(sub(twiceHigh, twiceLow), f(0.5));
    Value d = math::AbsFOp::create(b, l, sub(x, lo));
    Value extra = arith::RemFOp::create(b, l, d, span);
    Value flips =
        math::FloorOp::create(b, l, arith::DivFOp::create(b, l, d, span));
    Value odd =
        arith::CmpFOp::create(b, l, arith::CmpFPredicate::OEQ,
                              arith::RemFOp::create(b, l, flips, f(2)), f(1));
    Value r = arith::SelectOp::create(b, l, odd, add(sub(span, extra), lo),
                                      add(extra, lo));
    // An image of one pixel along the axis: span 0.
    Value empty =
        arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLE, span, f(0));
    return arith::SelectOp::create(b, l, empty, f(0), r);
  }

  /// The padding mode applied to a position along an axis of `size`.
  Value applyPadding(Value x, Value size) {
    Value last = sub(size, f(1));
    switch (padding) {
    case Padding::Zeros:
      return x;
    case Padding::Border:
      return clip(x, last);
    case Padding::Reflection:
      x = alignCorners ? reflect(x, f(0), mul(last, f(2)))
                       : reflect(x, f(-1), sub(mul(size, f(2)), f(1)));
      return clip(x, last);
    }
    llvm_unreachable("padding");
  }

  /// The pixel at integer-valued float positions (y, x), 0 outside (zeros).
  Value pixel(Value y, Value x) {
    Value inside = arith::AndIOp::create(
        b, l,
        arith::AndIOp::create(
            b, l,
            arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGE, x, f(0)),
            arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLT, x, wf)),
        arith::AndIOp::create(
            b, l,
            arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGE, y, f(0)),
            arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLT, y, hf)));
    auto toIndex = [&](Value v, Value dim) {
      Value i = arith::FPToSIOp::create(b, l, b.getI64Type(), v);
      return sc::boundedIndex(b, l, i, dim);
    };
    Value v = tensor::ExtractOp::create(
        b, l, image, ValueRange{n, c, toIndex(y, h), toIndex(x, w)});
    return arith::SelectOp::create(b, l, inside, v, f(0));
  }

  /// A cubic tap: the padding mode applied to the tap's position first.
  Value cubicPixel(Value y, Value x) {
    if (padding != Padding::Zeros) {
      x = applyPadding(x, wf);
      y = applyPadding(y, hf);
    }
    return pixel(y, x);
  }

  /// Keys' cubic convolution weights (A = -0.75) of fraction t.
  std::array<Value, 4> cubicWeights(Value t) {
    Value a = f(-0.75);
    auto far = [&](Value x) { // 1 < |x| < 2
      return add(
          mul(sub(mul(sub(mul(a, x), mul(f(5), a)), x), mul(f(-8), a)), x),
          mul(f(-4), a));
    };
    auto near = [&](Value x) { // |x| <= 1
      return add(mul(mul(sub(mul(add(a, f(2)), x), add(a, f(3))), x), x), f(1));
    };
    Value u = sub(f(1), t);
    return {far(add(t, f(1))), near(t), near(u), far(add(u, f(1)))};
  }

  Value sample(Value gx, Value gy, Mode mode) {
    Value ix = unnormalize(gx, wf), iy = unnormalize(gy, hf);
    if (mode != Mode::Cubic) {
      ix = applyPadding(ix, wf);
      iy = applyPadding(iy, hf);
    }
    switch (mode) {
    case Mode::Nearest:
      return pixel(math::RoundEvenOp::create(b, l, iy),
                   math::RoundEvenOp::create(b, l, ix));
    case Mode::Linear: {
      Value x0 = math::FloorOp::create(b, l, ix);
      Value y0 = math::FloorOp::create(b, l, iy);
      Value x1 = add(x0, f(1)), y1 = add(y0, f(1));
      Value wx1 = sub(ix, x0), wx0 = sub(x1, ix);
      Value wy1 = sub(iy, y0), wy0 = sub(y1, iy);
      Value top = add(mul(pixel(y0, x0), wx0), mul(pixel(y0, x1), wx1));
      Value bottom = add(mul(pixel(y1, x0), wx0), mul(pixel(y1, x1), wx1));
      return add(mul(top, wy0), mul(bottom, wy1));
    }
    case Mode::Cubic: {
      Value x0 = math::FloorOp::create(b, l, ix);
      Value y0 = math::FloorOp::create(b, l, iy);
      std::array<Value, 4> wx = cubicWeights(sub(ix, x0));
      std::array<Value, 4> wy = cubicWeights(sub(iy, y0));
      Value sum = f(0);
      for (int j = 0; j < 4; ++j) {
        Value y = add(y0, f(j - 1));
        Value row = f(0);
        for (int i = 0; i < 4; ++i)
          row = add(row, mul(cubicPixel(y, add(x0, f(i - 1))), wx[i]));
        sum = add(sum, mul(row, wy[j]));
      }
      return sum;
    }
    }
    llvm_unreachable("mode");
  }
};

LogicalResult importGridSample(Importer &im, const onnx::NodeProto &node) {
  if (failed(im.requireInputs(node, 2, 2)))
    return failure();
  Location loc = im.nodeLoc(node);
  RankedTensorType xt = im.typeOf(node.input(0)), gt = im.typeOf(node.input(1));
  Type et = xt.getElementType();
  if (xt.getRank() != 4)
    return im.unsupported(node, "GridSample on a tensor of rank " +
                                    std::to_string(xt.getRank()) +
                                    " (4-D NCHW only)");
  // The last dimension of the grid is read at 0 and 1: static 2.
  if (!isa<FloatType>(et) || gt.getElementType() != et || gt.getRank() != 4 ||
      gt.getDimSize(3) != 2)
    return im.nodeError(node) << "expects a float input and a grid "
                                 "[N, H_out, W_out, 2] of its type, got "
                              << xt << " and " << gt;
  std::string modeName = getString(node, "mode", "bilinear");
  Mode mode;
  if (modeName == "nearest")
    mode = Mode::Nearest;
  else if (modeName == "bilinear" || modeName == "linear")
    mode = Mode::Linear;
  else if (modeName == "bicubic" || modeName == "cubic")
    mode = Mode::Cubic;
  else
    return im.nodeError(node) << "unknown mode '" << modeName << "'";
  std::string padName = getString(node, "padding_mode", "zeros");
  Padding padding;
  if (padName == "zeros")
    padding = Padding::Zeros;
  else if (padName == "border")
    padding = Padding::Border;
  else if (padName == "reflection")
    padding = Padding::Reflection;
  else
    return im.nodeError(node) << "unknown padding_mode '" << padName << "'";
  bool alignCorners = getInt(node, "align_corners", 0) != 0;

  OpBuilder &b = im.builder;
  Value x = im.get(node.input(0)), grid = im.get(node.input(1));
  SmallVector<int64_t> shape = {xt.getDimSize(0), xt.getDimSize(1),
                                gt.getDimSize(1), gt.getDimSize(2)};
  SmallVector<Value> dyn;
  for (auto [i, src, dim] : {std::tuple<int, Value, int64_t>{0, x, 0},
                             {1, x, 1},
                             {2, grid, 1},
                             {3, grid, 2}})
    if (ShapedType::isDynamic(shape[i]))
      dyn.push_back(tensor::DimOp::create(b, loc, src, dim));
  auto outType = RankedTensorType::get(shape, et);
  Value y = generate(
      im, loc, outType, dyn, {}, {},
      [&](OpBuilder &nb, Location l, ValueRange ivs, ValueRange) {
        auto dimOf = [&](int64_t d) -> Value {
          return tensor::DimOp::create(nb, l, x, d);
        };
        auto asFloat = [&](Value i) -> Value {
          Value i64 = arith::IndexCastOp::create(nb, l, nb.getI64Type(), i);
          return arith::SIToFPOp::create(nb, l, et, i64);
        };
        Value h = dimOf(2), w = dimOf(3);
        Sampler s{nb, l, et,         x,          ivs[0],  ivs[1],
                  h,  w, asFloat(h), asFloat(w), padding, alignCorners};
        Value n = sc::boundedIndex(nb, l, ivs[0],
                                   tensor::DimOp::create(nb, l, grid, 0));
        auto coord = [&](int64_t k) -> Value {
          return tensor::ExtractOp::create(
              nb, l, grid,
              ValueRange{n, ivs[2], ivs[3],
                         arith::ConstantIndexOp::create(nb, l, k)});
        };
        return s.sample(coord(0), coord(1), mode);
      });
  im.set(node, y);
  return success();
}

} // namespace

void qopt::onnx_import::registerGridSampleHandlers(HandlerTable &t) {
  t.onOp("GridSample", 16, importGridSample);
}
