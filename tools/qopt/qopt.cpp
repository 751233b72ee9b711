//===- qopt.cpp - qopt's optimizer driver ---------------------------------===//
//
// Part of qopt. `qopt` is mlir-opt with qopt's dialects and passes added:
//   qopt --fold-bn --fuse-ops model.mlir
//
//===----------------------------------------------------------------------===//

#include "qopt/Calibration/Calibrate.h"
#include "qopt/InitAllPasses.h"
#include "qopt/InitAllTools.h"
#include "qopt/Support/MemoryLimit.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  qopt::installToolErrorHandlers("qopt");
  mlir::registerAllPasses();
  // --quantize-static=calibration-data=... runs the JIT from inside the pass.
  qopt::registerAllPasses(qopt::inProcessHooks());
  mlir::DialectRegistry registry;
  qopt::registerToolDialects(registry);
  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "qopt: MLIR quantization compiler driver\n", registry));
}
