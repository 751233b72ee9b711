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
#include "qopt/Calibration/Instrument.h"
#include "qopt/Dialect/QNN/Transforms/Transforms.h"
#include "qopt/InitAllTools.h"
#include "qopt/Runner/JitRunner.h"
#include "qopt/Support/Npz.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

namespace {

/// `module` printed and parsed into `context`: the passes run inside a
/// pass manager whose context may be multi-threaded.
OwningOpRef<ModuleOp> copyInto(ModuleOp module, MLIRContext &context) {
  std::string text;
  llvm::raw_string_ostream os(text);
  module->print(os);
  return parseSourceString<ModuleOp>(text, &context);
}

MLIRContext *newToolContext(std::unique_ptr<MLIRContext> &owner) {
  DialectRegistry registry;
  qopt::registerToolDialects(registry);
  owner = std::make_unique<MLIRContext>(registry);
  return owner.get();
}

using DataSource = std::function<llvm::Expected<std::vector<qopt::NpyArray>>(
    ModuleOp, ArrayRef<std::string>)>;

/// The pass's data paths, read for the inputs of the module's main: .npy
/// files, an .npz or a directory of per-sample .npz files.
DataSource readFiles() {
  return [](ModuleOp module, ArrayRef<std::string> paths)
             -> llvm::Expected<std::vector<qopt::NpyArray>> {
    auto data = qopt::readInputArrays(paths, qopt::entryInputNames(module),
                                      "calibration data");
    // float64 / float16 files for float32 inputs: converted, as the tools
    // do (they say so once, when they read the files).
    if (data)
      qopt::convertFloatInputs(module, "main", *data);
    return data;
  };
}

DataSource inMemory(std::vector<qopt::NpyArray> data) {
  auto shared = std::make_shared<std::vector<qopt::NpyArray>>(std::move(data));
  return [shared](ModuleOp, ArrayRef<std::string>)
             -> llvm::Expected<std::vector<qopt::NpyArray>> { return *shared; };
}

qnn::Calibrator calibratorOver(DataSource source) {
  return [source](ModuleOp module, ArrayRef<std::string> dataPaths,
                  unsigned activationBits) -> LogicalResult {
    auto fail = [&](const Twine &message) -> LogicalResult {
      return mlir::emitError(module.getLoc(),
                             "quantize-static: calibration-data: ")
             << message;
    };
    auto data = source(module, dataPaths);
    if (!data)
      return fail(llvm::toString(data.takeError()));
    std::unique_ptr<MLIRContext> context;
    OwningOpRef<ModuleOp> copy = copyInto(module, *newToolContext(context));
    if (!copy)
      return fail("cannot copy the module for calibration");
    qopt::CalibrationOptions options;
    options.progress = llvm::errs().is_displayed();
    options.activationBits = activationBits;
    auto stats = qopt::calibrate(*copy, *data, options);
    if (!stats)
      return fail(llvm::toString(stats.takeError()));
    if (llvm::Error e = qopt::applyStatistics(module, *stats))
      return fail(llvm::toString(std::move(e)));
    return success();
  };
}

constexpr llvm::StringLiteral kTapAttr = "qopt.layer_input_tap";

qnn::LayerInputStreamer streamerOver(DataSource source) {
  return [source](ModuleOp module, ArrayRef<Operation *> layers,
                  ArrayRef<std::string> dataPaths,
                  qnn::LayerInputSink sink) -> LogicalResult {
    auto fail = [&](const Twine &message) -> LogicalResult {
      return mlir::emitError(module.getLoc(),
                             "round-weights: calibration-data: ")
             << message;
    };
    auto data = source(module, dataPaths);
    if (!data)
      return fail(llvm::toString(data.takeError()));
    // Mark the layers, copy, unmark: the copy's marked ops are the layers.
    Builder b(module.getContext());
    for (auto [i, op] : llvm::enumerate(layers))
      op->setAttr(kTapAttr, b.getI64IntegerAttr(i));
    std::unique_ptr<MLIRContext> context;
    OwningOpRef<ModuleOp> copy = copyInto(module, *newToolContext(context));
    for (Operation *op : layers)
      op->removeAttr(kTapAttr);
    if (!copy)
      return fail("cannot copy the module");
    auto entry = copy->lookupSymbol<func::FuncOp>("main");
    if (!entry || entry.isExternal())
      return fail("no function 'main' to run");
    SmallVector<Value> taps(layers.size());
    copy->walk([&](Operation *op) {
      if (auto id = op->getAttrOfType<IntegerAttr>(kTapAttr)) {
        taps[id.getInt()] = op->getOperand(0);
        op->removeAttr(kTapAttr);
      }
    });
    for (auto [i, v] : llvm::enumerate(taps))
      if (!v || v.getParentRegion() != &entry.getBody())
        return fail("layer " + Twine(i) + " is not at the top level of main");
    unsigned first = qopt::appendResults(entry, taps);
    auto model = qopt::CompiledModel::compile(*copy, "main");
    if (!model)
      return fail(llvm::toString(model.takeError()));
    if (llvm::Error e = (*model)->checkInputs(
            *data, std::vector<std::string>(data->size(), "calibration data")))
      return fail(llvm::toString(std::move(e)));
    bool whole = (*model)->wholeCalls(*data);
    llvm::Error e = (*model)->forEachBatch(
        *data, /*batchSize=*/32,
        [&](std::vector<qopt::NpyArray> &outs, int64_t n,
            int64_t) -> llvm::Error {
          for (unsigned i = 0; i < layers.size(); ++i) {
            qopt::NpyArray &a = outs[first + i];
            if (a.dtype != qopt::NpyDType::F32)
              return llvm::createStringError("layer input is not f32");
            // A zero-padded short batch of a static-batch model: its
            // first n samples.
            SmallVector<int64_t> shape(a.shape.begin(), a.shape.end());
            int64_t count = a.numElements();
            if (!whole && !shape.empty() && shape[0] > n && shape[0] > 0) {
              count = count / shape[0] * n;
              shape[0] = n;
            }
            sink(i, shape, ArrayRef<float>(a.as<float>(), count));
          }
          return llvm::Error::success();
        });
    if (e)
      return fail(llvm::toString(std::move(e)));
    return success();
  };
}

} // namespace

qnn::Calibrator qopt::inProcessCalibrator() {
  return calibratorOver(readFiles());
}
qnn::Calibrator qopt::calibratorFor(std::vector<NpyArray> data) {
  return calibratorOver(inMemory(std::move(data)));
}
qnn::LayerInputStreamer qopt::inProcessLayerInputs() {
  return streamerOver(readFiles());
}
qnn::LayerInputStreamer qopt::layerInputsFor(std::vector<NpyArray> data) {
  return streamerOver(inMemory(std::move(data)));
}
qnn::CalibrationHooks qopt::inProcessHooks() {
  return {inProcessCalibrator(), inProcessLayerInputs()};
}
qnn::CalibrationHooks qopt::hooksFor(std::vector<NpyArray> data) {
  // One copy of the arrays behind both hooks.
  DataSource source = inMemory(std::move(data));
  return {calibratorOver(source), streamerOver(source)};
}
