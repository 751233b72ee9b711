//===- PrecisionSearch.cpp - Accuracy-aware mixed precision ---------------===//
//
// Part of qopt. Every evaluation runs the one quantization flow
// (buildQuantizationPipeline's Quantize stage) on a copy of the prepared
// float model with a per-layer config, compiles it with the JIT and
// measures it on the search data.
//
//===----------------------------------------------------------------------===//

#include "qopt/Tools/PrecisionSearch.h"

#include "qopt/Dialect/QNN/IR/QNN.h"
#include "qopt/Dialect/QNN/Transforms/Passes.h"
#include "qopt/Dialect/QNN/Utils/ConstantUtils.h"
#include "qopt/Dialect/QNN/Utils/LocationName.h"
#include "qopt/Runner/JitRunner.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Regex.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <numeric>

using namespace llvm;
using namespace mlir;

namespace {
Error err(const Twine &msg) {
  return createStringError(inconvertibleErrorCode(), msg.str());
}

using Metric = qopt::AccuracyTarget::Metric;

/// Row-wise argmax of a [..., classes] f32 tensor.
std::vector<int64_t> argmaxRows(const qopt::NpyArray &a) {
  int64_t classes = a.shape.empty() ? 1 : a.shape.back();
  int64_t rows = classes ? a.numElements() / classes : 0;
  std::vector<int64_t> r(rows);
  const float *p = a.as<float>();
  for (int64_t i = 0; i < rows; ++i)
    r[i] = std::max_element(p + i * classes, p + (i + 1) * classes) -
           (p + i * classes);
  return r;
}

std::vector<int64_t> labelValues(const qopt::NpyArray &l) {
  std::vector<int64_t> v(l.numElements());
  for (int64_t i = 0; i < (int64_t)v.size(); ++i) {
    switch (l.dtype) {
    case qopt::NpyDType::I64:
      v[i] = l.as<int64_t>()[i];
      break;
    case qopt::NpyDType::I32:
      v[i] = l.as<int32_t>()[i];
      break;
    case qopt::NpyDType::U8:
      v[i] = l.as<uint8_t>()[i];
      break;
    default:
      v[i] = -1;
    }
  }
  return v;
}

double sqnrDb(const qopt::NpyArray &f, const qopt::NpyArray &q) {
  double s = 0, n = 0;
  const float *a = f.as<float>(), *b = q.as<float>();
  for (int64_t i = 0, e = f.numElements(); i < e; ++i) {
    s += double(a[i]) * a[i];
    n += double(a[i] - b[i]) * (a[i] - b[i]);
  }
  if (n == 0)
    return 200.0;
  return 10 * std::log10(s / n);
}

class Searcher {
public:
  Searcher(ModuleOp module, const qopt::QuantizationOptions &options,
           qnn::CalibrationHooks hooks, const qopt::PrecisionSearchOptions &s)
      : module(module), options(options), hooks(std::move(hooks)), search(s) {}

  Expected<qopt::PrecisionSearchResult> run();

private:
  Expected<std::vector<qopt::NpyArray>> outputsOf(ModuleOp m) {
    auto model = qopt::CompiledModel::compile(m, "main");
    if (!model)
      return model.takeError();
    return (*model)->runDataset(search.data, 0);
  }
  /// The target's metric of outputs `q` (the float outputs are known).
  Expected<double> metricOf(const std::vector<qopt::NpyArray> &q) {
    switch (search.target.metric) {
    case Metric::SQNR: {
      double worst = 1e9;
      for (auto [f, o] : llvm::zip(floatOutputs, q))
        if (f.dtype == qopt::NpyDType::F32 && o.dtype == f.dtype &&
            o.numElements() == f.numElements())
          worst = std::min(worst, sqnrDb(f, o));
      return worst;
    }
    case Metric::Agreement: {
      auto a = argmaxRows(floatOutputs[0]), b = argmaxRows(q[0]);
      if (a.empty() || a.size() != b.size())
        return err("the first output has no rows to compare");
      int64_t same = 0;
      for (size_t i = 0; i < a.size(); ++i)
        same += a[i] == b[i];
      return double(same) / a.size();
    }
    case Metric::Callback:
      return err("the callback metric measures modules, not outputs");
    case Metric::Accuracy:
    case Metric::AccuracyDrop: {
      auto b = argmaxRows(q[0]);
      if (b.size() != labels.size())
        return err("--accuracy-labels has " + Twine(labels.size()) +
                   " labels but the model gives " + Twine(b.size()) +
                   " predictions (one per sample of the search data)");
      int64_t right = 0;
      for (size_t i = 0; i < b.size(); ++i)
        right += b[i] == labels[i];
      return 100.0 * right / b.size();
    }
    }
    return 0.0;
  }
  bool meets(double m) const {
    double v = search.target.value;
    switch (search.target.metric) {
    case Metric::AccuracyDrop:
      return m >= floatMetric - v;
    case Metric::Callback:
      return m >= (search.target.relative ? floatMetric - v : v);
    default:
      return m >= v;
    }
  }
  /// The config of a choice of levels.
  std::string configOf(ArrayRef<int> levels) const {
    json::Array entries;
    for (auto [name, level] : llvm::zip(names, levels)) {
      int bits = levelBits[level];
      if (bits == (int)options.weightBits)
        continue;
      json::Object e{{"match", "^" + Regex::escape(name) + "$"}};
      if (bits == 0)
        e["keep_float"] = true;
      else
        e["weight_bits"] = bits;
      entries.push_back(std::move(e));
    }
    std::string text;
    raw_string_ostream os(text);
    os << json::Value(json::Object{{"layers", std::move(entries)}});
    return text;
  }
  Expected<double> evaluate(ArrayRef<int> levels, StringRef what) {
    OwningOpRef<ModuleOp> copy = module.clone();
    qopt::QuantizationOptions o = options;
    o.config = configOf(levels);
    PassManager pm(module.getContext());
    qopt::buildQuantizationPipeline(pm, o, hooks,
                                    qopt::QuantizationStages::Quantize);
    if (failed(pm.run(*copy)))
      return err("quantizing with " + o.config + " failed");
    Expected<double> m = 0.0;
    if (search.target.metric == Metric::Callback) {
      m = search.callback(*copy);
    } else {
      auto outs = outputsOf(*copy);
      if (!outs)
        return outs.takeError();
      m = metricOf(*outs);
    }
    ++evaluations;
    if (m && search.progress)
      errs() << formatv("qopt: precision search: {0}: {1:F3}\n", what, *m);
    return m;
  }

  ModuleOp module;
  /// The model with calibrated observers, when calibration is done once.
  OwningOpRef<ModuleOp> calibrated;
  qopt::QuantizationOptions options;
  qnn::CalibrationHooks hooks;
  const qopt::PrecisionSearchOptions &search;
  std::vector<qopt::NpyArray> floatOutputs;
  std::vector<int64_t> labels;
  double floatMetric = 0;
  std::vector<std::string> names;
  /// Weight bits of each level (0: float).
  SmallVector<int> levelBits;
  unsigned evaluations = 0;
};

Expected<qopt::PrecisionSearchResult> Searcher::run() {
  if (!options.config.empty())
    return err("--accuracy-target chooses the per-layer config itself; give "
               "either --config or --accuracy-target");
  if (search.target.needsLabels()) {
    if (!search.labels)
      return err("an accuracy target needs labels (--accuracy-labels)");
    labels = labelValues(*search.labels);
  }
  auto main = module.lookupSymbol<func::FuncOp>("main");
  if (!main || main.isExternal())
    return err("no function 'main' to search");
  llvm::StringSet<> seen;
  for (Operation &op : main.getBody().front()) {
    auto weighted = dyn_cast<qnn::WeightedOpInterface>(&op);
    if (!weighted ||
        !qnn::getConstantFloatValues(weighted.getWeightOperand().get()))
      continue;
    std::string name = qnn::getLocationName(op.getLoc());
    if (!name.empty() && seen.insert(name).second)
      names.push_back(name);
  }
  if (names.empty())
    return err("the model has no named layer with constant weights to choose "
               "a precision for");
  levelBits = options.weightBits == 4 ? SmallVector<int>{4, 8, 0}
                                      : SmallVector<int>{8, 0};
  int top = levelBits.size() - 1;

  if (search.target.metric == Metric::Callback) {
    if (!search.callback)
      return err("the callback metric needs a callback");
    auto m = search.callback(module);
    if (!m)
      return m.takeError();
    floatMetric = *m;
  } else {
    auto fOuts = outputsOf(module);
    if (!fOuts)
      return fOuts.takeError();
    floatOutputs = std::move(*fOuts);
    if (floatOutputs.empty() || floatOutputs[0].dtype != qopt::NpyDType::F32)
      return err("the model's first output is not float");
    auto m = metricOf(floatOutputs);
    if (!m)
      return m.takeError();
    floatMetric = *m;
  }

  // Calibration sees only the float model, so it is the same for every
  // candidate: done once here instead of in each evaluation (it was most of
  // an evaluation's time on PaddleOCR recognition). Learned rounding and
  // bias correction read the data themselves and keep the slow path.
  if (options.mode == qopt::QuantizeMode::Static &&
      !options.calibrationData.empty() &&
      options.rounding == qnn::WeightRounding::Nearest &&
      !options.biasCorrection && hooks.calibrate) {
    calibrated = module.clone();
    PassManager pm(module.getContext());
    qnn::InsertObserversPassOptions observe;
    observe.method = options.calibrationMethod;
    pm.addPass(qnn::createInsertObserversPass(observe));
    unsigned bits =
        options.activationType == qnn::ActivationType::Int16 ? 16 : 8;
    if (failed(pm.run(*calibrated)) ||
        failed(hooks.calibrate(*calibrated, options.calibrationData, bits)))
      return err("calibrating the model for the search failed (see the "
                 "diagnostics above)");
    if (search.progress)
      errs() << "qopt: precision search: calibrated once\n";
    module = *calibrated;
    options.calibrationData.clear();
  }

  qopt::PrecisionSearchResult result;
  result.floatMetric = floatMetric;
  std::vector<int> levels(names.size(), 0);
  auto finish = [&](double metric, bool met) {
    result.metric = metric;
    result.met = met;
    result.config = configOf(levels);
    for (auto [n, l] : llvm::zip(names, levels))
      result.layers.push_back({n, levelBits[l] == 0 ? 2 : l == 0 ? 0 : 1});
    result.evaluations = evaluations;
    return result;
  };
  auto base = evaluate(levels, "all layers at the flow's precision");
  if (!base)
    return base.takeError();
  if (meets(*base))
    return finish(*base, true);

  // Sensitivity: the metric with one layer raised a level.
  std::vector<double> gain(names.size());
  for (size_t i = 0; i < names.size(); ++i) {
    levels[i] = 1;
    auto m = evaluate(levels, names[i] + " raised");
    levels[i] = 0;
    if (!m)
      return m.takeError();
    gain[i] = *m - *base;
  }
  std::vector<size_t> order(names.size());
  std::iota(order.begin(), order.end(), 0);
  llvm::stable_sort(order,
                    [&](size_t a, size_t b) { return gain[a] > gain[b]; });

  // Raise greedily, most sensitive first, one level at a time.
  double current = *base;
  std::vector<size_t> raised;
  bool met = false;
  for (int level = 1; level <= top && !met; ++level)
    for (size_t i : order) {
      if (levels[i] >= level)
        continue;
      levels[i] = level;
      raised.push_back(i);
      auto m =
          evaluate(levels, names[i] + " to " +
                               (levelBits[level]
                                    ? std::to_string(levelBits[level]) + "-bit"
                                    : std::string("float")));
      if (!m)
        return m.takeError();
      current = *m;
      if ((met = meets(current)))
        break;
    }
  if (!met)
    return finish(current, false);
  // Lower again where it costs nothing (the target still holds).
  for (size_t i : llvm::reverse(raised)) {
    while (levels[i] > 0) {
      --levels[i];
      auto m = evaluate(levels, names[i] + " lowered");
      if (!m)
        return m.takeError();
      if (!meets(*m)) {
        ++levels[i];
        break;
      }
      current = *m;
    }
  }
  return finish(current, true);
}
} // namespace

Expected<qopt::AccuracyTarget> qopt::AccuracyTarget::parse(StringRef text) {
  auto [name, value] = text.split(':');
  AccuracyTarget t;
  if (name == "sqnr")
    t.metric = Metric::SQNR;
  else if (name == "agreement")
    t.metric = Metric::Agreement;
  else if (name == "accuracy")
    t.metric = Metric::Accuracy;
  else if (name == "accuracy-drop")
    t.metric = Metric::AccuracyDrop;
  else
    return err("--accuracy-target '" + text +
               "': expected sqnr:DB, agreement:FRACTION, accuracy:PERCENT or "
               "accuracy-drop:POINTS");
  if (value.trim().getAsDouble(t.value) || !std::isfinite(t.value))
    return err("--accuracy-target '" + text + "': '" + value +
               "' is not a number");
  if (t.metric == Metric::Agreement && (t.value < 0 || t.value > 1))
    return err("--accuracy-target '" + text +
               "': agreement is a fraction between 0 and 1");
  return t;
}

Expected<qopt::PrecisionSearchResult>
qopt::searchPrecision(ModuleOp module, const QuantizationOptions &options,
                      qnn::CalibrationHooks hooks,
                      const PrecisionSearchOptions &search) {
  return Searcher(module, options, std::move(hooks), search).run();
}

std::string qopt::formatPrecisionSummary(const PrecisionSearchResult &r,
                                         const AccuracyTarget &target,
                                         unsigned baseBits) {
  unsigned count[3] = {0, 0, 0};
  for (const LayerPrecision &l : r.layers)
    ++count[l.level];
  std::string what;
  switch (target.metric) {
  case Metric::SQNR:
    what =
        formatv("output SQNR {0:F1} dB (target {1})", r.metric, target.value);
    break;
  case Metric::Agreement:
    what = formatv("top-1 agreement with float {0:F4} (target {1})", r.metric,
                   target.value);
    break;
  case Metric::Callback:
    what =
        formatv("eval_fn {0:F4} (float {1:F4}, target {2}{3})", r.metric,
                r.floatMetric, target.relative ? "float - " : "", target.value);
    break;
  case Metric::Accuracy:
  case Metric::AccuracyDrop:
    what = formatv("accuracy {0:F2} (float {1:F2}, target {2}{3})", r.metric,
                   r.floatMetric,
                   target.metric == Metric::AccuracyDrop ? "float - " : "",
                   target.value);
    break;
  }
  std::string layers =
      baseBits == 4
          ? formatv("{0} layers at 4-bit, {1} at 8-bit, {2} float", count[0],
                    count[1], count[2])
                .str()
          : formatv("{0} layers at 8-bit, {1} float", count[0], count[2]).str();
  return formatv("precision search {0}: {1}; {2} ({3} evaluations)",
                 r.met ? "met its target" : "MISSED its target", what, layers,
                 r.evaluations)
      .str();
}
