//===- qopt-translate.cpp - qopt's translation driver ---------------------===//
//
// Part of qopt. `qopt-translate --import-onnx model.onnx -o model.mlir`, plus
// every upstream translation (e.g. --mlir-to-llvmir).
//
//===----------------------------------------------------------------------===//

#include "qopt/Target/ONNX/ImportONNX.h"

#include "mlir/InitAllTranslations.h"
#include "mlir/Support/LogicalResult.h"
#include "mlir/Tools/mlir-translate/MlirTranslateMain.h"

int main(int argc, char **argv) {
  mlir::registerAllTranslations();
  qopt::registerFromONNXTranslation();
  return mlir::failed(
      mlir::mlirTranslateMain(argc, argv, "qopt translation driver\n"));
}
