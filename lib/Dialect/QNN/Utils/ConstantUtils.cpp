//===- ConstantUtils.cpp - Reading and writing weight constants -----------===//
//
// Part of qopt.
//
//===----------------------------------------------------------------------===//

#include "qopt/Dialect/QNN/Utils/ConstantUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "qopt/Dialect/QNN/IR/QNN.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;

std::optional<SmallVector<double>> qnn::getConstantFloatValues(Value v) {
  Attribute attr;
  if (!matchPattern(v, m_Constant(&attr)))
    return std::nullopt;
  auto elements = dyn_cast<ElementsAttr>(attr);
  if (!elements || !isa<FloatType>(elements.getElementType()))
    return std::nullopt;
  SmallVector<double> out;
  out.reserve(elements.getNumElements());
  if (auto blob = dyn_cast<DenseF32ResourceElementsAttr>(attr)) {
    std::optional<ArrayRef<float>> data = blob.tryGetAsArrayRef();
    if (!data)
      return std::nullopt; // the blob was released or never loaded
    out.append(data->begin(), data->end());
    return out;
  }
  auto dense = dyn_cast<DenseElementsAttr>(attr);
  if (!dense)
    return std::nullopt;
  for (const APFloat &f : dense.getValues<APFloat>())
    out.push_back(f.convertToDouble());
  return out;
}

ElementsAttr qnn::createFloatElements(RankedTensorType type,
                                      ArrayRef<double> values,
                                      StringRef blobHint) {
  auto floatType = cast<FloatType>(type.getElementType());
  if (floatType.isF32() && type.getNumElements() >= kResourceThreshold) {
    SmallVector<float> data(values.begin(), values.end());
    return cast<ElementsAttr>(DenseF32ResourceElementsAttr::get(
        type, blobHint,
        HeapAsmResourceBlob::allocateAndCopyInferAlign(ArrayRef<float>(data))));
  }
  SmallVector<APFloat> data;
  data.reserve(values.size());
  for (double d : values) {
    APFloat f(d);
    bool losesInfo;
    f.convert(floatType.getFloatSemantics(), APFloat::rmNearestTiesToEven,
              &losesInfo);
    data.push_back(f);
  }
  return DenseElementsAttr::get(type, data);
}

/// Real values of a weight or bias given as a float constant or as
/// dequantize(qconst).
std::optional<SmallVector<double>> qnn::getConstantRealValues(Value v) {
  // Reshapes keep the element order: a reshaped constant (a Conv1d weight
  // made 2-D, whose dense_resource data the folder cannot reshape) has the
  // same values.
  while (isa_and_nonnull<ReshapeOp, FlattenOp>(v.getDefiningOp()))
    v = v.getDefiningOp()->getOperand(0);
  if (auto f = getConstantFloatValues(v))
    return f;
  auto dq = v.getDefiningOp<DequantizeOp>();
  auto qc = dq ? dq.getInput().getDefiningOp<QConstOp>() : QConstOp();
  if (!qc)
    return std::nullopt;
  auto t = cast<RankedTensorType>(qc.getType());
  auto q = cast<quant::QuantizedType>(t.getElementType());
  UniformParams p = getUniformParams(q);
  SmallVector<double> out;
  ChannelIndexer channelOf(t.getShape(), p.axis);
  int64_t i = 0;
  for (APInt v : qc.getValue().getValues<APInt>()) {
    int64_t c = channelOf(i);
    int64_t x = q.isSigned() ? v.getSExtValue() : (int64_t)v.getZExtValue();
    out.push_back((x - p.zeroPoints[c]) * p.scales[c]);
    ++i;
  }
  return out;
}

qnn::UniformParams qnn::getUniformParams(Type quantizedType) {
  UniformParams p;
  if (auto u = dyn_cast<quant::UniformQuantizedType>(quantizedType)) {
    p.scales = {u.getScale()};
    p.zeroPoints = {u.getZeroPoint()};
  } else if (auto a =
                 dyn_cast<quant::UniformQuantizedPerAxisType>(quantizedType)) {
    p.scales.assign(a.getScales().begin(), a.getScales().end());
    p.zeroPoints.assign(a.getZeroPoints().begin(), a.getZeroPoints().end());
    p.axis = a.getQuantizedDimension();
  }
  return p;
}

qnn::ChannelIndexer::ChannelIndexer(ArrayRef<int64_t> shape, int64_t axis)
    : axis(axis) {
  if (axis < 0)
    return;
  channels = shape[axis];
  for (int64_t d = axis + 1; d < (int64_t)shape.size(); ++d)
    inner *= shape[d];
}

void qnn::replaceWithFloatConstant(OpBuilder &b, OpOperand &operand,
                                   RankedTensorType type,
                                   ArrayRef<double> values,
                                   StringRef blobHint) {
  Operation *owner = operand.getOwner();
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPoint(owner);
  auto attr = createFloatElements(type, values, blobHint);
  Operation *old = operand.get().getDefiningOp();
  operand.set(arith::ConstantOp::create(b, owner->getLoc(), type,
                                        cast<TypedAttr>(attr)));
  if (old && old->use_empty())
    old->erase();
}
