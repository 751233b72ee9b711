//===- Pipelines.h - qopt's registered pass pipelines ---------------*- C++ -*-===//
//
// Part of qopt.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_PIPELINES_PIPELINES_H
#define QOPT_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

namespace qopt {

/// Options of `qopt-lower-to-llvm`.
struct LowerToLLVMOptions
    : public mlir::PassPipelineOptions<LowerToLLVMOptions> {
  Option<bool> outParams{
      *this, "out-params",
      llvm::cl::desc("Return results through caller-allocated buffers "
                     "(destination-passing style, what qopt-run and "
                     "qopt-compile call)"),
      llvm::cl::init(true)};
  Option<bool> vectorize{
      *this, "vectorize",
      llvm::cl::desc("Tile and vectorize linalg ops (off: scalar loops)"),
      llvm::cl::init(true)};
  Option<std::string> dotProduct{
      *this, "dot-product",
      llvm::cl::desc("8-bit dot-product instructions of the target: 'none' "
                     "(portable vector code), 'avx512vnni' or 'i8mm'; "
                     "qopt-run and qopt-compile choose from the target's "
                     "features"),
      llvm::cl::init("none")};
};

/// The `dot-product` option value for a target with `features` (LLVM
/// subtarget feature names, e.g. "avx512vnni").
std::string chooseDotProduct(llvm::function_ref<bool(llvm::StringRef)> hasFeature);

/// qnn (float) on tensors -> LLVM dialect: convert-qnn-to-linalg,
/// elementwise fusion, one-shot bufferization, loops, LLVM conversion.
void buildLowerToLLVMPipeline(mlir::OpPassManager &pm,
                              const LowerToLLVMOptions &options);

/// Registers `qopt-lower-to-llvm`.
void registerPipelines();

} // namespace qopt

#endif // QOPT_PIPELINES_PIPELINES_H
