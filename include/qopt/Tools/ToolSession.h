//===- ToolSession.h - The preamble qopt's tools share --------*- C++ -*-===//
//
// Part of qopt. Every tool main (qopt-run, qopt-compile) starts the same
// way: LLVM's process setup, qopt's and upstream's passes registered,
// options parsed with LLVM's own hidden, a context with the tool dialects,
// the model loaded from .mlir or .onnx, errors printed as "tool: error:".
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_TOOLS_TOOLSESSION_H
#define QOPT_TOOLS_TOOLSESSION_H

#include "qopt/Dialect/QNN/Transforms/Transforms.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"

#include <memory>
#include <optional>
#include <string>

namespace qopt {

class ToolSession {
public:
  /// Registers passes (quantize-static calibrating with `calibrator`),
  /// parses the command line showing only `toolOptions` in --help, and
  /// builds the context.
  ToolSession(int &argc, char **&argv, llvm::StringRef toolName,
              llvm::StringRef overview, llvm::cl::OptionCategory &toolOptions,
              mlir::qnn::CalibrationHooks hooks = {});

  mlir::MLIRContext &getContext() { return *context; }

  /// Loads `path` (.onnx imported with `inputShapes`, else parsed as MLIR);
  /// null after printing the error. Symbolic dimensions of an ONNX model's
  /// inputs other than the batch take the sizes of `examplePaths` (.npy, by
  /// position) where no --input-shape names them.
  mlir::OwningOpRef<mlir::ModuleOp>
  loadModel(llvm::StringRef path, llvm::ArrayRef<std::string> inputShapes,
            llvm::ArrayRef<std::string> examplePaths = {});

  /// Prints "<tool>: error: msg" and returns the exit code 1.
  int fail(const llvm::Twine &msg) const;
  /// The same for an llvm::Error (consumed).
  int fail(llvm::Error error) const;

private:
  llvm::InitLLVM initLLVM;
  std::string toolName;
  std::unique_ptr<mlir::MLIRContext> context;
};

} // namespace qopt

#endif // QOPT_TOOLS_TOOLSESSION_H
