//===- FuzzerCommon.cpp - Shared pieces of qopt's fuzz targets ------------===//
//
// Part of qopt.
//
//===----------------------------------------------------------------------===//

#include "FuzzerCommon.h"

#include "qopt/InitAllDialects.h"
#include "qopt/InitAllPasses.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/raw_ostream.h"

std::unique_ptr<mlir::MLIRContext> qopt::fuzz::makeQuietContext() {
  static bool registered = [] {
    qopt::registerAllPasses();
    return true;
  }();
  (void)registered;
  mlir::DialectRegistry registry;
  qopt::registerAllDialects(registry);
  auto ctx = std::make_unique<mlir::MLIRContext>(
      registry, mlir::MLIRContext::Threading::DISABLED);
  ctx->loadAllAvailableDialects();
  ctx->getDiagEngine().registerHandler([](mlir::Diagnostic &) {});
  return ctx;
}

void qopt::fuzz::runGraphPasses(mlir::ModuleOp module) {
  // A test harness, not library code: the text form keeps it short.
  mlir::PassManager pm(module.getContext());
  if (failed(mlir::parsePassPipeline(
          // The passes of the module-anchored manager (no outer
          // builtin.module(...), which would nest a second module level).
          "func.func(fold-bn,fuse-ops,quantize-dynamic),"
          "integer-only,func.func(convert-qnn-to-linalg)",
          pm, llvm::nulls())))
    __builtin_trap();
  // Static quantization of calibrated observers (whole-graph folding,
  // wide-range logarithms) then lookup tables, on a copy.
  mlir::OwningOpRef<mlir::ModuleOp> copy = module.clone();
  (void)pm.run(module);
  mlir::PassManager pmStatic(module.getContext());
  if (failed(mlir::parsePassPipeline(
          "func.func(fuse-ops),quantize-static,form-lookup-tables,"
          "integer-only",
          pmStatic, llvm::nulls())))
    __builtin_trap();
  (void)pmStatic.run(*copy);
}
