//===- Pipelines.cpp - qopt's registered pass pipelines -------------------===//
//
// Part of qopt. The upstream part of the pipeline is written as text: it is
// the form the toolchain notes tested against LLVM 22, and it keeps option
// spellings in one readable place.
//
//===----------------------------------------------------------------------===//

#include "qopt/Pipelines/Pipelines.h"

#include "qopt/Conversion/Passes.h"

#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/ErrorHandling.h"

using namespace mlir;

void qopt::buildLowerToLLVMPipeline(OpPassManager &pm,
                                    const LowerToLLVMOptions &options) {
  std::string pipeline =
      "integer-only,func.func(convert-qnn-to-linalg),canonicalize,"
      "func.func(qopt-fuse-elementwise),canonicalize,cse,";
  if (options.vectorize)
    pipeline += "func.func(qopt-tile-and-vectorize),canonicalize,cse,";
  pipeline += "one-shot-bufferize{bufferize-function-boundaries "
              "function-boundary-type-conversion=identity-layout-map},";
  if (options.outParams)
    pipeline += "func.func(qopt-distinct-result-buffers),"
                "buffer-results-to-out-params{hoist-static-allocs=true "
                "modify-public-functions=true},";
  pipeline += "buffer-deallocation-pipeline,"
              "func.func(qopt-lower-strided-copies),";
  if (options.vectorize)
    pipeline += "func.func(qopt-hoist-vector-transfers),canonicalize,"
                "func.func(qopt-lower-dot-products{dot-product=" +
                options.dotProduct + "}),";
  // Vector lowering as tested in the toolchain notes: full unrolling to
  // rank-1 transfers, then LLVM.
  pipeline += "func.func(convert-linalg-to-loops),"
              "convert-vector-to-scf{full-unroll=true},lower-affine,"
              "convert-scf-to-cf,convert-vector-to-llvm,"
              "expand-strided-metadata,lower-affine,"
              "finalize-memref-to-llvm,convert-math-to-llvm,"
              "convert-math-to-libm,convert-arith-to-llvm,"
              "convert-index-to-llvm,convert-cf-to-llvm,convert-func-to-llvm,"
              "convert-ub-to-llvm,reconcile-unrealized-casts";
  if (failed(parsePassPipeline(pipeline, pm, llvm::errs())))
    llvm::report_fatal_error("qopt-lower-to-llvm: bad built-in pipeline");
}

std::string
qopt::chooseDotProduct(llvm::function_ref<bool(llvm::StringRef)> hasFeature) {
  // vpdpbusd on 512-bit vectors, and on 256/128-bit ones (VL) for tiles
  // with fewer channels.
  if (hasFeature("avx512vnni") && hasFeature("avx512vl") &&
      hasFeature("avx512bw"))
    return "avx512vnni";
  // AArch64 usdot (unsigned x signed, FEAT_I8MM).
  if (hasFeature("i8mm"))
    return "i8mm";
  return "none";
}

void qopt::registerPipelines() {
  static bool once = [] {
    PassPipelineRegistration<LowerToLLVMOptions>(
        "qopt-lower-to-llvm",
        "Lower float qnn on tensors to the LLVM dialect (JIT and AOT)",
        buildLowerToLLVMPipeline);
    return true;
  }();
  (void)once;
}
