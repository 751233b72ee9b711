//===- LayerSQNR.h - Per-layer SQNR of a quantized model -----------*- C++ -*-===//
//
// Part of qopt. Layer-wise evaluation (seed 004 §10.2): runs a float model
// and its quantized version side by side over a dataset and reports, for
// every quantized layer output and every model output, the
// signal-to-quantization-noise ratio
//   SQNR = 10 log10( sum x^2 / sum (x - x_q)^2 )   [dB]
// where x is the float model's tensor and x_q the dequantized tensor of the
// quantized model at the same place. Layers are matched by location (a
// quantized clone made in process keeps its float ops' locations) or by
// name: the quantized op's location name (the ONNX node name) against the
// float model's op or observer of that name, with the same shape. Errors
// accumulate through the network, as they do at inference.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_CALIBRATION_LAYERSQNR_H
#define QOPT_CALIBRATION_LAYERSQNR_H

#include "qopt/Support/Npy.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <string>
#include <vector>

namespace qopt {

struct LayerSQNR {
  std::string name; ///< location name, or "output N (NAME)"
  std::string op;   ///< the quantized op, e.g. qnn.conv2d
  int64_t elements = 0;
  double signal = 0, noise = 0; ///< sum x^2, sum (x - x_q)^2
  double maxAbsError = 0;
  /// 10 log10(signal / noise); +inf when the tensors are equal. This is
  /// the cumulative error: the quantized model's value against the float
  /// model's, after every earlier layer's error.
  double sqnrDb() const;
  /// The layer's own error (ONNX Runtime's qdq_err): the float model's
  /// value against itself quantized and dequantized with the layer's
  /// result type (rounding and clipping of this layer alone, given float
  /// inputs). 10 log10(signal / ownNoise); NaN for layers whose result is
  /// not per-tensor quantized (outputs, float islands).
  double ownSqnrDb() const;
  /// The same per channel (dimension 1 of a tensor of rank >= 2), and the
  /// worst channel's figure: a channel whose values are small next to the
  /// tensor's range is rounded away although the whole tensor's own SQNR
  /// (dominated by the large channels) looks fine. NaN without channels.
  double worstChannelOwnSqnrDb() const;
  double ownNoise = 0;
  std::vector<double> channelSignal, channelOwnNoise;
  double qScale = 0; ///< the result type, when hasRange
  int64_t qZeroPoint = 0, qMin = 0, qMax = 0;

  // What the HTML report draws (quantized layers; empty for outputs).
  std::string method;             ///< calibration method of its observer
  bool hasRange = false;          ///< per-tensor quantized result
  double clipLo = 0, clipHi = 0;  ///< the range its quantized type holds
  /// Float values over [histLo, histHi] (the clipping range with a quarter
  /// of its width on each side); `below` / `above` fall outside that.
  std::vector<int64_t> histogram;
  double histLo = 0, histHi = 0;
  int64_t below = 0, above = 0;
  std::vector<double> channelRanges; ///< max |w| per weight channel
  int64_t weightElements = 0, weightBits = 0;
  double ms = -1, gops = 0; ///< from a profile, when there is one
};

struct SQNROptions {
  std::string entry = "main";
  int64_t batchSize = 32;
  /// Whether a quantized model without any layer that matches the float
  /// model is an error (it is, for the per-layer table; the quality guard
  /// compares the outputs of a model kept entirely float too).
  bool requireLayers = true;
};

/// Runs `floatModule` and `quantModule` (after --quantize-static or
/// --lower-fake-quant, before --integer-only: quantized types must still be
/// visible) on `inputs` and measures every matched layer and every output.
llvm::Expected<std::vector<LayerSQNR>>
measureLayerSQNR(mlir::ModuleOp floatModule, mlir::ModuleOp quantModule,
                 llvm::ArrayRef<NpyArray> inputs, const SQNROptions &options);

/// A table: layer, op, elements, SQNR dB, max |error|.
/// A self-contained HTML page (inline SVG, no scripts, no network): per
/// layer the activation histogram with its clipping range and calibration
/// method, the weight range per channel, SQNR and size, the layers ranked by
/// SQNR (worst first), and `summary` lines (accuracy, agreement) on top.
llvm::Error writeHTMLReport(llvm::StringRef path, llvm::StringRef title,
                            llvm::ArrayRef<LayerSQNR> layers,
                            llvm::ArrayRef<std::string> summary);

void printLayerSQNR(llvm::raw_ostream &os, llvm::ArrayRef<LayerSQNR> layers);

/// {"layers": [{"name", "op", "elements", "sqnr_db" (null when exact),
///   "signal_power", "noise_power", "max_abs_error"}...]}; powers are means
/// over the elements.
llvm::Error writeLayerSQNRJson(llvm::StringRef path,
                               llvm::ArrayRef<LayerSQNR> layers);

} // namespace qopt

#endif // QOPT_CALIBRATION_LAYERSQNR_H
