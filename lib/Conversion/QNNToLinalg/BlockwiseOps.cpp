//===- BlockwiseOps.cpp - Block-wise quantized weights to linalg ----------===//
//
// Part of qopt. qnn.block_dequantize, and the products (qnn.matmul with a
// 2-D right-hand side, qnn.fully_connected) whose constant weights it
// dequantizes.
//
// A product with block-quantized constant weights becomes one contraction
// that reads the weights as stored -- 4-bit values packed two per byte --
// and dequantizes them in registers: the float weights are never written
// to memory (materializing them first made a 4096 x 4096 matrix-vector
// product 4x slower than the fp32 one). The packing is chosen for 16-lane
// vectors along the output features: byte [g, kb, t, i] holds the weights
// of output features 32t + i (low nibble) and 32t + 16 + i (high nibble)
// at reduction index k = g * B + kb, so one 16-byte load feeds two 16-lane
// vectors with an AND and a shift. The contraction iterates
// (m, t, h, i, g, kb): h selects the nibble, g the block (whose scale and
// zero point are read per (g, t, h, i)), kb the position in the block.
//
// With int8 activations (W4A8) the product is integer dot products per
// block instead: BlockwiseIntegerOps.cpp.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"

#include "qopt/Conversion/QNNToLinalg/QNNToLinalg.h"
#include "qopt/Dialect/QNN/IR/QNN.h"
#include "qopt/Dialect/QNN/Utils/ConstantUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/DialectConversion.h"

#include <type_traits>

using namespace mlir;
using namespace mlir::qnn;
using namespace mlir::qnn::lowering;

namespace {

/// The integers of a constant block-quantized tensor (4- or 8-bit, read
/// with the signedness of its type), or nullopt when it is not constant.
std::optional<SmallVector<int32_t>> constantInts(Value v) {
  DenseElementsAttr a;
  if (!v || !matchPattern(v, m_Constant(&a)))
    return std::nullopt;
  auto it = dyn_cast<IntegerType>(a.getElementType());
  if (!it || (it.getWidth() != 4 && it.getWidth() != 8))
    return std::nullopt;
  // Dense storage keeps one byte per 4- or 8-bit element (the low bits).
  ArrayRef<char> raw = a.getRawData();
  int64_t n = a.getNumElements();
  SmallVector<int32_t> out(n);
  unsigned width = it.getWidth();
  for (int64_t i = 0; i < n; ++i) {
    uint32_t bits = (uint8_t)raw[a.isSplat() ? 0 : i];
    bits &= (1u << width) - 1;
    out[i] = it.isUnsigned() || bits < (1u << (width - 1))
                 ? (int32_t)bits
                 : (int32_t)bits - (int32_t)(1u << width);
  }
  return out;
}

} // namespace

std::optional<BlockWeights> lowering::matchBlockWeights(Value w,
                                                        int64_t reductionAxis) {
  auto bd = w.getDefiningOp<BlockDequantizeOp>();
  if (!bd)
    return std::nullopt;
  auto qt = bd.getInput().getType();
  if (qt.getRank() != 2 || !qt.hasStaticShape() ||
      (int64_t)bd.getAxis() != reductionAxis)
    return std::nullopt;
  std::optional<SmallVector<int32_t>> q = constantInts(bd.getInput());
  std::optional<SmallVector<double>> s = getConstantFloatValues(bd.getScale());
  if (!q || !s)
    return std::nullopt;
  std::optional<SmallVector<int32_t>> z;
  if (bd.getZeroPoint()) {
    z = constantInts(bd.getZeroPoint());
    if (!z)
      return std::nullopt;
  }
  BlockWeights r;
  auto it = cast<IntegerType>(qt.getElementType());
  r.width = it.getWidth();
  r.isUnsigned = it.isUnsigned();
  int64_t d0 = qt.getDimSize(0), d1 = qt.getDimSize(1);
  bool transposed = reductionAxis == 1; // stored [N, K]
  r.k = transposed ? d1 : d0;
  r.n = transposed ? d0 : d1;
  // A block longer than K is one block of K (the packed weights are padded
  // to whole blocks).
  r.block = std::min<int64_t>(bd.getBlockSize(), std::max<int64_t>(r.k, 1));
  int64_t blocks = (r.k + r.block - 1) / r.block;
  r.q.resize(r.k * r.n);
  r.scale.resize(blocks * r.n);
  r.zero.assign(blocks * r.n, 0);
  for (int64_t k = 0; k < r.k; ++k)
    for (int64_t n = 0; n < r.n; ++n)
      r.q[k * r.n + n] = (*q)[transposed ? n * r.k + k : k * r.n + n];
  for (int64_t g = 0; g < blocks; ++g)
    for (int64_t n = 0; n < r.n; ++n) {
      int64_t from = transposed ? n * blocks + g : g * r.n + n;
      r.scale[g * r.n + n] = (*s)[from];
      if (z)
        r.zero[g * r.n + n] = (*z)[from];
    }
  return r;
}

namespace {

/// The contraction y[M, N] = bias + x[M, K] * dequantize(weights), see the
/// file comment. `x2d` is [M, K] f32 (M may be dynamic); `bias` is [N] f32
/// or null for zeros; the result is [M, N].
Value blockwiseProduct(OpBuilder &b, Location loc, Value x2d,
                       const BlockWeights &w, Value bias) {
  MLIRContext *ctx = b.getContext();
  Type f32 = b.getF32Type(), i8 = b.getI8Type();
  const int64_t lanes = 16, tileN = 2 * lanes;
  int64_t blocks = (w.k + w.block - 1) / w.block, kp = blocks * w.block;
  int64_t t = (w.n + tileN - 1) / tileN, np = t * tileN;
  bool packed = w.width == 4;
  // 4-bit values are stored as unsigned nibbles u = q (+ 8 when signed),
  // so the zero point moves by the same 8: (u - z') = (q - z).
  int32_t shift = packed && !w.isUnsigned ? 8 : 0;
  auto valueAt = [&](int64_t k, int64_t n) -> int32_t {
    if (k >= w.k || n >= w.n)
      return shift; // padding: u = z' with scale 0 gives weight 0
    return w.q[k * w.n + n] + shift;
  };

  // Weights: [T, G, B, 16] bytes of two nibbles, or [T, G, B, 2, 16]
  // bytes: a tile of output features reads its weights as one sequential
  // stream (in [G, B, T, 16] its rows were 2 KiB apart in a 4096-wide
  // layer, and the product ran at a third of the memory bandwidth).
  SmallVector<int64_t> pShape = {t, blocks, w.block};
  if (!packed)
    pShape.push_back(2);
  pShape.push_back(lanes);
  SmallVector<int8_t> bytes;
  bytes.reserve(blocks * w.block * np / (packed ? 2 : 1));
  for (int64_t ti = 0; ti < t; ++ti)
    for (int64_t k = 0; k < kp; ++k) {
      if (packed) {
        for (int64_t i = 0; i < lanes; ++i) {
          int32_t lo = valueAt(k, ti * tileN + i);
          int32_t hi = valueAt(k, ti * tileN + lanes + i);
          bytes.push_back((int8_t)(uint8_t)((lo & 15) | ((hi & 15) << 4)));
        }
      } else {
        for (int64_t i = 0; i < tileN; ++i)
          bytes.push_back((int8_t)valueAt(k, ti * tileN + i));
      }
    }
  auto pType = RankedTensorType::get(pShape, i8);
  Value p = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(pType, ArrayRef<int8_t>(bytes)));

  // Scales and zero points per (block, output feature): [T, G, 2, 16] f32.
  SmallVector<float> sv(blocks * np, 0.0f), zv(blocks * np, 0.0f);
  for (int64_t g = 0; g < blocks; ++g)
    for (int64_t n = 0; n < w.n; ++n) {
      int64_t at = ((n / tileN) * blocks + g) * tileN + n % tileN;
      sv[at] = (float)w.scale[g * w.n + n];
      zv[at] = (float)(w.zero[g * w.n + n] + shift);
    }
  auto sType = RankedTensorType::get({t, blocks, 2, lanes}, f32);
  Value s = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(sType, ArrayRef<float>(sv)));
  Value z = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(sType, ArrayRef<float>(zv)));

  // x: [M, K] -> zero-padded [M, Kp] -> [M, G, B].
  auto xt = cast<RankedTensorType>(x2d.getType());
  int64_t m = xt.getDimSize(0);
  Value x = x2d;
  if (kp != w.k) {
    SmallVector<int64_t> padded = {m, kp};
    x = tensor::PadOp::create(
        b, loc, RankedTensorType::get(padded, f32), x,
        SmallVector<OpFoldResult>{b.getIndexAttr(0), b.getIndexAttr(0)},
        SmallVector<OpFoldResult>{b.getIndexAttr(0), b.getIndexAttr(kp - w.k)},
        floatConst(b, loc, f32, 0.0));
  }
  Value mDim = xt.isDynamicDim(0) ? Value(tensor::DimOp::create(b, loc, x2d, 0))
                                  : Value();
  auto mFold = [&]() -> OpFoldResult {
    return mDim ? OpFoldResult(mDim) : OpFoldResult(b.getIndexAttr(m));
  };
  x = tensor::ExpandShapeOp::create(
      b, loc, RankedTensorType::get({m, blocks, w.block}, f32), x,
      SmallVector<ReassociationIndices>{{0}, {1, 2}},
      SmallVector<OpFoldResult>{mFold(), b.getIndexAttr(blocks),
                                b.getIndexAttr(w.block)});

  // Accumulator [M, T, 2, 16], from the bias when there is one.
  auto accType = RankedTensorType::get({m, t, 2, lanes}, f32);
  Value init = emptyTensor(b, loc, accType, {mDim, Value(), Value(), Value()});
  AffineExpr d0, d1, d2, d3, d4, d5;
  bindDims(ctx, d0, d1, d2, d3, d4, d5);
  if (bias) {
    Value biasTile = bias;
    if (np != w.n)
      biasTile = tensor::PadOp::create(
          b, loc, RankedTensorType::get({np}, f32), bias,
          SmallVector<OpFoldResult>{b.getIndexAttr(0)},
          SmallVector<OpFoldResult>{b.getIndexAttr(np - w.n)},
          floatConst(b, loc, f32, 0.0));
    biasTile = tensor::ExpandShapeOp::create(
        b, loc, RankedTensorType::get({t, 2, lanes}, f32), biasTile,
        SmallVector<ReassociationIndices>{{0, 1, 2}});
    init =
        linalg::GenericOp::create(
            b, loc, TypeRange{accType}, ValueRange{biasTile}, ValueRange{init},
            SmallVector<AffineMap>{AffineMap::get(4, 0, {d1, d2, d3}, ctx),
                                   AffineMap::get(4, 0, {d0, d1, d2, d3}, ctx)},
            SmallVector<utils::IteratorType>(4, utils::IteratorType::parallel),
            [](OpBuilder &nb, Location l, ValueRange a) {
              linalg::YieldOp::create(nb, l, a[0]);
            })
            .getResult(0);
  } else {
    init = fill(b, loc, init, 0.0);
  }

  AffineMap pMap = packed ? AffineMap::get(6, 0, {d1, d4, d5, d3}, ctx)
                          : AffineMap::get(6, 0, {d1, d4, d5, d2, d3}, ctx);
  SmallVector<AffineMap> maps = {AffineMap::get(6, 0, {d0, d4, d5}, ctx), pMap,
                                 AffineMap::get(6, 0, {d1, d4, d2, d3}, ctx),
                                 AffineMap::get(6, 0, {d1, d4, d2, d3}, ctx),
                                 AffineMap::get(6, 0, {d0, d1, d2, d3}, ctx)};
  using utils::IteratorType;
  SmallVector<IteratorType> iters(4, IteratorType::parallel);
  iters.append(2, IteratorType::reduction);
  bool isUnsigned = w.isUnsigned || packed;
  Value acc =
      linalg::GenericOp::create(
          b, loc, TypeRange{accType}, ValueRange{x, p, s, z}, ValueRange{init},
          maps, iters,
          [&](OpBuilder &nb, Location l, ValueRange a) {
            Value byte = a[1];
            if (packed) {
              // The low nibble for h = 0, the high one for h = 1.
              Value h = linalg::IndexOp::create(nb, l, 2);
              Value isLow = arith::CmpIOp::create(
                  nb, l, arith::CmpIPredicate::eq, h,
                  arith::ConstantIndexOp::create(nb, l, 0));
              Value lo =
                  arith::AndIOp::create(nb, l, byte, intConst(nb, l, i8, 15));
              Value hi =
                  arith::ShRUIOp::create(nb, l, byte, intConst(nb, l, i8, 4));
              byte = arith::SelectOp::create(nb, l, isLow, lo, hi);
            }
            Value q = isUnsigned
                          ? Value(arith::UIToFPOp::create(nb, l, f32, byte))
                          : Value(arith::SIToFPOp::create(nb, l, f32, byte));
            // (q - z) * s exactly as DequantizeLinear computes it, then
            // acc + x * w. (A math.fma here would leave the op scalar: the
            // vectorizer recognizes an addf as the reduction's combiner.)
            Value wv = arith::MulFOp::create(
                nb, l, arith::SubFOp::create(nb, l, q, a[3]), a[2]);
            Value prod = arith::MulFOp::create(nb, l, a[0], wv);
            linalg::YieldOp::create(
                nb, l, Value(arith::AddFOp::create(nb, l, a[4], prod)));
          })
          .getResult(0);

  // [M, T, 2, 16] -> [M, Np] -> [M, N].
  Value y = tensor::CollapseShapeOp::create(
      b, loc, RankedTensorType::get({m, np}, f32), acc,
      SmallVector<ReassociationIndices>{{0}, {1, 2, 3}});
  if (np != w.n) {
    SmallVector<OpFoldResult> offsets = {b.getIndexAttr(0), b.getIndexAttr(0)};
    SmallVector<OpFoldResult> sizes = {mFold(), b.getIndexAttr(w.n)};
    SmallVector<OpFoldResult> strides = {b.getIndexAttr(1), b.getIndexAttr(1)};
    y = tensor::ExtractSliceOp::create(b, loc,
                                       RankedTensorType::get({m, w.n}, f32), y,
                                       offsets, sizes, strides);
  }
  return y;
}

} // namespace

/// `x` [..., K] as [M, K] (leading dimensions collapsed), or null when a
/// tensor of rank > 2 has a dynamic leading dimension.
Value lowering::rowsOf(OpBuilder &b, Location loc, Value x) {
  auto t = cast<RankedTensorType>(x.getType());
  if (t.getRank() == 2)
    return x;
  int64_t m = 1;
  for (int64_t d : t.getShape().drop_back()) {
    if (ShapedType::isDynamic(d))
      return Value();
    m *= d;
  }
  ReassociationIndices lead;
  for (int64_t i = 0; i + 1 < t.getRank(); ++i)
    lead.push_back(i);
  return tensor::CollapseShapeOp::create(
      b, loc,
      RankedTensorType::get({m, t.getShape().back()}, t.getElementType()), x,
      SmallVector<ReassociationIndices>{lead, {t.getRank() - 1}});
}

/// `y` [M, N] back to `type` [..., N].
Value lowering::unrows(OpBuilder &b, Location loc, Value y,
                       RankedTensorType type) {
  if (type.getRank() == 2)
    return y;
  ReassociationIndices lead;
  for (int64_t i = 0; i + 1 < type.getRank(); ++i)
    lead.push_back(i);
  return tensor::ExpandShapeOp::create(
      b, loc, type, y,
      SmallVector<ReassociationIndices>{lead, {type.getRank() - 1}});
}

namespace {

struct BlockwiseMatMulLowering : QNNPattern<MatMulOp> {
  BlockwiseMatMulLowering(TypeConverter &tc, MLIRContext *ctx)
      : QNNPattern(tc, ctx, /*benefit=*/2) {}
  LogicalResult
  matchAndRewrite(MatMulOp op, Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    REQUIRE_FLOAT(op, rewriter);
    auto outType = op.getOutput().getType();
    auto lt = cast<RankedTensorType>(adaptor.getLhs().getType());
    if (lt.getRank() < 2 || !outType.getElementType().isF32() ||
        !lt.getElementType().isF32())
      return rewriter.notifyMatchFailure(op, "not an f32 product of rank >= 2");
    std::optional<BlockWeights> w = matchBlockWeights(op.getRhs(), 0);
    if (!w)
      return rewriter.notifyMatchFailure(op, "weights not block-quantized");
    Location loc = op.getLoc();
    Value x = rowsOf(rewriter, loc, adaptor.getLhs());
    if (!x)
      return rewriter.notifyMatchFailure(op, "dynamic leading dimension");
    Value y = blockwiseProduct(rewriter, loc, x, *w, Value());
    y = unrows(rewriter, loc, y, outType);
    rewriter.replaceOp(op, epilogue(rewriter, loc, y, Value(),
                                    outType.getRank() - 1,
                                    op.getActivationRange()));
    return success();
  }
};

struct BlockwiseFullyConnectedLowering : QNNPattern<FullyConnectedOp> {
  BlockwiseFullyConnectedLowering(TypeConverter &tc, MLIRContext *ctx)
      : QNNPattern(tc, ctx, /*benefit=*/2) {}
  LogicalResult
  matchAndRewrite(FullyConnectedOp op, Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    REQUIRE_FLOAT(op, rewriter);
    auto outType = op.getOutput().getType();
    if (!outType.getElementType().isF32())
      return rewriter.notifyMatchFailure(op, "not f32");
    std::optional<BlockWeights> w = matchBlockWeights(op.getWeight(), 1);
    if (!w)
      return rewriter.notifyMatchFailure(op, "weights not block-quantized");
    Location loc = op.getLoc();
    Value y = blockwiseProduct(rewriter, loc, adaptor.getInput(), *w,
                               adaptor.getBias());
    rewriter.replaceOp(
        op, epilogue(rewriter, loc, y, Value(), 1, op.getActivationRange()));
    return success();
  }
};

/// Any other use: the float weights computed by one elementwise map.
struct BlockDequantizeLowering : QNNPattern<BlockDequantizeOp> {
  using QNNPattern::QNNPattern;
  LogicalResult
  matchAndRewrite(BlockDequantizeOp op, Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto outType = op.getOutput().getType();
    auto it = cast<IntegerType>(op.getInput().getType().getElementType());
    int64_t rank = outType.getRank(), axis = op.getAxis();
    // Integers as signless storage: constants retyped (bufferization makes
    // globals of signless integers only), run-time values through
    // tensor.bitcast (the bits stay).
    auto signless = [&](Value v) -> Value {
      auto t = cast<RankedTensorType>(v.getType());
      auto et = cast<IntegerType>(t.getElementType());
      if (et.isSignless())
        return v;
      auto plain = IntegerType::get(ctx, et.getWidth());
      DenseElementsAttr attr;
      if (matchPattern(v, m_Constant(&attr)))
        return arith::ConstantOp::create(rewriter, loc, attr.bitcast(plain));
      return tensor::BitcastOp::create(
          rewriter, loc, RankedTensorType::get(t.getShape(), plain), v);
    };
    SmallVector<Value> inputs = {signless(adaptor.getInput()),
                                 adaptor.getScale()};
    SmallVector<AffineExpr> blockExprs;
    for (int64_t d = 0; d < rank; ++d)
      blockExprs.push_back(
          d == axis ? getAffineDimExpr(d, ctx).floorDiv(op.getBlockSize())
                    : getAffineDimExpr(d, ctx));
    AffineMap id = rewriter.getMultiDimIdentityMap(rank);
    AffineMap blockMap = AffineMap::get(rank, 0, blockExprs, ctx);
    SmallVector<AffineMap> maps = {id, blockMap};
    bool hasZero = static_cast<bool>(adaptor.getZeroPoint());
    if (hasZero) {
      inputs.push_back(signless(adaptor.getZeroPoint()));
      maps.push_back(blockMap);
    }
    maps.push_back(id);
    Value init = emptyLike(rewriter, loc, outType, adaptor.getInput());
    bool isSigned = !it.isUnsigned();
    Value y =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{outType}, inputs, ValueRange{init}, maps,
            SmallVector<utils::IteratorType>(rank,
                                             utils::IteratorType::parallel),
            [&](OpBuilder &b, Location l, ValueRange a) {
              Value q = extTo32(b, l, a[0], isSigned);
              if (hasZero)
                q = arith::SubIOp::create(b, l, q,
                                          extTo32(b, l, a[2], isSigned));
              Value f = arith::SIToFPOp::create(b, l, b.getF32Type(), q);
              linalg::YieldOp::create(
                  b, l, Value(arith::MulFOp::create(b, l, f, a[1])));
            })
            .getResult(0);
    rewriter.replaceOp(op, y);
    return success();
  }
};

} // namespace

namespace {

/// A float product on weight-only quantized weights, dequantize(qconst)
/// per output channel or per tensor, as a product on block-quantized
/// weights with one block spanning the reduction axis: the packed kernel
/// instead of dequantizing the whole matrix to float on every call (a
/// 4096 x 4096 matrix-vector product: 12.8 -> 1.2 ms). Weights within
/// [-8, 7] (qopt's 4-bit weights) are stored as si4, two per byte.
template <typename OpTy> struct WeightOnlyAsBlocks : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    constexpr bool isFC = std::is_same_v<OpTy, FullyConnectedOp>;
    Value w = op->getOperand(1);
    auto dq = w.template getDefiningOp<DequantizeOp>();
    auto qc =
        dq ? dq.getInput().template getDefiningOp<QConstOp>() : QConstOp();
    auto yt = cast<RankedTensorType>(op->getResult(0).getType());
    auto xt = cast<RankedTensorType>(op->getOperand(0).getType());
    if (!qc || !yt.getElementType().isF32() || !xt.getElementType().isF32() ||
        xt.getRank() < 2)
      return failure();
    auto wt = qc.getOutput().getType();
    std::optional<QParams> p = getParams(wt);
    auto values = dyn_cast<DenseElementsAttr>(qc.getValue());
    if (!p || p->width != 8 || wt.getRank() != 2 || !wt.hasStaticShape() ||
        !values)
      return failure();
    // Blocks along the reduction axis; scales along the other one.
    int64_t reductionAxis = isFC ? 1 : 0;
    if (!p->perTensor() && p->axis != 1 - reductionAxis)
      return failure();
    int64_t k = wt.getDimSize(reductionAxis);
    int64_t channels = wt.getDimSize(1 - reductionAxis);
    bool nibbles = p->isSigned ? p->qmin >= -8 && p->qmax <= 7 : p->qmax <= 15;
    MLIRContext *ctx = rewriter.getContext();
    auto storage = IntegerType::get(ctx, nibbles ? 4 : 8,
                                    p->isSigned ? IntegerType::Signed
                                                : IntegerType::Unsigned);
    ArrayRef<char> raw = values.getRawData();
    SmallVector<APInt> q;
    q.reserve(wt.getNumElements());
    for (int64_t i = 0; i < wt.getNumElements(); ++i) {
      uint8_t byte = (uint8_t)raw[values.isSplat() ? 0 : i];
      int64_t v = p->isSigned ? (int64_t)(int8_t)byte : (int64_t)byte;
      q.push_back(APInt(storage.getWidth(), v, /*isSigned=*/p->isSigned));
    }
    SmallVector<int64_t> sShape(wt.getShape());
    sShape[reductionAxis] = 1;
    SmallVector<float> scales(channels);
    SmallVector<APInt> zeros(channels);
    bool anyZero = false;
    for (int64_t c = 0; c < channels; ++c) {
      int64_t i = p->perTensor() ? 0 : c;
      scales[c] = (float)p->scales[i];
      zeros[c] = APInt(storage.getWidth(), p->zps[i], p->isSigned);
      anyZero |= p->zps[i] != 0;
    }
    Location loc = op.getLoc();
    Value qv = arith::ConstantOp::create(
        rewriter, loc,
        DenseElementsAttr::get(RankedTensorType::get(wt.getShape(), storage),
                               q));
    Value sv = arith::ConstantOp::create(
        rewriter, loc,
        DenseElementsAttr::get(
            RankedTensorType::get(sShape, rewriter.getF32Type()),
            ArrayRef<float>(scales)));
    Value zv;
    if (anyZero)
      zv = arith::ConstantOp::create(
          rewriter, loc,
          DenseElementsAttr::get(RankedTensorType::get(sShape, storage),
                                 zeros));
    Value blocks = BlockDequantizeOp::create(
        rewriter, loc, dq.getOutput().getType(), qv, sv, zv,
        rewriter.getI64IntegerAttr(reductionAxis),
        rewriter.getI64IntegerAttr(k));
    rewriter.modifyOpInPlace(op, [&] { op->setOperand(1, blocks); });
    return success();
  }
};

} // namespace

void qnn::populateWeightOnlyAsBlocksPatterns(RewritePatternSet &patterns) {
  patterns
      .add<WeightOnlyAsBlocks<MatMulOp>, WeightOnlyAsBlocks<FullyConnectedOp>>(
          patterns.getContext());
}

void lowering::populateBlockwiseLoweringPatterns(TypeConverter &converter,
                                                 RewritePatternSet &patterns) {
  patterns.add<BlockwiseMatMulLowering, BlockwiseFullyConnectedLowering,
               BlockDequantizeLowering>(converter, patterns.getContext());
}
