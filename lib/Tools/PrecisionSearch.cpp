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
#include "qopt/Dialect/QNN/Utils/QuantParams.h"
#include "qopt/Runner/JitRunner.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Regex.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <map>
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

/// One rung of the precision ladder: weight and result widths (0, 0: the
/// layer stays float).
struct Level {
  int weightBits, activationBits;
  bool isFloat() const { return weightBits == 0; }
};

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
  /// The config of a choice of levels: only what differs from the flow.
  std::string configOf(ArrayRef<int> levels) const {
    json::Array entries;
    for (auto [name, index, weights] : llvm::zip(names, levels, hasWeightsOf)) {
      Level level = ladder[index];
      json::Object e;
      if (level.isFloat()) {
        e["keep_float"] = true;
      } else {
        if (weights && level.weightBits != ladder[0].weightBits)
          e["weight_bits"] = level.weightBits;
        if (level.activationBits != ladder[0].activationBits)
          e["activation_bits"] = level.activationBits;
      }
      if (e.empty())
        continue;
      e["match"] = "^" + Regex::escape(name) + "$";
      entries.push_back(std::move(e));
    }
    std::string text;
    raw_string_ostream os(text);
    os << json::Value(json::Object{{"layers", std::move(entries)}});
    return text;
  }
  /// The float model quantized with a choice of levels.
  Expected<OwningOpRef<ModuleOp>> quantized(ArrayRef<int> levels) {
    OwningOpRef<ModuleOp> copy = module.clone();
    qopt::QuantizationOptions o = options;
    o.config = configOf(levels);
    PassManager pm(module.getContext());
    qopt::buildQuantizationPipeline(pm, o, hooks,
                                    qopt::QuantizationStages::Quantize);
    if (failed(pm.run(*copy)))
      return err("quantizing with " + o.config + " failed");
    return std::move(copy);
  }
  Expected<double> evaluate(ArrayRef<int> levels, const Twine &what) {
    auto copy = quantized(levels);
    if (!copy)
      return copy.takeError();
    ModuleOp quantizedModel = **copy;
    Expected<double> m = 0.0;
    if (search.target.metric == Metric::Callback) {
      m = search.callback(quantizedModel);
    } else {
      auto outs = outputsOf(quantizedModel);
      if (!outs)
        return outs.takeError();
      m = metricOf(*outs);
    }
    ++evaluations;
    if (m && search.progress)
      errs() << formatv("qopt: precision search: {0}: {1:F3}\n", what.str(),
                        *m);
    return m;
  }
  /// Whether rung `level` changes layer i (the weight rungs leave layers
  /// without weights as they are).
  bool climbs(size_t i, int level) const {
    return hasWeightsOf[i] || ladder[level].isFloat() ||
           ladder[level].activationBits != ladder[level - 1].activationBits;
  }
  std::string levelName(int index) const {
    Level l = ladder[index];
    return l.isFloat()
               ? std::string("float")
               : formatv("W{0}A{1}", l.weightBits, l.activationBits).str();
  }
  /// Layers ranked most sensitive first; `base` is the metric of the
  /// model with every layer at the ladder's first rung.
  Expected<std::vector<size_t>> rank(std::vector<int> &levels, double base,
                                     bool perLayer);
  Expected<std::vector<size_t>> rankIsolated();
  Expected<OwningOpRef<ModuleOp>>
  isolationModel(ArrayRef<std::string> unitNames);
  /// Raises layers along `order` until the target holds: one layer at a
  /// time (PerLayer), or the shortest prefix found by doubling and
  /// bisection (Isolated). Returns the metric of the final choice.
  Expected<double> raiseOneByOne(std::vector<int> &levels,
                                 ArrayRef<size_t> order, double current,
                                 bool &met, std::vector<size_t> &raised);
  Expected<double> raiseByPrefix(std::vector<int> &levels,
                                 ArrayRef<size_t> order, double current,
                                 bool &met);

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
  /// Whether the layer has weights (others climb the activation rungs).
  std::vector<bool> hasWeightsOf;
  /// The rungs every layer may climb, least precise first, float last.
  SmallVector<Level> ladder;
  unsigned evaluations = 0;
};

/// The float model with a switch per layer: input `flags` ([samples,
/// layers], f32 0 or 1, every row alike) selects, for layer i, its result
/// quantized and dequantized at its observer's calibrated range, and its
/// weights quantized at the flow's weight bits:
///   y' = y + f_i * (dq(q(y)) - y),   w' = w + f_i * (dq(q(w)) - w).
/// One compile then measures every layer alone at the flow's precision.
Expected<OwningOpRef<ModuleOp>>
Searcher::isolationModel(ArrayRef<std::string> unitNames) {
  OwningOpRef<ModuleOp> copy = module.clone();
  auto main = copy->lookupSymbol<func::FuncOp>("main");
  MLIRContext *ctx = copy->getContext();
  OpBuilder b(ctx);
  Block &body = main.getBody().front();
  auto inputs = main.getFunctionType().getInputs();
  auto first = dyn_cast<RankedTensorType>(inputs.empty() ? Type() : inputs[0]);
  int64_t rows =
      first && first.getRank() > 0 ? first.getDimSize(0) : ShapedType::kDynamic;
  auto f32 = b.getF32Type();
  auto flagsType =
      RankedTensorType::get({rows, (int64_t)unitNames.size()}, f32);
  unsigned position = inputs.size();
  if (failed(main.insertArgument(position, flagsType, b.getDictionaryAttr({}),
                                 main.getLoc())))
    return err("cannot add the layer switches to 'main'");
  BlockArgument flags = body.getArgument(position);
  llvm::StringMap<size_t> unitOf;
  for (auto [i, n] : llvm::enumerate(unitNames))
    unitOf[n] = i;
  // The switch of `unit` as a tensor of x's rank with every extent 1 (a
  // broadcast operand of the usual form, like ONNX's scalar constants).
  auto flagOf = [&](OpBuilder &ob, Location loc, size_t unit,
                    Type like) -> Value {
    Value zero = arith::ConstantIndexOp::create(ob, loc, 0);
    Value column = arith::ConstantIndexOp::create(ob, loc, unit);
    Value f =
        tensor::ExtractOp::create(ob, loc, flags, ValueRange{zero, column});
    int64_t rank = cast<RankedTensorType>(like).getRank();
    auto t = RankedTensorType::get(SmallVector<int64_t>(rank, 1), f32);
    return tensor::FromElementsOp::create(ob, loc, t, ValueRange{f});
  };
  // x + f * (other - x), in float.
  auto blend = [&](OpBuilder &ob, Location loc, Value x, Value other,
                   Value f) -> Value {
    Type t = x.getType();
    Value d = qnn::SubOp::create(ob, loc, t, other, x);
    Value m = qnn::MulOp::create(ob, loc, t, d, f);
    return qnn::AddOp::create(ob, loc, t, x, m);
  };
  bool isSigned = options.activationType != qnn::ActivationType::UInt8;
  unsigned bits = ladder[0].activationBits;
  SmallVector<qnn::ObserverOp> observers;
  main.walk([&](qnn::ObserverOp o) { observers.push_back(o); });
  for (qnn::ObserverOp o : observers) {
    // The unit of an observer: its producer, or the model input it watches.
    Operation *producer = o.getInput().getDefiningOp();
    std::string name = producer      ? qnn::getLocationName(producer->getLoc())
                       : o.getName() ? o.getName()->str()
                                     : qnn::getLocationName(o.getLoc());
    auto it = unitOf.find(name);
    if (it != unitOf.end() && o.getMin() && o.getMax() &&
        o->getBlock() == &body) {
      b.setInsertionPoint(o);
      Location loc = o.getLoc();
      auto t = cast<RankedTensorType>(o.getType());
      auto q = qnn::activationParams(ctx, o.getMin()->convertToDouble(),
                                     o.getMax()->convertToDouble(), isSigned,
                                     /*symmetric=*/bits == 16, bits);
      Value qv = qnn::QuantizeOp::create(
          b, loc, RankedTensorType::get(t.getShape(), q), o.getInput());
      Value dq = qnn::DequantizeOp::create(b, loc, t, qv);
      o.replaceAllUsesWith(
          blend(b, loc, o.getInput(), dq, flagOf(b, loc, it->second, t)));
    } else {
      o.replaceAllUsesWith(o.getInput());
    }
    o.erase();
  }
  for (Operation &op : llvm::make_early_inc_range(body)) {
    auto weighted = dyn_cast<qnn::WeightedOpInterface>(&op);
    auto it = unitOf.find(qnn::getLocationName(op.getLoc()));
    if (!weighted || it == unitOf.end())
      continue;
    OpOperand &operand = weighted.getWeightOperand();
    auto type = dyn_cast<RankedTensorType>(operand.get().getType());
    auto values = qnn::getConstantFloatValues(operand.get());
    if (!type || !values || !type.hasStaticShape())
      continue;
    std::optional<int64_t> axis = weighted.getWeightChannelAxis();
    auto qw = qnn::quantizeWeights(*values, type.getShape(), axis.value_or(0),
                                   options.perChannel && axis, {},
                                   ladder[0].weightBits);
    qnn::ChannelIndexer channelOf(type.getShape(),
                                  qw.scales.size() > 1 ? *axis : -1);
    SmallVector<float> dq(values->size());
    for (size_t i = 0; i < dq.size(); ++i)
      dq[i] = qw.values[i] * qw.scales[channelOf(i)];
    b.setInsertionPoint(&op);
    Location loc = op.getLoc();
    Value wq = arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(type, ArrayRef<float>(dq)));
    operand.set(
        blend(b, loc, operand.get(), wq, flagOf(b, loc, it->second, type)));
  }
  return std::move(copy);
}

Expected<std::vector<size_t>> Searcher::rankIsolated() {
  auto model = isolationModel(names);
  if (!model)
    return model.takeError();
  auto compiled = qopt::CompiledModel::compile(**model, "main");
  if (!compiled)
    return compiled.takeError();
  int64_t samples = search.data.empty() || search.data[0].shape.empty()
                        ? 1
                        : search.data[0].shape[0];
  qopt::NpyArray flags;
  flags.dtype = qopt::NpyDType::F32;
  flags.shape = {samples, (int64_t)names.size()};
  flags.data.assign(samples * names.size() * sizeof(float), 0);
  std::vector<qopt::NpyArray> inputs = search.data;
  inputs.push_back(flags);
  std::vector<double> metric(names.size());
  for (size_t i = 0; i < names.size(); ++i) {
    float *f = reinterpret_cast<float *>(inputs.back().data.data());
    std::fill(f, f + samples * names.size(), 0.0f);
    for (int64_t r = 0; r < samples; ++r)
      f[r * names.size() + i] = 1.0f;
    auto outs = (*compiled)->runDataset(inputs, 0);
    if (!outs)
      return outs.takeError();
    auto m = metricOf(*outs);
    if (!m)
      return m.takeError();
    metric[i] = *m;
    if (search.progress && (i + 1) % 10 == 0)
      errs() << formatv("qopt: precision search: {0} of {1} layers measured "
                        "alone\n",
                        i + 1, names.size());
  }
  ++evaluations;
  std::vector<size_t> order(names.size());
  std::iota(order.begin(), order.end(), 0);
  // The lower the metric with the layer alone quantized, the more
  // sensitive the layer.
  llvm::stable_sort(order,
                    [&](size_t a, size_t b) { return metric[a] < metric[b]; });
  if (search.progress) {
    errs() << "qopt: precision search: most sensitive alone:";
    for (size_t i = 0; i < std::min<size_t>(5, order.size()); ++i)
      errs() << formatv(" {0} ({1:F3})", names[order[i]], metric[order[i]]);
    errs() << "\n";
  }
  return order;
}

Expected<std::vector<size_t>> Searcher::rank(std::vector<int> &levels,
                                             double base, bool perLayer) {
  if (!perLayer)
    return rankIsolated();
  // Sensitivity: the metric with one layer raised a rung.
  std::vector<double> gain(names.size());
  for (size_t i = 0; i < names.size(); ++i) {
    if (!climbs(i, 1))
      continue;
    levels[i] = 1;
    auto m = evaluate(levels, names[i] + " raised");
    levels[i] = 0;
    if (!m)
      return m.takeError();
    gain[i] = *m - base;
  }
  std::vector<size_t> order(names.size());
  std::iota(order.begin(), order.end(), 0);
  llvm::stable_sort(order,
                    [&](size_t a, size_t b) { return gain[a] > gain[b]; });
  return order;
}

Expected<double> Searcher::raiseOneByOne(std::vector<int> &levels,
                                         ArrayRef<size_t> order, double current,
                                         bool &met,
                                         std::vector<size_t> &raised) {
  int top = ladder.size() - 1;
  for (int level = 1; level <= top && !met; ++level)
    for (size_t i : order) {
      if (levels[i] >= level)
        continue;
      levels[i] = level;
      if (!climbs(i, level))
        continue;
      raised.push_back(i);
      auto m = evaluate(levels, names[i] + " to " + levelName(level));
      if (!m)
        return m.takeError();
      current = *m;
      if ((met = meets(current)))
        break;
    }
  return current;
}

Expected<double> Searcher::raiseByPrefix(std::vector<int> &levels,
                                         ArrayRef<size_t> order, double current,
                                         bool &met) {
  int top = ladder.size() - 1;
  for (int level = 1; level <= top && !met; ++level) {
    std::vector<int> before = levels;
    // The layers below this rung, most sensitive first.
    std::vector<size_t> candidates;
    for (size_t i : order)
      if (levels[i] < level)
        candidates.push_back(i);
    size_t n = candidates.size();
    auto withPrefix = [&](size_t k) {
      std::vector<int> l = before;
      for (size_t j = 0; j < k; ++j)
        l[candidates[j]] = level;
      return l;
    };
    auto tryPrefix = [&](size_t k) -> Expected<double> {
      return evaluate(withPrefix(k), formatv("{0} most sensitive layers to {1}",
                                             k, levelName(level)));
    };
    // Doubling: the first k that meets the target (or all n).
    size_t failing = 0, k = 1;
    std::optional<double> atK;
    for (;; k = std::min(n, 2 * k)) {
      auto m = tryPrefix(k);
      if (!m)
        return m.takeError();
      if (meets(*m)) {
        atK = *m;
        break;
      }
      current = *m;
      failing = k;
      if (k == n)
        break;
    }
    if (!atK) {
      levels = withPrefix(n);
      continue;
    }
    // Bisection between the last failing prefix and k.
    while (k - failing > 1) {
      size_t mid = failing + (k - failing) / 2;
      auto m = tryPrefix(mid);
      if (!m)
        return m.takeError();
      if (meets(*m)) {
        k = mid;
        atK = *m;
      } else {
        failing = mid;
      }
    }
    levels = withPrefix(k);
    current = *atK;
    met = true;
  }
  return current;
}

Expected<qopt::PrecisionSearchResult> Searcher::run() {
  if (!options.config.empty())
    return err("--accuracy-target chooses the per-layer config itself; give "
               "either --config or --accuracy-target");
  if (search.target.needsLabels()) {
    if (!search.labels)
      return err("an accuracy target needs labels (--accuracy-labels)");
    labels = labelValues(*search.labels);
  }
  if (auto main = module.lookupSymbol<func::FuncOp>("main");
      !main || main.isExternal())
    return err("no function 'main' to search");
  // The ladder: the flow's precision, 8-bit weights, 16-bit results (the
  // rung that lifts layers whose error is in their activations, such as
  // PaddleOCR's detection heads), float.
  int activationBits =
      options.activationType == qnn::ActivationType::Int16 ? 16 : 8;
  ladder.push_back({(int)options.weightBits, activationBits});
  if (options.weightBits == 4)
    ladder.push_back({8, activationBits});
  if (activationBits == 8)
    ladder.push_back({8, 16});
  ladder.push_back({0, 0});

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
    if (failed(pm.run(*calibrated)) ||
        failed(hooks.calibrate(*calibrated, options.calibrationData,
                               activationBits)))
      return err("calibrating the model for the search failed (see the "
                 "diagnostics above)");
    if (search.progress)
      errs() << "qopt: precision search: calibrated once\n";
    module = *calibrated;
    options.calibrationData.clear();
  }

  // The layers: every named op with constant weights, and (once the
  // observers are calibrated) every named op whose result is observed --
  // an add or a float island can be the one that needs 16 bits.
  auto main = module.lookupSymbol<func::FuncOp>("main");
  llvm::StringMap<size_t> index;
  // Model inputs first (a config addresses them by the input's name).
  for (Operation &op : main.getBody().front())
    if (auto o = dyn_cast<qnn::ObserverOp>(&op);
        o && isa<BlockArgument>(o.getInput())) {
      std::string name =
          o.getName() ? o.getName()->str() : qnn::getLocationName(o.getLoc());
      if (!name.empty() && index.try_emplace(name, names.size()).second) {
        names.push_back(name);
        hasWeightsOf.push_back(false);
      }
    }
  // Layers inside If/Loop bodies count too (Silero VAD's weighted layers
  // all sit in the If on its sample rate); the per-layer config reaches
  // them by name like any other.
  bool inRegions = false;
  main.walk([&](Operation *layer) {
    Operation &op = *layer;
    if (&op == main.getOperation())
      return;
    auto weighted = dyn_cast<qnn::WeightedOpInterface>(&op);
    bool hasWeights = weighted && qnn::getConstantFloatValues(
                                      weighted.getWeightOperand().get());
    bool observed = op.getNumResults() == 1 &&
                    llvm::any_of(op.getResult(0).getUsers(), [](Operation *u) {
                      return isa<qnn::ObserverOp>(u);
                    });
    std::string name = qnn::getLocationName(op.getLoc());
    if ((!hasWeights && !observed) || name.empty())
      return;
    if (op.getParentOp() != main.getOperation())
      inRegions = true;
    auto [it, inserted] = index.try_emplace(name, names.size());
    if (inserted) {
      names.push_back(name);
      hasWeightsOf.push_back(false);
    }
    if (hasWeights)
      hasWeightsOf[it->second] = true;
  });
  if (names.empty())
    return err("the model has no named layer with constant weights to choose "
               "a precision for");

  qopt::PrecisionSearchResult result;
  result.floatMetric = floatMetric;
  std::vector<int> levels(names.size(), 0);
  auto finish = [&](double metric, bool met) {
    result.metric = metric;
    result.met = met;
    result.config = configOf(levels);
    for (auto [n, l, weights] : llvm::zip(names, levels, hasWeightsOf))
      result.layers.push_back({n, weights ? ladder[l].weightBits : -1,
                               ladder[l].activationBits, weights});
    result.evaluations = evaluations;
    return result;
  };
  // Every observed op stays a layer, even one whose result the flow
  // leaves float at this choice: raising a neighbour can make it quantized
  // (PaddleOCR's final bias Add is float after an 8-bit conv, 8-bit after
  // a 16-bit one).
  auto base = evaluate(levels, "all layers at " + levelName(0));
  if (!base)
    return base.takeError();
  if (meets(*base))
    return finish(*base, true);

  // The isolated ranking needs calibrated observers and outputs to compare
  // (a callback measures whole modules).
  using Ranking = qopt::PrecisionSearchOptions::Ranking;
  // The isolated ranking switches top-level layers only: a model with
  // layers in regions is ranked layer by layer.
  bool perLayer = search.ranking == Ranking::PerLayer ||
                  (search.ranking == Ranking::Auto && names.size() <= 32) ||
                  search.target.metric == Metric::Callback || !calibrated ||
                  inRegions;
  auto order = rank(levels, *base, perLayer);
  if (!order)
    return order.takeError();
  bool met = false;
  if (!perLayer) {
    auto m = raiseByPrefix(levels, *order, *base, met);
    if (!m)
      return m.takeError();
    return finish(*m, met);
  }
  // Raise greedily, most sensitive first, one rung at a time.
  std::vector<size_t> raised;
  auto current = raiseOneByOne(levels, *order, *base, met, raised);
  if (!current)
    return current.takeError();
  if (!met)
    return finish(*current, false);
  // Lower again where it costs nothing (the target still holds).
  double now = *current;
  for (size_t i : llvm::reverse(raised)) {
    while (levels[i] > 0) {
      int was = levels[i];
      --levels[i];
      while (levels[i] > 0 && !climbs(i, levels[i]))
        --levels[i];
      auto m = evaluate(levels, names[i] + " lowered");
      if (!m)
        return m.takeError();
      if (!meets(*m)) {
        levels[i] = was;
        break;
      }
      now = *m;
    }
  }
  return finish(now, true);
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
                                         const AccuracyTarget &target) {
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
  // Layers per precision, least precise first, float last; layers with
  // weights apart from the other observed ops.
  auto counts = [&](bool weighted) {
    std::map<std::pair<int, int>, unsigned> count;
    unsigned floats = 0, all = 0;
    for (const LayerPrecision &l : r.layers) {
      if (l.hadWeights != weighted)
        continue;
      ++all;
      if (l.isFloat())
        ++floats;
      else
        ++count[{l.weightBits, l.activationBits}];
    }
    std::string text;
    for (auto [precision, n] : count)
      text += (text.empty() ? "" : ", ") +
              (weighted ? formatv("{0} at W{1}A{2}", n, precision.first,
                                  precision.second)
                              .str()
                        : formatv("{0} at A{1}", n, precision.second).str());
    text += formatv("{0}{1} float", text.empty() ? "" : ", ", floats).str();
    return std::make_tuple(all, floats, text);
  };
  auto [weightedAll, weightedFloat, weightedText] = counts(true);
  auto [otherAll, otherFloat, otherText] = counts(false);
  std::string layers =
      formatv("{0} layers with weights: {1}", weightedAll, weightedText);
  if (otherAll)
    layers += formatv("; {0} other ops: {1}", otherAll, otherText).str();
  unsigned total = weightedAll + otherAll;
  return formatv("precision search {0}: {1}; {2} ({3:F1}% float; {4} "
                 "evaluations)",
                 r.met ? "met its target" : "MISSED its target", what, layers,
                 total ? 100.0 * (weightedFloat + otherFloat) / total : 0.0,
                 r.evaluations)
      .str();
}
