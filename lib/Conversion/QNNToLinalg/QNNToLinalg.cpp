//===- QNNToLinalg.cpp - Public entry points of the qnn lowering ----------===//
//
// Part of qopt. Gathers the pattern families of this directory (see
// LoweringUtils.h) behind the populate functions of QNNToLinalg.h.
//
//===----------------------------------------------------------------------===//

#include "qopt/Conversion/QNNToLinalg/QNNToLinalg.h"

#include "LoweringUtils.h"

#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::qnn;

void qnn::populateQNNToLinalgConversionPatterns(TypeConverter &converter,
                                                RewritePatternSet &patterns) {
  lowering::populateNamedOpLoweringPatterns(converter, patterns);
  lowering::populateBlockwiseLoweringPatterns(converter, patterns);
  lowering::populateElementwiseLoweringPatterns(converter, patterns);
  lowering::populateDataMovementLoweringPatterns(converter, patterns);
  lowering::populateDataDependentLoweringPatterns(converter, patterns);
  lowering::populateQuantLoweringPatterns(converter, patterns);
}

void qnn::populateQNNIntegerTypeConversions(TypeConverter &converter) {
  converter.addConversion([](Type t) { return t; });
  // Scalars: the elements a generic's body extracts and yields.
  converter.addConversion([](quant::QuantizedType q) -> Type {
    return IntegerType::get(q.getContext(), q.getStorageTypeIntegralWidth());
  });
  converter.addConversion([](RankedTensorType t) -> Type {
    Type et = t.getElementType();
    if (auto q = dyn_cast<quant::QuantizedType>(et))
      return RankedTensorType::get(
          t.getShape(),
          IntegerType::get(t.getContext(), q.getStorageTypeIntegralWidth()));
    if (auto i = dyn_cast<IntegerType>(et); i && !i.isSignless())
      return RankedTensorType::get(
          t.getShape(), IntegerType::get(t.getContext(), i.getWidth()));
    return t;
  });
  auto materialize = [](OpBuilder &b, Type type, ValueRange inputs,
                        Location loc) -> Value {
    if (inputs.size() != 1)
      return Value();
    Type from = inputs[0].getType();
    if (isa<quant::QuantizedType>(getElementTypeOrSelf(from)) ||
        isa<quant::QuantizedType>(getElementTypeOrSelf(type)))
      return quant::StorageCastOp::create(b, loc, type, inputs[0]);
    if (!isa<RankedTensorType>(from))
      return Value();
    return tensor::BitcastOp::create(b, loc, type, inputs[0]);
  };
  converter.addSourceMaterialization(materialize);
  converter.addTargetMaterialization(materialize);
}

void qnn::populateQNNToIntegerConversionPatterns(
    TypeConverter &converter, RewritePatternSet &patterns,
    RoundingMode rounding, ScaleArithmetic scaleArithmetic,
    bool eightBitDotProducts) {
  lowering::ScaleMath math;
  math.f32 = scaleArithmetic == ScaleArithmetic::F32;
  lowering::populateIntegerNamedOpPatterns(converter, patterns, rounding, math,
                                           eightBitDotProducts);
  lowering::populateIntegerQuantOpPatterns(converter, patterns, rounding, math);
  lowering::populateIntegerElementwisePatterns(converter, patterns, rounding,
                                               math);
  lowering::populateBlockwiseIntegerPatterns(converter, patterns);
}
