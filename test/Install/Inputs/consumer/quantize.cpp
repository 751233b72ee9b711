// Quantizes a float model from C++ as an embedding compiler would: qopt's
// typed quantization flow (qopt::buildQuantizationPipeline) with calibration
// data held in memory, calibrated in process through the JIT
// (qopt::hooksFor), then the per-layer quality in SQNR against the float
// model. docs/embedding.md walks through it.
//
//   quantize MODEL.mlir CALIBRATION.npy
#include "qopt/Calibration/Calibrate.h"
#include "qopt/Calibration/LayerSQNR.h"
#include "qopt/InitAllTools.h"
#include "qopt/Pipelines/Pipelines.h"
#include "qopt/Support/Npy.h"

#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/raw_ostream.h"

int main(int argc, char **argv) {
  if (argc != 3) {
    llvm::errs() << "usage: quantize MODEL.mlir CALIBRATION.npy\n";
    return 2;
  }
  // Every dialect the JIT lowers through (qopt's and upstream's).
  mlir::DialectRegistry registry;
  qopt::registerToolDialects(registry);
  mlir::MLIRContext context(registry);
  auto module = mlir::parseSourceFile<mlir::ModuleOp>(argv[1], &context);
  if (!module)
    return 1;
  auto calibration = qopt::readNpy(argv[2]);
  if (!calibration) {
    llvm::errs() << llvm::toString(calibration.takeError()) << "\n";
    return 1;
  }
  // The float model, kept to measure the quantized one against.
  mlir::OwningOpRef<mlir::ModuleOp> floatModel = module->clone();

  // The flow the tools and Python run: fold-bn, fuse-ops, calibration,
  // quantize-static, with these options.
  qopt::QuantizationOptions options;
  options.mode = qopt::QuantizeMode::Static;
  options.calibrationMethod = mlir::qnn::CalibrationMethod::MinMax;
  options.calibrationData = {"in-memory"}; // a label: the hooks hold the data
  mlir::PassManager pm(&context);
  qopt::buildQuantizationPipeline(pm, options, qopt::hooksFor({*calibration}));
  if (mlir::failed(pm.run(*module)))
    return 1;

  // The float model goes through the same graph passes, so that layers
  // match by name.
  mlir::PassManager prepare(&context);
  qopt::buildQuantizationPipeline(prepare, options, {},
                                  qopt::QuantizationStages::Prepare);
  if (mlir::failed(prepare.run(*floatModel)))
    return 1;
  auto layers = qopt::measureLayerSQNR(*floatModel, *module, {*calibration},
                                       qopt::SQNROptions());
  if (!layers) {
    llvm::errs() << llvm::toString(layers.takeError()) << "\n";
    return 1;
  }
  qopt::printLayerSQNR(llvm::outs(), *layers);
  int quantized = 0;
  module->walk([&](mlir::Operation *op) {
    quantized += llvm::any_of(op->getResultTypes(), [](mlir::Type t) {
      return llvm::isa<mlir::quant::QuantizedType>(
          mlir::getElementTypeOrSelf(t));
    });
  });
  llvm::outs() << "ops with quantized results: " << quantized << "\n";
  return 0;
}
