//===- LayerSQNR.cpp - Per-layer SQNR of a quantized model ----------------===//
//
// Part of qopt.
//
//===----------------------------------------------------------------------===//

#include "qopt/Calibration/LayerSQNR.h"
#include "qopt/Support/OutputFile.h"
#include "qopt/Calibration/Instrument.h"

#include "qopt/Dialect/QNN/IR/QNN.h"
#include "qopt/Dialect/QNN/Utils/LocationName.h"
#include "qopt/Runner/JitRunner.h"
#include "qopt/Runner/RuntimeSymbols.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MathExtras.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace qopt;
using llvm::Error;
using llvm::Expected;

namespace {

Error err(const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
}

/// Name of a float tensor: an observer's recorded name, else its producer's
/// location name.
std::string nameOf(Operation *op) {
  if (auto o = dyn_cast<qnn::ObserverOp>(op))
    if (o.getName())
      return o.getName()->str();
  return qnn::getLocationName(op->getLoc());
}

bool isQuantizedTensor(Type t) {
  auto rt = dyn_cast<RankedTensorType>(t);
  return rt && isa<quant::QuantizedType>(rt.getElementType());
}

constexpr int kHistogramBins = 60;

/// The report's view of a quantized op: its result's clipping range, the
/// method of the float value's observer, its weight's channel ranges.
void describeLayer(LayerSQNR &l, Operation *op, Value floatValue) {
  auto q = dyn_cast<quant::UniformQuantizedType>(
      cast<RankedTensorType>(op->getResult(0).getType()).getElementType());
  if (q) {
    l.hasRange = true;
    l.qScale = q.getScale();
    l.qZeroPoint = q.getZeroPoint();
    l.qMin = q.getStorageTypeMin();
    l.qMax = q.getStorageTypeMax();
    l.clipLo = (q.getStorageTypeMin() - q.getZeroPoint()) * q.getScale();
    l.clipHi = (q.getStorageTypeMax() - q.getZeroPoint()) * q.getScale();
    double w = l.clipHi - l.clipLo;
    l.histLo = l.clipLo - w / 4;
    l.histHi = l.clipHi + w / 4;
    l.histogram.assign(kHistogramBins, 0);
  }
  for (Operation *user : floatValue.getUsers())
    if (auto o = dyn_cast<qnn::ObserverOp>(user))
      l.method = qnn::stringifyCalibrationMethod(o.getMethod()).str();
  if (auto weighted = dyn_cast<qnn::WeightedOpInterface>(op)) {
    Value w = weighted.getWeightOperand().get();
    auto qc = w.getDefiningOp<qnn::QConstOp>();
    if (!qc)
      return;
    auto t = cast<RankedTensorType>(qc.getType());
    auto qt = cast<quant::QuantizedType>(t.getElementType());
    l.weightElements = t.getNumElements();
    l.weightBits = llvm::Log2_64_Ceil(qt.getStorageTypeMax() -
                                      qt.getStorageTypeMin() + 1);
    if (auto pa = dyn_cast<quant::UniformQuantizedPerAxisType>(qt))
      for (double scale : pa.getScales())
        l.channelRanges.push_back(scale * qt.getStorageTypeMax());
    else if (auto pt = dyn_cast<quant::UniformQuantizedType>(qt))
      l.channelRanges.push_back(pt.getScale() * qt.getStorageTypeMax());
  }
}

/// Adds float values to a layer's histogram and its own error (the values
/// against themselves quantized with the layer's result type), per channel
/// too when `shape` has one (dimension 1).
void addToHistogram(LayerSQNR &l, const float *f, int64_t count,
                    ArrayRef<int64_t> shape = {}) {
  if (l.histogram.empty())
    return;
  int64_t channels = shape.size() >= 2 ? shape[1] : 0, inner = 1;
  for (size_t d = 2; d < shape.size(); ++d)
    inner *= shape[d];
  if (channels > 0 && inner > 0 && l.channelSignal.empty()) {
    l.channelSignal.assign(channels, 0);
    l.channelOwnNoise.assign(channels, 0);
  }
  bool perChannel = channels > 0 && inner > 0 &&
                    (int64_t)l.channelSignal.size() == channels;
  double width = (l.histHi - l.histLo) / l.histogram.size();
  for (int64_t i = 0; i < count; ++i) {
    double x = f[i];
    if (l.qScale > 0) {
      double q = std::clamp<double>(
          std::nearbyint(x / l.qScale) + l.qZeroPoint, l.qMin, l.qMax);
      double d = x - (q - l.qZeroPoint) * l.qScale;
      l.ownNoise += d * d;
      if (perChannel) {
        int64_t c = (i / inner) % channels;
        l.channelSignal[c] += x * x;
        l.channelOwnNoise[c] += d * d;
      }
    }
    if (x < l.clipLo)
      ++l.below;
    else if (x > l.clipHi)
      ++l.above;
    if (width <= 0)
      continue;
    int64_t b = (int64_t)std::floor((x - l.histLo) / width);
    l.histogram[std::clamp<int64_t>(b, 0, l.histogram.size() - 1)] += 1;
  }
}

} // namespace

double qopt::LayerSQNR::ownSqnrDb() const {
  if (!hasRange || qScale <= 0)
    return NAN;
  if (ownNoise == 0)
    return INFINITY;
  return 10 * std::log10(signal / ownNoise);
}

double qopt::LayerSQNR::worstChannelOwnSqnrDb() const {
  double worst = NAN;
  for (auto [signal, noise] : llvm::zip(channelSignal, channelOwnNoise)) {
    if (signal == 0)
      continue; // a channel that is always zero is exact
    double db = noise == 0 ? INFINITY : 10 * std::log10(signal / noise);
    if (std::isnan(worst) || db < worst)
      worst = db;
  }
  return worst;
}

double qopt::LayerSQNR::sqnrDb() const {
  if (noise == 0)
    return std::numeric_limits<double>::infinity();
  return 10.0 * std::log10(signal / noise);
}

Expected<std::vector<qopt::LayerSQNR>>
qopt::measureLayerSQNR(ModuleOp floatModule, ModuleOp quantModule,
                       llvm::ArrayRef<NpyArray> inputs,
                       const SQNROptions &options) {
  for (ModuleOp m : {floatModule, quantModule})
    if (Operation *taken = m.lookupSymbol(kObserveSymbol))
      if (!isa<func::FuncOp>(taken) || !cast<func::FuncOp>(taken).isExternal())
        return err(llvm::Twine("the module defines '") + kObserveSymbol +
                   "', a name qopt's runtime reserves");
  OwningOpRef<ModuleOp> fClone = floatModule.clone();
  OwningOpRef<ModuleOp> qClone = quantModule.clone();
  auto ff = fClone->lookupSymbol<func::FuncOp>(options.entry);
  auto qf = qClone->lookupSymbol<func::FuncOp>(options.entry);
  if (!ff || ff.isExternal())
    return err("no function '" + options.entry + "' in the float model");
  if (!qf || qf.isExternal())
    return err("no function '" + options.entry + "' in the quantized model");
  if (ff.getFunctionType() != qf.getFunctionType())
    return err("the float and the quantized model have different signatures "
               "(the quantized model must be derived from the float one)");

  // Float tensors by name (the last op of that name: an observer after its
  // producer sees the same values).
  // Also by location: a quantized clone made in process shares them.
  llvm::StringMap<Value> floatByName;
  llvm::DenseMap<Location, Value> floatByLoc;
  ff.walk([&](Operation *op) {
    if (op->getNumResults() != 1)
      return;
    auto t = dyn_cast<RankedTensorType>(op->getResult(0).getType());
    if (!t || !t.getElementType().isF32() || isa<tensor::EmptyOp>(op))
      return;
    floatByLoc[op->getLoc()] = op->getResult(0);
    std::string name = nameOf(op);
    if (!name.empty())
      floatByName[name] = op->getResult(0);
  });

  // Quantized layer outputs with a float counterpart of the same shape,
  // dequantized; the last op of each name (after requantizations).
  std::vector<LayerSQNR> layers;
  llvm::StringMap<size_t> layerIndex;
  SmallVector<Value> fTaps, qTaps;
  OpBuilder b(qf.getContext());
  SmallVector<Operation *> quantOps;
  std::vector<LayerSQNR> regionTaps;
  SmallVector<Value> regionF, regionQ;
  qf.walk([&](Operation *op) {
    // A tensor.empty (the init of a quantized generic) holds no values:
    // comparing it read uninitialized memory (rows of -50 dB).
    if (op->getNumResults() == 1 &&
        isQuantizedTensor(op->getResult(0).getType()) &&
        !isa<qnn::QConstOp, tensor::EmptyOp>(op))
      quantOps.push_back(op);
  });
  for (Operation *op : quantOps) {
    std::string name = qnn::getLocationName(op->getLoc());
    Value fv = floatByLoc.lookup(op->getLoc());
    if (!fv && !name.empty())
      fv = floatByName.lookup(name);
    if (!fv)
      continue;
    if (name.empty()) // the float side's name: its own or its observer's
      for (Operation *user : fv.getDefiningOp()->getResult(0).getUsers())
        if (isa<qnn::ObserverOp>(user) && !nameOf(user).empty())
          name = nameOf(user);
    if (name.empty())
      name = nameOf(fv.getDefiningOp());
    if (name.empty()) {
      llvm::raw_string_ostream os(name);
      op->getLoc().print(os);
    }
    auto qt = cast<RankedTensorType>(op->getResult(0).getType());
    auto ft = cast<RankedTensorType>(fv.getType());
    if (qt.getShape() != ft.getShape())
      continue;
    b.setInsertionPointAfter(op);
    Value dq = qnn::DequantizeOp::create(b, op->getLoc(), ft, op->getResult(0));
    // Layers inside If/Loop bodies report through the runtime, once per
    // execution, in both models.
    if (op->getParentOp() != qf.getOperation() ||
        fv.getParentRegion()->getParentOp() != ff.getOperation()) {
      regionTaps.push_back({name, op->getName().getStringRef().str()});
      describeLayer(regionTaps.back(), op, fv);
      regionF.push_back(fv);
      regionQ.push_back(dq);
      continue;
    }
    auto [slot, inserted] = layerIndex.try_emplace(name, layers.size());
    if (inserted) {
      layers.push_back({name, op->getName().getStringRef().str()});
      describeLayer(layers.back(), op, fv);
      fTaps.push_back(fv);
      qTaps.push_back(dq);
    } else {
      LayerSQNR &l = layers[slot->second];
      l = LayerSQNR{name, op->getName().getStringRef().str()};
      describeLayer(l, op, fv);
      fTaps[slot->second] = fv;
      qTaps[slot->second] = dq;
    }
  }
  // A name seen several times inside regions keeps its last op (after its
  // requantizations), as at the top level.
  {
    llvm::StringMap<size_t> lastOf;
    for (auto [i, l] : llvm::enumerate(regionTaps))
      lastOf[l.name] = i;
    std::vector<LayerSQNR> kept;
    SmallVector<Value> keptF, keptQ;
    for (auto [i, l] : llvm::enumerate(regionTaps))
      if (lastOf[l.name] == i && !layerIndex.count(l.name)) {
        kept.push_back(l);
        keptF.push_back(regionF[i]);
        keptQ.push_back(regionQ[i]);
      }
    regionTaps = std::move(kept);
    regionF = std::move(keptF);
    regionQ = std::move(keptQ);
    for (auto [i, pair] : llvm::enumerate(llvm::zip_equal(regionF, regionQ))) {
      reportThroughRuntime(std::get<0>(pair), i);
      reportThroughRuntime(std::get<1>(pair), i);
    }
  }
  if (layers.empty() && regionTaps.empty() && options.requireLayers)
    return err("no quantized op of the quantized model matches a float "
               "tensor of the float model by location or name (give the "
               "model before --integer-only; quantized in another process, "
               "it must keep the ONNX names: print it with "
               "--mlir-print-debuginfo)");
  // Model outputs.
  unsigned numOutputs = ff.getFunctionType().getNumResults();
  for (unsigned i = 0; i < numOutputs; ++i) {
    std::string name = "output " + std::to_string(i);
    if (auto n = ff.getResultAttrOfType<StringAttr>(i, "onnx.name"))
      name += " (" + n.str() + ")";
    layers.push_back({name, "-"});
  }
  unsigned fFirst = appendResults(ff, fTaps);
  unsigned qFirst = appendResults(qf, qTaps);

  auto fModel = CompiledModel::compile(*fClone, options.entry);
  if (!fModel)
    return fModel.takeError();
  auto qModel = CompiledModel::compile(*qClone, options.entry);
  if (!qModel)
    return qModel.takeError();
  if (Error e = (*fModel)->checkInputs(
          inputs, std::vector<std::string>(inputs.size(), "data")))
    return std::move(e);

  // Batch by batch: the float model's batch, then the quantized model on
  // the same samples (padded like the float batch), accumulated at once.
  auto tapIndex = [&](size_t layer, bool quant) -> unsigned {
    if (layer < fTaps.size())
      return (quant ? qFirst : fFirst) + layer;
    return layer - fTaps.size(); // a model output
  };
  auto perSample = [](const NpyArray &a) {
    return a.shape.empty() ? a.numElements()
                           : a.numElements() / std::max<int64_t>(1, a.shape[0]);
  };
  std::vector<NpyArray> qBatch(inputs.size()), qOuts;
  // What the region taps saw in this batch, per model, in execution order.
  std::vector<std::vector<float>> regionSeen[2];
  regionSeen[0].resize(regionTaps.size());
  regionSeen[1].resize(regionTaps.size());
  int running = 0; // 0: the float model, 1: the quantized one
  ObservationScope observation(
      [&](int64_t id, const float *values, int64_t count) {
        if (id >= 0 && id < (int64_t)regionTaps.size())
          regionSeen[running][id].insert(regionSeen[running][id].end(),
                                         values, values + count);
      });
  Error e = (*fModel)->forEachBatch(
      inputs, options.batchSize,
      [&](std::vector<NpyArray> &fOuts, int64_t n, int64_t start) -> Error {
        int64_t rows = fOuts.empty() || fOuts[0].shape.empty()
                           ? n
                           : fOuts[0].shape[0];
        SmallVector<const NpyArray *> ptrs;
        bool whole = (*fModel)->wholeCalls(inputs);
        qBatch = (*fModel)->callInputs(inputs, start, n);
        for (const NpyArray &in : qBatch)
          ptrs.push_back(&in);
        running = 1;
        Error runError = (*qModel)->runBatch(ptrs, qOuts);
        running = 0;
        if (runError)
          return runError;
        for (auto [l, layer] : llvm::enumerate(regionTaps)) {
          std::vector<float> &f = regionSeen[0][l], &q = regionSeen[1][l];
          // Quantization may send a run down another branch or change a
          // loop's trip count: such a batch is not comparable.
          if (f.size() == q.size())
            for (size_t i = 0; i < f.size(); ++i) {
              double d = (double)f[i] - q[i];
              layer.signal += (double)f[i] * f[i];
              layer.noise += d * d;
              layer.maxAbsError = std::max(layer.maxAbsError, std::fabs(d));
            }
          if (f.size() == q.size()) {
            layer.elements += f.size();
            addToHistogram(layer, f.data(), f.size());
          }
          f.clear();
          q.clear();
        }
        for (auto [l, layer] : llvm::enumerate(layers)) {
          const NpyArray &fo = fOuts[tapIndex(l, false)];
          const NpyArray &qo = qOuts[tapIndex(l, true)];
          if (fo.dtype != NpyDType::F32 || qo.dtype != NpyDType::F32)
            return err("'" + layer.name + "' is not f32 in both models");
          // Both models ran on the same batch: every element compares,
          // wherever the batch dimension is. Only the zero-padded rows of a
          // short static batch (batch in dimension 0) are left out.
          bool padded = !whole && n < rows && !fo.shape.empty() &&
                        fo.shape[0] == rows;
          int64_t count = padded ? n * perSample(fo) : fo.numElements();
          if (fo.numElements() != qo.numElements())
            return err("'" + layer.name +
                       "' has different sizes in the two models");
          const float *f = fo.as<float>(), *q = qo.as<float>();
          addToHistogram(layer, f, count, fo.shape);
          for (int64_t i = 0; i < count; ++i) {
            double d = (double)f[i] - q[i];
            layer.signal += (double)f[i] * f[i];
            layer.noise += d * d;
            layer.maxAbsError = std::max(layer.maxAbsError, std::fabs(d));
          }
          layer.elements += count;
        }
        return Error::success();
      });
  if (e)
    return std::move(e);
  // Region layers after the top-level ones, before nothing else depends
  // on the order (the model outputs stay where they are).
  layers.insert(layers.begin() + fTaps.size(), regionTaps.begin(),
                regionTaps.end());
  return layers;
}

void qopt::printLayerSQNR(llvm::raw_ostream &os,
                          llvm::ArrayRef<LayerSQNR> layers) {
  size_t w = 5;
  for (const LayerSQNR &l : layers)
    w = std::max(w, l.name.size());
  os << llvm::left_justify("layer", w) << "  " << llvm::left_justify("op", 24)
     << llvm::right_justify("elements", 10)
     << llvm::right_justify("SQNR dB", 10)
     << llvm::right_justify("max |err|", 12)
     << llvm::right_justify("own dB", 10) << "\n";
  auto dbText = [](double db) {
    if (std::isnan(db))
      return llvm::formatv("{0,10}", "-").str();
    return std::isinf(db) ? llvm::formatv("{0,10}", "exact").str()
                          : llvm::formatv("{0,10:F2}", db).str();
  };
  for (const LayerSQNR &l : layers) {
    os << llvm::left_justify(l.name, w) << "  " << llvm::left_justify(l.op, 24)
       << llvm::right_justify(std::to_string(l.elements), 10)
       << dbText(l.sqnrDb()) << llvm::format("%12.4g", l.maxAbsError)
       << dbText(l.ownSqnrDb()) << "\n";
  }
}

Error qopt::writeLayerSQNRJson(llvm::StringRef path,
                               llvm::ArrayRef<LayerSQNR> layers) {
  llvm::json::Array arr;
  for (const LayerSQNR &l : layers) {
    double db = l.sqnrDb();
    double n = std::max<int64_t>(1, l.elements);
    arr.push_back(llvm::json::Object{
        {"name", l.name},
        {"op", l.op},
        {"elements", l.elements},
        {"sqnr_db",
         std::isinf(db) ? llvm::json::Value(nullptr) : llvm::json::Value(db)},
        {"signal_power", l.signal / n},
        {"noise_power", l.noise / n},
        {"max_abs_error", l.maxAbsError},
        {"own_sqnr_db", std::isfinite(l.ownSqnrDb())
                            ? llvm::json::Value(l.ownSqnrDb())
                            : llvm::json::Value(nullptr)}});
  }
  llvm::json::Value root(
      llvm::json::Object{{"version", 1}, {"layers", std::move(arr)}});
  return writeOutputFile(path, [&](llvm::raw_ostream &os) {
    os << llvm::formatv("{0:2}", root) << "\n";
    return Error::success();
  });
}
