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
#include <vector>

namespace mlir {
class MLIRContext;
} // namespace mlir

namespace qopt {

struct ONNXImportOptions {
  /// Static shapes for graph inputs, by name; they replace the model's
  /// symbolic dimensions (e.g. a dynamic batch or spatial size).
  llvm::StringMap<llvm::SmallVector<int64_t>> inputShapes;
  /// Shapes of example inputs, by position among the graph's inputs (the
  /// arrays qopt-run is given): a symbolic dimension other than the leading
  /// one (the batch, which stays dynamic) takes the example's size when the
  /// ranks agree. `inputShapes` takes precedence.
  std::vector<llvm::SmallVector<int64_t>> exampleShapes;
  /// Directory that external-data locations are relative to (the model's).
  /// External data must be a regular file inside it; empty refuses external
  /// data (a model read from standard input).
  std::string externalDataDir;
  /// Bytes the model's tensors may take in all (0: qopt's process-wide
  /// limit, $QOPT_MAX_MEMORY or the physical memory). Checked before each
  /// tensor's data is read, so a huge or sparse external file is refused
  /// without allocating it.
  uint64_t memoryLimit = 0;
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
/// NAME:DIMS each, and `exampleShapes` as in ONNXImportOptions) when `path`
/// ends in .onnx, parsed as MLIR otherwise. Null on failure, with
/// diagnostics emitted or `error` set.
mlir::OwningOpRef<mlir::ModuleOp>
loadModel(llvm::StringRef path, mlir::MLIRContext *context,
          llvm::ArrayRef<std::string> inputShapes, std::string &error,
          llvm::ArrayRef<llvm::SmallVector<int64_t>> exampleShapes = {});

/// Registers the `--import-onnx` translation (with `--input-shape`).
void registerFromONNXTranslation();

/// One op type the importer maps, from its handler table.
struct ONNXOpSupport {
  std::string domain; ///< "" for the default domain
  std::string opType;
  std::vector<int64_t> sinceVersions; ///< opsets where a handler starts
};

/// Every op type the importer maps (a new handler appears here without
/// further registration): `qopt-translate --list-onnx-ops` prints it, and
/// the quantization conformance list is generated from it.
std::vector<ONNXOpSupport> listONNXOps();

} // namespace qopt

#endif // QOPT_TARGET_ONNX_IMPORTONNX_H
