//===- ONNXImportFuzzer.cpp - Fuzz the ONNX importer ----------------------===//
//
// Part of qopt. Input: the bytes of an ONNX model. It is imported (external
// data resolved against a scratch directory holding one small file), and a
// model that imports goes through the graph passes. Any crash, hang or
// sanitizer report is a bug; diagnostics are the expected outcome.
//
//===----------------------------------------------------------------------===//

#include "../FuzzerCommon.h"

#include "qopt/Target/ONNX/ImportONNX.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Verifier.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

/// A directory with `w.bin` (64 bytes) for models with external data.
static const std::string &scratchDir() {
  static std::string dir = [] {
    llvm::SmallString<128> path;
    if (llvm::sys::fs::createUniqueDirectory("qopt-fuzz", path))
      return std::string();
    llvm::SmallString<128> file(path);
    llvm::sys::path::append(file, "w.bin");
    std::error_code ec;
    llvm::raw_fd_ostream os(file, ec);
    for (int i = 0; i < 64; ++i)
      os << char(i);
    return std::string(path);
  }();
  return dir;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  auto ctx = qopt::fuzz::makeQuietContext();
  qopt::ONNXImportOptions options;
  options.externalDataDir = scratchDir();
  llvm::StringRef bytes(reinterpret_cast<const char *>(data), size);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      qopt::importONNX(bytes, "fuzz.onnx", ctx.get(), options);
  if (!module)
    return 0;
  // The importer verifies what it returns; a module that fails here is an
  // importer bug.
  if (failed(mlir::verify(*module)))
    __builtin_trap();
  qopt::fuzz::runGraphPasses(*module);
  return 0;
}
