//===- ElementwiseOps.cpp - ONNX elementwise ops --------------------------===//
//
// Part of qopt. Activations and broadcasting arithmetic; integer constants
// (shape arithmetic) are folded here.
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

template <typename OpTy>
static LogicalResult unary(Importer &im, const onnx::NodeProto &node) {
  if (failed(im.requireInputs(node, 1, 1)))
    return failure();
  Value x = im.get(node.input(0));
  if constexpr (std::is_same_v<OpTy, ReluOp>)
    x = im.asUnitQuantized(im.nodeLoc(node), x);
  auto op = OpTy::create(im.builder, im.nodeLoc(node), x.getType(), x);
  im.set(node, op);
  return success();
}

template <typename OpTy>
static LogicalResult binary(Importer &im, const onnx::NodeProto &node) {
  if (failed(im.requireInputs(node, 2, 2)))
    return failure();
  // Quantized integers (e.g. ConvInteger's accumulator) take part in ONNX
  // integer arithmetic as their raw stored values.
  for (int i = 0; i < 2; ++i)
    if (isa<quant::QuantizedType>(im.typeOf(node.input(i)).getElementType()))
      im.rebind(node.input(i),
                im.toRaw(im.nodeLoc(node), im.get(node.input(i))));
  RankedTensorType a = im.typeOf(node.input(0)), b = im.typeOf(node.input(1));
  if (a.getElementType() != b.getElementType())
    return im.nodeError(node)
           << "operand element types differ: " << a.getElementType() << " and "
           << b.getElementType();
  SmallVector<int64_t> shape;
  if (!::mlir::OpTrait::util::getBroadcastedShape(a.getShape(), b.getShape(), shape))
    return im.nodeError(node)
           << "shapes " << a << " and " << b << " do not broadcast";
  auto resultType = RankedTensorType::get(shape, a.getElementType());
  // Integer constants are shape arithmetic: evaluate them here.
  auto lhs = im.getConstInts(node.input(0)),
       rhs = im.getConstInts(node.input(1));
  // Each operand is a scalar or already the result's size (no general
  // broadcasting of folded constants).
  auto fits = [&](const SmallVector<int64_t> &v) {
    return v.size() == 1 ||
           (int64_t)v.size() == resultType.getNumElements();
  };
  if (lhs && rhs && resultType.hasStaticShape() &&
      isa<IntegerType>(a.getElementType()) && fits(*lhs) && fits(*rhs)) {
    SmallVector<APInt> out;
    unsigned width = a.getElementType().getIntOrFloatBitWidth();
    for (int64_t i = 0; i < resultType.getNumElements(); ++i) {
      int64_t x = (*lhs)[lhs->size() == 1 ? 0 : i];
      int64_t y = (*rhs)[rhs->size() == 1 ? 0 : i];
      // ONNX integer arithmetic wraps (two's complement): compute in
      // unsigned, where wrapping is defined.
      uint64_t ux = (uint64_t)x, uy = (uint64_t)y, r = 0;
      if constexpr (std::is_same_v<OpTy, AddOp>)
        r = ux + uy;
      else if constexpr (std::is_same_v<OpTy, SubOp>)
        r = ux - uy;
      else if constexpr (std::is_same_v<OpTy, MulOp>)
        r = ux * uy;
      else {
        if (y == 0)
          return im.nodeError(node) << "integer division by zero";
        r = (x == std::numeric_limits<int64_t>::min() && y == -1)
                ? ux
                : (uint64_t)(x / y);
      }
      out.push_back(APInt(width, r, /*isSigned=*/false,
                          /*implicitTrunc=*/true));
    }
    im.setConst(node, DenseElementsAttr::get(resultType, out));
    return success();
  }
  // Float constants (scales computed from static shapes) fold too.
  auto smallConst = [&](StringRef name) {
    ElementsAttr c = im.getConst(name);
    return c && c.getNumElements() <= 256;
  };
  if (!isa<FloatType>(a.getElementType()) ||
      (smallConst(node.input(0)) && smallConst(node.input(1)))) {
    char opChar = std::is_same_v<OpTy, AddOp>   ? '+'
                  : std::is_same_v<OpTy, SubOp> ? '-'
                  : std::is_same_v<OpTy, MulOp> ? '*'
                                                : '/';
    auto r = arithmeticGeneric(im, node, opChar);
    if (failed(r))
      return failure();
    im.set(node, *r);
    return success();
  }
  Value lv = im.get(node.input(0)), rv = im.get(node.input(1));
  auto op = OpTy::create(im.builder, im.nodeLoc(node), resultType,
                         ValueRange{lv, rv});
  im.set(node, op);
  return success();
}

/// Clip; `boundsAsInputs` from opset 11 (min/max were attributes before).
static LogicalResult importClip(Importer &im, const onnx::NodeProto &node,
                                bool boundsAsInputs) {
  if (failed(im.requireInputs(node, 1, 3)))
    return failure();
  float lo = -std::numeric_limits<float>::max();
  float hi = std::numeric_limits<float>::max();
  if (!boundsAsInputs) {
    lo = getFloat(node, "min", lo);
    hi = getFloat(node, "max", hi);
  } else {
    for (int i = 1; i <= 2; ++i) {
      if (!im.hasInput(node, i))
        continue;
      auto v = im.getConstFloats(node.input(i));
      if (!v)
        return importRuntimeClip(im, node);
      if (v->size() != 1)
        return im.nodeError(node) << (i == 1 ? "min" : "max")
                                  << " must be a scalar";
      (i == 1 ? lo : hi) = static_cast<float>((*v)[0]);
    }
  }
  Value x = im.asUnitQuantized(im.nodeLoc(node), im.get(node.input(0)));
  im.set(node, ClipOp::create(im.builder, im.nodeLoc(node), x.getType(), x,
                              im.builder.getF32FloatAttr(lo),
                              im.builder.getF32FloatAttr(hi)));
  return success();
}

void qopt::onnx_import::registerElementwiseHandlers(HandlerTable &t) {
  t.onOp("Relu", 1, unary<ReluOp>);
  t.onOp("Sigmoid", 1, unary<SigmoidOp>);
  t.onOp("LeakyRelu", 1, [](Importer &im, const onnx::NodeProto &n) {
    if (failed(im.requireInputs(n, 1, 1)))
      return failure();
    Value x = im.get(n.input(0));
    im.set(n, LeakyReluOp::create(
                  im.builder, im.nodeLoc(n), x.getType(), x,
                  im.builder.getF32FloatAttr(getFloat(n, "alpha", 0.01f))));
    return success();
  });
  t.onOp("HardSigmoid", 1, [](Importer &im, const onnx::NodeProto &n) {
    if (failed(im.requireInputs(n, 1, 1)))
      return failure();
    Value x = im.get(n.input(0));
    im.set(n, HardSigmoidOp::create(
                  im.builder, im.nodeLoc(n), x.getType(), x,
                  im.builder.getF32FloatAttr(getFloat(n, "alpha", 0.2f)),
                  im.builder.getF32FloatAttr(getFloat(n, "beta", 0.5f))));
    return success();
  });
  t.onOp("Clip", 1, [](Importer &im, const onnx::NodeProto &n) {
    return importClip(im, n, /*boundsAsInputs=*/false);
  });
  t.onOp("Clip", 11, [](Importer &im, const onnx::NodeProto &n) {
    return importClip(im, n, /*boundsAsInputs=*/true);
  });
  t.onOp("Add", 1, binary<AddOp>);
  t.onOp("Sub", 1, binary<SubOp>);
  t.onOp("Mul", 1, binary<MulOp>);
  t.onOp("Div", 1, binary<DivOp>);
}
