//===- MLIRPassesFuzzer.cpp - Fuzz qnn's parser, verifiers and passes -----===//
//
// Part of qopt. Input: MLIR text. A module that parses and verifies goes
// through the graph passes and the first lowering steps.
//
//===----------------------------------------------------------------------===//

#include "../FuzzerCommon.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Parser/Parser.h"

#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  auto ctx = qopt::fuzz::makeQuietContext();
  // MLIR's lexer reads the terminating NUL that MemoryBuffer::getFile adds
  // to every file the tools read; libFuzzer's buffers have none.
  std::string text(reinterpret_cast<const char *>(data), size);
  mlir::ParserConfig config(ctx.get());
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceString<mlir::ModuleOp>(text, config);
  if (!module)
    return 0;
  qopt::fuzz::runGraphPasses(*module);
  return 0;
}
