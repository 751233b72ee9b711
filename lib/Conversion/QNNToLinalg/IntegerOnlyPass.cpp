//===- IntegerOnlyPass.cpp - The --integer-only pass ----------------------===//
//
// Part of qopt. A thin pass over populateQNNToIntegerConversionPatterns:
// after it, the only floating-point arithmetic left is at the explicit float
// boundary (quantize / dequantize); every quantized op is int32
// accumulation plus qnn.rescale.
//
//===----------------------------------------------------------------------===//

#include "qopt/Conversion/QNNToLinalg/QNNToLinalg.h"
#include "qopt/Dialect/QNN/IR/QNN.h"
#include "qopt/Dialect/QNN/Transforms/Transforms.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/Transforms/FuncConversions.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir {
namespace qnn {
#define GEN_PASS_DEF_INTEGERONLYPASS
#include "qopt/Conversion/Passes.h.inc"
} // namespace qnn
} // namespace mlir

using namespace mlir;

namespace {
struct IntegerOnlyPass : qnn::impl::IntegerOnlyPassBase<IntegerOnlyPass> {
  using IntegerOnlyPassBase::IntegerOnlyPassBase;
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    // Float islands on 8-bit tensors become tables first: they then need
    // no float arithmetic at all.
    if (lookupTables) {
      RewritePatternSet tablePatterns(ctx);
      qnn::populateLookupTablePatterns(tablePatterns);
      if (failed(applyPatternsGreedily(getOperation(),
                                       std::move(tablePatterns))))
        return signalPassFailure();
    }
    {
      RewritePatternSet products(ctx);
      qnn::populateProductsAsConvolutionsPatterns(products);
      qnn::populateWeightOnlyAsBlocksPatterns(products);
      if (failed(applyPatternsGreedily(getOperation(), std::move(products))))
        return signalPassFailure();
    }
    TypeConverter converter;
    qnn::populateQNNIntegerTypeConversions(converter);

    ConversionTarget target(*ctx);
    auto isLegalType = [&](Type t) { return converter.isLegal(t); };
    target.markUnknownOpDynamicallyLegal([&](Operation *op) {
      // Block-quantized weights stay as they are (signed/unsigned storage,
      // float result) for the float lowering, which packs them.
      if (isa<qnn::BlockDequantizeOp>(op))
        return true;
      // W4A8 products are float ops on int8 values: integer dot products.
      if (qnn::isInt8BlockwiseProduct(op))
        return false;
      if (isa<arith::ConstantOp>(op) && !op->use_empty() &&
          llvm::all_of(op->getUsers(), [](Operation *user) {
            return isa<qnn::BlockDequantizeOp>(user);
          }))
        return true;
      if (auto f = dyn_cast<func::FuncOp>(op))
        return converter.isSignatureLegal(f.getFunctionType()) &&
               converter.isLegal(&f.getBody());
      return llvm::all_of(op->getOperandTypes(), isLegalType) &&
             llvm::all_of(op->getResultTypes(), isLegalType);
    });

    RewritePatternSet patterns(ctx);
    qnn::populateQNNToIntegerConversionPatterns(
        converter, patterns, rounding, scaleArithmetic, eightBitDotProducts);
    populateFunctionOpInterfaceTypeConversionPattern<func::FuncOp>(patterns,
                                                                   converter);
    populateReturnOpTypeConversionPattern(patterns, converter);
    populateCallOpTypeConversionPattern(patterns, converter);
    if (failed(
            applyFullConversion(getOperation(), target, std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
