//===- ToolSession.cpp - The preamble qopt's tools share ------------------===//
//
// Part of qopt.
//
//===----------------------------------------------------------------------===//

#include "qopt/Tools/ToolSession.h"

#include "qopt/InitAllPasses.h"
#include "qopt/InitAllTools.h"
#include "qopt/Support/MemoryLimit.h"
#include "qopt/Support/Npy.h"
#include "qopt/Target/ONNX/ImportONNX.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllPasses.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/WithColor.h"

using namespace llvm;

qopt::ToolSession::ToolSession(int &argc, char **&argv, StringRef toolName,
                               StringRef overview,
                               cl::OptionCategory &toolOptions,
                               mlir::qnn::CalibrationHooks hooks)
    : initLLVM(argc, argv), toolName(toolName.str()) {
  installToolErrorHandlers(this->toolName.c_str());
  mlir::registerAllPasses();
  qopt::registerAllPasses(std::move(hooks));
  cl::HideUnrelatedOptions(toolOptions);
  cl::ParseCommandLineOptions(argc, argv, overview);
  mlir::DialectRegistry registry;
  qopt::registerToolDialects(registry);
  context = std::make_unique<mlir::MLIRContext>(registry);
}

mlir::OwningOpRef<mlir::ModuleOp>
qopt::ToolSession::loadModel(StringRef path, ArrayRef<std::string> shapes,
                             ArrayRef<std::string> examplePaths) {
  // An unreadable example is reported where the data is read; here it only
  // gives no shape.
  std::vector<SmallVector<int64_t>> examples;
  if (path.ends_with(".onnx"))
    for (const std::string &p : examplePaths) {
      auto shape = qopt::readNpyShape(p);
      if (!shape) {
        consumeError(shape.takeError());
        break;
      }
      examples.push_back(std::move(*shape));
    }
  std::string error;
  mlir::OwningOpRef<mlir::ModuleOp> module =
      qopt::loadModel(path, context.get(), shapes, error, examples);
  if (!module && !error.empty())
    fail(error);
  return module;
}

int qopt::ToolSession::fail(const Twine &msg) const {
  WithColor::error(errs(), toolName) << msg << "\n";
  return 1;
}

int qopt::ToolSession::fail(Error error) const {
  return fail(toString(std::move(error)));
}
