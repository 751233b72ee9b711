//===- RunModes.cpp - What qopt-run does, as library calls ----------------===//
//
// Part of qopt.
//
//===----------------------------------------------------------------------===//

#include "qopt/Tools/RunModes.h"
#include "qopt/Support/OutputFile.h"
#include "qopt/Runner/Profile.h"

#include "qopt/Calibration/Calibrate.h"
#include "qopt/Calibration/LayerSQNR.h"
#include "qopt/Codegen/CPU/Transforms/Passes.h"
#include "qopt/Pipelines/Pipelines.h"
#include "qopt/Runner/JitRunner.h"
#include "qopt/Support/Npz.h"
#include "qopt/Target/ONNX/ImportONNX.h"

#include "mlir/IR/OperationSupport.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/WithColor.h"
#include "llvm/TargetParser/Host.h"

#include <algorithm>
#include <chrono>

using namespace llvm;

static Error err(const Twine &msg) {
  return createStringError(inconvertibleErrorCode(), msg.str());
}

Expected<std::vector<qopt::NpyArray>>
qopt::readModelInputs(mlir::ModuleOp module, ArrayRef<std::string> paths,
                      StringRef what, StringRef entry) {
  std::vector<std::string> names = entryInputNames(module, entry);
  auto data = readInputArrays(paths, names, what);
  if (!data)
    return data.takeError();
  convertFloatInputs(module, entry, *data, [&](unsigned i, NpyDType from) {
    WithColor::note(errs(), "qopt")
        << what << " for input '" << (i < names.size() ? names[i] : "")
        << "' is " << npyNumpyName(from)
        << "; converted to float32, the model's input type\n";
  });
  return data;
}

Error qopt::checkHostDotProduct(StringRef dotProduct) {
  if (dotProduct.empty())
    return Error::success();
  if (!mlir::qcpu::parseDotProductISA(dotProduct))
    return err("--dot-product must be none, avx512vnni, i8mm or avx2, got '" +
               dotProduct + "'");
  if (dotProduct == "none")
    return Error::success();
  StringMap<bool> host = sys::getHostCPUFeatures();
  // vpmaddwd exists on every AVX2 CPU, VNNI ones included.
  if (dotProduct == "avx2" && host.lookup("avx2"))
    return Error::success();
  StringRef best = mlir::qcpu::stringifyDotProductISA(
      chooseDotProduct([&](StringRef f) { return host.lookup(f); }));
  if (best != dotProduct)
    return err("--dot-product=" + dotProduct +
               " needs a CPU that has it; this one supports '" + best + "'");
  return Error::success();
}

Expected<qopt::BenchResult> qopt::benchmark(CompiledModel &model,
                                            ArrayRef<NpyArray> data,
                                            int64_t batchSize, int runs) {
  SmallVector<const NpyArray *> ptrs;
  std::vector<NpyArray> batch(data.size());
  int64_t b;
  if (model.runsWhole(data)) {
    // Inputs of exactly the model's shapes (scalars such as a sample rate,
    // states whose batch is on another axis) run as they are.
    for (const NpyArray &in : data)
      ptrs.push_back(&in);
    b = data.empty() || data[0].shape.empty() ? 1 : data[0].shape[0];
  } else {
    for (auto [i, in] : llvm::enumerate(data))
      if (in.shape.empty())
        return err("--bench: input " + Twine(i) +
                   " is a scalar, so the inputs cannot be cut into batches; "
                   "give inputs of exactly the model's shapes");
    int64_t samples = data.empty() ? 1 : data[0].shape[0];
    b = model.staticBatch();
    if (!b)
      b = batchSize > 0 ? std::min<int64_t>(batchSize, samples) : samples;
    for (auto [in, out] : llvm::zip_equal(data, batch)) {
      if (in.shape[0] < b)
        return err("--bench needs at least " + Twine(b) + " samples");
      out = sliceSamples(in, 0, b, b);
      ptrs.push_back(&out);
    }
  }
  std::vector<NpyArray> outs;
  for (int i = 0; i < 3; ++i)
    if (Error e = model.runBatch(ptrs, outs))
      return std::move(e);
  std::vector<double> ms;
  for (int i = 0; i < runs; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    if (Error e = model.runBatch(ptrs, outs))
      return std::move(e);
    auto t1 = std::chrono::steady_clock::now();
    ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  return BenchResult{b, ms[ms.size() / 2], ms.front()};
}

Error qopt::runModel(mlir::ModuleOp module, const RunOptions &options,
                     raw_ostream &os) {
  if (Error e = checkHostDotProduct(options.dotProduct))
    return e;
  auto model = CompiledModel::compile(module, options.entry, options.vectorize,
                                      options.dotProduct, /*memoryLimit=*/0,
                                      options.threads);
  if (!model)
    return model.takeError();
  auto data =
      readModelInputs(module, options.inputs, "input data", options.entry);
  if (!data)
    return data.takeError();
  if (Error e = (*model)->checkInputs(*data, options.inputs))
    return e;
  if (!options.outputs.empty() &&
      options.outputs.size() != (*model)->userOutputs().size())
    return err("the model has " + Twine((*model)->userOutputs().size()) +
               " output(s) but " + Twine(options.outputs.size()) +
               " --output file(s) were given");
  if (options.bench > 0) {
    auto result = benchmark(**model, *data, options.batchSize, options.bench);
    if (!result)
      return result.takeError();
    os << "batch " << result->batch << ": median "
       << format("%.3f", result->medianMs) << " ms, min "
       << format("%.3f", result->minMs) << " ms over " << options.bench
       << " runs\n";
  }
  auto raw = (*model)->runDataset(*data, options.batchSize);
  if (!raw)
    return raw.takeError();
  auto results = (*model)->userOutputs(std::move(*raw));
  if (!results)
    return results.takeError();
  for (auto [path, r] : llvm::zip(options.outputs, *results))
    if (Error e = writeNpy(path, r))
      return e;
  return Error::success();
}

Error qopt::runCalibration(mlir::ModuleOp module,
                           const CalibrateModeOptions &options) {
  std::vector<ObserverStats> stats;
  if (!options.statsIn.empty()) {
    auto read = readStatistics(options.statsIn);
    if (!read)
      return read.takeError();
    stats = std::move(*read);
  } else {
    auto data =
        readModelInputs(module, options.inputs, "input data", options.entry);
    if (!data)
      return data.takeError();
    if (data->empty())
      return err("--calibrate needs calibration data (--input)");
    CalibrationOptions calibration;
    calibration.entry = options.entry;
    calibration.batchSize = options.batchSize;
    calibration.percentile = options.percentile;
    calibration.ksigma = options.ksigma;
    calibration.progress = errs().is_displayed();
    auto computed = calibrate(module, *data, calibration);
    if (!computed)
      return computed.takeError();
    stats = std::move(*computed);
  }
  if (Error e = applyStatistics(module, stats))
    return e;
  if (!options.statsOut.empty())
    if (Error e = writeStatistics(options.statsOut, stats))
      return e;
  if (!options.outputModule.empty()) {
    // With locations: later steps (--sqnr, --quantization-report) name
    // layers by their ONNX nodes.
    if (Error e = writeOutputFile(options.outputModule, [&](raw_ostream &os) {
          module->print(os, mlir::OpPrintingFlags().enableDebugInfo());
          return Error::success();
        }))
      return e;
  }
  return Error::success();
}

Error qopt::runSQNR(mlir::ModuleOp module, const SQNRModeOptions &options,
                    raw_ostream &os) {
  mlir::OwningOpRef<mlir::ModuleOp> quantized;
  if (options.quantizedModel.empty()) {
    // In process: the clone keeps the float model's locations. The
    // pipeline is the user's text (--sqnr-pipeline).
    quantized = module.clone();
    mlir::PassManager pm(module.getContext());
    std::string parseErrors;
    raw_string_ostream parseOs(parseErrors);
    if (failed(mlir::parsePassPipeline(options.pipeline, pm, parseOs)))
      return err("bad --sqnr-pipeline '" + options.pipeline + "'" +
                 (parseErrors.empty() ? "" : ": " + parseErrors));
    if (failed(pm.run(*quantized)))
      return err("--sqnr-pipeline '" + options.pipeline +
                 "' failed (see the diagnostics above)");
  } else {
    std::string loadError;
    quantized = loadModel(options.quantizedModel, module.getContext(),
                          options.inputShapes, loadError);
    if (!quantized)
      return err(loadError.empty() ? "cannot load '" + options.quantizedModel +
                                         "' (see the diagnostics above)"
                                   : loadError);
  }
  auto data =
      readModelInputs(module, options.inputs, "input data", options.entry);
  if (!data)
    return data.takeError();
  if (data->empty())
    return err("--sqnr needs data to run both models on (--input)");
  SQNROptions sqnr;
  sqnr.entry = options.entry;
  sqnr.batchSize = options.batchSize;
  auto layers = measureLayerSQNR(module, *quantized, *data, sqnr);
  if (!layers)
    return layers.takeError();
  printLayerSQNR(os, *layers);
  if (!options.jsonPath.empty())
    if (Error e = writeLayerSQNRJson(options.jsonPath, *layers))
      return e;
  if (!options.reportPath.empty()) {
    std::optional<NpyArray> labels;
    if (!options.labelsPath.empty()) {
      auto l = readNpy(options.labelsPath);
      if (!l)
        return l.takeError();
      labels = std::move(*l);
    }
    return writeQuantizationReport(
        options.reportPath, sys::path::filename(options.inputs.front()), module,
        *quantized, *data, labels ? &*labels : nullptr, options.entry);
  }
  return Error::success();
}

namespace {
using qopt::CompiledModel;
using qopt::NpyArray;
using qopt::NpyDType;

/// The first output of `module` on `data`, all samples.
Expected<std::vector<NpyArray>> firstOutputs(mlir::ModuleOp module,
                                             ArrayRef<NpyArray> data,
                                             StringRef entry) {
  auto model = CompiledModel::compile(module, entry);
  if (!model)
    return model.takeError();
  std::vector<NpyArray> batches;
  bool whole = (*model)->wholeCalls(data);
  Error e = (*model)->forEachBatch(
      data, 64, [&](std::vector<NpyArray> &outs, int64_t n, int64_t) {
        NpyArray o = std::move(outs.front());
        if (!whole && !o.shape.empty() && o.shape[0] > n)
          o = sliceSamples(o, 0, n, n);
        batches.push_back(std::move(o));
        return Error::success();
      });
  if (e)
    return std::move(e);
  return batches;
}

/// Row-wise argmax of f32 batches ([N, C]).
std::vector<int64_t> argmaxRows(const std::vector<NpyArray> &batches) {
  std::vector<int64_t> out;
  for (const NpyArray &b : batches) {
    if (b.dtype != NpyDType::F32 || b.shape.size() != 2)
      return {};
    int64_t c = b.shape[1];
    for (int64_t r = 0; r < b.shape[0]; ++r) {
      const float *row = b.as<float>() + r * c;
      out.push_back(std::max_element(row, row + c) - row);
    }
  }
  return out;
}
} // namespace

Error qopt::writeQuantizationReport(StringRef path, StringRef title,
                                    mlir::ModuleOp floatModule,
                                    mlir::ModuleOp quantModule,
                                    ArrayRef<NpyArray> data,
                                    const NpyArray *labels, StringRef entry,
                                    bool profile, raw_ostream *profileTable) {
  SQNROptions sqnr;
  sqnr.entry = entry.str();
  auto layers = measureLayerSQNR(floatModule, quantModule, data, sqnr);
  if (!layers)
    return layers.takeError();
  std::vector<std::string> summary;
  if (profile) {
    ProfileOptions options;
    options.entry = entry.str();
    double totalMs = 0;
    auto times = profileModel(quantModule, data, options, totalMs);
    if (!times)
      return times.takeError();
    if (profileTable)
      printProfile(*profileTable, *times, totalMs);
    llvm::StringMap<const LayerProfile *> byName;
    for (const LayerProfile &p : *times)
      byName[p.name] = &p;
    for (LayerSQNR &l : *layers)
      if (const LayerProfile *p = byName.lookup(l.name)) {
        l.ms = p->ms;
        l.gops = p->gops;
      }
    summary.push_back(formatv("time: {0:F3} ms per run of the quantized "
                              "model (profiled on the first batch)",
                              totalMs)
                          .str());
  }
  int64_t samples = data.empty() || data[0].shape.empty() ? 1 : data[0].shape[0];
  summary.push_back("data: " + std::to_string(samples) + " samples");
  if (labels) {
    auto f = firstOutputs(floatModule, data, entry);
    if (!f)
      return f.takeError();
    auto q = firstOutputs(quantModule, data, entry);
    if (!q)
      return q.takeError();
    std::vector<int64_t> fa = argmaxRows(*f), qa = argmaxRows(*q);
    if (fa.empty() || fa.size() != qa.size() ||
        (int64_t)fa.size() != labels->numElements())
      return err("--labels: the first output is not [samples, classes] with "
                 "one label per sample (" +
                 Twine(labels->numElements()) + " labels)");
    int64_t fr = 0, qr = 0, agree = 0;
    for (size_t i = 0; i < fa.size(); ++i) {
      int64_t y = labels->dtype == NpyDType::I64 ? labels->as<int64_t>()[i]
                  : labels->dtype == NpyDType::I32
                      ? labels->as<int32_t>()[i]
                      : -1;
      fr += fa[i] == y;
      qr += qa[i] == y;
      agree += fa[i] == qa[i];
    }
    double n = fa.size();
    summary.push_back(formatv("accuracy: float {0:F4}, quantized {1:F4} "
                              "({2} labels)",
                              fr / n, qr / n, fa.size())
                          .str());
    summary.push_back(
        formatv("argmax agreement with float: {0:F4}", agree / n).str());
  }
  return writeHTMLReport(path, title, *layers, summary);
}
