//===- RunModes.h - What qopt-run does, as library calls -------*- C++ -*-===//
//
// Part of qopt. qopt-run's modes (run a model, benchmark it, calibrate its
// observers, measure per-layer SQNR) as functions, so that other drivers
// (the Python module, embedders) get the same behaviour as the tool.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_TOOLS_RUNMODES_H
#define QOPT_TOOLS_RUNMODES_H

#include "qopt/Support/Npy.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <string>
#include <vector>

namespace qopt {

class CompiledModel;

/// The arrays `paths` give for the inputs of `entry` in `module`: one .npy
/// per input, one .npz with an array per input, or a directory of .npz
/// files, one sample each (see readInputArrays).
llvm::Expected<std::vector<NpyArray>>
readModelInputs(mlir::ModuleOp module, llvm::ArrayRef<std::string> paths,
                llvm::StringRef what = "input data",
                llvm::StringRef entry = "main");

/// Checks a `--dot-product` spelling and that the host can execute it
/// (instructions it lacks would fault at run time). Empty: the host's best.
llvm::Error checkHostDotProduct(llvm::StringRef dotProduct);

/// Latency of `runs` calls on the first batch (the model's static batch,
/// `batchSize`, or every sample) after three warm-up calls.
struct BenchResult {
  int64_t batch = 0;
  double medianMs = 0, minMs = 0;
};
llvm::Expected<BenchResult> benchmark(CompiledModel &model,
                                      llvm::ArrayRef<NpyArray> data,
                                      int64_t batchSize, int runs);

/// Run mode: compile `module`'s `entry`, check and run the inputs (in
/// batches of `batchSize`, 0: all), write the outputs; with `bench` > 0 also
/// print the benchmark line to `os`.
struct RunOptions {
  std::string entry = "main";
  std::vector<std::string> inputs, outputs;
  int64_t batchSize = 0;
  int bench = 0;
  bool vectorize = true;
  std::string dotProduct;
  unsigned threads = 1;
};
llvm::Error runModel(mlir::ModuleOp module, const RunOptions &options,
                     llvm::raw_ostream &os);

/// Calibrate mode: statistics from `statsIn` or measured on `inputs`,
/// written onto the observers, to `statsOut` (JSON) and/or `outputModule`
/// (with locations, so later steps name layers by ONNX node).
struct CalibrateModeOptions {
  std::string entry = "main";
  std::vector<std::string> inputs;
  int64_t batchSize = 32;
  double percentile = 99.99, ksigma = 3.0;
  std::string statsIn, statsOut, outputModule;
};
llvm::Error runCalibration(mlir::ModuleOp module,
                           const CalibrateModeOptions &options);

/// SQNR mode: per-layer SQNR of a quantized version of `module` (read from
/// `quantizedModel`, or made in process by the pass pipeline `pipeline`),
/// printed as a table to `os` and optionally written as JSON.
struct SQNRModeOptions {
  std::string entry = "main";
  std::vector<std::string> inputs, inputShapes;
  int64_t batchSize = 32;
  std::string quantizedModel, pipeline, jsonPath;
  std::string reportPath; ///< also write the HTML report here
  std::string labelsPath; ///< with reportPath: accuracy of both models
};
llvm::Error runSQNR(mlir::ModuleOp module, const SQNRModeOptions &options,
                    llvm::raw_ostream &os);

/// The HTML report of `quantModule` against `floatModule` (same locations:
/// the float model folded and fused as the quantized one was) on `data`;
/// with `labels` (class indices, one per sample) the report's summary gives
/// both models' accuracy and their argmax agreement on the first output.
/// With `profile` the quantized model is profiled into the report, and the
/// profile table is also printed to `profileTable` when given.
llvm::Error
writeQuantizationReport(llvm::StringRef path, llvm::StringRef title,
                        mlir::ModuleOp floatModule, mlir::ModuleOp quantModule,
                        llvm::ArrayRef<NpyArray> data, const NpyArray *labels,
                        llvm::StringRef entry = "main", bool profile = false,
                        llvm::raw_ostream *profileTable = nullptr);

} // namespace qopt

#endif // QOPT_TOOLS_RUNMODES_H
