//===- Profile.h - Per-layer time of a JIT-compiled model --------*- C++ -*-===//
//
// Part of qopt. `qopt-run --profile`: the model is compiled as usual, then
// qopt-insert-profile-marks puts a qopt_profile_mark(id) call after each
// compiled kernel (loop nest, parallel region, copy), so fusion and layouts
// are those of an unprofiled run; the time between consecutive marks is the
// kernel's. Kernels are named after the ONNX node their multiply-adds (else
// their loops) come from; a kernel fused from several nodes goes to the one
// that multiplies. The kernels of one node form one layer; GOP/s counts the
// node's multiply-accumulates (conv, fully_connected, matmul) from the qnn
// ops. The marks cost about 20 ns each.
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
