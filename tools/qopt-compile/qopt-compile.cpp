//===- qopt-compile.cpp - Compile a model to an object and a C header -----===//
//
// Part of qopt.
//   qopt-compile model.onnx --target aarch64-linux-gnu -o model.o --header
//   model.h
//   qopt-compile model.onnx --quantize=static --calibration-data=x.npy \
//     -o model.o --header model.h
//
//===----------------------------------------------------------------------===//

#include "qopt/Calibration/Calibrate.h"
#include "qopt/Support/MemoryLimit.h"
#include "qopt/Support/Npy.h"
#include "qopt/Support/Sizes.h"
#include "qopt/Target/AOT/CompileToObject.h"
#include "qopt/Tools/QualityGuard.h"
#include "qopt/Tools/QuantizeFlow.h"
#include "qopt/Tools/RunModes.h"
#include "qopt/Tools/StageTimer.h"
#include "qopt/Tools/ThreadsOption.h"
#include "qopt/Tools/ToolSession.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/WithColor.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

using namespace llvm;

/// The tool's own options; --help hides the many LLVM options linked in.
static cl::OptionCategory toolOptions("qopt-compile options");

static cl::opt<std::string> inputFile(cl::Positional, cl::Required,
                                      cl::desc("<model.onnx|model.mlir>"),
                                      cl::cat(toolOptions));
static cl::opt<std::string> outputFile("o", cl::Required,
                                       cl::desc("Object file to write"),
                                       cl::cat(toolOptions));
static cl::opt<std::string> headerFile("header", cl::desc("C header to write"),
                                       cl::cat(toolOptions));
static cl::opt<std::string> target("target",
                                   cl::desc("x86_64-linux-gnu or "
                                            "aarch64-linux-gnu (any LLVM "
                                            "triple)"),
                                   cl::init("x86_64-linux-gnu"),
                                   cl::cat(toolOptions));
static cl::opt<std::string>
    cpu("cpu",
        cl::desc("Target CPU (e.g. znver4, neoverse-n1, native for this "
                 "machine's CPU and features, generic for a portable "
                 "object, multi for x86-64 versions from the baseline to "
                 "AVX-512 VNNI/VBMI, the best chosen at run time); default: "
                 "native when --target is this machine's architecture, else "
                 "generic"),
        cl::cat(toolOptions));
static cl::opt<std::string> features("mattr",
                                     cl::desc("Target features, e.g. "
                                              "+dotprod,+i8mm"),
                                     cl::cat(toolOptions));
static cl::opt<std::string> name("name", cl::desc("C symbol prefix"),
                                 cl::init("qopt_model"), cl::cat(toolOptions));
static cl::opt<std::string> entry("e", cl::desc("Function to compile"),
                                  cl::init("main"), cl::cat(toolOptions));
static qopt::MaxMemoryOption maxMemory(&toolOptions);
static cl::list<std::string>
    inputShapes("input-shape", cl::desc("For .onnx input: NAME:1x3x224x224"),
                cl::cat(toolOptions));

static qopt::QuantizeFlowCL quantizeOptions(toolOptions);
static cl::opt<std::string> reportFile(
    "report",
    cl::desc("With --quantize=static: write the per-layer quantization "
             "report (one HTML page) measured on the calibration data"),
    cl::value_desc("report.html"), cl::cat(toolOptions));

static cl::opt<std::string> labelsFile(
    "labels",
    cl::desc("With --report: class labels (.npy, one per calibration "
             "sample) for the report's accuracy of both models on the "
             "calibration data"),
    cl::value_desc("labels.npy"), cl::cat(toolOptions));

int main(int argc, char **argv) {
  cl::opt<unsigned> &threads = qopt::registerThreadsOption(
      toolOptions,
      "Threads of the compiled model: 1 (default) compiles sequential code "
      "that needs no runtime; N > 1 or 0 compile parallel loops that call "
      "LLVM's OpenMP runtime (link with -lomp), on N threads or, with 0, on "
      "as many as OMP_NUM_THREADS / omp_set_num_threads() ask (else one per "
      "core)");
  qopt::ToolSession session(argc, argv, "qopt-compile",
                            "qopt ahead-of-time compiler\n", toolOptions,
                            qopt::inProcessHooks());
  if (Error e = maxMemory.apply())
    return session.fail(std::move(e));
  auto flow = quantizeOptions.get();
  if (!flow)
    return session.fail(flow.takeError());
  qopt::StageTimer timer("qopt-compile",
                         sys::Process::StandardErrIsDisplayed());
  timer.begin("import");
  mlir::OwningOpRef<mlir::ModuleOp> module =
      session.loadModel(inputFile, std::vector<std::string>(inputShapes.begin(),
                                                            inputShapes.end()));
  if (!module)
    return 1;
  if (!reportFile.empty() &&
      flow->quantization.mode != qopt::QuantizeMode::Static)
    return session.fail("--report needs --quantize=static (it measures the "
                        "layers on the calibration data)");
  if (!labelsFile.empty() && reportFile.empty())
    return session.fail("--labels needs --report");
  std::optional<qopt::NpyArray> labels;
  if (!labelsFile.empty()) {
    auto l = qopt::readNpy(labelsFile);
    if (!l)
      return session.fail(l.takeError());
    labels = std::move(*l);
  }
  mlir::OwningOpRef<mlir::ModuleOp> floatModel;
  qopt::QualityReport quality;
  quality.floatWeightBytes = -1;
  if (flow->quantization.mode != qopt::QuantizeMode::None)
    timer.begin("quantization");
  if (Error e = qopt::runQuantizeFlow(
          *module, *flow, reportFile.empty() ? nullptr : &floatModel, &quality))
    return session.fail(std::move(e));
  if (quality.floatWeightBytes >= 0) {
    timer.note("weights " + qopt::formatBytes(quality.floatWeightBytes) +
               " -> " + qopt::formatBytes(quality.quantizedWeightBytes));
    timer.note(formatv("output SQNR {0:F1} dB", quality.outputSqnrDb).str());
  }
  if (!reportFile.empty()) {
    timer.begin("report");
    auto data = qopt::readModelInputs(
        *module, flow->quantization.calibrationData, "calibration data", entry);
    if (!data)
      return session.fail(data.takeError());
    if (Error e = qopt::writeQuantizationReport(
            reportFile, sys::path::filename(inputFile), *floatModel, *module,
            *data, labels ? &*labels : nullptr, entry))
      return session.fail(std::move(e));
  }
  qopt::AOTOptions options;
  options.entry = entry;
  options.name = name;
  options.triple = target;
  options.cpu = cpu;
  options.features = features;
  // Fast by default: an object for this machine uses its vector and
  // dot-product instructions (a generic x86-64 resnet18 int8 object ran
  // 226 ms instead of 17 ms). Said once, with the way to a portable one.
  bool hostArch = Triple(sys::getProcessTriple()).getArch() ==
                  Triple(target).getArch();
  if (cpu.empty() && features.empty() && hostArch) {
    options.cpu = "native";
    WithColor::note(errs(), "qopt-compile")
        << "compiling for this machine's CPU ('" << sys::getHostCPUName()
        << "'); the object needs its instruction sets. --cpu=generic "
           "compiles a portable one\n";
  } else if ((options.cpu.empty() || options.cpu == "generic") &&
             features.empty()) {
    WithColor::warning(errs(), "qopt-compile")
        << "generic " << Triple(target).getArchName()
        << " code: no vector or dot-product instructions beyond the "
           "architecture's baseline; name the deployment CPU with --cpu "
           "(e.g. "
        << (Triple(target).isAArch64() ? "neoverse-n1" : "x86-64-v3")
        << ") or --mattr for speed\n";
  }
  options.threads = threads;
  options.sourceName = sys::path::filename(inputFile).str();
  timer.begin("code generation");
  qopt::AOTSummary generated;
  if (Error e = qopt::compileToObject(*module, options, outputFile, headerFile,
                                      &generated))
    return session.fail(std::move(e));
  timer.note("object " + qopt::formatBytes(generated.objectBytes));
  timer.note("CPU " + generated.cpu + " (" + generated.instructions + ")");
  timer.printSummary(errs());
  return 0;
}
