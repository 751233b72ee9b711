//===- ConstantUtils.cpp - Reading and writing weight constants -----------===//
//
// Part of qopt.
//
//===----------------------------------------------------------------------===//

#include "qopt/Dialect/QNN/Utils/ConstantUtils.h"

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
