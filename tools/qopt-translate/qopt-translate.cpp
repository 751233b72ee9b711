//===- qopt-translate.cpp - qopt's translation driver ---------------------===//
//
// Part of qopt. `qopt-translate --import-onnx model.onnx -o model.mlir`, plus
// every upstream translation (e.g. --mlir-to-llvmir).
//
//===----------------------------------------------------------------------===//

#include "qopt/Target/ONNX/ImportONNX.h"

#include "mlir/InitAllTranslations.h"
#include "llvm/ADT/StringRef.h"
#include "mlir/Support/LogicalResult.h"
#include "mlir/Tools/mlir-translate/MlirTranslateMain.h"

int main(int argc, char **argv) {
  // Imported models carry ONNX node names as locations; print them unless
  // the user chose otherwise, so names survive a round trip through text.
  std::vector<char *> args(argv, argv + argc);
  bool choseDebugInfo = false;
  for (int i = 1; i < argc; ++i)
    choseDebugInfo |= llvm::StringRef(argv[i]).starts_with("--mlir-print-debuginfo") ||
                      llvm::StringRef(argv[i]).starts_with("-mlir-print-debuginfo");
  static char debugInfo[] = "--mlir-print-debuginfo";
  if (!choseDebugInfo)
    args.push_back(debugInfo);
  argc = args.size();
  argv = args.data();
  mlir::registerAllTranslations();
  qopt::registerFromONNXTranslation();
  return mlir::failed(
      mlir::mlirTranslateMain(argc, argv, "qopt translation driver\n"));
}
