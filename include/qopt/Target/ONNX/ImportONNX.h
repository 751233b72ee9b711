//===- ImportONNX.h - ONNX model importer ---------------------------*- C++ -*-===//
//
// Part of qopt. Turns an ONNX ModelProto (opsets 9-17 of the default domain)
// into a `func.func @main` of qnn ops. Node names become locations, weights
// become constants (dense_resource blobs when large).
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_TARGET_ONNX_IMPORTONNX_H
#define QOPT_TARGET_ONNX_IMPORTONNX_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/SmallVector.h"

#include <string>

namespace mlir {
class MLIRContext;
} // namespace mlir

namespace qopt {

struct ONNXImportOptions {
  /// Static shapes for graph inputs, by name; they replace the model's
  /// symbolic dimensions (e.g. a dynamic batch or spatial size).
  llvm::StringMap<llvm::SmallVector<int64_t>> inputShapes;
  /// Directory that external-data locations are relative to (the model's).
  /// External data must be a regular file inside it; empty refuses external
  /// data (a model read from standard input).
  std::string externalDataDir;
  /// Name given to the imported function.
  std::string functionName = "main";
};

/// The directory external data of the model at `modelPath` is read from:
/// its parent directory, "." for a bare file name, "" for standard input.
std::string modelDirectory(llvm::StringRef modelPath);

/// Parses `NAME:1x3x224x224` into `options`. Returns an error message, or ""
/// on success.
std::string parseInputShapeOption(llvm::StringRef spec,
                                  ONNXImportOptions &options);

/// Imports a serialized ONNX model. `bufferName` names the file in
/// diagnostics. Errors are reported through the context's diagnostic engine;
/// the result is null on failure.
mlir::OwningOpRef<mlir::ModuleOp> importONNX(llvm::StringRef bytes,
                                             llvm::StringRef bufferName,
                                             mlir::MLIRContext *context,
                                             const ONNXImportOptions &options);

/// Loads a model for the tools: imported from ONNX (with `inputShapes`,
/// NAME:DIMS each) when `path` ends in .onnx, parsed as MLIR otherwise.
/// Null on failure, with diagnostics emitted or `error` set.
mlir::OwningOpRef<mlir::ModuleOp>
loadModel(llvm::StringRef path, mlir::MLIRContext *context,
          llvm::ArrayRef<std::string> inputShapes, std::string &error);

/// Registers the `--import-onnx` translation (with `--input-shape`).
void registerFromONNXTranslation();

} // namespace qopt

#endif // QOPT_TARGET_ONNX_IMPORTONNX_H
