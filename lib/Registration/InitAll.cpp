//===- InitAll.cpp - Register qopt's dialects and passes ------------------===//
//
// Part of qopt.
//
//===----------------------------------------------------------------------===//

#include "qopt/InitAllDialects.h"
#include "qopt/InitAllPasses.h"

#include "qopt/Codegen/CPU/IR/QCPU.h"
#include "qopt/Codegen/CPU/Transforms/Passes.h"
#include "qopt/Conversion/Passes.h"
#include "qopt/Dialect/QNN/IR/QNN.h"
#include "qopt/Dialect/QNN/Transforms/Passes.h"
#include "qopt/Pipelines/Pipelines.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/DialectRegistry.h"

void qopt::registerAllDialects(mlir::DialectRegistry &registry) {
  registry.insert<mlir::qnn::QNNDialect, mlir::qcpu::QCPUDialect,
                  mlir::quant::QuantDialect,
                  mlir::arith::ArithDialect, mlir::func::FuncDialect,
                  mlir::math::MathDialect, mlir::tensor::TensorDialect,
                  mlir::linalg::LinalgDialect>();
  mlir::qnn::registerDataMovementExternalModels(registry);
}

void qopt::registerAllPasses(mlir::qnn::CalibrationHooks hooks) {
  static bool once = [&] {
    // Before registerQNNPasses(): the first registration of a flag wins, and
    // these carry the hooks.
    mlir::registerPass([hooks]() {
      return mlir::qnn::createQuantizeStaticPass({}, hooks.calibrate);
    });
    mlir::registerPass([hooks]() {
      return mlir::qnn::createRoundWeightsPass({}, hooks.layerInputs);
    });
    mlir::registerPass([hooks]() {
      return mlir::qnn::createSmoothQuantPass({}, hooks.layerInputs);
    });
    mlir::qnn::registerQNNPasses();
    mlir::qnn::registerQOptConversionPasses();
    mlir::qcpu::registerQOptCodegenCPUPasses();
    qopt::registerPipelines(hooks);
    return true;
  }();
  (void)once;
}
