//===- QOptModule.cpp - Python bindings (pybind11) -------------------------===//
//
// Part of qopt. The `qopt._qopt` extension: a model (an MLIR module in its
// own context) that passes transform, the JIT runs on NumPy arrays, the
// calibrator, the SQNR measurement and the AOT compiler use. Conveniences
// (calibration data as iterables, quantize modes) are in qopt/__init__.py.
// Errors raise qopt.Error with the diagnostics' text.
//
//===----------------------------------------------------------------------===//

#include "qopt/Calibration/Calibrate.h"
#include "qopt/Calibration/LayerSQNR.h"
#include "qopt/Dialect/QNN/IR/QNN.h"
#include "qopt/Dialect/QNN/Utils/RowCounts.h"
#include "qopt/InitAllPasses.h"
#include "qopt/InitAllTools.h"
#include "qopt/Pipelines/Pipelines.h"
#include "qopt/Runner/JitRunner.h"
#include "qopt/Support/Npy.h"
#include "qopt/Target/AOT/CompileToObject.h"
#include "qopt/Target/ONNX/ImportONNX.h"
#include "qopt/Tools/PrecisionSearch.h"
#include "qopt/Tools/QualityGuard.h"
#include "qopt/Tools/QuantizeFlow.h"
#include "qopt/Tools/RunModes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/SwapByteOrder.h"
#include "llvm/Support/TargetSelect.h"

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstring>
#include <optional>

namespace py = pybind11;
using namespace mlir;

namespace {

struct QOptError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Collects a context's diagnostics while alive; errors become the text of
/// the exception, warnings are kept for the caller.
class Diagnostics {
public:
  explicit Diagnostics(MLIRContext *ctx)
      : handler(ctx, [this](Diagnostic &d) {
          std::string text;
          llvm::raw_string_ostream os(text);
          os << d.getLocation() << ": " << d;
          for (Diagnostic &note : d.getNotes())
            if (!StringRef(note.str()).starts_with("see current operation"))
              os << "\n  note: " << note;
          (d.getSeverity() == DiagnosticSeverity::Error ? errors : warnings)
              .push_back(os.str());
          return success();
        }) {}
  std::string errorText(const std::string &what) const {
    std::string s = what;
    for (const std::string &e : errors)
      s += "\n" + e;
    return s;
  }
  std::vector<std::string> errors, warnings;

private:
  ScopedDiagnosticHandler handler;
};

void throwIf(llvm::Error e) {
  if (e)
    throw QOptError(llvm::toString(std::move(e)));
}

MLIRContext *newContext() {
  static bool once = [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    mlir::registerAllPasses();
    qopt::registerAllPasses(qopt::inProcessHooks());
    return true;
  }();
  (void)once;
  DialectRegistry registry;
  qopt::registerToolDialects(registry);
  auto *ctx = new MLIRContext(registry);
  ctx->loadAllAvailableDialects();
  return ctx;
}

/// The qopt dtype of a NumPy dtype that is a plain number in native byte
/// order (toNpy converts other byte orders first); a clear error for every
/// other kind (complex, structured, object, strings, datetimes, ...).
qopt::NpyDType dtypeOf(const py::dtype &d) {
  char kind = d.kind();
  size_t size = d.itemsize();
  bool structured =
      !d.attr("fields").is_none() || !d.attr("subdtype").is_none();
  if (!structured) {
    if (kind == 'f' && size == 4) return qopt::NpyDType::F32;
    if (kind == 'f' && size == 8) return qopt::NpyDType::F64;
    if (kind == 'f' && size == 2) return qopt::NpyDType::F16;
    if (kind == 'i' && size == 1) return qopt::NpyDType::I8;
    if (kind == 'i' && size == 2) return qopt::NpyDType::I16;
    if (kind == 'i' && size == 4) return qopt::NpyDType::I32;
    if (kind == 'i' && size == 8) return qopt::NpyDType::I64;
    if (kind == 'u' && size == 1) return qopt::NpyDType::U8;
    if (kind == 'u' && size == 2) return qopt::NpyDType::U16;
    if (kind == 'u' && size == 4) return qopt::NpyDType::U32;
    if (kind == 'u' && size == 8) return qopt::NpyDType::U64;
    if (kind == 'b' && size == 1) return qopt::NpyDType::Bool;
  }
  throw QOptError("unsupported array dtype '" +
                  std::string(py::str(d).cast<std::string>()) +
                  "': qopt takes arrays of float16/32/64, (u)int8/16/32/64 "
                  "or bool");
}

/// A C-contiguous, native-byte-order copy (or view) of anything NumPy can
/// turn into an array: arrays of any strides, byte order or subclass,
/// objects with __array__ (torch tensors), nested lists. Masked arrays are
/// refused: their masked entries hold arbitrary values that would be read
/// as data.
qopt::NpyArray toNpy(const py::handle &obj) {
  py::module_ np = py::module_::import("numpy");
  if (py::isinstance(obj, np.attr("ma").attr("MaskedArray")))
    throw QOptError("masked arrays are not supported: fill the masked "
                    "entries first (array.filled(value))");
  auto arr = py::array::ensure(obj);
  if (!arr)
    throw QOptError("expected a NumPy array (or an object with __array__), "
                    "got '" +
                    std::string(py::str(py::type::of(obj).attr("__name__"))) +
                    "'");
  py::dtype dt = arr.dtype();
  // Byte order: '=' native, '|' not applicable, '<' / '>' explicit.
  char order = dt.attr("byteorder").cast<std::string>()[0];
  bool littleHost = llvm::sys::IsLittleEndianHost;
  if ((order == '>' && littleHost) || (order == '<' && !littleHost)) {
    dtypeOf(dt); // refuse unsupported kinds before converting
    arr = py::array::ensure(
        arr.attr("astype")(dt.attr("newbyteorder")("=")));
  }
  arr = py::array::ensure(arr, py::array::c_style);
  if (!arr)
    throw QOptError("cannot make a contiguous copy of the array");
  qopt::NpyArray out;
  out.dtype = dtypeOf(arr.dtype());
  for (py::ssize_t i = 0; i < arr.ndim(); ++i)
    out.shape.push_back(arr.shape(i));
  out.data.resize(arr.nbytes());
  if (arr.nbytes())
    std::memcpy(out.data.data(), arr.data(), arr.nbytes());
  return out;
}

py::array fromNpy(const qopt::NpyArray &a) {
  std::string descr = qopt::npyDescr(a.dtype).str();
  py::dtype dt(descr);
  std::vector<py::ssize_t> shape(a.shape.begin(), a.shape.end());
  py::array out(dt, shape);
  if (!a.data.empty())
    std::memcpy(out.mutable_data(), a.data.data(), a.data.size());
  return out;
}

std::vector<qopt::NpyArray> toNpyList(const py::list &arrays) {
  std::vector<qopt::NpyArray> out;
  for (const py::handle &h : arrays)
    out.push_back(toNpy(h));
  return out;
}

/// One model: its own context (models are independent), the module, and
/// the JIT-compiled form while the module is unchanged.
class Model {
public:
  Model(std::unique_ptr<MLIRContext> ctx, OwningOpRef<ModuleOp> module)
      : ctx(std::move(ctx)), module(std::move(module)) {}

  static std::unique_ptr<Model> load(const std::string &path,
                                     const std::vector<std::string> &shapes) {
    std::unique_ptr<MLIRContext> ctx(newContext());
    Diagnostics diags(ctx.get());
    std::string error;
    OwningOpRef<ModuleOp> m = qopt::loadModel(path, ctx.get(), shapes, error);
    if (!m)
      throw QOptError(diags.errorText(error.empty() ? "cannot load '" + path +
                                                          "'"
                                                    : error));
    return std::make_unique<Model>(std::move(ctx), std::move(m));
  }

  /// An ONNX model held in memory (qopt.from_torch's export); `name`
  /// labels it in diagnostics. External data is refused: there is no
  /// directory it could be read from.
  static std::unique_ptr<Model>
  loadONNXBytes(const py::bytes &bytes, const std::string &name,
                const std::vector<std::string> &shapes) {
    std::unique_ptr<MLIRContext> ctx(newContext());
    Diagnostics diags(ctx.get());
    qopt::ONNXImportOptions options;
    for (const std::string &spec : shapes) {
      std::string error = qopt::parseInputShapeOption(spec, options);
      if (!error.empty())
        throw QOptError(diags.errorText(error));
    }
    std::string data = bytes;
    OwningOpRef<ModuleOp> m =
        qopt::importONNX(data, name, ctx.get(), options);
    if (!m)
      throw QOptError(diags.errorText("cannot import '" + name + "'"));
    return std::make_unique<Model>(std::move(ctx), std::move(m));
  }

  static std::unique_ptr<Model> parse(const std::string &text) {
    std::unique_ptr<MLIRContext> ctx(newContext());
    Diagnostics diags(ctx.get());
    OwningOpRef<ModuleOp> m = parseSourceString<ModuleOp>(text, ctx.get());
    if (!m)
      throw QOptError(diags.errorText("cannot parse the MLIR text"));
    return std::make_unique<Model>(std::move(ctx), std::move(m));
  }

  std::unique_ptr<Model> clone() const {
    std::string text = str();
    auto copy = parse(text);
    return copy;
  }

  std::string str() const {
    ModuleOp m = const_cast<OwningOpRef<ModuleOp> &>(module).get();
    std::string s;
    llvm::raw_string_ostream os(s);
    OpPrintingFlags flags;
    flags.enableDebugInfo(/*enable=*/true, /*prettyForm=*/false);
    m->print(os, flags);
    return s;
  }

  /// Runs a textual pass pipeline ("builtin.module(...)"); the warnings.
  std::vector<std::string> apply(const std::string &pipeline) {
    Diagnostics diags(ctx.get());
    // Anchored on the module: the text is "builtin.module(...)".
    PassManager pm(ctx.get(), ModuleOp::getOperationName());
    std::string parseError;
    llvm::raw_string_ostream es(parseError);
    // parsePassPipeline(text, pm) adds the passes of `text` to pm: the
    // module anchor comes off first.
    StringRef inner = pipeline;
    if (inner.consume_front("builtin.module(") && inner.consume_back(")")) {
    } else {
      inner = pipeline;
    }
    if (failed(parsePassPipeline(inner, pm, es)))
      throw QOptError("bad pass pipeline '" + pipeline + "': " + es.str());
    compiled.reset();
    if (failed(pm.run(*module)))
      throw QOptError(diags.errorText("'" + pipeline + "' failed"));
    return diags.warnings;
  }

  /// Runs the quantization flow (qopt::buildQuantizationPipeline, as the
  /// tools do) described by `options` (keys as Python's Model.quantize
  /// takes them), calibrating on `inputs` (static mode); `prepare_only`
  /// stops after the float graph passes. The warnings.
  /// `search`, when not None, runs the precision search (PrecisionSearch.h)
  /// between the flow's stages: {"target": "sqnr:30"...} or {"eval":
  /// callable(native model) -> float, "value": V, "relative": bool}, with
  /// optional "data" (list of arrays) and "labels". Returns (warnings,
  /// search summary, config used).
  py::tuple quantize(const py::dict &options, const py::list &inputs,
                     bool prepareOnly, py::object search) {
    qopt::QuantizationOptions o;
    auto str = [&](const char *key, std::string def) {
      return options.contains(key) ? options[key].cast<std::string>() : def;
    };
    auto flag = [&](const char *key, bool def) {
      return options.contains(key) ? options[key].cast<bool>() : def;
    };
    std::string mode = str("mode", "static");
    if (mode == "static")
      o.mode = qopt::QuantizeMode::Static;
    else if (mode == "dynamic")
      o.mode = qopt::QuantizeMode::Dynamic;
    else if (mode == "weight-only")
      o.mode = qopt::QuantizeMode::WeightOnly;
    else if (mode == "qat")
      o.mode = qopt::QuantizeMode::QAT;
    else
      throw QOptError("unknown mode '" + mode + "'");
    auto method = qnn::symbolizeCalibrationMethod(str("method", "mse"));
    if (!method)
      throw QOptError("unknown calibration method '" + str("method", "") + "'");
    o.calibrationMethod = *method;
    std::string act = str("activation_type", "int8");
    if (act == "int8")
      o.activationType = qnn::ActivationType::Int8;
    else if (act == "uint8")
      o.activationType = qnn::ActivationType::UInt8;
    else if (act == "int16")
      o.activationType = qnn::ActivationType::Int16;
    else
      throw QOptError("unknown activation_type '" + act +
                      "' (int8, uint8, int16)");
    o.perChannel = flag("per_channel", true);
    o.weightBits = options.contains("weight_bits")
                       ? options["weight_bits"].cast<unsigned>()
                       : 8;
    o.weightGroupSize = options.contains("group_size")
                            ? options["group_size"].cast<unsigned>()
                            : 0;
    o.config = str("config", "");
    o.equalize = flag("equalize", false);
    o.equalizeRelu6AsRelu = flag("equalize_relu6_as_relu", false);
    // smooth_quant_alpha: a migration strength, or < 0 for the search.
    if (options.contains("smooth_quant_alpha")) {
      double alpha = options["smooth_quant_alpha"].cast<double>();
      o.smoothQuant = true;
      o.smoothQuantSearch = alpha < 0;
      o.smoothQuantAlpha = alpha < 0 ? 0.5 : alpha;
    }
    o.integerOnly = flag("integer_only", false);
    o.biasCorrection = flag("bias_correction", false);
    std::string rounding = str("rounding", "nearest");
    if (rounding == "nearest")
      o.rounding = qnn::WeightRounding::Nearest;
    else if (rounding == "learned")
      o.rounding = qnn::WeightRounding::Learned;
    else
      throw QOptError("unknown rounding '" + rounding + "' (nearest, learned)");
    std::vector<qopt::NpyArray> data;
    qnn::CalibrationHooks hooks;
    if (o.mode == qopt::QuantizeMode::Static && !prepareOnly) {
      data = toNpyList(inputs);
      // The arrays are the calibration data: the pass hands its labels
      // back, the calibrator reads the arrays.
      for (size_t i = 0; i < data.size(); ++i)
        o.calibrationData.push_back("calibration_data[" + std::to_string(i) +
                                    "]");
      throwIf(qopt::checkCalibrationData(*module, data, o.calibrationData,
                                         /*inMemory=*/true));
      hooks = qopt::hooksFor(data);
    }
    Diagnostics diags(ctx.get());
    compiled.reset();
    auto runStages = [&](qopt::QuantizationStages stages) {
      PassManager pm(ctx.get(), ModuleOp::getOperationName());
      qopt::buildQuantizationPipeline(pm, o, hooks, stages);
      if (failed(pm.run(*module)))
        throw QOptError(diags.errorText("quantization failed"));
    };
    std::string summary;
    if (prepareOnly || search.is_none() ||
        o.mode != qopt::QuantizeMode::Static) {
      runStages(prepareOnly ? qopt::QuantizationStages::Prepare
                            : qopt::QuantizationStages::All);
      return py::make_tuple(diags.warnings, summary, o.config);
    }
    // The precision search between the flow's two stages.
    runStages(qopt::QuantizationStages::Prepare);
    py::dict s = search.cast<py::dict>();
    qopt::PrecisionSearchOptions so;
    py::object evalFn = py::none();
    if (s.contains("eval"))
      evalFn = s["eval"];
    std::string pythonError;
    if (!evalFn.is_none()) {
      so.target.metric = qopt::AccuracyTarget::Metric::Callback;
      so.target.value = s["value"].cast<double>();
      so.target.relative = s["relative"].cast<bool>();
      so.callback = [&](ModuleOp m) -> llvm::Expected<double> {
        // The module as a model of its own (its own context), handed to
        // Python; Python's exceptions stop the search with their message.
        try {
          std::string text;
          llvm::raw_string_ostream os(text);
          OpPrintingFlags flags;
          flags.enableDebugInfo(true, false);
          m->print(os, flags);
          return evalFn(py::cast(parse(text))).cast<double>();
        } catch (py::error_already_set &e) {
          pythonError = e.what();
        } catch (py::cast_error &e) {
          pythonError =
              std::string("eval_fn must return a number: ") + e.what();
        }
        return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                       "eval_fn failed");
      };
    } else {
      auto target =
          qopt::AccuracyTarget::parse(s["target"].cast<std::string>());
      throwIf(target.takeError());
      so.target = *target;
    }
    if (s.contains("ranking")) {
      auto ranking = s["ranking"].cast<std::string>();
      using Ranking = qopt::PrecisionSearchOptions::Ranking;
      so.ranking = ranking == "per-layer"  ? Ranking::PerLayer
                   : ranking == "isolated" ? Ranking::Isolated
                                           : Ranking::Auto;
    }
    if (s.contains("data") && !s["data"].is_none())
      so.data = toNpyList(s["data"].cast<py::list>());
    else
      so.data = data;
    if (s.contains("labels") && !s["labels"].is_none())
      so.labels = toNpy(s["labels"]);
    if (so.target.needsLabels() && !so.labels)
      throw QOptError("an accuracy target needs accuracy_labels");
    auto result = qopt::searchPrecision(*module, o, hooks, so);
    if (!pythonError.empty())
      throw QOptError("eval_fn raised: " + pythonError);
    if (!result)
      throw QOptError(diags.errorText(llvm::toString(result.takeError())));
    summary = qopt::formatPrecisionSummary(*result, so.target);
    o.config = result->config;
    runStages(qopt::QuantizationStages::Quantize);
    return py::make_tuple(diags.warnings, summary, o.config);
  }

  /// The weight size report's rows as JSON text (qnn::weightSizeRows).
  std::string sizeReport() {
    std::string text;
    llvm::raw_string_ostream os(text);
    os << llvm::json::Value(qnn::weightSizeRows(*module));
    return text;
  }

  py::list run(const py::list &inputs, int64_t batchSize) {
    std::vector<qopt::NpyArray> data = toNpyList(inputs);
    Diagnostics diags(ctx.get());
    if (!compiled) {
      auto c = qopt::CompiledModel::compile(*module, "main");
      if (!c)
        throw QOptError(diags.errorText(llvm::toString(c.takeError())));
      compiled = std::move(*c);
    }
    throwIf(compiled->checkInputs(
        data, std::vector<std::string>(data.size(), "input")));
    if (compiled->hasRowCounts()) {
      // Output sizes known only after the call: one call, outputs cut.
      auto raw = compiled->runDataset(data, batchSize);
      throwIf(raw.takeError());
      auto user = compiled->userOutputs(std::move(*raw));
      throwIf(user.takeError());
      py::list result;
      for (const qopt::NpyArray &a : *user)
        result.append(fromNpy(a));
      return result;
    }
    std::vector<std::vector<qopt::NpyArray>> batches;
    // Samples along an extra axis run one call each; their outputs are
    // stacked along one, too.
    bool whole = compiled->wholeCalls(data);
    bool perSample = compiled->runsPerSample(data);
    throwIf(compiled->forEachBatch(
        data, batchSize,
        [&](std::vector<qopt::NpyArray> &outs, int64_t n,
            int64_t) -> llvm::Error {
          // A zero-padded short static batch: keep its first n rows.
          for (qopt::NpyArray &o : outs)
            if (!whole && !o.shape.empty() && o.shape[0] > n &&
                compiled->staticBatch())
              o = qopt::sliceSamples(o, 0, n, n);
          batches.push_back(std::move(outs));
          return llvm::Error::success();
        }));
    py::list result;
    if (batches.empty())
      return result;
    py::module_ np = py::module_::import("numpy");
    for (size_t i = 0; i < batches[0].size(); ++i) {
      if (batches.size() == 1 && !perSample) {
        result.append(fromNpy(batches[0][i]));
        continue;
      }
      py::list parts;
      for (auto &b : batches)
        parts.append(fromNpy(b[i]));
      result.append(np.attr(perSample ? "stack" : "concatenate")(parts, 0));
    }
    return result;
  }

  /// `other`'s module re-parsed into this model's context (comparisons
  /// need both modules in one context).
  OwningOpRef<ModuleOp> adopt(const Model &other, const Diagnostics &diags) {
    OwningOpRef<ModuleOp> m =
        parseSourceString<ModuleOp>(other.str(), ctx.get());
    if (!m)
      throw QOptError(diags.errorText("cannot read the quantized model"));
    return m;
  }

  /// The quality guard's measurement (qopt/Tools/QualityGuard.h) of
  /// `quantized` against this float model on up to 64 samples.
  py::dict quality(const Model &quantized, const py::list &inputs) {
    std::vector<qopt::NpyArray> data = toNpyList(inputs);
    Diagnostics diags(ctx.get());
    OwningOpRef<ModuleOp> q = adopt(quantized, diags);
    auto report = qopt::measureQuality(*module, *q, data);
    if (!report)
      throw QOptError(diags.errorText(llvm::toString(report.takeError())));
    py::dict d;
    d["output_sqnr_db"] = report->outputSqnrDb;
    d["samples"] = report->samples;
    d["float_weight_bytes"] = report->floatWeightBytes;
    d["quantized_weight_bytes"] = report->quantizedWeightBytes;
    d["worst_layer"] = report->worstLayer;
    d["worst_op"] = report->worstOp;
    d["worst_own_sqnr_db"] = report->worstOwnDb;
    d["worst_channel_own_sqnr_db"] = report->worstChannelOwnDb;
    d["worst_cumulative_sqnr_db"] = report->worstCumulativeDb;
    d["line"] = qopt::formatQualityLine(*report);
    d["warning"] = qopt::qualityWarning(*report);
    return d;
  }

  py::list sqnr(const Model &quantized, const py::list &inputs) {
    std::vector<qopt::NpyArray> data = toNpyList(inputs);
    Diagnostics diags(ctx.get());
    // Both modules in one context: the quantized one re-parsed here.
    OwningOpRef<ModuleOp> q = adopt(quantized, diags);
    qopt::SQNROptions options;
    auto layers = qopt::measureLayerSQNR(*module, *q, data, options);
    if (!layers)
      throw QOptError(diags.errorText(llvm::toString(layers.takeError())));
    py::list out;
    for (const qopt::LayerSQNR &l : *layers) {
      py::dict d;
      d["name"] = l.name;
      d["op"] = l.op;
      d["elements"] = l.elements;
      double db = l.sqnrDb();
      d["sqnr_db"] = db;
      d["max_abs_error"] = l.maxAbsError;
      d["own_sqnr_db"] = l.ownSqnrDb();
      d["worst_channel_own_sqnr_db"] = l.worstChannelOwnSqnrDb();
      out.append(d);
    }
    return out;
  }

  void report(const Model &quantized, const py::list &inputs,
              const std::string &path, py::object labels,
              const std::string &title) {
    std::vector<qopt::NpyArray> data = toNpyList(inputs);
    std::optional<qopt::NpyArray> y;
    if (!labels.is_none())
      y = toNpy(labels);
    Diagnostics diags(ctx.get());
    OwningOpRef<ModuleOp> q = adopt(quantized, diags);
    if (llvm::Error e = qopt::writeQuantizationReport(
            path, title, *module, *q, data, y ? &*y : nullptr, "main"))
      throw QOptError(diags.errorText(llvm::toString(std::move(e))));
  }

  /// The entry's inputs and outputs: [{name, shape (None: dynamic),
  /// dtype}] each.
  py::tuple signature() {
    auto entry = module->lookupSymbol<func::FuncOp>("main");
    if (!entry)
      throw QOptError("the model has no function 'main'");
    auto describe = [](Type t, DictionaryAttr attrs, const std::string &dflt) {
      py::dict d;
      std::string name = dflt;
      if (attrs)
        if (auto n = attrs.getAs<StringAttr>("onnx.name"))
          name = n.str();
      d["name"] = name;
      auto tt = dyn_cast<RankedTensorType>(t);
      py::list shape;
      std::string dtype = "?";
      if (tt) {
        for (int64_t s : tt.getShape())
          shape.append(ShapedType::isDynamic(s) ? py::object(py::none())
                                                : py::object(py::int_(s)));
        std::string text;
        llvm::raw_string_ostream os(text);
        os << tt.getElementType();
        dtype = text;
      }
      d["shape"] = py::tuple(shape);
      d["dtype"] = dtype;
      return d;
    };
    py::list ins, outs;
    FunctionType ft = entry.getFunctionType();
    for (unsigned i = 0; i < ft.getNumInputs(); ++i)
      ins.append(describe(ft.getInput(i), entry.getArgAttrDict(i),
                          "input" + std::to_string(i)));
    for (unsigned i = 0; i < ft.getNumResults(); ++i) {
      // Row counts of outputs whose size depends on the data are not
      // outputs of the model: run() cuts those outputs to them.
      if (entry.getResultAttr(i, qnn::kRowCountOfAttrName))
        continue;
      py::dict d = describe(ft.getResult(i), entry.getResultAttrDict(i),
                            "output" + std::to_string(i));
      if (auto axis = entry.getResultAttrOfType<IntegerAttr>(
              i, qnn::kRowAxisAttrName)) {
        py::list shape(d["shape"]);
        shape[axis.getInt()] = py::none();
        d["shape"] = py::tuple(shape);
      }
      outs.append(d);
    }
    return py::make_tuple(ins, outs);
  }

  void compile(const std::string &object, const std::string &header,
               const std::string &target, const std::string &cpu,
               const std::string &name, unsigned threads) {
    // compileToObject lowers in place: compile a copy.
    std::unique_ptr<Model> copy = clone();
    Diagnostics diags(copy->ctx.get());
    qopt::AOTOptions options;
    options.triple = target;
    options.cpu = cpu;
    options.name = name;
    options.threads = threads;
    if (llvm::Error e =
            qopt::compileToObject(*copy->module, options, object, header))
      throw QOptError(diags.errorText(llvm::toString(std::move(e))));
  }

private:
  std::unique_ptr<MLIRContext> ctx;
  OwningOpRef<ModuleOp> module;
  std::unique_ptr<qopt::CompiledModel> compiled;
};

} // namespace

PYBIND11_MODULE(_qopt, m) {
  m.doc() = "qopt: an MLIR quantization compiler for CPUs (native part)";
  py::register_exception<QOptError>(m, "Error");
  py::class_<Model>(m, "Model")
      .def_static("load", &Model::load, py::arg("path"),
                  py::arg("input_shapes") = std::vector<std::string>())
      .def_static("parse", &Model::parse, py::arg("text"))
      .def_static("load_onnx_bytes", &Model::loadONNXBytes, py::arg("bytes"),
                  py::arg("name"), py::arg("input_shapes"))
      .def("clone", &Model::clone)
      .def("signature", &Model::signature)
      .def("__str__", &Model::str)
      .def("apply", &Model::apply, py::arg("pipeline"))
      .def("quantize", &Model::quantize, py::arg("options"), py::arg("inputs"),
           py::arg("prepare_only") = false, py::arg("search") = py::none())
      .def("size_report", &Model::sizeReport)
      .def("run", &Model::run, py::arg("inputs"), py::arg("batch_size") = 0)
      .def("sqnr", &Model::sqnr, py::arg("quantized"), py::arg("inputs"))
      .def("quality", &Model::quality, py::arg("quantized"), py::arg("inputs"))
      .def("report", &Model::report, py::arg("quantized"), py::arg("inputs"),
           py::arg("path"), py::arg("labels") = py::none(),
           py::arg("title") = "model")
      .def("compile", &Model::compile, py::arg("object"), py::arg("header"),
           py::arg("target") = "x86_64-linux-gnu", py::arg("cpu") = "",
           py::arg("name") = "qopt_model", py::arg("threads") = 1);
}
