//===- qopt-translate.cpp - qopt's translation driver ---------------------===//
//
// Part of qopt. `qopt-translate --import-onnx model.onnx -o model.mlir`, plus
// every upstream translation (e.g. --mlir-to-llvmir).
//
//===----------------------------------------------------------------------===//

#include "qopt/Support/MemoryLimit.h"
#include "qopt/Target/ONNX/ImportONNX.h"

#include "mlir/InitAllTranslations.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"
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
  qopt::installToolErrorHandlers("qopt-translate");
  // `--list-onnx-ops`: the importer's op types, one per line
  // ("[domain:]OpType since1,since2"), for generated test lists.
  for (int i = 1; i < argc; ++i)
    if (llvm::StringRef(argv[i]) == "--list-onnx-ops") {
      for (const qopt::ONNXOpSupport &op : qopt::listONNXOps()) {
        llvm::outs() << (op.domain.empty() ? "" : op.domain + ":")
                     << op.opType << " ";
        for (auto [k, v] : llvm::enumerate(op.sinceVersions))
          llvm::outs() << (k ? "," : "") << v;
        llvm::outs() << "\n";
      }
      return 0;
    }
  mlir::registerAllTranslations();
  qopt::registerFromONNXTranslation();
  return mlir::failed(
      mlir::mlirTranslateMain(argc, argv, "qopt translation driver\n"));
}
