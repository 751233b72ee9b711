//===- ApproximateVectorMath.cpp - Polynomial vector math ------------------===//
//
// Part of qopt. Vector libm functions as upstream's polynomial
// approximations instead of one libm call per lane (see Passes.td).
//
//===----------------------------------------------------------------------===//

#include "qopt/Codegen/CPU/Transforms/Passes.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir {
namespace qcpu {
#define GEN_PASS_DEF_APPROXIMATEVECTORMATHPASS
#include "qopt/Codegen/CPU/Transforms/Passes.h.inc"
} // namespace qcpu
} // namespace mlir

using namespace mlir;

namespace {

struct ApproximateVectorMathPass
    : qcpu::impl::ApproximateVectorMathPassBase<ApproximateVectorMathPass> {
  void runOnOperation() override {
    auto selected = [](StringRef name) {
      return llvm::is_contained(
          {"math.exp", "math.expm1", "math.log", "math.log1p", "math.log2",
           "math.tanh", "math.erf", "math.sin", "math.cos"},
          name);
    };
    RewritePatternSet patterns(&getContext());
    populateMathF32ExpansionPatterns(patterns, selected);
    populateMathPolynomialApproximationPatterns(patterns, selected);
    // Only the math ops on vectors: scalar ones keep libm's accuracy.
    SmallVector<Operation *> ops;
    getOperation()->walk([&](Operation *op) {
      if (isa<math::MathDialect>(op->getDialect()) &&
          llvm::any_of(op->getResultTypes(), llvm::IsaPred<VectorType>))
        ops.push_back(op);
    });
    (void)applyOpPatternsGreedily(
        ops, std::move(patterns),
        GreedyRewriteConfig().setStrictness(
            GreedyRewriteStrictness::ExistingAndNewOps));
  }
};

} // namespace
