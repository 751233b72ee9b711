//===- FormLookupTables.cpp - Float islands on 8-bit tensors as tables -----===//
//
// Part of qopt. Implements `--form-lookup-tables` (see Passes.td).
//
//===----------------------------------------------------------------------===//

#include "qopt/Dialect/QNN/IR/QNN.h"
#include "qopt/Dialect/QNN/Transforms/Passes.h"
#include "qopt/Dialect/QNN/Transforms/Transforms.h"
#include "qopt/Dialect/QNN/Utils/ElementwiseFunction.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir {
namespace qnn {
#define GEN_PASS_DEF_FORMLOOKUPTABLESPASS
#include "qopt/Dialect/QNN/Transforms/Passes.h.inc"
} // namespace qnn
} // namespace mlir

using namespace mlir;
using namespace mlir::qnn;

namespace {

/// quantize(f(dequantize(x))) -> lookup_table(x) when f is elementwise in
/// one 8-bit per-tensor tensor x.
struct QuantizedIslandToTable : OpRewritePattern<QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(QuantizeOp quantize,
                                PatternRewriter &rewriter) const override {
    auto outType = dyn_cast<quant::UniformQuantizedType>(
        quantize.getOutput().getType().getElementType());
    if (!outType || outType.getStorageTypeIntegralWidth() > 16)
      return rewriter.notifyMatchFailure(quantize, "not per-tensor");
    auto function = ElementwiseFunction::trace(quantize.getInput());
    if (!function || function->floatOps() == 0)
      return rewriter.notifyMatchFailure(quantize, "not a float island on "
                                                   "one 8-bit tensor");
    quant::UniformQuantizedType inType = function->inputType();
    unsigned width = outType.getStorageTypeIntegralWidth();
    SmallVector<APInt> table;
    // Every 8-bit pattern, also outside a narrow storage range.
    int64_t base = inType.isSigned() ? -128 : 0;
    for (int64_t in = base; in < base + 256; ++in) {
      int64_t out = quantizeScalar(function->evaluate(in), outType);
      table.push_back(APInt(64, out, /*isSigned=*/true).trunc(width));
    }
    auto tableType = RankedTensorType::get(
        {256}, rewriter.getIntegerType(width));
    rewriter.replaceOpWithNewOp<LookupTableOp>(
        quantize, quantize.getOutput().getType(), function->input(),
        DenseIntElementsAttr::get(tableType, table));
    return success();
  }
};

struct FormLookupTablesPass
    : qnn::impl::FormLookupTablesPassBase<FormLookupTablesPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateLookupTablePatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

void qnn::populateLookupTablePatterns(RewritePatternSet &patterns) {
  patterns.add<QuantizedIslandToTable>(patterns.getContext());
}
