//===- PrecisionSearch.h - Accuracy-aware mixed precision -------*- C++ -*-===//
//
// Part of qopt. `--accuracy-target=METRIC:VALUE`: per-layer precision
// chosen so that the quantized model meets a target measured against the
// float model (or labels), with as few layers as possible above the flow's
// own precision. The result is a per-layer config in quantize-static's
// JSON format, so it can be reused without the search.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_TOOLS_PRECISIONSEARCH_H
#define QOPT_TOOLS_PRECISIONSEARCH_H

#include "qopt/Pipelines/Pipelines.h"
#include "qopt/Support/Npy.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace qopt {

/// What the quantized model must reach.
struct AccuracyTarget {
  enum class Metric {
    SQNR,         ///< output SQNR against float, dB, at least `value`
    Agreement,    ///< top-1 agreement with float (0..1), at least `value`
    Accuracy,     ///< top-1 accuracy against labels (%), at least `value`
    AccuracyDrop, ///< at most `value` points below float's accuracy
    Callback,     ///< a caller's measure (Python's eval_fn), at least
                  ///< `value`, or with `relative` at most `value` below
                  ///< the float model's
  };
  Metric metric = Metric::SQNR;
  double value = 0;
  bool relative = false;
  /// Parses "sqnr:30", "agreement:0.99", "accuracy:88.5",
  /// "accuracy-drop:1".
  static llvm::Expected<AccuracyTarget> parse(llvm::StringRef text);
  bool needsLabels() const {
    return metric == Metric::Accuracy || metric == Metric::AccuracyDrop;
  }
};

struct PrecisionSearchOptions {
  AccuracyTarget target;
  /// The data the metric is measured on (one array per model input) and,
  /// for the accuracy metrics, one class label per sample.
  std::vector<NpyArray> data;
  std::optional<NpyArray> labels;
  bool progress = false; ///< a line per evaluation on stderr
  /// How layers are ranked before precision is raised, most sensitive
  /// first. PerLayer: the quantized model evaluated once per layer raised
  /// alone (one compile and run per layer), then layers raised one at a
  /// time. Isolated: the float model compiled once with a switch per layer
  /// that quantizes that layer alone (its weights and its result at the
  /// flow's precision), run once per layer; then the shortest prefix of the
  /// ranking that meets the target, found by doubling and bisection (about
  /// 2 log2(layers) evaluations). Auto: PerLayer up to 32 layers.
  enum class Ranking { Auto, PerLayer, Isolated } ranking = Ranking::Auto;
  /// For Metric::Callback: the measure of a module (float or quantized).
  std::function<llvm::Expected<double>(mlir::ModuleOp)> callback;
};

/// One layer's choice.
struct LayerPrecision {
  std::string name;
  /// The layer's weight and result widths; both 0 for a float layer
  /// (weightBits means nothing when !hadWeights: an add, a float island,
  /// a model input).
  int weightBits = 8, activationBits = 8;
  bool hadWeights = true;
  bool isFloat() const { return activationBits == 0; }
};

struct PrecisionSearchResult {
  std::string config;     ///< quantize-static's JSON config
  double metric = 0;      ///< the chosen model's metric (target's units)
  double floatMetric = 0; ///< the float model's (accuracy, or the ideal)
  bool met = false;       ///< false: even the most precise choice misses
  std::vector<LayerPrecision> layers;
  unsigned evaluations = 0;
};

/// Searches per-layer precision for `module` (float, after the flow's
/// Prepare stage) quantized with `options` (static mode; its config is the
/// starting point): each layer's sensitivity (the metric with that layer
/// alone raised one level), then layers raised greedily in order of
/// sensitivity until the target holds (8-bit weights first, float as the
/// last resort), then each raised layer lowered again where the target
/// still holds. `module` is not changed.
llvm::Expected<PrecisionSearchResult>
searchPrecision(mlir::ModuleOp module, const QuantizationOptions &options,
                mlir::qnn::CalibrationHooks hooks,
                const PrecisionSearchOptions &search);

/// "accuracy 89.12 (float 89.58) with 3 of 10 layers at 8-bit, 0 float".
/// "precision search met its target: ...; 10 layers with weights: 6 at
/// W4A8, 4 at W8A8, 0 float; 3 other ops: 3 at A8, 0 float (0.0% float;
/// 23 evaluations)": the count at every precision of the ladder.
std::string formatPrecisionSummary(const PrecisionSearchResult &result,
                                   const AccuracyTarget &target);

} // namespace qopt

#endif // QOPT_TOOLS_PRECISIONSEARCH_H
