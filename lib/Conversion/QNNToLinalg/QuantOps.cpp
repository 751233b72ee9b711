//===- QuantOps.cpp - Lower qnn quantization ops to linalg ----------------===//
//
// Part of qopt. The float-side quantization ops (observer, fake_quant) and the
// fixed-point qnn.rescale that --integer-only leaves behind.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"

#include "qopt/Conversion/QNNToLinalg/QNNToLinalg.h"
#include "qopt/Dialect/QNN/IR/QNN.h"
#include "qopt/Dialect/QNN/Utils/ConstantUtils.h"
#include "qopt/Dialect/QNN/Utils/FixedPoint.h"
#include "qopt/Dialect/QNN/Utils/TensorUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/IndexingUtils.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/AffineExpr.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/Transforms/DialectConversion.h"

#include <cmath>
#include <cstdint>
#include <limits>

using namespace mlir;
using namespace mlir::qnn;
using namespace mlir::qnn::lowering;

namespace {

struct ObserverLowering : QNNPattern<ObserverOp> {
  using QNNPattern::QNNPattern;
  LogicalResult
  matchAndRewrite(ObserverOp op, Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    // Outside calibration an observer is the identity.
    rewriter.replaceOp(op, adaptor.getInput());
    return success();
  }
};

struct FakeQuantLowering : QNNPattern<FakeQuantOp> {
  using QNNPattern::QNNPattern;
  LogicalResult
  matchAndRewrite(FakeQuantOp op, Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = op.getOutput().getType();
    Type et = type.getElementType();
    auto q = cast<quant::QuantizedType>(op.getQtype());
    UniformParams params = getUniformParams(q);
    ArrayRef<double> scales = params.scales;
    ArrayRef<int64_t> zps = params.zeroPoints;
    int64_t axis = params.axis;
    double qmin = q.getStorageTypeMin(), qmax = q.getStorageTypeMax();
    auto paramType = RankedTensorType::get({(int64_t)scales.size()}, et);
    SmallVector<Attribute> sAttr, zAttr;
    for (auto [s, z] : llvm::zip_equal(scales, zps)) {
      sAttr.push_back(rewriter.getFloatAttr(et, s));
      zAttr.push_back(rewriter.getFloatAttr(et, (double)z));
    }
    Value sConst = arith::ConstantOp::create(
        rewriter, loc, DenseElementsAttr::get(paramType, sAttr));
    Value zConst = arith::ConstantOp::create(
        rewriter, loc, DenseElementsAttr::get(paramType, zAttr));
    MLIRContext *ctx = rewriter.getContext();
    int64_t rank = type.getRank();
    AffineMap id = AffineMap::getMultiDimIdentityMap(rank, ctx);
    AffineMap pm = AffineMap::get(rank, 0,
                                  {axis < 0 ? getAffineConstantExpr(0, ctx)
                                            : getAffineDimExpr(axis, ctx)},
                                  ctx);
    Value y = elementwise(rewriter, loc, type,
                          ValueRange{adaptor.getInput(), sConst, zConst},
                          adaptor.getInput(),
                          [&](OpBuilder &b, Location l, ValueRange a) {
                            Value d = arith::DivFOp::create(b, l, a[0], a[1]);
                            Value r = math::RoundEvenOp::create(b, l, d);
                            Value qv = arith::AddFOp::create(b, l, r, a[2]);
                            qv = applyActivation(b, l, qv, {qmin, qmax});
                            Value c = arith::SubFOp::create(b, l, qv, a[2]);
                            return Value(arith::MulFOp::create(b, l, c, a[1]));
                          },
                          {id, pm, pm});
    rewriter.replaceOp(op, y);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Fixed-point requantization
//===----------------------------------------------------------------------===//

/// `x` widened to `type` (zero- or sign-extended) minus the zero point.
Value widenMinusZeroPoint(OpBuilder &b, Location l, Value x, Type type,
                          bool isUnsigned, int64_t zp) {
  Value v = x;
  if (v.getType() != type)
    v = isUnsigned ? Value(arith::ExtUIOp::create(b, l, type, v))
                   : Value(arith::ExtSIOp::create(b, l, type, v));
  if (zp)
    v = arith::SubIOp::create(
        b, l, v,
        arith::ConstantOp::create(b, l, type, b.getIntegerAttr(type, zp)));
  return v;
}

/// Single-rounding qnn.rescale in 32-bit lanes, r = (v * m + 2^(t-1)) >> t
/// with v = x - input zero point and t = 31 - shift, in one of two exact
/// forms (per channel or per tensor; otherwise null and the 64-bit form):
///
/// * High multiply, when every t is 33 to 62 (requantizing a convolution's
///   accumulator). With v * m = hi * 2^32 + lo (lo in [0, 2^32)) and
///   k = t - 32: r = (hi + 2^(k-1)) >> k, because 2^(t-1) is a multiple of
///   2^32 and lo adds less than one before the floor division by 2^k. hi is
///   the high half of a 32x32 multiply (vpmuldq pairs on x86, smull on
///   AArch64), and |hi| < 2^30, so the addition cannot overflow.
/// * Split multiplier, when v has at most 17 significant bits (an 8- or
///   16-bit input, a residual addition's operands) and every t is 1 to 31:
///   with m = mh * 2^t + ml (ml < 2^t), r = v * mh + ((v * ml + 2^(t-1)) >> t)
///   exactly (v * mh * 2^t is a multiple of 2^t), when both products fit
///   in 31 bits, which is checked per channel from the input's range.
///
/// In both, |r| < 2^31, so the int32 clamp of the 64-bit form cannot bind.
/// The 64-bit form needs twice the vectors and a 64-bit multiply, add,
/// shift and two clamps per lane.
Value lowerRescaleIn32BitLanes(OpBuilder &b, Location loc, RescaleOp op,
                               Value x, Value init, int64_t outMin,
                               int64_t outMax) {
  auto inType = op.getInput().getType();
  auto outType = op.getOutput().getType();
  auto inElt = dyn_cast<IntegerType>(inType.getElementType());
  unsigned outWidth = outType.getElementTypeBitWidth();
  // (A u32 input does not fit i32 lanes; a 32-bit output must be signed
  // without zero point so that adding it cannot overflow.)
  if (op.getRounding() == RoundingMode::DoubleRound || !inElt ||
      inElt.getWidth() > 32 ||
      (inElt.getWidth() == 32 && op.getInputUnsigned()) || outWidth > 32 ||
      (outWidth == 32 && (op.getOutputUnsigned() || op.getOutputZp() != 0)))
    return {};
  ArrayRef<int32_t> mult = op.getMultiplier(), shift = op.getShift();
  if (llvm::any_of(mult, [](int32_t m) { return m < 0; }))
    return {};
  int64_t inZp = static_cast<int64_t>(op.getInputZp());
  unsigned inWidth = inElt.getWidth();
  bool inUnsigned = op.getInputUnsigned();
  // Largest |v| over the input's range (32-bit inputs: only without zero
  // point, as v must itself fit 32 bits).
  int64_t vMax;
  if (inWidth == 32) {
    if (inZp != 0)
      return {};
    vMax = int64_t(1) << 31;
  } else {
    int64_t lo = inUnsigned ? 0 : -(int64_t(1) << (inWidth - 1));
    int64_t hi = inUnsigned ? (int64_t(1) << inWidth) - 1
                            : (int64_t(1) << (inWidth - 1)) - 1;
    vMax = std::max(std::abs(lo - inZp), std::abs(hi - inZp));
  }
  bool highMul = llvm::all_of(shift, [](int32_t s) { return s >= -31 && s <= -2; });
  bool split = !highMul && vMax <= (int64_t(1) << 17);
  SmallVector<int32_t> c1, c2, c3, c4; // per-channel constants of the form
  for (auto [m, s] : llvm::zip_equal(mult, shift)) {
    if (highMul) {
      int32_t k = -1 - s; // t - 32
      c1.push_back(m);
      c2.push_back(int32_t(1) << (k - 1));
      c3.push_back(k);
      continue;
    }
    int64_t t = 31 - int64_t(s);
    if (!split || t < 1 || t > 31)
      return {};
    int64_t mh = int64_t(m) >> t, ml = int64_t(m) & ((int64_t(1) << t) - 1);
    int64_t limit = (int64_t(1) << 31) - 1;
    if (vMax * mh > limit || vMax * ml + (int64_t(1) << (t - 1)) > limit ||
        vMax * mh + 1 + (vMax * ml + (int64_t(1) << (t - 1))) / (int64_t(1) << t) >
            limit)
      return {};
    c1.push_back(mh);
    c2.push_back(ml);
    c3.push_back(int32_t(1) << (t - 1));
    c4.push_back(t);
  }
  MLIRContext *ctx = b.getContext();
  Type i32 = b.getI32Type();
  int64_t rank = inType.getRank();
  bool perChannel = mult.size() > 1;
  SmallVector<Value> inputs = {x};
  SmallVector<AffineMap> maps = {b.getMultiDimIdentityMap(rank)};
  SmallVector<ArrayRef<int32_t>> constants = {c1, c2, c3};
  if (!highMul)
    constants.push_back(c4);
  if (perChannel) {
    auto t = RankedTensorType::get({(int64_t)mult.size()}, i32);
    AffineMap am = AffineMap::get(
        rank, 0, {getAffineDimExpr(static_cast<int64_t>(*op.getAxis()), ctx)},
        ctx);
    for (ArrayRef<int32_t> values : constants) {
      inputs.push_back(arith::ConstantOp::create(
          b, loc, DenseElementsAttr::get(t, values)));
      maps.push_back(am);
    }
  }
  maps.push_back(b.getMultiDimIdentityMap(rank));
  int64_t outZp = static_cast<int64_t>(op.getOutputZp());
  Type outElt = outType.getElementType();
  return linalg::GenericOp::create(
             b, loc, TypeRange{outType}, inputs, ValueRange{init}, maps,
             SmallVector<utils::IteratorType>(rank,
                                              utils::IteratorType::parallel),
             [&](OpBuilder &nb, Location l, ValueRange a) {
               auto c = [&](int64_t v) {
                 return Value(arith::ConstantOp::create(
                     nb, l, i32, nb.getIntegerAttr(i32, v)));
               };
               auto channel = [&](unsigned i) {
                 return perChannel ? a[1 + i] : c(constants[i][0]);
               };
               Value v = widenMinusZeroPoint(nb, l, a[0], i32, inUnsigned, inZp);
               Value r;
               if (highMul) {
                 // High half of the 64-bit product, written out (not
                 // arith.mulsi_extended, which the LLVM lowering does not
                 // take on n-D vectors); LLVM selects a high multiply.
                 Type i64 = nb.getI64Type();
                 Value p = arith::MulIOp::create(
                     nb, l, arith::ExtSIOp::create(nb, l, i64, v),
                     arith::ExtSIOp::create(nb, l, i64, channel(0)));
                 Value hi = arith::TruncIOp::create(
                     nb, l, i32,
                     arith::ShRSIOp::create(
                         nb, l, p,
                         arith::ConstantOp::create(nb, l, i64,
                                                   nb.getIntegerAttr(i64, 32))));
                 r = arith::ShRSIOp::create(
                     nb, l, arith::AddIOp::create(nb, l, hi, channel(1)),
                     channel(2));
               } else {
                 Value whole = arith::MulIOp::create(nb, l, v, channel(0));
                 Value part = arith::ShRSIOp::create(
                     nb, l,
                     arith::AddIOp::create(
                         nb, l, arith::MulIOp::create(nb, l, v, channel(1)),
                         channel(2)),
                     channel(3));
                 r = arith::AddIOp::create(nb, l, whole, part);
               }
               if (outZp)
                 r = arith::AddIOp::create(nb, l, r, c(outZp));
               r = arith::MaxSIOp::create(
                   nb, l, r, c(std::max<int64_t>(outMin, INT32_MIN)));
               r = arith::MinSIOp::create(
                   nb, l, r, c(std::min<int64_t>(outMax, INT32_MAX)));
               if (outElt != i32)
                 r = arith::TruncIOp::create(nb, l, outElt, r);
               linalg::YieldOp::create(nb, l, r);
             })
      .getResult(0);
}

/// qnn.rescale, element by element in 64-bit integers. The arithmetic is the
/// one of qnn::multiplyByQuantizedMultiplier{Double,Single}Round
/// (Utils/FixedPoint.cpp), which the unit tests compare with gemmlowp.
struct RescaleLowering : QNNPattern<RescaleOp> {
  using QNNPattern::QNNPattern;
  LogicalResult
  matchAndRewrite(RescaleOp op, Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value x = adaptor.getInput();
    auto inType = op.getInput().getType();
    auto outType = op.getOutput().getType();
    int64_t rank = inType.getRank();
    Type i64 = rewriter.getI64Type();
    ArrayRef<int32_t> mult = op.getMultiplier(), shift = op.getShift();
    bool perChannel = mult.size() > 1;
    SmallVector<Value> inputs = {x};
    SmallVector<AffineMap> maps = {rewriter.getMultiDimIdentityMap(rank)};
    if (perChannel) {
      // Stored as i32 and sign-extended in the body: LLVM then sees 32-bit
      // factors and multiplies with vpmuldq instead of a full 64-bit
      // multiply.
      auto t =
          RankedTensorType::get({(int64_t)mult.size()}, rewriter.getI32Type());
      inputs.push_back(arith::ConstantOp::create(
          rewriter, loc, DenseElementsAttr::get(t, mult)));
      inputs.push_back(arith::ConstantOp::create(
          rewriter, loc, DenseElementsAttr::get(t, shift)));
      AffineMap am = AffineMap::get(
          rank, 0, {getAffineDimExpr(static_cast<int64_t>(*op.getAxis()), ctx)},
          ctx);
      maps.append({am, am});
    }
    maps.push_back(rewriter.getMultiDimIdentityMap(rank));
    Value init = emptyLike(rewriter, loc, outType, x);
    SmallVector<IteratorType> iters(rank, IteratorType::parallel);
    bool inUnsigned = op.getInputUnsigned(),
         outUnsigned = op.getOutputUnsigned();
    int64_t inZp = static_cast<int64_t>(op.getInputZp());
    int64_t outZp = static_cast<int64_t>(op.getOutputZp());
    unsigned outWidth = outType.getElementTypeBitWidth();
    int64_t outMin = outUnsigned ? 0 : -(int64_t(1) << (outWidth - 1));
    int64_t outMax = outUnsigned ? (int64_t(1) << outWidth) - 1
                                 : (int64_t(1) << (outWidth - 1)) - 1;
    bool doubleRound = op.getRounding() == RoundingMode::DoubleRound;
    Type outElt = outType.getElementType();
    if (Value y = lowerRescaleIn32BitLanes(rewriter, loc, op, x, init,
                                           outMin, outMax)) {
      rewriter.replaceOp(op, y);
      return success();
    }
    Value y =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{outType}, inputs, ValueRange{init}, maps,
            iters,
            [&](OpBuilder &b, Location l, ValueRange a) {
              auto c = [&](int64_t v) {
                return Value(arith::ConstantOp::create(
                    b, l, i64, b.getIntegerAttr(i64, v)));
              };
              Value v = widenMinusZeroPoint(b, l, a[0], i64, inUnsigned, inZp);
              Value m = perChannel
                            ? Value(arith::ExtSIOp::create(b, l, i64, a[1]))
                            : c(mult[0]);
              Value sh = perChannel
                             ? Value(arith::ExtSIOp::create(b, l, i64, a[2]))
                             : c(shift[0]);
              Value zero = c(0);
              Value r;
              if (doubleRound) {
                Value left = arith::MaxSIOp::create(b, l, sh, zero);
                Value right = arith::MaxSIOp::create(
                    b, l, arith::SubIOp::create(b, l, zero, sh), zero);
                Value xs = arith::ShLIOp::create(b, l, v, left);
                xs = arith::MaxSIOp::create(b, l, xs, c(INT32_MIN));
                xs = arith::MinSIOp::create(b, l, xs, c(INT32_MAX));
                // SaturatingRoundingDoublingHighMul (M >= 0, no INT_MIN^2).
                Value ab = arith::MulIOp::create(b, l, xs, m);
                Value nonNeg = arith::CmpIOp::create(
                    b, l, arith::CmpIPredicate::sge, ab, zero);
                Value nudge =
                    arith::SelectOp::create(b, l, nonNeg, c(int64_t(1) << 30),
                                            c(1 - (int64_t(1) << 30)));
                Value high = arith::DivSIOp::create(
                    b, l, arith::AddIOp::create(b, l, ab, nudge),
                    c(int64_t(1) << 31));
                // RoundingDivideByPOT(high, right).
                Value mask = arith::SubIOp::create(
                    b, l, arith::ShLIOp::create(b, l, c(1), right), c(1));
                Value rem = arith::AndIOp::create(b, l, high, mask);
                Value neg = arith::CmpIOp::create(
                    b, l, arith::CmpIPredicate::slt, high, zero);
                Value threshold = arith::AddIOp::create(
                    b, l, arith::ShRSIOp::create(b, l, mask, c(1)),
                    arith::ExtUIOp::create(b, l, i64, neg));
                Value up = arith::CmpIOp::create(
                    b, l, arith::CmpIPredicate::sgt, rem, threshold);
                r = arith::AddIOp::create(
                    b, l, arith::ShRSIOp::create(b, l, high, right),
                    arith::ExtUIOp::create(b, l, i64, up));
              } else {
                Value total = arith::SubIOp::create(b, l, c(31), sh);
                Value round = arith::ShLIOp::create(
                    b, l, c(1), arith::SubIOp::create(b, l, total, c(1)));
                Value p = arith::MulIOp::create(b, l, v, m);
                r = arith::ShRSIOp::create(
                    b, l, arith::AddIOp::create(b, l, p, round), total);
                r = arith::MaxSIOp::create(b, l, r, c(INT32_MIN));
                r = arith::MinSIOp::create(b, l, r, c(INT32_MAX));
              }
              if (outZp)
                r = arith::AddIOp::create(b, l, r, c(outZp));
              r = arith::MaxSIOp::create(b, l, r, c(outMin));
              r = arith::MinSIOp::create(b, l, r, c(outMax));
              if (outElt != i64)
                r = arith::TruncIOp::create(b, l, outElt, r);
              linalg::YieldOp::create(b, l, r);
            })
            .getResult(0);
    rewriter.replaceOp(op, y);
    return success();
  }
};

} // namespace

void lowering::populateQuantLoweringPatterns(TypeConverter &converter,
                                             RewritePatternSet &patterns) {
  patterns.add<ObserverLowering, FakeQuantLowering, RescaleLowering>(
      converter, patterns.getContext());
}
