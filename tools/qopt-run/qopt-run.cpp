//===- qopt-run.cpp - Run a model on .npy data through the JIT ------------===//
//
// Part of qopt.
//   qopt-run model.mlir --input x.npy --output y.npy [-e main]
//   qopt-run model.onnx --input x.npy --output y.npy --bench 20
//
//===----------------------------------------------------------------------===//

#include "qopt/Calibration/Calibrate.h"
#include "qopt/Calibration/LayerSQNR.h"
#include "qopt/Conversion/Passes.h"
#include "qopt/InitAllPasses.h"
#include "qopt/InitAllTools.h"
#include "qopt/Pipelines/Pipelines.h"
#include "qopt/Runner/JitRunner.h"
#include "qopt/Support/Sizes.h"
#include "qopt/Target/ONNX/ImportONNX.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/WithColor.h"

#include <algorithm>
#include <chrono>
#include <malloc.h>

using namespace llvm;

/// The tool's own options; --help hides the many LLVM options linked in.
static cl::OptionCategory toolOptions("qopt-run options");

static cl::opt<std::string> inputFile(cl::Positional, cl::Required,
                                      cl::desc("<model.mlir|model.onnx>"),
                                      cl::cat(toolOptions));
static cl::list<std::string> inputs("input",
                                    cl::desc("Input .npy (one per "
                                             "model input, in order)"),
                                    cl::cat(toolOptions));
static cl::list<std::string> outputs("output",
                                     cl::desc("Output .npy (one per model "
                                              "output, in order)"),
                                     cl::cat(toolOptions));
static cl::opt<std::string> entry("e", cl::desc("Function to run"),
                                  cl::init("main"), cl::cat(toolOptions));
static cl::opt<int64_t> batchSize("batch-size",
                                  cl::desc("Samples per call for a model with "
                                           "a dynamic batch (default: all)"),
                                  cl::init(0), cl::cat(toolOptions));
static cl::opt<int> bench("bench",
                          cl::desc("Time K runs of the first batch after "
                                   "warm-up; print median and min latency"),
                          cl::init(0), cl::cat(toolOptions));
static cl::opt<bool> vectorize("vectorize",
                               cl::desc("Tile and vectorize (default on; "
                                        "--vectorize=false for scalar loops)"),
                               cl::init(true), cl::cat(toolOptions));
static cl::opt<std::string> dotProduct(
    "dot-product",
    cl::desc("8-bit dot-product instructions: none (portable code), "
             "avx512vnni or i8mm; default: the host's best"),
    cl::init(""), cl::cat(toolOptions));
static cl::opt<std::string> maxMemory(
    "max-memory",
    cl::desc("Refuse models whose tensors need more than this many bytes "
             "(suffix K, M, G or T; default: $QOPT_MAX_MEMORY, else the "
             "machine's physical memory)"),
    cl::init(""), cl::cat(toolOptions));
static cl::opt<bool>
    calibrateMode("calibrate",
                  cl::desc("Collect the statistics of the module's "
                           "qnn.observer ops over the inputs and write them "
                           "back (-o) and/or as JSON (--stats-out)"),
                  cl::cat(toolOptions));
static cl::opt<std::string> outputModule(
    "o", cl::desc("With --calibrate or --stats-in: the calibrated module"),
    cl::cat(toolOptions));
static cl::opt<std::string> statsOut("stats-out",
                                     cl::desc("Write statistics as JSON"),
                                     cl::cat(toolOptions));
static cl::opt<std::string>
    statsIn("stats-in", cl::desc("Apply statistics from JSON (no run needed)"),
            cl::cat(toolOptions));
static cl::opt<std::string> sqnrModel(
    "sqnr",
    cl::desc("Per-layer SQNR of a quantized model against the positional "
             "float model on the inputs: --sqnr=quantized.mlir (before "
             "--integer-only, printed with --mlir-print-debuginfo), or "
             "--sqnr alone to quantize a calibrated model in process with "
             "--sqnr-pipeline"),
    cl::value_desc("quantized.mlir"), cl::ValueOptional,
    cl::cat(toolOptions));
static cl::opt<std::string>
    sqnrPipeline("sqnr-pipeline",
                 cl::desc("With --sqnr alone: the quantization pipeline "
                          "(default quantize-static)"),
                 cl::init("quantize-static"), cl::cat(toolOptions));
static cl::opt<std::string> sqnrJson("sqnr-json",
                                     cl::desc("With --sqnr: also write JSON"),
                                     cl::cat(toolOptions));
static cl::opt<double> percentile("percentile",
                                  cl::desc("Percentile for the percentile "
                                           "method"),
                                  cl::init(99.99), cl::cat(toolOptions));
static cl::opt<double> ksigma("ksigma", cl::desc("k for the ksigma method"),
                              cl::init(3.0), cl::cat(toolOptions));
static cl::list<std::string>
    inputShapes("input-shape", cl::desc("For .onnx input: NAME:1x3x224x224"),
                cl::cat(toolOptions));

static int fail(const Twine &msg) {
  WithColor::error(errs(), "qopt-run") << msg << "\n";
  return 1;
}

/// Reads every --input file.
static Expected<std::vector<qopt::NpyArray>> readInputs() {
  std::vector<qopt::NpyArray> data;
  for (const std::string &path : inputs) {
    auto array = qopt::readNpy(path);
    if (!array)
      return array.takeError();
    data.push_back(std::move(*array));
  }
  return data;
}

int main(int argc, char **argv) {
  InitLLVM y(argc, argv);
  // Compiled models malloc their intermediate tensors on every call. Keep
  // freed memory in the heap instead of returning it to the kernel, so that
  // repeated runs reuse warm pages rather than page-faulting fresh ones (a
  // page fault costs more than the convolution touching the page).
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  mlir::registerAllPasses();
  // --sqnr-pipeline may calibrate in process (quantize-static's
  // calibration-data=): this tool has the JIT for it.
  qopt::registerAllPasses(qopt::inProcessCalibrator());
  cl::HideUnrelatedOptions(toolOptions);
  cl::ParseCommandLineOptions(argc, argv, "qopt JIT runner\n");
  // Every model this process compiles (run, calibration, SQNR) reads the
  // limit from the environment.
  if (!maxMemory.empty()) {
    if (!qopt::parseByteSize(maxMemory))
      return fail("--max-memory expects a byte count such as 8G, got '" +
                  maxMemory + "'");
    setenv("QOPT_MAX_MEMORY", maxMemory.c_str(), /*overwrite=*/1);
  }

  mlir::DialectRegistry registry;
  qopt::registerToolDialects(registry);
  mlir::MLIRContext context(registry);

  std::string loadError;
  mlir::OwningOpRef<mlir::ModuleOp> module = qopt::loadModel(
      inputFile, &context,
      std::vector<std::string>(inputShapes.begin(), inputShapes.end()),
      loadError);
  if (!module)
    return loadError.empty() ? 1 : fail(loadError);

  if (sqnrModel.getNumOccurrences()) {
    mlir::OwningOpRef<mlir::ModuleOp> quantized;
    if (sqnrModel.empty()) {
      // In process: the clone keeps the float model's locations.
      quantized = module->clone();
      mlir::PassManager pm(&context);
      if (failed(mlir::parsePassPipeline(sqnrPipeline, pm, errs())))
        return fail("bad --sqnr-pipeline '" + sqnrPipeline + "'");
      if (failed(pm.run(*quantized)))
        return fail("--sqnr-pipeline '" + sqnrPipeline +
                    "' failed (see the diagnostics above)");
    } else {
      quantized = qopt::loadModel(
          sqnrModel, &context,
          std::vector<std::string>(inputShapes.begin(), inputShapes.end()),
          loadError);
      if (!quantized)
        return loadError.empty() ? 1 : fail(loadError);
    }
    auto read = readInputs();
    if (!read)
      return fail(toString(read.takeError()));
    if (read->empty())
      return fail("--sqnr needs data to run both models on (--input)");
    qopt::SQNROptions options;
    options.entry = entry;
    options.batchSize = batchSize > 0 ? batchSize : 32;
    auto layers = qopt::measureLayerSQNR(*module, *quantized, *read, options);
    if (!layers)
      return fail(toString(layers.takeError()));
    qopt::printLayerSQNR(outs(), *layers);
    if (!sqnrJson.empty())
      if (Error e = qopt::writeLayerSQNRJson(sqnrJson, *layers))
        return fail(toString(std::move(e)));
    return 0;
  }

  if (calibrateMode || !statsIn.empty()) {
    std::vector<qopt::ObserverStats> stats;
    if (!statsIn.empty()) {
      auto read = qopt::readStatistics(statsIn);
      if (!read)
        return fail(toString(read.takeError()));
      stats = std::move(*read);
    } else {
      auto read = readInputs();
      if (!read)
        return fail(toString(read.takeError()));
      std::vector<qopt::NpyArray> data = std::move(*read);
      if (data.empty())
        return fail("--calibrate needs calibration data (--input)");
      qopt::CalibrationOptions options;
      options.entry = entry;
      options.batchSize = batchSize > 0 ? batchSize : 32;
      options.percentile = percentile;
      options.ksigma = ksigma;
      options.progress = errs().is_displayed();
      auto computed = qopt::calibrate(*module, data, options);
      if (!computed)
        return fail(toString(computed.takeError()));
      stats = std::move(*computed);
    }
    if (Error e = qopt::applyStatistics(*module, stats))
      return fail(toString(std::move(e)));
    if (!statsOut.empty())
      if (Error e = qopt::writeStatistics(statsOut, stats))
        return fail(toString(std::move(e)));
    if (!outputModule.empty()) {
      std::error_code ec;
      raw_fd_ostream os(outputModule, ec);
      if (ec)
        return fail("cannot write '" + outputModule + "': " + ec.message());
      // With locations: later steps (--sqnr, --quantization-report) name
      // layers by their ONNX nodes.
      module->print(os, mlir::OpPrintingFlags().enableDebugInfo());
    }
    return 0;
  }

  if (!dotProduct.empty() && !mlir::qnn::parseDotProductISA(dotProduct))
    return fail("--dot-product must be none, avx512vnni or i8mm, got '" +
                dotProduct + "'");
  // Instructions the host lacks would fault at run time: refuse them here.
  if (!dotProduct.empty() && dotProduct != "none") {
    llvm::StringMap<bool> host = llvm::sys::getHostCPUFeatures();
    std::string best = qopt::chooseDotProduct(
        [&](StringRef f) { return host.lookup(f); });
    if (best != dotProduct)
      return fail("--dot-product=" + dotProduct +
                  " needs a CPU that has it; this one supports '" + best +
                  "'");
  }
  auto model =
      qopt::CompiledModel::compile(*module, entry, vectorize, dotProduct);
  if (!model)
    return fail(toString(model.takeError()));

  auto read = readInputs();
  if (!read)
    return fail(toString(read.takeError()));
  std::vector<qopt::NpyArray> data = std::move(*read);
  if (Error e = (*model)->checkInputs(
          data, std::vector<std::string>(inputs.begin(), inputs.end())))
    return fail(toString(std::move(e)));
  if (!outputs.empty() && outputs.size() != (*model)->outputs().size())
    return fail("the model has " + Twine((*model)->outputs().size()) +
                " output(s) but " + Twine(outputs.size()) +
                " --output file(s) were given");

  if (bench > 0) {
    // One batch: the model's static batch, --batch-size, or all samples.
    int64_t samples = data.empty() ? 1 : data[0].shape[0];
    int64_t b = (*model)->staticBatch();
    if (!b)
      b = batchSize > 0 ? std::min<int64_t>(batchSize, samples) : samples;
    std::vector<qopt::NpyArray> batch(data.size());
    SmallVector<const qopt::NpyArray *> ptrs;
    for (auto [in, out] : llvm::zip_equal(data, batch)) {
      if (in.shape[0] < b)
        return fail("--bench needs at least " + Twine(b) + " samples");
      out = qopt::sliceSamples(in, 0, b, b);
      ptrs.push_back(&out);
    }
    std::vector<qopt::NpyArray> outs;
    for (int i = 0; i < 3; ++i)
      if (Error e = (*model)->runBatch(ptrs, outs))
        return fail(toString(std::move(e)));
    std::vector<double> ms;
    for (int i = 0; i < bench; ++i) {
      auto t0 = std::chrono::steady_clock::now();
      if (Error e = (*model)->runBatch(ptrs, outs))
        return fail(toString(std::move(e)));
      auto t1 = std::chrono::steady_clock::now();
      ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    }
    std::sort(ms.begin(), ms.end());
    llvm::outs() << "batch " << b << ": median "
                 << format("%.3f", ms[ms.size() / 2]) << " ms, min "
                 << format("%.3f", ms.front()) << " ms over " << bench
                 << " runs\n";
  }

  auto results = (*model)->runDataset(data, batchSize);
  if (!results)
    return fail(toString(results.takeError()));
  for (auto [path, r] : llvm::zip(outputs, *results))
    if (Error e = qopt::writeNpy(path, r))
      return fail(toString(std::move(e)));
  return 0;
}
