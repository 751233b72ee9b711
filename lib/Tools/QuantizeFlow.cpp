//===- QuantizeFlow.cpp - One command from float model to quantized -------===//
//
// Part of qopt.
//
//===----------------------------------------------------------------------===//

#include "qopt/Tools/QuantizeFlow.h"

#include "qopt/Calibration/Calibrate.h"
#include "qopt/Dialect/QNN/IR/QNN.h"
#include "qopt/Dialect/QNN/Transforms/Passes.h"
#include "qopt/Dialect/QNN/Transforms/Transforms.h"
#include "qopt/Runner/JitRunner.h"
#include "qopt/Support/OutputFile.h"
#include "qopt/Support/Sizes.h"
#include "qopt/Tools/QualityGuard.h"
#include "qopt/Tools/RunModes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;
using namespace mlir;

namespace {
Error err(const Twine &msg) {
  return createStringError(inconvertibleErrorCode(), msg.str());
}

} // namespace

Error qopt::checkCalibrationData(ModuleOp module, ArrayRef<qopt::NpyArray> data,
                                 ArrayRef<std::string> paths, bool inMemory) {
  auto func = module.lookupSymbol<func::FuncOp>("main");
  if (!func)
    return Error::success();
  ArrayRef<Type> types = func.getArgumentTypes();
  auto nameOf = [&](unsigned i) {
    if (auto n = func.getArgAttrOfType<StringAttr>(i, "onnx.name"))
      return n.str();
    return "input" + std::to_string(i);
  };
  if (data.size() != types.size()) {
    std::string names;
    for (unsigned i = 0; i < types.size(); ++i)
      names += (i ? ", '" : "'") + nameOf(i) + "'";
    return err("the model takes " + Twine(types.size()) + " input(s) (" +
               names + ") but --calibration-data gives " + Twine(data.size()) +
               " file(s): give one .npy per input, in order, comma-separated "
               "(or one .npz with an array per input name, or a directory of "
               ".npz files, one sample each)");
  }
  // Samples along an extra leading axis (a stateful model's feeds, one
  // call each): [S, <input shape>] for every input, with the same S.
  bool perSample = !data.empty();
  for (auto [i, a] : llvm::enumerate(data)) {
    auto tt = dyn_cast<RankedTensorType>(types[i]);
    perSample &= tt && (int64_t)a.shape.size() == tt.getRank() + 1 &&
                 a.shape[0] == data[0].shape[0];
  }
  for (auto [i, a] : llvm::enumerate(data)) {
    auto tt = dyn_cast<RankedTensorType>(types[i]);
    if (!tt)
      continue;
    StringRef path = paths.size() == data.size() ? paths[i] : paths.front();
    std::string what =
        "calibration data '" + path.str() + "' (for input '" + nameOf(i) + "')";
    std::optional<qopt::NpyDType> want = qopt::npyDTypeOf(tt.getElementType());
    if (want && a.dtype != *want) {
      std::string to = qopt::npyNumpyName(*want).str();
      if (inMemory)
        return err(what + " is " + qopt::npyNumpyName(a.dtype) +
                   " but the input is " + to +
                   "; convert it first: array.astype(numpy." + to + ")");
      return err(what + " is " + qopt::npyNumpyName(a.dtype) +
                 " but the input is " + to +
                 "; convert it first, e.g. "
                 "np.save('" +
                 path + "', np.load('" + path + "').astype(np." + to + "))");
    }
    if (perSample) {
      for (int64_t d = 0; d < tt.getRank(); ++d)
        if (!tt.isDynamicDim(d) && a.shape[d + 1] != tt.getDimSize(d))
          return err(what + " has shape " + qopt::shapeString(a.shape) +
                     ": one sample per row of an input of shape " +
                     qopt::shapeString(tt.getShape()) + ", but dimension " +
                     Twine(d + 1) + " is not " + Twine(tt.getDimSize(d)));
      continue;
    }
    if ((int64_t)a.shape.size() != tt.getRank())
      return err(what + " has rank " + Twine(a.shape.size()) +
                 " but the input has rank " + Twine(tt.getRank()) +
                 " (samples along the first dimension, then the input's "
                 "own dimensions; or, for inputs without a shared batch "
                 "dimension, one extra leading axis of samples)");
    for (int64_t d = 1; d < tt.getRank(); ++d)
      if (!tt.isDynamicDim(d) && a.shape[d] != tt.getDimSize(d))
        return err(what + " has size " + Twine(a.shape[d]) +
                   " in dimension " + Twine(d) + " but the input has " +
                   Twine(tt.getDimSize(d)));
  }
  return Error::success();
}

qopt::QuantizeFlowCL::QuantizeFlowCL(cl::OptionCategory &category)
    : mode("quantize",
           cl::desc("Quantize before compiling (one process: graph passes, "
                    "calibration, quantization)"),
           cl::init(QuantizeMode::None),
           cl::values(
               clEnumValN(QuantizeMode::None, "none", "keep the model as is"),
               clEnumValN(QuantizeMode::Static, "static",
                          "int8 activations calibrated on "
                          "--calibration-data"),
               clEnumValN(QuantizeMode::Dynamic, "dynamic",
                          "int8 weights, activation scales at run time"),
               clEnumValN(QuantizeMode::WeightOnly, "weight-only",
                          "int8 weights, float activations"),
               clEnumValN(QuantizeMode::QAT, "qat",
                          "lower the model's fake quantization (QAT, QDQ)")),
           cl::cat(category)),
      calibrationData("calibration-data",
                      cl::desc("With --quantize=static: .npy files, one per "
                               "model input; or one .npz with an array per "
                               "input name; or a directory of .npz files, "
                               "one sample each (stateful models)"),
                      cl::CommaSeparated, cl::cat(category)),
      calibrationMethod(
          "calibration-method",
          cl::desc("With --quantize=static: mse (default), minmax, "
                   "moving_average, percentile, entropy, ksigma"),
          cl::init("mse"), cl::cat(category)),
      config("config",
             cl::desc("With --quantize=static: per-layer JSON "
                      "(keep_float, weight_bits, activation_bits, "
                      "per_channel)"),
             cl::cat(category)),
      weightBits("weight-bits",
                 cl::desc("Weight bits, 8 (default) or 4 (static: "
                          "per-layer with --config)"),
                 cl::init(8), cl::cat(category)),
      weightGroupSize(
          "weight-group-size",
          cl::desc("With --quantize=weight-only or dynamic: one scale and "
                   "zero point per this many weights along the reduction "
                   "axis of Gemm/MatMul layers (32, 64, 128; blockwise, as "
                   "ONNX Runtime's MatMulNBits; dynamic: int8 activations, "
                   "W4A8); 0 (default): per channel"),
          cl::init(0), cl::cat(category)),
      perChannel("per-channel",
                 cl::desc("One weight scale per output channel (default) "
                          "or, =false, per tensor"),
                 cl::init(true), cl::cat(category)),
      activationType(
          "activation-type",
          cl::desc("With --quantize=static: activation storage"),
          cl::init(qnn::ActivationType::Int8),
          cl::values(clEnumValN(qnn::ActivationType::Int8, "int8",
                                "asymmetric int8 (default)"),
                     clEnumValN(qnn::ActivationType::UInt8, "uint8",
                                "asymmetric uint8"),
                     clEnumValN(qnn::ActivationType::Int16, "int16",
                                "symmetric int16 with 8-bit weights")),
          cl::cat(category)),
      equalize("equalize",
               cl::desc("With --quantize=static: cross-layer equalization "
                        "of consecutive conv/gemm layers first (helps "
                        "per-tensor and 4-bit weights)"),
               cl::init(false), cl::cat(category)),
      smoothQuant(
          "smooth-quant",
          cl::desc("With --quantize=static: SmoothQuant first -- outlier "
                   "channels of gemm/matmul inputs moved into the weights, "
                   "with migration strength ALPHA (0..1; default 0.5) or "
                   "=auto, the best per input by its output error"),
          cl::value_desc("ALPHA|auto"), cl::ValueOptional, cl::cat(category)),
      rounding("rounding",
               cl::desc("With --quantize=static: how weights are rounded"),
               cl::init(qnn::WeightRounding::Nearest),
               cl::values(clEnumValN(qnn::WeightRounding::Nearest, "nearest",
                                     "to nearest (default)"),
                          clEnumValN(qnn::WeightRounding::Learned, "learned",
                                     "GPTQ: each layer's output error on "
                                     "the calibration data minimized")),
               cl::cat(category)),
      biasCorrection("bias-correction",
                     cl::desc("With --quantize=static: subtract the weights' "
                              "expected output error (on the calibration "
                              "data) from the biases"),
                     cl::init(false), cl::cat(category)),
      integerOnly("integer-only",
                  cl::desc("Require integer arithmetic inside the quantized "
                           "model (float islands on 8-bit tensors become "
                           "lookup tables; others are an error)"),
                  cl::init(false), cl::cat(category)),
      qualityCheck("quality-check",
                   cl::desc("With --quantize=static: measure the quantized "
                            "model against the float one on up to 64 "
                            "calibration samples and print the quality line "
                            "(default on)"),
                   cl::init(true), cl::cat(category)),
      minSqnr("min-sqnr",
              cl::desc("With --quantize=static: fail when the quantized "
                       "model's output SQNR against float is below DB"),
              cl::value_desc("DB"), cl::cat(category)),
      accuracyTarget(
          "accuracy-target",
          cl::desc("With --quantize=static: choose each layer's precision "
                   "(the flow's weight bits, 8-bit weights, 16-bit "
                   "activations, float) to meet "
                   "sqnr:DB, agreement:FRACTION (top-1 with float), "
                   "accuracy:PERCENT or accuracy-drop:POINTS (with "
                   "--accuracy-labels), raising the fewest layers"),
          cl::value_desc("METRIC:VALUE"), cl::cat(category)),
      accuracyData("accuracy-data",
                   cl::desc("With --accuracy-target: the data it is "
                            "measured on (.npy per input; default: the "
                            "calibration data)"),
                   cl::CommaSeparated, cl::cat(category)),
      accuracyLabels("accuracy-labels",
                     cl::desc("With --accuracy-target=accuracy...: class "
                              "labels (.npy), one per sample"),
                     cl::cat(category)),
      accuracyConfigOut(
          "accuracy-config-out",
          cl::desc("With --accuracy-target: write the chosen per-layer "
                   "config (reusable with --config)"),
          cl::value_desc("config.json"), cl::cat(category)),
      accuracyRanking(
          "accuracy-ranking",
          cl::desc("With --accuracy-target: how layers are ranked before "
                   "their precision is raised"),
          cl::values(
              clEnumValN(PrecisionSearchOptions::Ranking::Auto, "auto",
                         "per-layer up to 32 layers, isolated above"),
              clEnumValN(PrecisionSearchOptions::Ranking::PerLayer, "per-layer",
                         "one evaluation per layer raised alone, then "
                         "one layer at a time"),
              clEnumValN(PrecisionSearchOptions::Ranking::Isolated, "isolated",
                         "each layer quantized alone in the float model "
                         "(one compile), then the shortest prefix of the "
                         "ranking (about 2 log2(layers) evaluations)")),
          cl::init(PrecisionSearchOptions::Ranking::Auto), cl::cat(category)) {}

Expected<qopt::QuantizeFlowOptions> qopt::QuantizeFlowCL::get() const {
  QuantizeFlowOptions o;
  QuantizationOptions &q = o.quantization;
  q.mode = mode;
  q.calibrationData.assign(calibrationData.begin(), calibrationData.end());
  q.config = config;
  q.integerOnly = integerOnly;
  q.weightBits = weightBits;
  q.weightGroupSize = weightGroupSize;
  q.perChannel = perChannel;
  q.activationType = activationType;
  q.equalize = equalize;
  if (smoothQuant.getNumOccurrences()) {
    q.smoothQuant = true;
    StringRef v = smoothQuant.getValue();
    if (v == "auto") {
      q.smoothQuantSearch = true;
    } else if (!v.empty() &&
               (v.getAsDouble(q.smoothQuantAlpha) ||
                !(q.smoothQuantAlpha >= 0 && q.smoothQuantAlpha <= 1))) {
      return err("--smooth-quant=" + v +
                 ": give a migration strength in [0, 1] or 'auto'");
    }
  }
  q.rounding = rounding;
  q.biasCorrection = biasCorrection;
  o.progress = sys::Process::StandardErrIsDisplayed();
  o.qualityCheck = qualityCheck;
  bool isStatic = q.mode == QuantizeMode::Static;
  for (const cl::Option *opt : std::initializer_list<const cl::Option *>{
           &activationType, &equalize, &smoothQuant, &rounding,
           &biasCorrection})
    if (opt->getNumOccurrences() && !isStatic)
      return err("--" + opt->ArgStr + " needs --quantize=static");
  bool weightsQuantized = isStatic || q.mode == QuantizeMode::Dynamic ||
                          q.mode == QuantizeMode::WeightOnly;
  for (const cl::Option *opt :
       std::initializer_list<const cl::Option *>{&weightBits, &perChannel})
    if (opt->getNumOccurrences() && !weightsQuantized)
      return err("--" + opt->ArgStr +
                 " needs --quantize=static, dynamic or weight-only");
  if (weightGroupSize.getNumOccurrences() && weightGroupSize != 0 &&
      q.mode != QuantizeMode::WeightOnly && q.mode != QuantizeMode::Dynamic)
    return err("--weight-group-size needs --quantize=weight-only or dynamic "
               "(static quantization keeps per-channel weights)");
  if (accuracyTarget.getNumOccurrences()) {
    if (!isStatic)
      return err("--accuracy-target needs --quantize=static");
    auto t = AccuracyTarget::parse(accuracyTarget);
    if (!t)
      return t.takeError();
    if (t->needsLabels() && accuracyLabels.empty())
      return err("--accuracy-target=" + accuracyTarget.getValue() +
                 " needs --accuracy-labels=labels.npy");
    if (!config.empty())
      return err("--accuracy-target chooses the per-layer config itself; "
                 "give either --config or --accuracy-target");
    o.accuracyTarget = *t;
    o.accuracyData.assign(accuracyData.begin(), accuracyData.end());
    o.accuracyLabels = accuracyLabels;
    o.accuracyConfigOut = accuracyConfigOut;
    o.accuracyRanking = accuracyRanking;
  } else if (accuracyData.getNumOccurrences() ||
             accuracyLabels.getNumOccurrences() ||
             accuracyConfigOut.getNumOccurrences() ||
             accuracyRanking.getNumOccurrences()) {
    return err("--accuracy-data, --accuracy-labels, --accuracy-config-out "
               "and --accuracy-ranking need --accuracy-target");
  }
  if (weightBits != 8 && weightBits != 4)
    return err("--weight-bits must be 8 or 4, not " + Twine(weightBits));
  if (minSqnr.getNumOccurrences()) {
    if (!isStatic)
      return err("--min-sqnr needs --quantize=static (it measures on the "
                 "calibration data)");
    if (!qualityCheck)
      return err("--min-sqnr needs the quality check (drop "
                 "--quality-check=false)");
    o.minSqnrDb = minSqnr;
  }
  if (!isStatic && !q.calibrationData.empty())
    return err("--calibration-data needs --quantize=static");
  if (!isStatic && q.config.size())
    return err("--config needs --quantize=static");
  if (!isStatic && calibrationMethod.getNumOccurrences())
    return err("--calibration-method needs --quantize=static");
  if (q.integerOnly &&
      (q.mode == QuantizeMode::None || q.mode == QuantizeMode::Dynamic ||
       q.mode == QuantizeMode::WeightOnly))
    return err("--integer-only needs --quantize=static or --quantize=qat "
               "(dynamic and weight-only quantization compute in float)");
  if (isStatic && q.calibrationData.empty())
    return err("--quantize=static needs --calibration-data=x.npy (one .npy "
               "per model input, samples along the first dimension; or an "
               ".npz, or a directory of per-sample .npz files)");
  auto method = qnn::symbolizeCalibrationMethod(calibrationMethod.getValue());
  if (!method)
    return err("unknown --calibration-method '" + calibrationMethod.getValue() +
               "' (minmax, moving_average, percentile, entropy, mse, "
               "ksigma)");
  q.calibrationMethod = *method;
  for (const std::string &path : q.calibrationData)
    if (!sys::fs::exists(path))
      return err("calibration data '" + path + "' does not exist");
  return o;
}

Error qopt::runQuantizeFlow(ModuleOp module, const QuantizeFlowOptions &options,
                            OwningOpRef<ModuleOp> *foldedFloat,
                            QualityReport *quality) {
  const QuantizationOptions &q = options.quantization;
  if (q.mode == QuantizeMode::None)
    return Error::success();
  auto run = [&](const QuantizationOptions &flow, QuantizationStages stages,
                 StringRef what) -> Error {
    if (options.progress)
      errs() << "qopt: " << what << "\n";
    PassManager pm(module.getContext());
    buildQuantizationPipeline(pm, flow, inProcessHooks(), stages);
    if (failed(pm.run(module)))
      return err(what + " failed (see the diagnostics above)");
    return Error::success();
  };
  // Read once: checked before any work, measured by the quality guard.
  std::vector<qopt::NpyArray> calibration;
  if (q.mode == QuantizeMode::Static) {
    auto data = readModelInputs(module, q.calibrationData, "calibration data");
    if (!data)
      return data.takeError();
    calibration = std::move(*data);
    if (Error e = checkCalibrationData(module, calibration, q.calibrationData))
      return e;
  }
  if (Error e = run(q, QuantizationStages::Prepare,
                    std::string("folding batch norms, fusing activations") +
                        (q.equalize ? ", equalizing layers" : "") +
                        (q.smoothQuant ? ", smoothing activations" : "")))
    return e;
  QuantizationOptions chosen = q;
  if (options.accuracyTarget) {
    PrecisionSearchOptions search;
    search.target = *options.accuracyTarget;
    search.progress = options.progress;
    search.ranking = options.accuracyRanking;
    if (options.accuracyData.empty()) {
      search.data = calibration;
    } else {
      auto data =
          readModelInputs(module, options.accuracyData, "accuracy data");
      if (!data)
        return data.takeError();
      search.data = std::move(*data);
    }
    if (!options.accuracyLabels.empty()) {
      auto labels = readNpy(options.accuracyLabels);
      if (!labels)
        return labels.takeError();
      search.labels = std::move(*labels);
    }
    if (options.progress)
      errs() << "qopt: searching per-layer precision\n";
    auto result = searchPrecision(module, q, inProcessHooks(), search);
    if (!result)
      return result.takeError();
    errs() << "qopt: " << formatPrecisionSummary(*result, search.target)
           << "\n";
    if (!options.accuracyConfigOut.empty())
      if (Error e =
              writeOutputFile(options.accuracyConfigOut, result->config + "\n",
                              /*binary=*/false))
        return e;
    if (!result->met)
      WithColor::warning(errs(), "qopt")
          << "the accuracy target is not met even with every layer at its "
             "most precise choice; using that choice\n";
    chosen.config = result->config;
  }
  bool guard = q.mode == QuantizeMode::Static && options.qualityCheck;
  OwningOpRef<ModuleOp> floatModel;
  if (foldedFloat || guard)
    floatModel = module.clone();
  StringRef what;
  switch (q.mode) {
  case QuantizeMode::Static:
    what = "calibrating and quantizing (static)";
    break;
  case QuantizeMode::Dynamic:
  case QuantizeMode::WeightOnly:
    what = "quantizing weights";
    break;
  case QuantizeMode::QAT:
    what = "lowering fake quantization";
    break;
  case QuantizeMode::None:
    break;
  }
  if (Error e = run(chosen, QuantizationStages::Quantize, what))
    return e;
  if (guard) {
    if (options.progress)
      errs() << "qopt: measuring the quantized model against the float "
                "model\n";
    auto report = measureQuality(*floatModel, module, calibration);
    if (!report) {
      // The quantized model itself is fine: only the measurement failed.
      if (options.minSqnrDb)
        return report.takeError();
      WithColor::warning(errs(), "qopt")
          << "quality check skipped: " << toString(report.takeError())
          << "\n";
      if (foldedFloat)
        *foldedFloat = std::move(floatModel);
      return Error::success();
    }
    errs() << "qopt: " << formatQualityLine(*report) << "\n";
    if (quality)
      *quality = *report;
    std::string warning = qualityWarning(*report);
    if (!warning.empty())
      WithColor::warning(errs(), "qopt") << warning << "\n";
    if (Error e = checkMinSqnr(*report, options.minSqnrDb))
      return e;
  }
  if (foldedFloat)
    *foldedFloat = std::move(floatModel);
  return Error::success();
}
