//===- Calibrate.h - Activation statistics for quantization ---------*- C++ -*-===//
//
// Part of qopt. Runs a module with qnn.observer ops over a dataset through
// the JIT and turns what each observer sees into a range [min, max] by its
// calibration method (seed 004 §2.1-2.3):
//   minmax          global min / max
//   moving_average  exponential moving average of per-batch min / max
//   ksigma          mean -/+ k standard deviations, within [min, max]
//   percentile      two-sided percentile of a 2048-bin histogram
//   entropy         KL-divergence threshold (TensorRT) on |x|
//   mse             clipping range minimizing the expected 8-bit
//                   quantization error over the histogram
// Memory is bounded: statistics stream batch by batch; histogram methods
// make a second pass over the data once the ranges are known.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_CALIBRATION_CALIBRATE_H
#define QOPT_CALIBRATION_CALIBRATE_H

#include "qopt/Dialect/QNN/Transforms/Transforms.h"
#include "qopt/Support/Npy.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace qopt {

struct CalibrationOptions {
  std::string entry = "main";
  int64_t batchSize = 32;
  double percentile = 99.99;  ///< for `percentile`
  double ksigma = 3.0;        ///< for `ksigma`
  double averagingConstant = 0.01; ///< for `moving_average`
  int histogramBins = 2048;
  /// The clipping guard of `entropy`, `mse`, `ksigma` and `moving_average`
  /// (whose average of per-batch ranges clipped recurrent states: a GRU at
  /// 11 dB): their range never
  /// clips more than this fraction of the values seen (half on each side);
  /// where a method's range is narrower, it is widened to that percentile.
  /// KL divergence and k-sigma ignore how far the clipped values lie, and
  /// on heavy-tailed activations (a ReLU stem) chose a fifth of the range,
  /// losing 1.5-5 points of Fashion-MNIST accuracy. 0 disables the guard.
  double maxClippedFraction = 1e-4;
  /// Bits of the quantized activations: `mse` weighs clipping against the
  /// rounding error of 2^bits - 1 steps (8-bit steps would clip 16-bit
  /// activations for nothing).
  unsigned activationBits = 8;
  bool progress = false;      ///< print a progress line to stderr
};

struct ObserverStats {
  int64_t id = 0;
  std::string location;
  std::string method;
  double min = 0, max = 0;          ///< the chosen range
  double observedMin = 0, observedMax = 0;
  double mean = 0, stddev = 0;
  int64_t count = 0;                ///< values seen (0: never ran; -1: unknown, read from a file)
};

/// Calibrates the observers of `module` (unchanged) on `inputs`.
llvm::Expected<std::vector<ObserverStats>>
calibrate(mlir::ModuleOp module, llvm::ArrayRef<NpyArray> inputs,
          const CalibrationOptions &options);

/// Writes min/max onto the observers with matching ids; an observer without
/// statistics is an error that names it.
llvm::Error applyStatistics(mlir::ModuleOp module,
                            llvm::ArrayRef<ObserverStats> stats);

/// JSON: {"version": 1, "observers": [{"id", "location", "method", "min",
/// "max", "observed_min", "observed_max", "mean", "std", "count"}]}.
llvm::Error writeStatistics(llvm::StringRef path,
                            llvm::ArrayRef<ObserverStats> stats);
llvm::Expected<std::vector<ObserverStats>>
readStatistics(llvm::StringRef path);

/// The calibration behind `--quantize-static=calibration-data=...` for
/// drivers that link the JIT: the module is copied into a fresh context (the
/// caller is inside a running pass), calibrated through the JIT with default
/// options (batches of 32, a progress line on a terminal), and the
/// statistics are written onto the caller's observers. Pass it to
/// qopt::registerAllPasses or createQuantizeStaticPass.
mlir::qnn::Calibrator inProcessCalibrator();

/// The same for data already in memory (the Python module's arrays): the
/// pass's data paths are only labels.
mlir::qnn::Calibrator calibratorFor(std::vector<NpyArray> data);

/// round-weights' statistics: `module` copied into a context of its own,
/// the inputs of `layers` appended to the entry function's results,
/// JIT-compiled and run over the data batch by batch.
mlir::qnn::LayerInputStreamer inProcessLayerInputs();
mlir::qnn::LayerInputStreamer layerInputsFor(std::vector<NpyArray> data);

/// Both of the above, for qopt::registerAllPasses and the flow.
mlir::qnn::CalibrationHooks inProcessHooks();
mlir::qnn::CalibrationHooks hooksFor(std::vector<NpyArray> data);

} // namespace qopt

#endif // QOPT_CALIBRATION_CALIBRATE_H
