//===- QualityGuard.h - The closing quality line of a quantization -*- C++
//-*-===//
//
// Part of qopt. The one-command flows (qopt-compile / qopt-run --quantize,
// Python's quantize) end with one line: the quantized model's output SQNR
// against the float model on part of the calibration data, the weights'
// size before and after, and the worst layer by its own error (ONNX
// Runtime's qdq_err: its float values against themselves quantized with
// its result type) next to its cumulative SQNR. Below 20 dB the line comes
// with a warning naming that layer and the config entry that keeps it
// float; --min-sqnr=DB turns a lower figure into an error.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_TOOLS_QUALITYGUARD_H
#define QOPT_TOOLS_QUALITYGUARD_H

#include "qopt/Calibration/LayerSQNR.h"
#include "qopt/Support/Npy.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"

#include <optional>
#include <string>
#include <vector>

namespace qopt {

/// Output SQNR below which the guard warns.
constexpr double kQualityWarningDb = 20.0;
/// Samples of the calibration data the guard measures on.
constexpr int64_t kQualitySamples = 64;

struct QualityReport {
  double outputSqnrDb = 0; ///< the worst model output
  int64_t samples = 0; ///< -1: inputs without a shared batch, used whole
  int64_t floatWeightBytes = 0, quantizedWeightBytes = 0;
  /// The quantized layer with the lowest own SQNR, of the whole tensor or of
  /// its worst channel (empty name: none).
  std::string worstLayer, worstOp;
  double worstOwnDb = 0, worstCumulativeDb = 0;
  double worstChannelOwnDb = 0; ///< NaN when the layer has no channels
  /// The layers that read the worst layer's result (its tensor is quantized
  /// for them): the config advice keeps them float too.
  std::vector<std::string> worstConsumers;
  std::vector<LayerSQNR> layers;
};

/// Runs both models on the first kQualitySamples samples of `data` (inputs
/// without a shared batch dimension are used whole).
llvm::Expected<QualityReport> measureQuality(mlir::ModuleOp floatModel,
                                             mlir::ModuleOp quantizedModel,
                                             llvm::ArrayRef<NpyArray> data);

/// "quality: output SQNR 35.1 dB on 64 calibration samples; weights
/// 1.2 MiB -> 310 KiB (3.9x smaller); worst layer by own error: 'conv1'
/// (qnn.conv2d) own 28.3 dB, cumulative 31.0 dB".
std::string formatQualityLine(const QualityReport &report);

/// The warning text for a report below kQualityWarningDb, or "".
std::string qualityWarning(const QualityReport &report);

/// An error when `minSqnrDb` is set and the output SQNR is below it.
llvm::Error checkMinSqnr(const QualityReport &report,
                         std::optional<double> minSqnrDb);

} // namespace qopt

#endif // QOPT_TOOLS_QUALITYGUARD_H
