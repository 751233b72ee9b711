//===- QualityGuard.cpp - The closing quality line of a quantization ------===//
//
// Part of qopt.
//
//===----------------------------------------------------------------------===//

#include "qopt/Tools/QualityGuard.h"

#include "qopt/Dialect/QNN/IR/QNN.h"
#include "qopt/Dialect/QNN/Utils/LocationName.h"
#include "qopt/Support/Sizes.h"

#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Regex.h"

#include <cmath>

using namespace llvm;

static std::string dbText(double db) {
  if (std::isinf(db) && db > 0)
    return "exact";
  return formatv("{0:F1} dB", db).str();
}

static std::string channelText(const qopt::QualityReport &r) {
  if (std::isnan(r.worstChannelOwnDb))
    return "";
  return ", worst channel " + dbText(r.worstChannelOwnDb);
}

Expected<qopt::QualityReport>
qopt::measureQuality(mlir::ModuleOp floatModel, mlir::ModuleOp quantizedModel,
                     ArrayRef<NpyArray> data) {
  // The first samples of inputs that share a leading batch dimension;
  // anything else (one sample per input, states) as it is.
  int64_t samples = 1;
  bool batched = !data.empty();
  for (const NpyArray &a : data)
    batched &= !a.shape.empty() && a.shape[0] == data[0].shape[0];
  std::vector<NpyArray> part;
  if (batched) {
    samples = std::min<int64_t>(kQualitySamples, data[0].shape[0]);
    for (const NpyArray &a : data)
      part.push_back(sliceSamples(a, 0, samples, samples));
  } else {
    part.assign(data.begin(), data.end());
    samples = -1; // all of it, as one call
  }
  SQNROptions options;
  options.requireLayers = false;
  auto layers = measureLayerSQNR(floatModel, quantizedModel, part, options);
  if (!layers)
    return layers.takeError();
  // Data movement (reshape, flatten, transpose, max pool, ...) keeps its
  // input's quantization: its error is its producer's, so it is not ranked.
  llvm::StringSet<> movesData;
  quantizedModel.walk([&](mlir::qnn::DataMovementOpInterface op) {
    movesData.insert(mlir::qnn::getLocationName(op->getLoc()));
  });
  QualityReport r;
  r.samples = samples;
  r.outputSqnrDb = INFINITY;
  double worst = INFINITY;
  for (const LayerSQNR &l : *layers) {
    if (l.op == "-") { // a model output
      r.outputSqnrDb = std::min(r.outputSqnrDb, l.sqnrDb());
      continue;
    }
    r.floatWeightBytes += 4 * l.weightElements;
    r.quantizedWeightBytes += (l.weightElements * l.weightBits + 7) / 8;
    // Ranked by the lower of the whole tensor's and the worst channel's own
    // SQNR: small channels rounded away (weights spread by batch-norm
    // folding) hide behind large ones in the whole-tensor figure.
    if (movesData.contains(l.name))
      continue;
    double own = l.ownSqnrDb(), channel = l.worstChannelOwnSqnrDb();
    double key = std::isnan(channel) ? own : std::min(own, channel);
    if (!std::isnan(key) && (key < worst || r.worstLayer.empty())) {
      worst = key;
      r.worstLayer = l.name;
      r.worstOp = l.op;
      r.worstOwnDb = own;
      r.worstChannelOwnDb = channel;
      r.worstCumulativeDb = l.sqnrDb();
    }
  }
  r.layers = std::move(*layers);
  // The layers that read the worst layer's result: its tensor is quantized
  // for them, so keeping only the producer float does not keep it float.
  if (!r.worstLayer.empty()) {
    llvm::StringSet<> seen;
    quantizedModel.walk([&](mlir::Operation *op) {
      if (op->getNumResults() != 1 ||
          isa<mlir::qnn::QuantizeOp, mlir::qnn::DequantizeOp,
              mlir::qnn::RequantizeOp>(op) ||
          mlir::qnn::getLocationName(op->getLoc()) != r.worstLayer)
        return;
      SmallVector<mlir::Value> work{op->getResult(0)};
      while (!work.empty()) {
        mlir::Value v = work.pop_back_val();
        for (mlir::Operation *user : v.getUsers()) {
          if (isa<mlir::qnn::QuantizeOp, mlir::qnn::DequantizeOp,
                  mlir::qnn::RequantizeOp>(user)) {
            work.push_back(user->getResult(0));
            continue;
          }
          std::string name = mlir::qnn::getLocationName(user->getLoc());
          if (!name.empty() && name != r.worstLayer && seen.insert(name).second)
            r.worstConsumers.push_back(name);
        }
      }
    });
  }
  return r;
}

std::string qopt::formatQualityLine(const QualityReport &r) {
  std::string line =
      "quality: output SQNR " + dbText(r.outputSqnrDb) + " on " +
      (r.samples < 0 ? std::string("the calibration data")
                     : std::to_string(r.samples) + " calibration sample" +
                           (r.samples == 1 ? "" : "s"));
  if (r.floatWeightBytes)
    line += formatv("; weights {0} -> {1} ({2:F1}x smaller)",
                    formatBytes(r.floatWeightBytes),
                    formatBytes(r.quantizedWeightBytes),
                    double(r.floatWeightBytes) /
                        std::max<int64_t>(1, r.quantizedWeightBytes))
                .str();
  if (!r.worstLayer.empty())
    line += "; worst layer by own error: '" + r.worstLayer + "' (" + r.worstOp +
            ") own " + dbText(r.worstOwnDb) + channelText(r) + ", cumulative " +
            dbText(r.worstCumulativeDb);
  return line;
}

std::string qopt::qualityWarning(const QualityReport &r) {
  if (!(r.outputSqnrDb < kQualityWarningDb))
    return "";
  std::string text = formatv("the quantized model's output SQNR ({0}) is "
                             "below {1:F0} dB",
                             dbText(r.outputSqnrDb), kQualityWarningDb)
                         .str();
  if (!r.worstLayer.empty()) {
    // A regex that matches exactly these names, written as JSON.
    std::string regex = "^(" + Regex::escape(r.worstLayer);
    for (const std::string &c : r.worstConsumers)
      regex += "|" + Regex::escape(c);
    regex += ")$";
    std::string quoted = formatv("{0}", json::Value(regex)).str();
    text += "; the layer that adds the most error is '" + r.worstLayer + "' (" +
            r.worstOp + ", own " + dbText(r.worstOwnDb) + channelText(r) +
            "): keep it" +
            (r.worstConsumers.empty() ? "" : " and the layers that read it") +
            " float with --config containing {\"layers\": [{\"match\": " +
            quoted + ", \"keep_float\": true}]}";
  }
  return text;
}

Error qopt::checkMinSqnr(const QualityReport &r,
                         std::optional<double> minSqnrDb) {
  if (!minSqnrDb || r.outputSqnrDb >= *minSqnrDb)
    return Error::success();
  std::string text = "the quantized model's output SQNR (" +
                     dbText(r.outputSqnrDb) + ") is below --min-sqnr=" +
                     llvm::formatv("{0}", llvm::format("%g", *minSqnrDb)).str();
  if (!r.worstLayer.empty())
    text += " (worst layer by own error: '" + r.worstLayer + "', " + r.worstOp +
            ", own " + dbText(r.worstOwnDb) + ")";
  return createStringError(inconvertibleErrorCode(), text);
}
