//===- MicrosoftOps.cpp - ONNX Runtime's com.microsoft QOperator ops ------===//
//
// Part of qopt. ONNX Runtime's quantizer, in QOperator format, writes
// QLinearAdd, QLinearMul, QLinearSigmoid, QLinearLeakyRelu, QLinearConcat,
// QLinearGlobalAveragePool, QLinearAveragePool and QGemm in the
// com.microsoft domain. Each is imported as what it means: its inputs
// dequantized (qnn.dequantize with the given scales and zero points), the
// float op of the default domain (through that op's own handler), and the
// result quantized with the output's parameters. That is the QDQ form, so
// --lower-fake-quant turns these back into integer code like any QDQ model.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "qopt/Dialect/QNN/IR/QNN.h"
#include "qopt/Dialect/QNN/Utils/ConstantUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"

using namespace mlir;
using namespace mlir::qnn;
using namespace qopt::onnx_import;

namespace {

/// Input `i` dequantized with the scale and zero point inputs `s`, `z`.
FailureOr<Value> dequantized(Importer &im, const onnx::NodeProto &node, int i,
                             int s, int z, int64_t axis = 1) {
  RankedTensorType t = im.typeOf(node.input(i));
  Type storage = t.getElementType();
  if (auto q = dyn_cast<quant::QuantizedType>(storage))
    storage = IntegerType::get(im.ctx, q.getStorageTypeIntegralWidth(),
                               q.isSigned() ? IntegerType::Signless
                                            : IntegerType::Unsigned);
  auto q = im.quantType(node, s, z, storage, t.getRank(), axis);
  if (failed(q))
    return failure();
  auto x = im.quantOperand(node, i, *q);
  if (failed(x))
    return failure();
  return Value(DequantizeOp::create(
      im.builder, im.nodeLoc(node),
      RankedTensorType::get(t.getShape(), im.builder.getF32Type()), *x));
}

/// The float result quantized with the output scale / zero point inputs.
LogicalResult quantizedResult(Importer &im, const onnx::NodeProto &node,
                              Value y, int s, int z) {
  auto t = cast<RankedTensorType>(y.getType());
  auto q = im.quantType(node, s, z,
                        IntegerType::get(im.ctx, 8, IntegerType::Unsigned),
                        t.getRank(), 1);
  if (failed(q))
    return failure();
  im.set(node, QuantizeOp::create(im.builder, im.nodeLoc(node),
                                  RankedTensorType::get(t.getShape(), *q), y));
  return success();
}

/// Imports `opType` of the default domain on `inputs` with `node`'s
/// attributes (minus `drop`) and returns its first result.
FailureOr<Value> floatOp(Importer &im, const onnx::NodeProto &node,
                         StringRef opType, ArrayRef<Value> inputs,
                         ArrayRef<StringRef> drop = {}) {
  onnx::NodeProto f;
  f.set_name(node.name());
  f.set_op_type(opType.str());
  for (const auto &a : node.attribute())
    if (!llvm::is_contained(drop, a.name()))
      *f.add_attribute() = a;
  Importer::Scope scope = im.saveScope();
  for (auto [k, v] : llvm::enumerate(inputs)) {
    std::string name = "qopt.msft." + std::to_string(k);
    im.rebind(name, v);
    f.add_input(name);
  }
  f.add_output("qopt.msft.out");
  const Handler *h = getHandlerTable().lookup(opType, im.opset);
  if (!h)
    return im.unsupported(node, "op type " + opType.str());
  if (failed((*h)(im, f)))
    return failure();
  if (!im.has("qopt.msft.out"))
    return im.nodeError(node) << "produced no result";
  Value out = im.get("qopt.msft.out");
  im.restoreScope(std::move(scope));
  return out;
}

/// QLinearAdd / QLinearMul (A, A_s, A_zp, B, B_s, B_zp, C_s, C_zp).
Handler binary(StringRef opType) {
  return [opType](Importer &im, const onnx::NodeProto &node) -> LogicalResult {
    if (failed(im.requireInputs(node, 7, 8)))
      return failure();
    auto a = dequantized(im, node, 0, 1, 2), b = dequantized(im, node, 3, 4, 5);
    if (failed(a) || failed(b))
      return failure();
    auto y = floatOp(im, node, opType, {*a, *b});
    if (failed(y))
      return failure();
    return quantizedResult(im, node, *y, 6, 7);
  };
}

/// Unary ops (X, X_s, X_zp, Y_s, Y_zp); pools drop channels_last (NCHW
/// only).
Handler unary(StringRef opType) {
  return [opType](Importer &im, const onnx::NodeProto &node) -> LogicalResult {
    if (failed(im.requireInputs(node, 4, 5)))
      return failure();
    if (getInt(node, "channels_last", 0))
      return im.unsupported(node, "channels_last = 1");
    auto x = dequantized(im, node, 0, 1, 2);
    if (failed(x))
      return failure();
    auto y = floatOp(im, node, opType, {*x}, {"channels_last"});
    if (failed(y))
      return failure();
    return quantizedResult(im, node, *y, 3, 4);
  };
}

/// QLinearConcat (Y_s, Y_zp, then X, X_s, X_zp per input).
LogicalResult importQLinearConcat(Importer &im, const onnx::NodeProto &node) {
  if (node.input_size() < 5 || (node.input_size() - 2) % 3 != 0)
    return im.nodeError(node) << "expects Y_scale, Y_zero_point and (X, "
                                 "X_scale, X_zero_point) triples";
  if (failed(im.requireInputs(node, node.input_size(), node.input_size())))
    return failure();
  SmallVector<Value> xs;
  for (int i = 2; i < node.input_size(); i += 3) {
    auto x = dequantized(im, node, i, i + 1, i + 2);
    if (failed(x))
      return failure();
    xs.push_back(*x);
  }
  auto y = floatOp(im, node, "Concat", xs);
  if (failed(y))
    return failure();
  return quantizedResult(im, node, *y, 0, 1);
}

/// QGemm (A, a_s, a_zp, B, b_s, b_zp, [C int32 bias], [y_s, y_zp]): a float
/// result without y_scale.
LogicalResult importQGemm(Importer &im, const onnx::NodeProto &node) {
  if (failed(im.requireInputs(node, 6, 9)))
    return failure();
  auto a = dequantized(im, node, 0, 1, 2);
  // Per-column weight scales sit on B's output axis.
  auto b = dequantized(im, node, 3, 4, 5, getInt(node, "transB", 0) ? 0 : 1);
  if (failed(a) || failed(b))
    return failure();
  SmallVector<Value> ins{*a, *b};
  if (im.hasInput(node, 6)) {
    // The int32 bias has scale a_s * b_s and zero point 0.
    auto c = im.getConstInts(node.input(6));
    auto as = im.getConstFloats(node.input(1)),
         bs = im.getConstFloats(node.input(4));
    if (!c || !as || !bs || as->size() != 1)
      return im.unsupported(node, "a bias or scales that are not constants");
    SmallVector<double> cf;
    for (auto [i, v] : llvm::enumerate(*c))
      cf.push_back(double(v) * (*as)[0] *
                   (*bs)[bs->size() == 1 ? 0 : i % bs->size()]);
    auto ct = RankedTensorType::get(im.typeOf(node.input(6)).getShape(),
                                    im.builder.getF32Type());
    ins.push_back(arith::ConstantOp::create(
        im.builder, im.nodeLoc(node),
        cast<TypedAttr>(createFloatElements(ct, cf, node.input(6)))));
  }
  auto y = floatOp(im, node, "Gemm", ins);
  if (failed(y))
    return failure();
  if (!im.hasInput(node, 7)) {
    im.set(node, *y);
    return success();
  }
  return quantizedResult(im, node, *y, 7, 8);
}

} // namespace

void qopt::onnx_import::registerMicrosoftHandlers(HandlerTable &t) {
  auto ms = [&](StringRef name, Handler h) {
    t.onOp(("com.microsoft." + name).str(), 1, std::move(h));
  };
  ms("QLinearAdd", binary("Add"));
  ms("QLinearMul", binary("Mul"));
  ms("QLinearSigmoid", unary("Sigmoid"));
  ms("QLinearLeakyRelu", unary("LeakyRelu"));
  ms("QLinearGlobalAveragePool", unary("GlobalAveragePool"));
  ms("QLinearAveragePool", unary("AveragePool"));
  ms("QLinearConcat", importQLinearConcat);
  ms("QGemm", importQGemm);
}
