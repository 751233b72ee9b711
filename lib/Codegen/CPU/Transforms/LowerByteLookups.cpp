//===- LowerByteLookups.cpp - Byte-table gathers to table lookups ---------===//
//
// Part of qopt. See the pass description in Passes.td: a gather from a
// constant 256-entry byte table, indexed by 8-bit values, becomes table
// registers and byte permutes (x86 vpermi2b, AArch64 tbl/tbx).
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
/// masked-off lanes -> the target's table lookups on pieces of the index
/// vector (64 lanes: x86 vpermi2b pairs; 16 lanes: AArch64 tbl4/tbx4).
struct GatherToTableLookups : OpRewritePattern<vector::GatherOp> {
  GatherToTableLookups(MLIRContext *ctx, qcpu::ByteLookupISA isa)
      : OpRewritePattern(ctx), isa(isa) {}
  qcpu::ByteLookupISA isa;

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
    if (bytes.getType() != flat)
      bytes = vector::ShapeCastOp::create(rewriter, loc, flat, bytes);

    bool x86 = isa == qcpu::ByteLookupISA::AVX512VBMI;
    int64_t width = x86 ? 64 : 16;
    // The table as 256/width registers of `width` bytes (LLVM hoists the
    // constants out of loops).
    auto piece = VectorType::get({width}, rewriter.getI8Type());
    SmallVector<APInt> values(table.getValues<APInt>());
    SmallVector<Value> parts;
    for (int64_t q = 0; q < 256 / width; ++q)
      parts.push_back(arith::ConstantOp::create(
          rewriter, loc,
          DenseElementsAttr::get(
              piece, ArrayRef<APInt>(values).slice(q * width, width))));
    auto splat = [&](int64_t v) -> Value {
      return arith::ConstantOp::create(
          rewriter, loc,
          DenseElementsAttr::get(piece, rewriter.getI8IntegerAttr(v)));
    };
    Value zeroPiece = splat(0);
    Value zero = arith::ConstantOp::create(
        rewriter, loc, DenseElementsAttr::get(flat, rewriter.getI8IntegerAttr(0)));
    auto call = [&](StringRef name, ValueRange args) -> Value {
      return LLVM::CallIntrinsicOp::create(rewriter, loc, piece,
                                           rewriter.getStringAttr(name), args)
          .getResult(0);
    };
    auto lookup = [&](Value idx) -> Value {
      if (x86) {
        // Entries 0-127 and 128-255 by the low seven bits; bit 7 (negative
        // as i8) picks the upper half.
        StringRef permute = "llvm.x86.avx512.vpermi2var.qi.512";
        Value lo = call(permute, {parts[0], idx, parts[1]});
        Value hi = call(permute, {parts[2], idx, parts[3]});
        Value upper = arith::CmpIOp::create(
            rewriter, loc, arith::CmpIPredicate::slt, idx, zeroPiece);
        return arith::SelectOp::create(rewriter, loc, upper, hi, lo);
      }
      // tbl4 looks up 64 entries and gives 0 out of range; each tbx4 looks
      // up the next 64 with the index moved down by 64 (wrapping below 0
      // puts the others out of range) and keeps what it cannot find.
      Value r = call("llvm.aarch64.neon.tbl4.v16i8",
                     {parts[0], parts[1], parts[2], parts[3], idx});
      for (int64_t q = 1; q < 4; ++q) {
        Value moved = arith::SubIOp::create(rewriter, loc, idx, splat(64 * q));
        r = call("llvm.aarch64.neon.tbx4.v16i8",
                 {r, parts[4 * q], parts[4 * q + 1], parts[4 * q + 2],
                  parts[4 * q + 3], moved});
      }
      return r;
    };

    // Pieces of `width` lanes; a shorter last piece is padded with index 0.
    Value result = zero;
    for (int64_t off = 0; off < n; off += width) {
      int64_t lanes = std::min(width, n - off);
      Value idx = bytes;
      if (lanes != n)
        idx = vector::ExtractStridedSliceOp::create(
            rewriter, loc, bytes, ArrayRef<int64_t>{off},
            ArrayRef<int64_t>{lanes}, ArrayRef<int64_t>{1});
      if (lanes < width)
        idx = vector::InsertStridedSliceOp::create(
            rewriter, loc, idx, zeroPiece, ArrayRef<int64_t>{0},
            ArrayRef<int64_t>{1});
      Value looked = lookup(idx);
      if (lanes < width)
        looked = vector::ExtractStridedSliceOp::create(
            rewriter, loc, looked, ArrayRef<int64_t>{0},
            ArrayRef<int64_t>{lanes}, ArrayRef<int64_t>{1});
      result = lanes == n ? looked
                          : Value(vector::InsertStridedSliceOp::create(
                                rewriter, loc, looked, result,
                                ArrayRef<int64_t>{off}, ArrayRef<int64_t>{1}));
    }
    if (type == flat)
      rewriter.replaceOp(op, result);
    else
      rewriter.replaceOpWithNewOp<vector::ShapeCastOp>(op, type, result);
    return success();
  }
};

struct LowerByteLookupsPass
    : qcpu::impl::LowerByteLookupsPassBase<LowerByteLookupsPass> {
  using LowerByteLookupsPassBase::LowerByteLookupsPassBase;
  void runOnOperation() override {
    if (isa == qcpu::ByteLookupISA::None)
      return;
    RewritePatternSet patterns(&getContext());
    patterns.add<GatherToTableLookups>(&getContext(), isa);
    walkAndApplyPatterns(getOperation(), std::move(patterns));
  }
};

} // namespace
