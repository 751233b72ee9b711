//===- qopt-compile.cpp - Compile a model to an object and a C header -----===//
//
// Part of qopt.
//   qopt-compile model.onnx --target aarch64-linux-gnu -o model.o --header
//   model.h
//
//===----------------------------------------------------------------------===//

#include "qopt/InitAllPasses.h"
#include "qopt/InitAllTools.h"
#include "qopt/Target/AOT/CompileToObject.h"
#include "qopt/Target/ONNX/ImportONNX.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/WithColor.h"

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
static cl::opt<std::string> cpu("cpu",
                                cl::desc("Target CPU (e.g. znver4, "
                                         "neoverse-n1, or native for this "
                                         "machine's CPU and features); "
                                         "default generic"),
                                cl::cat(toolOptions));
static cl::opt<std::string> features("mattr",
                                     cl::desc("Target features, e.g. "
                                              "+dotprod,+i8mm"),
                                     cl::cat(toolOptions));
static cl::opt<std::string> name("name", cl::desc("C symbol prefix"),
                                 cl::init("qopt_model"), cl::cat(toolOptions));
static cl::opt<std::string> entry("e", cl::desc("Function to compile"),
                                  cl::init("main"), cl::cat(toolOptions));
static cl::list<std::string>
    inputShapes("input-shape", cl::desc("For .onnx input: NAME:1x3x224x224"),
                cl::cat(toolOptions));

static int fail(const Twine &msg) {
  WithColor::error(errs(), "qopt-compile") << msg << "\n";
  return 1;
}

int main(int argc, char **argv) {
  InitLLVM y(argc, argv);
  mlir::registerAllPasses();
  qopt::registerAllPasses();
  cl::HideUnrelatedOptions(toolOptions);
  cl::ParseCommandLineOptions(argc, argv, "qopt ahead-of-time compiler\n");
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
  qopt::AOTOptions options;
  options.entry = entry;
  options.name = name;
  options.triple = target;
  options.cpu = cpu;
  options.features = features;
  options.sourceName = sys::path::filename(inputFile).str();
  if (Error e = qopt::compileToObject(*module, options, outputFile, headerFile))
    return fail(toString(std::move(e)));
  return 0;
}
