//===- LowerByteLookups.cpp - Byte-table gathers to vpermi2b ---------------===//
//
// Part of qopt. See the pass description in Passes.td: a gather from a
// constant 256-entry byte table, indexed by 8-bit values, is four table
// registers and two two-table byte permutes per 64 lanes.
//
//===----------------------------------------------------------------------===//

#include "qopt/Codegen/CPU/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Transforms/WalkPatternRewriteDriver.h"

namespace mlir {
namespace qcpu {
#define GEN_PASS_DEF_LOWERBYTELOOKUPSPASS
#include "qopt/Codegen/CPU/Transforms/Passes.h.inc"
} // namespace qcpu
} // namespace mlir

using namespace mlir;

namespace {

constexpr int64_t kLanes = 64; // bytes per vpermi2b

/// The 256 bytes of the constant table that `base` reads, or null.
DenseIntElementsAttr constantTable(Value base) {
  auto global = base.getDefiningOp<memref::GetGlobalOp>();
  if (!global)
    return {};
  auto type = cast<MemRefType>(global.getType());
  if (type.getRank() != 1 || type.getDimSize(0) != 256 ||
      !type.getElementType().isInteger(8) || !type.getLayout().isIdentity())
    return {};
  auto def = SymbolTable::lookupNearestSymbolFrom<memref::GlobalOp>(
      global, global.getNameAttr());
  if (!def || !def.getConstant())
    return {};
  return dyn_cast_or_null<DenseIntElementsAttr>(def.getConstantInitValue());
}

/// The i8 vector whose values, read as unsigned, are the gather's indices:
/// `index_cast(extui(x))` gives x; `index_cast(extsi(x) + 128)` gives
/// x ^ 0x80 (built here). Leading unit dimensions added by a broadcast are
/// looked through. Null for any other index computation.
Value byteIndices(PatternRewriter &rewriter, Location loc, Value indices) {
  if (auto bc = indices.getDefiningOp<vector::BroadcastOp>())
    indices = bc.getSource();
  auto indexCast = indices.getDefiningOp<arith::IndexCastOp>();
  if (!indexCast)
    return {};
  Value wide = indexCast.getIn();
  auto isByte = [](Value v) {
    auto t = dyn_cast<VectorType>(v.getType());
    return t && t.getElementType().isInteger(8);
  };
  if (auto ext = wide.getDefiningOp<arith::ExtUIOp>())
    return isByte(ext.getIn()) ? ext.getIn() : Value();
  auto add = wide.getDefiningOp<arith::AddIOp>();
  if (!add)
    return {};
  for (int k = 0; k < 2; ++k) {
    auto ext = add->getOperand(k).getDefiningOp<arith::ExtSIOp>();
    APInt offset;
    if (!ext || !isByte(ext.getIn()) ||
        !matchPattern(add->getOperand(1 - k), m_ConstantInt(&offset)) ||
        offset != 128)
      continue;
    Value x = ext.getIn();
    auto signBit = arith::ConstantOp::create(
        rewriter, loc, DenseElementsAttr::get(cast<ShapedType>(x.getType()),
                                              rewriter.getI8IntegerAttr(-128)));
    return arith::XOrIOp::create(rewriter, loc, x, signBit);
  }
  return {};
}

/// vector.gather from a constant 256-byte table with byte indices and no
/// masked-off lanes -> vpermi2b pairs on 64-lane pieces.
struct GatherToVpermi2b : OpRewritePattern<vector::GatherOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(vector::GatherOp op,
                                PatternRewriter &rewriter) const override {
    VectorType type = op.getVectorType();
    if (!type.getElementType().isInteger(8) || type.isScalable())
      return failure();
    DenseIntElementsAttr table = constantTable(op.getBase());
    if (!table)
      return failure();
    if (!llvm::all_of(op.getOffsets(), [](Value v) {
          return matchPattern(v, m_Zero());
        }))
      return failure();
    if (!matchPattern(op.getMask(), m_One()))
      return failure();
    Location loc = op.getLoc();
    Value bytes = byteIndices(rewriter, loc, op.getIndices());
    if (!bytes)
      return failure();
    int64_t n = type.getNumElements();
    auto flat = VectorType::get({n}, rewriter.getI8Type());
    bytes = vector::ShapeCastOp::create(rewriter, loc, flat, bytes);

    // The table as four 64-byte registers (LLVM hoists the constants).
    auto piece = VectorType::get({kLanes}, rewriter.getI8Type());
    SmallVector<APInt> values(table.getValues<APInt>());
    SmallVector<Value> quarters;
    for (int64_t q = 0; q < 4; ++q)
      quarters.push_back(arith::ConstantOp::create(
          rewriter, loc,
          DenseElementsAttr::get(
              piece, ArrayRef<APInt>(values).slice(q * kLanes, kLanes))));
    Value zeroPiece = arith::ConstantOp::create(
        rewriter, loc,
        DenseElementsAttr::get(piece, rewriter.getI8IntegerAttr(0)));
    Value zero = arith::ConstantOp::create(
        rewriter, loc, DenseElementsAttr::get(flat, rewriter.getI8IntegerAttr(0)));
    StringAttr permute =
        rewriter.getStringAttr("llvm.x86.avx512.vpermi2var.qi.512");

    // Pieces of 64 lanes; a shorter last piece is padded with index 0.
    Value result = zero;
    for (int64_t off = 0; off < n; off += kLanes) {
      int64_t lanes = std::min(kLanes, n - off);
      Value idx = bytes;
      if (lanes != n)
        idx = vector::ExtractStridedSliceOp::create(
            rewriter, loc, bytes, ArrayRef<int64_t>{off},
            ArrayRef<int64_t>{lanes}, ArrayRef<int64_t>{1});
      if (lanes < kLanes)
        idx = vector::InsertStridedSliceOp::create(
            rewriter, loc, idx, zeroPiece, ArrayRef<int64_t>{0},
            ArrayRef<int64_t>{1});
      // Entries 0-127 and 128-255 by the low seven bits; bit 7 (negative
      // as i8) picks the upper half.
      Value lo = LLVM::CallIntrinsicOp::create(
                     rewriter, loc, piece, permute,
                     ValueRange{quarters[0], idx, quarters[1]})
                     .getResult(0);
      Value hi = LLVM::CallIntrinsicOp::create(
                     rewriter, loc, piece, permute,
                     ValueRange{quarters[2], idx, quarters[3]})
                     .getResult(0);
      Value upper = arith::CmpIOp::create(rewriter, loc,
                                          arith::CmpIPredicate::slt, idx,
                                          zeroPiece);
      Value looked = arith::SelectOp::create(rewriter, loc, upper, hi, lo);
      if (lanes < kLanes)
        looked = vector::ExtractStridedSliceOp::create(
            rewriter, loc, looked, ArrayRef<int64_t>{0},
            ArrayRef<int64_t>{lanes}, ArrayRef<int64_t>{1});
      result = lanes == n ? looked
                          : Value(vector::InsertStridedSliceOp::create(
                                rewriter, loc, looked, result,
                                ArrayRef<int64_t>{off}, ArrayRef<int64_t>{1}));
    }
    rewriter.replaceOpWithNewOp<vector::ShapeCastOp>(op, type, result);
    return success();
  }
};

struct LowerByteLookupsPass
    : qcpu::impl::LowerByteLookupsPassBase<LowerByteLookupsPass> {
  using LowerByteLookupsPassBase::LowerByteLookupsPassBase;
  void runOnOperation() override {
    if (isa != qcpu::ByteLookupISA::AVX512VBMI)
      return;
    RewritePatternSet patterns(&getContext());
    patterns.add<GatherToVpermi2b>(&getContext());
    walkAndApplyPatterns(getOperation(), std::move(patterns));
  }
};

} // namespace
