//===- qopt-run.cpp - Run a model on .npy data through the JIT ------------===//
//
// Part of qopt.
//   qopt-run model.mlir --input x.npy --output y.npy [-e main]
//   qopt-run model.onnx --input x.npy --output y.npy --bench 20
//
//===----------------------------------------------------------------------===//

#include "qopt/Calibration/Calibrate.h"
#include "qopt/Runner/Profile.h"
#include "qopt/Support/MemoryLimit.h"
#include "qopt/Support/Sizes.h"
#include "qopt/Tools/QuantizeFlow.h"
#include "qopt/Tools/RunModes.h"
#include "qopt/Tools/StageTimer.h"
#include "qopt/Tools/ThreadsOption.h"
#include "qopt/Tools/ToolSession.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"

#include <optional>

#include <cstdlib>
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
static cl::opt<std::string>
    dotProduct("dot-product",
               cl::desc("8-bit dot-product instructions: none (portable code), "
                        "avx512vnni, i8mm or avx2; default: the host's best"),
               cl::init(""), cl::cat(toolOptions));
static qopt::MaxMemoryOption maxMemory(&toolOptions);
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
    cl::value_desc("quantized.mlir"), cl::ValueOptional, cl::cat(toolOptions));
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

static qopt::QuantizeFlowCL quantizeOptions(toolOptions);
static cl::opt<std::string> reportFile(
    "report",
    cl::desc("With --sqnr or --quantize: write the per-layer quantization "
             "report (one self-contained HTML page) on the --input data"),
    cl::value_desc("report.html"), cl::cat(toolOptions));
static cl::opt<bool> profile(
    "profile",
    cl::desc("Time every layer (by ONNX node name) on the first batch: "
             "milliseconds, share, GOP/s of convolutions and matmuls "
             "(--bench K runs, default 10)"),
    cl::cat(toolOptions));
static cl::opt<std::string> profileJson(
    "profile-json", cl::desc("With --profile: also write the profile as JSON"),
    cl::cat(toolOptions));
static cl::opt<std::string> labelsFile(
    "labels",
    cl::desc("With --report: class labels (.npy, one per sample) for the "
             "accuracy of both models"),
    cl::cat(toolOptions));

int main(int argc, char **argv) {
  // Compiled models malloc their intermediate tensors on every call. Keep
  // freed memory in the heap instead of returning it to the kernel, so that
  // repeated runs reuse warm pages rather than page-faulting fresh ones (a
  // page fault costs more than the convolution touching the page).
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  cl::opt<unsigned> &threads = qopt::registerThreadsOption(
      toolOptions,
      "Threads that run the model (OpenMP, LLVM's libomp): 1 (default), N, "
      "or 0 for the runtime's default (OMP_NUM_THREADS, else one per core). "
      "Results are identical at any count");
  // --sqnr-pipeline may calibrate in process (quantize-static's
  // calibration-data=): this tool has the JIT for it.
  qopt::ToolSession session(argc, argv, "qopt-run", "qopt JIT runner\n",
                            toolOptions, qopt::inProcessHooks());
  // Every model this process compiles (run, calibration, SQNR) reads the
  // limit from the environment.
  if (Error e = maxMemory.apply())
    return session.fail(std::move(e));
  auto flow = quantizeOptions.get();
  if (!flow)
    return session.fail(flow.takeError());
  if (flow->quantization.mode != qopt::QuantizeMode::None &&
      (sqnrModel.getNumOccurrences() || calibrateMode || !statsIn.empty()))
    return session.fail("--quantize runs the quantized model; it does not "
                        "combine with --sqnr, --calibrate or --stats-in");
  // -o is the calibrated module; the model's outputs go to --output.
  if (!outputModule.empty() && !calibrateMode && statsIn.empty())
    return session.fail("-o writes the calibrated module (with --calibrate "
                        "or --stats-in); write the model's outputs with "
                        "--output=out.npy");
  // On a terminal: stage names, and a closing line for the plain run
  // (scripts reading stderr get neither).
  bool terminal = sys::Process::StandardErrIsDisplayed();
  qopt::StageTimer timer("qopt-run", terminal);
  timer.begin("import");
  std::vector<std::string> shapes(inputShapes.begin(), inputShapes.end());
  mlir::OwningOpRef<mlir::ModuleOp> module =
      session.loadModel(inputFile, shapes,
                        std::vector<std::string>(inputs.begin(), inputs.end()));
  if (!module)
    return 1;
  if (!reportFile.empty() &&
      flow->quantization.mode == qopt::QuantizeMode::None &&
      !sqnrModel.getNumOccurrences())
    return session.fail("--report needs --sqnr or --quantize (a quantized "
                        "model to compare with the float one)");
  if (!labelsFile.empty() && reportFile.empty())
    return session.fail("--labels needs --report");
  mlir::OwningOpRef<mlir::ModuleOp> floatModel;
  if (flow->quantization.mode != qopt::QuantizeMode::None)
    timer.begin("quantization");
  if (Error e = qopt::runQuantizeFlow(*module, *flow,
                                      reportFile.empty() ? nullptr
                                                         : &floatModel))
    return session.fail(std::move(e));
  timer.end();
  if (!reportFile.empty() && floatModel) {
    auto data = qopt::readModelInputs(
        *module, std::vector<std::string>(inputs.begin(), inputs.end()),
        "input data", entry);
    if (!data)
      return session.fail(data.takeError());
    if (data->empty())
      return session.fail("--report needs data to run both models on "
                          "(--input)");
    std::optional<qopt::NpyArray> labels;
    if (!labelsFile.empty()) {
      auto l = qopt::readNpy(labelsFile);
      if (!l)
        return session.fail(l.takeError());
      labels = std::move(*l);
    }
    if (Error e = qopt::writeQuantizationReport(
            reportFile, llvm::sys::path::filename(inputFile), *floatModel,
            *module, *data, labels ? &*labels : nullptr, entry, profile,
            profile ? &outs() : nullptr))
      return session.fail(std::move(e));
    // --profile with --report: the table was printed as well.
    if (profile)
      return 0;
  }
  std::vector<std::string> inputPaths(inputs.begin(), inputs.end());

  if (sqnrModel.getNumOccurrences()) {
    qopt::SQNRModeOptions options;
    options.entry = entry;
    options.inputs = inputPaths;
    options.inputShapes = shapes;
    options.batchSize = batchSize > 0 ? batchSize : 32;
    options.quantizedModel = sqnrModel;
    options.pipeline = sqnrPipeline;
    options.jsonPath = sqnrJson;
    options.reportPath = reportFile;
    options.labelsPath = labelsFile;
    if (Error e = qopt::runSQNR(*module, options, outs()))
      return session.fail(std::move(e));
    return 0;
  }

  if (calibrateMode || !statsIn.empty()) {
    qopt::CalibrateModeOptions options;
    options.entry = entry;
    options.inputs = inputPaths;
    options.batchSize = batchSize > 0 ? batchSize : 32;
    options.percentile = percentile;
    options.ksigma = ksigma;
    options.statsIn = statsIn;
    options.statsOut = statsOut;
    options.outputModule = outputModule;
    if (Error e = qopt::runCalibration(*module, options))
      return session.fail(std::move(e));
    return 0;
  }

  if (profile) {
    auto data = qopt::readModelInputs(
        *module, std::vector<std::string>(inputs.begin(), inputs.end()),
        "input data", entry);
    if (!data)
      return session.fail(data.takeError());
    if (data->empty())
      return session.fail("--profile needs data to run the model on (--input)");
    qopt::ProfileOptions options;
    options.entry = entry;
    options.batchSize = batchSize;
    options.runs = bench > 0 ? bench : 10;
    options.vectorize = vectorize;
    options.dotProduct = dotProduct;
    options.threads = threads;
    double totalMs = 0;
    auto layers = qopt::profileModel(*module, *data, options, totalMs);
    if (!layers)
      return session.fail(layers.takeError());
    qopt::printProfile(outs(), *layers, totalMs);
    if (!profileJson.empty())
      if (Error e = qopt::writeProfileJson(profileJson, *layers, totalMs))
        return session.fail(std::move(e));
    return 0;
  }
  if (!profileJson.empty())
    return session.fail("--profile-json needs --profile");

  qopt::RunOptions options;
  options.entry = entry;
  options.inputs = inputPaths;
  options.outputs.assign(outputs.begin(), outputs.end());
  options.batchSize = batchSize;
  options.bench = bench;
  options.vectorize = vectorize;
  options.dotProduct = dotProduct;
  options.threads = threads;
  timer.begin("compiling and running");
  if (Error e = qopt::runModel(*module, options, outs()))
    return session.fail(std::move(e));
  if (terminal)
    timer.printSummary(errs());
  return 0;
}
