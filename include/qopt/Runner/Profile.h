//===- Profile.h - Per-layer time of a JIT-compiled model --------*- C++ -*-===//
//
// Part of qopt. `qopt-run --profile`: a clone of the model calls
// qopt_profile_mark(id) after each top-level op of the entry function (at the
// qnn level, before lowering); the time between consecutive marks is that
// op's. Consecutive ops of one ONNX node (a conv and its requantization) form
// one layer. Elementwise fusion may move a little work into the next op's
// interval; the marks cost about 20 ns each.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_RUNNER_PROFILE_H
#define QOPT_RUNNER_PROFILE_H

#include "qopt/Support/Npy.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <string>
#include <vector>

namespace qopt {

struct LayerProfile {
  std::string name;   ///< ONNX node name(s), or the op's location
  std::string op;     ///< the first op of the layer, e.g. qnn.conv2d
  double ms = 0;      ///< mean per run
  double share = 0;   ///< of the whole run
  double gops = 0;    ///< 2 * multiply-accumulates / time (conv, matmul)
  int64_t macs = 0;   ///< multiply-accumulates per run
};

struct ProfileOptions {
  std::string entry = "main";
  int64_t batchSize = 0; ///< samples per run (0: the model's or all)
  int runs = 10;
  bool vectorize = true;
  std::string dotProduct;
  unsigned threads = 1;
};

/// Profiles `module` on the first batch of `data`: layers in model order,
/// and the total time per run in `totalMs`.
llvm::Expected<std::vector<LayerProfile>>
profileModel(mlir::ModuleOp module, llvm::ArrayRef<NpyArray> data,
             const ProfileOptions &options, double &totalMs);

/// The table, slowest layer first (`limit` rows, 0: all), and the total.
void printProfile(llvm::raw_ostream &os, llvm::ArrayRef<LayerProfile> layers,
                  double totalMs, size_t limit = 0);
llvm::Error writeProfileJson(llvm::StringRef path,
                             llvm::ArrayRef<LayerProfile> layers,
                             double totalMs);

} // namespace qopt

#endif // QOPT_RUNNER_PROFILE_H
