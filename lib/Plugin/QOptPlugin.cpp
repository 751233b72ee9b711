//===- QOptPlugin.cpp - qopt as a plugin for stock mlir-opt ---------------===//
//
// Part of qopt. Load into Debian's /usr/lib/llvm-22/bin/mlir-opt with
//   mlir-opt --load-dialect-plugin=libQOptPlugin.so \
//            --load-pass-plugin=libQOptPlugin.so --fold-bn model.mlir
// The library links the same libMLIR.so as mlir-opt, so there is one copy
// of MLIR's registries.
//
//===----------------------------------------------------------------------===//

#include "qopt/InitAllDialects.h"
#include "qopt/InitAllPasses.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/Plugins/DialectPlugin.h"
#include "mlir/Tools/Plugins/PassPlugin.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/Compiler.h"

extern "C" LLVM_ATTRIBUTE_WEAK mlir::DialectPluginLibraryInfo
mlirGetDialectPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "QOptDialects", LLVM_VERSION_STRING,
          [](mlir::DialectRegistry *registry) {
            qopt::registerAllDialects(*registry);
          }};
}

extern "C" LLVM_ATTRIBUTE_WEAK mlir::PassPluginLibraryInfo
mlirGetPassPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "QOptPasses", LLVM_VERSION_STRING,
          []() { qopt::registerAllPasses(); }};
}
