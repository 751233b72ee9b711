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

/// Checks calibration data against the model's signature before anything
/// is compiled (the calibration run would find a wrong dtype only after
/// the passes and a JIT compile): count, dtype, rank and the non-sample
/// dimensions, with what to do.
Error checkCalibrationData(ModuleOp module, ArrayRef<qopt::NpyArray> data,
                           ArrayRef<std::string> paths) {
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
               " file(s): give one .npy per input, in order, comma-separated");
  }
  for (auto [i, a] : llvm::enumerate(data)) {
    auto tt = dyn_cast<RankedTensorType>(types[i]);
    if (!tt)
      continue;
    std::string what = "calibration data '" + paths[i] + "' (for input '" +
                       nameOf(i) + "')";
    std::optional<qopt::NpyDType> want = qopt::npyDTypeOf(tt.getElementType());
    if (want && a.dtype != *want) {
      std::string to = qopt::npyNumpyName(*want).str();
      return err(what + " is " + qopt::npyNumpyName(a.dtype) +
                 " but the input is " + to + "; convert it first, e.g. "
                 "np.save('" + paths[i] + "', np.load('" + paths[i] +
                 "').astype(np." + to + "))");
    }
    if ((int64_t)a.shape.size() != tt.getRank())
      return err(what + " has rank " + Twine(a.shape.size()) +
                 " but the input has rank " + Twine(tt.getRank()) +
                 " (samples along the first dimension, then the input's "
                 "own dimensions)");
    for (int64_t d = 1; d < tt.getRank(); ++d)
      if (!tt.isDynamicDim(d) && a.shape[d] != tt.getDimSize(d))
        return err(what + " has size " + Twine(a.shape[d]) +
                   " in dimension " + Twine(d) + " but the input has " +
                   Twine(tt.getDimSize(d)));
  }
  return Error::success();
}
} // namespace

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
                               "model input"),
                      cl::CommaSeparated, cl::cat(category)),
      calibrationMethod(
          "calibration-method",
          cl::desc("With --quantize=static: minmax (default), "
                   "moving_average, percentile, entropy, mse, ksigma"),
          cl::init("minmax"), cl::cat(category)),
      config("config",
             cl::desc("With --quantize=static: per-layer JSON "
                      "(keep_float, weight_bits, per_channel)"),
             cl::cat(category)),
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
              cl::value_desc("DB"), cl::cat(category)) {}

Expected<qopt::QuantizeFlowOptions> qopt::QuantizeFlowCL::get() const {
  QuantizeFlowOptions o;
  o.mode = mode;
  o.calibrationData.assign(calibrationData.begin(), calibrationData.end());
  o.calibrationMethod = calibrationMethod;
  o.config = config;
  o.integerOnly = integerOnly;
  o.progress = sys::Process::StandardErrIsDisplayed();
  o.qualityCheck = qualityCheck;
  if (minSqnr.getNumOccurrences()) {
    if (o.mode != QuantizeMode::Static)
      return err("--min-sqnr needs --quantize=static (it measures on the "
                 "calibration data)");
    if (!qualityCheck)
      return err("--min-sqnr needs the quality check (drop "
                 "--quality-check=false)");
    o.minSqnrDb = minSqnr;
  }
  bool isStatic = o.mode == QuantizeMode::Static;
  if (!isStatic && !o.calibrationData.empty())
    return err("--calibration-data needs --quantize=static");
  if (!isStatic && o.config.size())
    return err("--config needs --quantize=static");
  if (!isStatic && calibrationMethod.getNumOccurrences())
    return err("--calibration-method needs --quantize=static");
  if (o.integerOnly && (o.mode == QuantizeMode::None ||
                        o.mode == QuantizeMode::Dynamic ||
                        o.mode == QuantizeMode::WeightOnly))
    return err("--integer-only needs --quantize=static or --quantize=qat "
               "(dynamic and weight-only quantization compute in float)");
  if (isStatic && o.calibrationData.empty())
    return err("--quantize=static needs --calibration-data=x.npy (one .npy "
               "per model input, samples along the first dimension)");
  if (!qnn::symbolizeCalibrationMethod(o.calibrationMethod))
    return err("unknown --calibration-method '" + o.calibrationMethod +
               "' (minmax, moving_average, percentile, entropy, mse, "
               "ksigma)");
  for (const std::string &path : o.calibrationData)
    if (!sys::fs::exists(path))
      return err("calibration data '" + path + "' does not exist");
  return o;
}

Error qopt::runQuantizeFlow(ModuleOp module,
                            const QuantizeFlowOptions &options,
                            OwningOpRef<ModuleOp> *foldedFloat) {
  if (options.mode == QuantizeMode::None)
    return Error::success();
  auto stage = [&](StringRef what) {
    if (options.progress)
      errs() << "qopt: " << what << "\n";
  };
  auto run = [&](PassManager &pm, StringRef what) -> Error {
    stage(what);
    if (failed(pm.run(module)))
      return err(what + " failed (see the diagnostics above)");
    return Error::success();
  };
  MLIRContext *ctx = module.getContext();
  // Read once: checked before any work, measured by the quality guard.
  std::vector<qopt::NpyArray> calibration;
  if (options.mode == QuantizeMode::Static) {
    auto data = readNpyFiles(options.calibrationData);
    if (!data)
      return data.takeError();
    calibration = std::move(*data);
    if (Error e =
            checkCalibrationData(module, calibration, options.calibrationData))
      return e;
  }
  {
    PassManager pm(ctx);
    pm.addNestedPass<func::FuncOp>(qnn::createFoldBatchNormPass());
    pm.addNestedPass<func::FuncOp>(qnn::createFuseOpsPass());
    if (Error e = run(pm, "folding batch norms and fusing activations"))
      return e;
  }
  bool guard = options.mode == QuantizeMode::Static && options.qualityCheck;
  OwningOpRef<ModuleOp> floatModel;
  if (foldedFloat || guard)
    floatModel = module.clone();
  PassManager pm(ctx);
  StringRef what;
  switch (options.mode) {
  case QuantizeMode::Static: {
    qnn::QuantizeStaticPassOptions o;
    o.calibrationData.assign(options.calibrationData.begin(),
                             options.calibrationData.end());
    o.calibrationMethod =
        *qnn::symbolizeCalibrationMethod(options.calibrationMethod);
    o.config = options.config;
    pm.addPass(qnn::createQuantizeStaticPass(o, inProcessCalibrator()));
    what = "calibrating and quantizing (static int8)";
    break;
  }
  case QuantizeMode::Dynamic:
  case QuantizeMode::WeightOnly: {
    qnn::QuantizeDynamicPassOptions o;
    o.mode = options.mode == QuantizeMode::Dynamic
                 ? qnn::DynamicQuantMode::Dynamic
                 : qnn::DynamicQuantMode::WeightOnly;
    pm.addNestedPass<func::FuncOp>(qnn::createQuantizeDynamicPass(o));
    what = "quantizing weights";
    break;
  }
  case QuantizeMode::QAT:
    pm.addPass(qnn::createLowerFakeQuantPass());
    what = "lowering fake quantization";
    break;
  case QuantizeMode::None:
    break;
  }
  if (Error e = run(pm, what))
    return e;
  if (options.integerOnly) {
    PassManager check(ctx);
    check.addPass(qnn::createFormLookupTablesPass());
    check.addPass(qnn::createVerifyIntegerOnlyPass());
    if (Error e = run(check, "forming lookup tables, checking integer-only"))
      return e;
  }
  if (guard) {
    stage("measuring the quantized model against the float model");
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
