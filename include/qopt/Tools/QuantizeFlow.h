//===- QuantizeFlow.h - One command from float model to quantized -*- C++ -*-===//
//
// Part of qopt. `qopt-compile model.onnx --quantize=static
// --calibration-data=x.npy -o model.o` and the same options of qopt-run:
// the graph passes, calibration, quantization and (optionally) the
// integer-only check in one process, each step the existing pass.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_TOOLS_QUANTIZEFLOW_H
#define QOPT_TOOLS_QUANTIZEFLOW_H

#include "qopt/Pipelines/Pipelines.h"
#include "qopt/Support/Npy.h"
#include "qopt/Tools/PrecisionSearch.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Error.h"

#include <optional>
#include <string>
#include <vector>

namespace qopt {

struct QualityReport;

inline QuantizationOptions noQuantization() {
  QuantizationOptions o;
  o.mode = QuantizeMode::None;
  return o;
}

/// The flow as the tools run it: the quantization itself (one description
/// for tools, pipeline and Python) and what a tool adds around it.
struct QuantizeFlowOptions {
  QuantizationOptions quantization = noQuantization();
  bool progress = false; ///< stage names on stderr
  /// Static mode: measure the result against the float model on part of
  /// the calibration data and print the quality line (QualityGuard.h).
  bool qualityCheck = true;
  /// An error when the output SQNR is below this (--min-sqnr).
  std::optional<double> minSqnrDb;
  /// Static mode: choose per-layer precision to meet this target
  /// (PrecisionSearch.h), measured on `accuracyData` (default: the
  /// calibration data) against `accuracyLabels` for the accuracy metrics;
  /// the chosen config is written to `accuracyConfigOut` when given.
  std::optional<AccuracyTarget> accuracyTarget;
  std::vector<std::string> accuracyData;
  std::string accuracyLabels, accuracyConfigOut;
  PrecisionSearchOptions::Ranking accuracyRanking =
      PrecisionSearchOptions::Ranking::Auto;
};

/// The command-line options of the flow, registered in `category` by the
/// tool that constructs this object (one per process, at namespace scope).
class QuantizeFlowCL {
public:
  explicit QuantizeFlowCL(llvm::cl::OptionCategory &category);
  /// The options as given, or an error for a bad combination.
  llvm::Expected<QuantizeFlowOptions> get() const;

private:
  llvm::cl::opt<QuantizeMode> mode;
  llvm::cl::list<std::string> calibrationData;
  llvm::cl::opt<std::string> calibrationMethod;
  llvm::cl::opt<std::string> config;
  llvm::cl::opt<unsigned> weightBits;
  llvm::cl::opt<unsigned> weightGroupSize;
  llvm::cl::opt<bool> perChannel;
  llvm::cl::opt<mlir::qnn::ActivationType> activationType;
  llvm::cl::opt<bool> equalize;
  llvm::cl::opt<std::string> smoothQuant;
  llvm::cl::opt<mlir::qnn::WeightRounding> rounding;
  llvm::cl::opt<bool> biasCorrection;
  llvm::cl::opt<bool> integerOnly;
  llvm::cl::opt<bool> qualityCheck;
  llvm::cl::opt<double> minSqnr;
  llvm::cl::opt<std::string> accuracyTarget;
  llvm::cl::list<std::string> accuracyData;
  llvm::cl::opt<std::string> accuracyLabels;
  llvm::cl::opt<std::string> accuracyConfigOut;
  llvm::cl::opt<PrecisionSearchOptions::Ranking> accuracyRanking;
};

/// Checks calibration data against the model's signature before anything
/// is compiled (the calibration run would find a wrong dtype only after
/// the passes and a JIT compile): count, dtype, rank and the non-sample
/// dimensions, with what to do. `paths` name the arrays in messages;
/// `inMemory`: they are a caller's arrays (Python), not .npy files, and the
/// advice says how to convert an array rather than a file.
llvm::Error checkCalibrationData(mlir::ModuleOp module,
                                 llvm::ArrayRef<NpyArray> data,
                                 llvm::ArrayRef<std::string> paths,
                                 bool inMemory = false);

/// Runs the quantization flow (buildQuantizationPipeline; static mode
/// calibrating in process on the data): first the float graph passes, then
/// the quantization. Diagnostics go to the context's
/// handler; the error says which step failed.
/// `foldedFloat`, when given, receives the float model after the graph
/// passes (what the per-layer reports compare against). In static mode the
/// flow ends with the quality line on stderr (and a warning below 20 dB),
/// or the --min-sqnr error; `quality`, when given, receives its figures
/// (left unchanged when no measurement was made).
llvm::Error
runQuantizeFlow(mlir::ModuleOp module, const QuantizeFlowOptions &options,
                mlir::OwningOpRef<mlir::ModuleOp> *foldedFloat = nullptr,
                QualityReport *quality = nullptr);

} // namespace qopt

#endif // QOPT_TOOLS_QUANTIZEFLOW_H
