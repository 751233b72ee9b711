//===- LowerDotProducts.cpp - qcpu.dot4_u8s8 to target instructions --------===//
//
// Part of qopt.
//
//===----------------------------------------------------------------------===//

#include "qopt/Codegen/CPU/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/WalkPatternRewriteDriver.h"

#include <functional>

namespace mlir {
namespace qcpu {
#define GEN_PASS_DEF_LOWERDOTPRODUCTSPASS
#include "qopt/Codegen/CPU/Transforms/Passes.h.inc"
} // namespace qcpu
} // namespace mlir

using namespace mlir;
using namespace mlir::qcpu;

std::optional<DotProductISA> qcpu::parseDotProductISA(StringRef name) {
  return symbolizeDotProductISA(name);
}

namespace {

/// Lanes [offset, offset + lanes) of `x` / `w` (`g` values per lane).
Value groupsOf(OpBuilder &b, Location loc, Value v, int64_t offset,
               int64_t lanes, int64_t g) {
  if (offset == 0 && lanes * g == cast<VectorType>(v.getType()).getNumElements())
    return v;
  return vector::ExtractStridedSliceOp::create(
      b, loc, v, ArrayRef<int64_t>{offset * g}, ArrayRef<int64_t>{lanes * g},
      ArrayRef<int64_t>{1});
}

/// acc + sum_{k<g} ext(x[g*i+k]) * sext(w[g*i+k]) with widening multiplies
/// (x zero-extended when `unsignedX`).
Value portableDot(OpBuilder &b, Location loc, Value acc, Value x, Value w,
                  int64_t g, bool unsignedX) {
  auto accType = cast<VectorType>(acc.getType());
  int64_t lanes = accType.getNumElements();
  for (int64_t k = 0; k < g; ++k) {
    SmallVector<int64_t> mask;
    for (int64_t i = 0; i < lanes; ++i)
      mask.push_back(i * g + k);
    Value xs = vector::ShuffleOp::create(b, loc, x, x, mask);
    Value xk = unsignedX ? Value(arith::ExtUIOp::create(b, loc, accType, xs))
                         : Value(arith::ExtSIOp::create(b, loc, accType, xs));
    Value wk = arith::ExtSIOp::create(
        b, loc, accType, vector::ShuffleOp::create(b, loc, w, w, mask));
    acc = arith::AddIOp::create(b, loc, acc,
                                arith::MulIOp::create(b, loc, xk, wk));
  }
  return acc;
}

/// acc + dot(x, w) (groups of `g`) in pieces of the widest of `widths`
/// lanes that fits, each a call of the intrinsic `intrinsic(lanes)`; a
/// remainder narrower than every width is portable code.
Value lowerInPieces(PatternRewriter &rewriter, Location loc, Value acc, Value x,
                    Value w, int64_t g, bool unsignedX,
                    ArrayRef<int64_t> widths,
                    function_ref<std::string(int64_t)> intrinsic,
                    bool accumulates) {
  int64_t n = cast<VectorType>(acc.getType()).getNumElements();
  Value result = acc;
  for (int64_t off = 0; off < n;) {
    int64_t lanes = n - off;
    bool native = false;
    for (int64_t l : widths)
      if (l <= n - off) {
        lanes = l;
        native = true;
        break;
      }
    Value part = lanes == n ? acc
                            : Value(vector::ExtractStridedSliceOp::create(
                                  rewriter, loc, acc, ArrayRef<int64_t>{off},
                                  ArrayRef<int64_t>{lanes},
                                  ArrayRef<int64_t>{1}));
    Value xs = groupsOf(rewriter, loc, x, off, lanes, g);
    Value ws = groupsOf(rewriter, loc, w, off, lanes, g);
    if (!native)
      part = portableDot(rewriter, loc, part, xs, ws, g, unsignedX);
    else if (accumulates)
      part = LLVM::CallIntrinsicOp::create(
                 rewriter, loc, part.getType(),
                 rewriter.getStringAttr(intrinsic(lanes)),
                 ValueRange{part, xs, ws})
                 .getResult(0);
    else
      part = arith::AddIOp::create(rewriter, loc, part,
                                   LLVM::CallIntrinsicOp::create(
                                       rewriter, loc, part.getType(),
                                       rewriter.getStringAttr(intrinsic(lanes)),
                                       ValueRange{xs, ws})
                                       .getResult(0));
    result = lanes == n ? part
                        : Value(vector::InsertStridedSliceOp::create(
                              rewriter, loc, part, result,
                              ArrayRef<int64_t>{off}, ArrayRef<int64_t>{1}));
    off += lanes;
  }
  return result;
}

/// One grouped dot-product op: g values per lane, x zero-extended or not,
/// and per instruction set the piece widths and intrinsic (none: portable).
struct DotFamily {
  int64_t g;
  bool unsignedX;
  SmallVector<int64_t> widths;
  std::function<std::string(int64_t)> intrinsic;
  /// The intrinsic takes the accumulator (vpdp*); else its result is added.
  bool accumulates = true;
};

/// qcpu.dot4_u8s8: vpdpbusd on 16-, 8- and 4-lane pieces with avx512vnni,
/// usdot on 4-lane pieces with i8mm. qcpu.dot2_s16s16: vpdpwssd with
/// avx512vnni. Everything else: portable widening multiply-adds.
template <typename OpTy>
DotFamily dotFamily(DotProductISA isa);

template <>
DotFamily dotFamily<Dot4U8S8Op>(DotProductISA isa) {
  if (isa == DotProductISA::AVX512VNNI)
    return {4, true, {16, 8, 4}, [](int64_t lanes) {
              return "llvm.x86.avx512.vpdpbusd." + std::to_string(lanes * 32);
            }};
  if (isa == DotProductISA::I8MM)
    return {4, true, {4}, [](int64_t) {
              return std::string("llvm.aarch64.neon.usdot.v4i32.v16i8");
            }};
  return {4, true, {}, nullptr};
}

template <>
DotFamily dotFamily<Dot2S16S16Op>(DotProductISA isa) {
  if (isa == DotProductISA::AVX512VNNI)
    return {2, false, {16, 8, 4}, [](int64_t lanes) {
              return "llvm.x86.avx512.vpdpwssd." + std::to_string(lanes * 32);
            }};
  // vpmaddwd: 16-bit pairs multiplied and summed into 32 bits (as
  // vpdpwssd does), then added to the accumulator.
  if (isa == DotProductISA::AVX2)
    return {2,
            false,
            {8, 4},
            [](int64_t lanes) {
              return std::string(lanes == 8 ? "llvm.x86.avx2.pmadd.wd"
                                            : "llvm.x86.sse2.pmadd.wd");
            },
            /*accumulates=*/false};
  return {2, false, {}, nullptr};
}

template <typename OpTy>
struct LowerGroupedDot : OpRewritePattern<OpTy> {
  LowerGroupedDot(MLIRContext *ctx, DotProductISA isa)
      : OpRewritePattern<OpTy>(ctx), family(dotFamily<OpTy>(isa)) {}

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value acc = op.getAcc(), x = op.getX(), w = op.getW();
    Value result =
        family.widths.empty()
            ? portableDot(rewriter, loc, acc, x, w, family.g, family.unsignedX)
            : lowerInPieces(rewriter, loc, acc, x, w, family.g,
                            family.unsignedX, family.widths, family.intrinsic,
                            family.accumulates);
    rewriter.replaceOp(op, result);
    return success();
  }

  DotFamily family;
};

struct LowerDotProductsPass
    : qcpu::impl::LowerDotProductsPassBase<LowerDotProductsPass> {
  using LowerDotProductsPassBase::LowerDotProductsPassBase;

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateLowerDotProductPatterns(patterns, dotProduct);
    walkAndApplyPatterns(getOperation(), std::move(patterns));
  }
};

} // namespace

void qcpu::populateLowerDotProductPatterns(RewritePatternSet &patterns,
                                          DotProductISA isa) {
  patterns.add<LowerGroupedDot<Dot4U8S8Op>, LowerGroupedDot<Dot2S16S16Op>>(
      patterns.getContext(), isa);
}
