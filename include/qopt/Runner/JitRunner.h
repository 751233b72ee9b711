//===- JitRunner.h - Run qnn modules through the ExecutionEngine ----*- C++ -*-===//
//
// Part of qopt. Lowers a module (any stage qopt-lower-to-llvm accepts) and
// runs its entry function on .npy data, batch by batch, with
// caller-allocated outputs.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_RUNNER_JITRUNNER_H
#define QOPT_RUNNER_JITRUNNER_H

#include "qopt/Support/Npy.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <string>

namespace mlir {
class ExecutionEngine;
} // namespace mlir

namespace qopt {

/// One input or output of the entry function.
struct TensorSpec {
  std::string name;                ///< onnx.name attribute, or argN / resultN
  NpyDType dtype;
  llvm::SmallVector<int64_t> shape; ///< ShapedType::kDynamic where dynamic
  /// The dynamic (batch) dimension: 0, or for an output whose batch is
  /// elsewhere ([T, N, C] sequences, [layers, N, H] states) the dimension
  /// proven to be the inputs' batch; -1 when static.
  int64_t batchDim = -1;
  /// An output padded to an upper bound whose real extent along `rowAxis`
  /// is the value of output `rowCount` (-1: none); see RowCounts.h.
  int64_t rowCount = -1, rowAxis = 0;
  /// A count output (of output `countOf`), not shown to users.
  int64_t countOf = -1;
};

class CompiledModel {
public:
  ~CompiledModel();

  /// Lowers a clone of `module` and JIT-compiles `entry`. Diagnostics go to
  /// the module's context; the error says which step failed. `dotProduct`
  /// selects the 8-bit dot-product instructions (see qopt-lower-to-llvm);
  /// empty: the host's best.
  ///
  /// Models are untrusted: before lowering, the byte sizes of every tensor
  /// the entry computes are added up (an upper bound of its peak memory) and
  /// a model above `memoryLimit` bytes (0: defaultMemoryLimit()) is refused;
  /// with a dynamic batch the check is repeated per batch. Generated code may
  /// call only the runtime functions qopt emits (C math library, memory
  /// functions); any other external symbol is an error naming it. A failed
  /// allocation inside the model is an error from runBatch, not a crash.
  ///
  /// `threads` other than 1 distributes the model's parallel loops over
  /// that many OpenMP threads (0: the runtime's default); results are the
  /// same at any count. `profile` instruments the compiled kernels with
  /// qopt_profile_mark calls (see profileMarks()).
  static llvm::Expected<std::unique_ptr<CompiledModel>>
  compile(mlir::ModuleOp module, llvm::StringRef entry, bool vectorize = true,
          llvm::StringRef dotProduct = "", uint64_t memoryLimit = 0,
          unsigned threads = 1, bool profile = false);

  /// With `profile`: for each mark id, the name of the kernel that runs
  /// before it (id 0 marks the entry).
  const std::vector<std::string> &profileMarks() const { return marks; }

  const std::vector<TensorSpec> &inputs() const { return inputSpecs; }
  /// Every result of the entry, row-count results included.
  const std::vector<TensorSpec> &outputs() const { return outputSpecs; }

  /// Whether an output's size depends on the data (it comes with a row
  /// count): such a model runs its inputs in one call.
  bool hasRowCounts() const;
  /// The outputs a user sees: the model's own, without the count results.
  std::vector<TensorSpec> userOutputs() const;
  /// `raw` outputs (of one call) as the user sees them: each counted output
  /// cut to its real rows, the count results dropped. An invalid count is
  /// an error.
  llvm::Expected<std::vector<NpyArray>>
  userOutputs(std::vector<NpyArray> raw) const;

  /// The batch the model needs (its static leading dimension), or 0 when the
  /// batch is dynamic.
  int64_t staticBatch() const;

  /// Whether the first input's leading (sample) dimension is dynamic.
  /// Whether `inputs` are exactly the model's static input shapes, which
  /// forEachBatch runs as one call with every input whole (scalars and
  /// unbatched inputs such as a recurrent state).
  bool runsWhole(llvm::ArrayRef<NpyArray> inputs) const;
  bool isBatched() const;

  /// Whether `inputs` are samples stacked along an extra leading axis: every
  /// input is [S, <the model's input shape>] (a dynamic dimension matches
  /// any size) with the same S. Each sample then runs as one call -- how
  /// stateful models are calibrated, whose inputs share no batch dimension
  /// (ONNX Runtime's CalibrationDataReader yields one feed per sample).
  bool runsPerSample(llvm::ArrayRef<NpyArray> inputs) const;

  /// The number of samples in `inputs`: S of the per-sample form, else the
  /// leading dimension of input 0 (1 for a scalar).
  int64_t sampleCount(llvm::ArrayRef<NpyArray> inputs) const;

  /// What forEachBatch passes to the model for the call that starts at
  /// sample `start` with `n` samples (a slice, zero-padded to the static
  /// batch; one sample of the per-sample form; or the inputs whole).
  std::vector<NpyArray> callInputs(llvm::ArrayRef<NpyArray> inputs,
                                   int64_t start, int64_t n) const;

  /// Checks dtype, rank and non-batch dims of `inputs` against the model;
  /// `names` label the inputs in errors (one per input, or one for all).
  llvm::Error checkInputs(llvm::ArrayRef<NpyArray> inputs,
                          llvm::ArrayRef<std::string> names) const;

  /// Runs one batch: every input's leading dim is the same `batch`.
  llvm::Error runBatch(llvm::ArrayRef<const NpyArray *> inputs,
                       std::vector<NpyArray> &outputs);

  /// Runs a dataset (leading dim = samples) in batches of `batchSize` (0: the
  /// model's static batch, or everything at once). A short last batch of a
  /// static-batch model is zero-padded and its padding dropped. Per-sample
  /// data (runsPerSample) gives each output an extra leading sample axis.
  llvm::Expected<std::vector<NpyArray>>
  runDataset(llvm::ArrayRef<NpyArray> inputs, int64_t batchSize);

  /// Runs the dataset batch by batch and hands each batch's outputs (and
  /// the number of real samples in it, and the first one's index) to
  /// `consume`, without keeping them. Per-sample data runs one call per
  /// sample (n = 1). Only a zero-padded short batch of a static-batch model
  /// has outputs with rows that are not samples (its dimension 0 > n);
  /// wholeCalls() says when no call is padded.
  llvm::Error
  forEachBatch(llvm::ArrayRef<NpyArray> inputs, int64_t batchSize,
               llvm::function_ref<llvm::Error(std::vector<NpyArray> &, int64_t,
                                              int64_t)>
                   consume);

  /// Whether forEachBatch runs `inputs` in calls whose outputs are all real
  /// (runsWhole or runsPerSample): no row of any output is padding.
  bool wholeCalls(llvm::ArrayRef<NpyArray> inputs) const {
    return runsWhole(inputs) || runsPerSample(inputs);
  }

  /// Upper bound of the bytes one call with `batch` samples needs (inputs,
  /// outputs, intermediates and constants); nullopt on overflow.
  std::optional<uint64_t> memoryNeeded(int64_t batch) const;

private:
  CompiledModel() = default;
  llvm::Error checkMemory(int64_t batch) const;
  /// Bytes of tensors with static shapes, and per sample of tensors with a
  /// dynamic batch; the largest tensor for the error message.
  uint64_t fixedBytes = 0, bytesPerSample = 0, memoryLimit = 0;
  std::string largestTensor;
  uint64_t largestBytes = 0;
  std::unique_ptr<mlir::ExecutionEngine> engine;
  std::string entry;
  std::vector<TensorSpec> inputSpecs, outputSpecs;
  std::vector<std::string> marks;
};

/// The default memory limit of compiled models: the QOPT_MAX_MEMORY
/// environment variable (bytes, or with a K/M/G/T suffix) when set, else the
/// machine's physical memory.
uint64_t defaultMemoryLimit();

/// The names of `entry`'s inputs (their onnx.name, else argN); empty when
/// there is no such function.
std::vector<std::string> entryInputNames(mlir::ModuleOp module,
                                         llvm::StringRef entry = "main");

/// Converts arrays of float64 or float16 given for float32 inputs of
/// `entry` to float32 (float16 widens exactly; float64 is NumPy's default
/// and narrowing it is what users mean), calling `converted(i, from)` for
/// each. Other mismatches are left for checkInputs to report.
void convertFloatInputs(
    mlir::ModuleOp module, llvm::StringRef entry, std::vector<NpyArray> &data,
    llvm::function_ref<void(unsigned, NpyDType)> converted = nullptr);

/// The .npy dtype of a tensor element type (f16/32/64, i1 as bool, 8- to
/// 64-bit signed and unsigned integers); nullopt for any other.
std::optional<NpyDType> npyDTypeOf(mlir::Type t);

} // namespace qopt

#endif // QOPT_RUNNER_JITRUNNER_H
