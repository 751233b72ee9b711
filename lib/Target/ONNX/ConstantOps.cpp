//===- ConstantOps.cpp - ONNX constant ops --------------------------------===//
//
// Part of qopt. Constant, ConstantOfShape and Cast; folding is bounded by
// kMaxFoldElements and splats stay splats.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"
#include "ScalarMath.h"

#include "qopt/Dialect/QNN/IR/QNN.h"
#include "qopt/Dialect/QNN/Utils/ConstantUtils.h"
#include "qopt/Support/Sizes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Traits.h"

#include <cmath>

using namespace mlir;
using namespace mlir::qnn;
using namespace qopt::onnx_import;

static LogicalResult importConstant(Importer &im, const onnx::NodeProto &node) {
  Location loc = im.nodeLoc(node);
  if (const auto *a = findAttr(node, "value")) {
    auto attr = im.tensorToAttr(a->t(), loc);
    if (failed(attr))
      return failure();
    im.setConst(node, *attr);
    return success();
  }
  auto f32 = Float32Type::get(im.ctx);
  auto i64 = IntegerType::get(im.ctx, 64);
  if (const auto *a = findAttr(node, "value_float")) {
    im.setConst(node,
                DenseElementsAttr::get(RankedTensorType::get({}, f32), a->f()));
    return success();
  }
  if (const auto *a = findAttr(node, "value_floats")) {
    SmallVector<float> v(a->floats().begin(), a->floats().end());
    im.setConst(node, DenseElementsAttr::get(
                          RankedTensorType::get({(int64_t)v.size()}, f32),
                          ArrayRef<float>(v)));
    return success();
  }
  if (const auto *a = findAttr(node, "value_int")) {
    im.setConst(node, DenseElementsAttr::get(RankedTensorType::get({}, i64),
                                             (int64_t)a->i()));
    return success();
  }
  if (const auto *a = findAttr(node, "value_ints")) {
    SmallVector<int64_t> v(a->ints().begin(), a->ints().end());
    im.setConst(node, DenseElementsAttr::get(
                          RankedTensorType::get({(int64_t)v.size()}, i64),
                          ArrayRef<int64_t>(v)));
    return success();
  }
  return im.unsupported(node, "a Constant without a value, value_float(s) or "
                              "value_int(s) attribute");
}

/// Cast of input 0 to element type `to` (Cast's `to` attribute, CastLike's
/// second input).
static LogicalResult importCastTo(Importer &im, const onnx::NodeProto &node,
                                  FailureOr<Type> to) {
  if (failed(to))
    return failure();
  RankedTensorType xt = im.typeOf(node.input(0));
  auto outType = RankedTensorType::get(xt.getShape(), *to);
  // Casting a quantized tensor to its own storage type changes nothing.
  if (auto q = dyn_cast<quant::QuantizedType>(xt.getElementType())) {
    auto i = dyn_cast<IntegerType>(*to);
    if (i && i.getWidth() == q.getStorageTypeIntegralWidth() &&
        i.isUnsigned() == !q.isSigned()) {
      im.set(node, im.get(node.input(0)));
      return success();
    }
    im.rebind(node.input(0), im.toRaw(im.nodeLoc(node), im.get(node.input(0))));
    xt = im.typeOf(node.input(0));
  }
  if (xt.getElementType() == *to) {
    if (ElementsAttr c = im.getConst(node.input(0)))
      im.setConst(node, c);
    else
      im.set(node, im.get(node.input(0)));
    return success();
  }
  // A splat stays a splat, whatever its size (ConstantOfShape + Cast).
  if (auto dense =
          im.getDenseConst(node.input(0));
      dense && dense.isSplat() && !(*to).isInteger(1) &&
      !xt.getElementType().isInteger(1)) {
    double v = isa<IntegerType>(xt.getElementType())
                   ? (double)dense.getSplatValue<APInt>().getSExtValue()
                   : dense.getSplatValue<APFloat>().convertToDouble();
    Attribute value;
    if (auto ft = dyn_cast<FloatType>(*to))
      value = FloatAttr::get(ft, v);
    else
      value = IntegerAttr::get(
          *to, APInt((*to).getIntOrFloatBitWidth(), truncToInt64(v),
                     /*isSigned=*/true, /*implicitTrunc=*/true));
    im.setConst(node, DenseElementsAttr::get(outType, value));
    return success();
  }
  ElementsAttr input = im.getConst(node.input(0));
  std::optional<SmallVector<double>> vals;
  if (input && input.getNumElements() <= kMaxFoldElements)
    vals = im.getConstFloats(node.input(0));
  if (vals) {
    if (isa<FloatType>(*to)) {
      im.setConst(node, createFloatElements(outType, *vals, node.output(0)));
      return success();
    }
    SmallVector<APInt> ints;
    unsigned width = (*to).getIntOrFloatBitWidth();
    for (double v : *vals) {
      // To bool: nonzero (NaN included) is true, not the low bit.
      if (width == 1)
        v = v != 0.0 ? 1.0 : 0.0;
      ints.push_back(APInt(width, truncToInt64(v), /*isSigned=*/true,
                           /*implicitTrunc=*/true));
    }
    im.setConst(node, DenseElementsAttr::get(outType, ints));
    return success();
  }
  Value x = im.get(node.input(0));
  Type from = xt.getElementType();
  bool plainQnnCast = !(*to).isInteger(1) && !from.isInteger(1) &&
                      !(*to).isF16() && !from.isF16() &&
                      !(*to).isUnsignedInteger(16) && !(*to).isUnsignedInteger(32) &&
                      !(*to).isUnsignedInteger(64) &&
                      !from.isUnsignedInteger(16) && !from.isUnsignedInteger(32) &&
                      !from.isUnsignedInteger(64);
  if (!plainQnnCast) {
    // Booleans, f16 and the wider unsigned types: an elementwise
    // conversion with ONNX's Cast semantics.
    Type toSignless = (*to).isUnsignedInteger()
                          ? IntegerType::get(im.ctx, (*to).getIntOrFloatBitWidth())
                          : *to;
    bool toUnsigned = (*to).isUnsignedInteger();
    auto r = im.mapElements(node, {x}, *to,
                            [&](OpBuilder &b, Location l, const ScalarArgs &a) {
                              return scalar::convert(b, l, a[0], toSignless,
                                                     a.isUnsigned[0], toUnsigned);
                            });
    if (failed(r))
      return failure();
    im.set(node, *r);
    return success();
  }
  im.set(node, CastOp::create(im.builder, im.nodeLoc(node), outType, x));
  return success();
}

static LogicalResult importCast(Importer &im, const onnx::NodeProto &node) {
  if (failed(im.requireInputs(node, 1, 1)))
    return failure();
  return importCastTo(im, node,
                      im.elementType(getInt(node, "to", 0), im.nodeLoc(node)));
}

static LogicalResult importCastLike(Importer &im,
                                    const onnx::NodeProto &node) {
  if (failed(im.requireInputs(node, 2, 2)))
    return failure();
  return importCastTo(im, node,
                      FailureOr<Type>(im.typeOf(node.input(1)).getElementType()));
}

static LogicalResult importConstantOfShape(Importer &im,
                                           const onnx::NodeProto &node) {
  if (failed(im.requireInputs(node, 1, 1)))
    return failure();
  auto shape = im.getConstInts(node.input(0));
  if (!shape)
    return im.unsupported(node, "a shape that is not a constant");
  if (llvm::any_of(*shape, [](int64_t d) { return d < 0; }) ||
      !qopt::checkedByteSize(*shape, kMaxElementBytes))
    return im.nodeError(node) << "shape " << qopt::shapeString(*shape)
                              << " has a negative dimension or a size that "
                                 "overflows 64 bits";
  Attribute value = im.builder.getF32FloatAttr(0.0f);
  Type et = im.builder.getF32Type();
  if (const auto *a = findAttr(node, "value")) {
    auto attr = im.tensorToAttr(a->t(), im.nodeLoc(node));
    if (failed(attr))
      return failure();
    if (attr->getNumElements() != 1)
      return im.nodeError(node) << "value must hold one element";
    et = attr->getElementType();
    value = *attr->getValues<Attribute>().begin();
  }
  im.setConst(node, DenseElementsAttr::get(RankedTensorType::get(*shape, et),
                                           ArrayRef<Attribute>(value)));
  return success();
}

/// HannWindow, HammingWindow, BlackmanWindow: a constant of `size`
/// (input 0, which must be a constant) values
///   a0 - a1 cos(2 pi n / N) + a2 cos(4 pi n / N),
/// N = size when `periodic` (the default), size - 1 otherwise.
static Handler windowFunction(double a0, double a1, double a2) {
  return [=](Importer &im, const onnx::NodeProto &node) -> LogicalResult {
    if (failed(im.requireInputs(node, 1, 1)))
      return failure();
    auto size = im.getConstInts(node.input(0));
    if (!size || size->size() != 1)
      return im.unsupported(node, "a window size computed at run time");
    int64_t n = (*size)[0];
    if (n < 0 || n > kMaxFoldElements)
      return im.nodeError(node) << "window size " << n << " is out of range";
    auto et =
        im.elementType(getInt(node, "output_datatype", 1), im.nodeLoc(node));
    if (failed(et))
      return failure();
    if (!isa<FloatType>(*et))
      return im.unsupported(node, "a window of integer type");
    double denom = getInt(node, "periodic", 1) ? double(n) : double(n - 1);
    SmallVector<double> values;
    for (int64_t i = 0; i < n; ++i) {
      double x = denom > 0 ? 2 * M_PI * double(i) / denom : 0.0;
      values.push_back(a0 - a1 * std::cos(x) + a2 * std::cos(2 * x));
    }
    auto type = RankedTensorType::get({n}, *et);
    im.setConst(node, createFloatElements(type, values, node.output(0)));
    return success();
  };
}

void qopt::onnx_import::registerConstantHandlers(HandlerTable &t) {
  t.onOp("Constant", 1, importConstant);
  t.onOp("Cast", 1, importCast);
  t.onOp("CastLike", 15, importCastLike);
  t.onOp("ConstantOfShape", 1, importConstantOfShape);
  t.onOp("HannWindow", 17, windowFunction(0.5, 0.5, 0.0));
  t.onOp("HammingWindow", 17, windowFunction(25.0 / 46.0, 21.0 / 46.0, 0.0));
  t.onOp("BlackmanWindow", 17, windowFunction(0.42, 0.5, 0.08));
}
