//===- InProcess.cpp - Calibration from inside a pass ---------------------===//
//
// Part of qopt. The hook behind `--quantize-static=calibration-data=...`.
// The pass runs inside a pass manager on a multi-threaded context, where
// lowering and JIT-compiling a copy would load dialects concurrently; the copy
// is therefore calibrated in a context of its own, and only the statistics
// (min / max per observer id) come back.
//
//===----------------------------------------------------------------------===//

#include "qopt/Calibration/Calibrate.h"
#include "qopt/Dialect/QNN/Transforms/Transforms.h"
#include "qopt/InitAllTools.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

static LogicalResult calibrateCopy(ModuleOp module,
                                   ArrayRef<std::string> dataPaths) {
  auto fail = [&](const Twine &message) {
    return mlir::emitError(module.getLoc(), "quantize-static: calibration-data: ")
           << message;
  };
  std::vector<qopt::NpyArray> data;
  for (const std::string &path : dataPaths) {
    auto array = qopt::readNpy(path);
    if (!array)
      return fail(llvm::toString(array.takeError()));
    data.push_back(std::move(*array));
  }

  std::string text;
  llvm::raw_string_ostream os(text);
  module->print(os);
  DialectRegistry registry;
  qopt::registerToolDialects(registry);
  MLIRContext context(registry);
  OwningOpRef<ModuleOp> copy = parseSourceString<ModuleOp>(text, &context);
  if (!copy)
    return fail("cannot copy the module for calibration");

  qopt::CalibrationOptions options;
  options.progress = llvm::errs().is_displayed();
  auto stats = qopt::calibrate(*copy, data, options);
  if (!stats)
    return fail(llvm::toString(stats.takeError()));
  if (llvm::Error e = qopt::applyStatistics(module, *stats))
    return fail(llvm::toString(std::move(e)));
  return success();
}

qnn::Calibrator qopt::inProcessCalibrator() { return calibrateCopy; }
