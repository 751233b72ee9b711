//===- LowerDotProducts.cpp - qnn.dot4_u8s8 to target instructions --------===//
//
// Part of qopt.
//
//===----------------------------------------------------------------------===//

#include "qopt/Conversion/Passes.h"
#include "qopt/Dialect/QNN/IR/QNN.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/WalkPatternRewriteDriver.h"
#include "llvm/ADT/StringSwitch.h"

namespace mlir {
namespace qnn {
#define GEN_PASS_DEF_LOWERDOTPRODUCTSPASS
#include "qopt/Conversion/Passes.h.inc"
} // namespace qnn
} // namespace mlir

using namespace mlir;
using namespace mlir::qnn;

std::optional<DotProductISA> qnn::parseDotProductISA(StringRef name) {
  return llvm::StringSwitch<std::optional<DotProductISA>>(name)
      .Case("none", DotProductISA::None)
      .Case("avx512vnni", DotProductISA::AVX512VNNI)
      .Case("i8mm", DotProductISA::I8MM)
      .Default(std::nullopt);
}

namespace {

/// Lanes [offset, offset + lanes) of `x` / `w` (4 bytes per lane).
Value bytesOf(OpBuilder &b, Location loc, Value v, int64_t offset,
              int64_t lanes) {
  if (offset == 0 && lanes * 4 == cast<VectorType>(v.getType()).getNumElements())
    return v;
  return vector::ExtractStridedSliceOp::create(
      b, loc, v, ArrayRef<int64_t>{offset * 4}, ArrayRef<int64_t>{lanes * 4},
      ArrayRef<int64_t>{1});
}

/// acc + sum_k zext(x[4i+k]) * sext(w[4i+k]) with widening multiplies.
Value portableDot(OpBuilder &b, Location loc, Value acc, Value x, Value w) {
  auto accType = cast<VectorType>(acc.getType());
  int64_t lanes = accType.getNumElements();
  for (int64_t k = 0; k < 4; ++k) {
    SmallVector<int64_t> mask;
    for (int64_t i = 0; i < lanes; ++i)
      mask.push_back(i * 4 + k);
    Value xk = arith::ExtUIOp::create(
        b, loc, accType, vector::ShuffleOp::create(b, loc, x, x, mask));
    Value wk = arith::ExtSIOp::create(
        b, loc, accType, vector::ShuffleOp::create(b, loc, w, w, mask));
    acc = arith::AddIOp::create(b, loc, acc,
                                arith::MulIOp::create(b, loc, xk, wk));
  }
  return acc;
}

struct LowerDot4U8S8 : OpRewritePattern<Dot4U8S8Op> {
  LowerDot4U8S8(MLIRContext *ctx, DotProductISA isa)
      : OpRewritePattern(ctx), isa(isa) {}

  LogicalResult matchAndRewrite(Dot4U8S8Op op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value acc = op.getAcc(), x = op.getX(), w = op.getW();
    int64_t n = op.getAcc().getType().getNumElements();
    if (isa == DotProductISA::None) {
      rewriter.replaceOp(op, portableDot(rewriter, loc, acc, x, w));
      return success();
    }
    // Widest instruction first (vpdpbusd: 16, 8, 4 lanes; usdot: 4); a
    // remainder of fewer than four lanes is portable code.
    SmallVector<int64_t> widths = isa == DotProductISA::I8MM
                                      ? SmallVector<int64_t>{4}
                                      : SmallVector<int64_t>{16, 8, 4};
    Value result = acc;
    for (int64_t off = 0; off < n;) {
      int64_t lanes = n - off;
      for (int64_t l : widths)
        if (l <= n - off) {
          lanes = l;
          break;
        }
      Value part = lanes == n ? acc
                              : Value(vector::ExtractStridedSliceOp::create(
                                    rewriter, loc, acc,
                                    ArrayRef<int64_t>{off},
                                    ArrayRef<int64_t>{lanes},
                                    ArrayRef<int64_t>{1}));
      Value xs = bytesOf(rewriter, loc, x, off, lanes);
      Value ws = bytesOf(rewriter, loc, w, off, lanes);
      if (lanes >= 4) {
        std::string name =
            isa == DotProductISA::I8MM
                ? "llvm.aarch64.neon.usdot.v4i32.v16i8"
                : "llvm.x86.avx512.vpdpbusd." + std::to_string(lanes * 32);
        part = LLVM::CallIntrinsicOp::create(rewriter, loc, part.getType(),
                                             rewriter.getStringAttr(name),
                                             ValueRange{part, xs, ws})
                   .getResult(0);
      }
      else
        part = portableDot(rewriter, loc, part, xs, ws);
      result = lanes == n ? part
                          : Value(vector::InsertStridedSliceOp::create(
                                rewriter, loc, part, result,
                                ArrayRef<int64_t>{off}, ArrayRef<int64_t>{1}));
      off += lanes;
    }
    rewriter.replaceOp(op, result);
    return success();
  }

  DotProductISA isa;
};

struct LowerDotProductsPass
    : qnn::impl::LowerDotProductsPassBase<LowerDotProductsPass> {
  using LowerDotProductsPassBase::LowerDotProductsPassBase;

  void runOnOperation() override {
    std::optional<DotProductISA> isa = parseDotProductISA(dotProduct);
    if (!isa) {
      getOperation().emitError()
          << "qopt-lower-dot-products: unknown dot-product '" << dotProduct
          << "' (expected 'none', 'avx512vnni' or 'i8mm')";
      return signalPassFailure();
    }
    RewritePatternSet patterns(&getContext());
    populateLowerDotProductPatterns(patterns, *isa);
    walkAndApplyPatterns(getOperation(), std::move(patterns));
  }
};

} // namespace

void qnn::populateLowerDotProductPatterns(RewritePatternSet &patterns,
                                          DotProductISA isa) {
  patterns.add<LowerDot4U8S8>(patterns.getContext(), isa);
}
