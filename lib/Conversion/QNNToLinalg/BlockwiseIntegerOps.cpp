//===- BlockwiseIntegerOps.cpp - W4A8 products to integer linalg ---------===//
//
// Part of qopt. A float product whose input is the run-time int8 round
// trip of its activations (dequantize(q) * s of a symmetric int8 q, as
// --quantize-dynamic group-size=G writes it) and whose weights are 4-bit
// block-quantized constants runs as integer dot products per block
// (llama.cpp's Q4 x Q8, ONNX Runtime's MatMulNBits at accuracy_level 4).
// Part of --integer-only, which marks such products illegal
// (qnn::isInt8BlockwiseProduct); the CPU kernel for the contraction is
// qopt-tile-and-vectorize's block_dot (DotProductMatMul.cpp).
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"

#include "qopt/Conversion/QNNToLinalg/QNNToLinalg.h"
#include "qopt/Dialect/QNN/IR/QNN.h"

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

/// The int8 side of a W4A8 product: an input `dequantize(q) * s` (either
/// operand order) with q symmetric per-tensor int8 and s a 0-d f32 tensor
/// (qnn.dynamic_quantize's scale).
struct Int8Activation {
  Value q, scale;
  double typeScale = 1.0;
};

std::optional<Int8Activation> matchInt8Activation(Value lhs) {
  auto mul = lhs.getDefiningOp<MulOp>();
  if (!mul)
    return std::nullopt;
  for (int i = 0; i < 2; ++i) {
    Value a = mul->getOperand(i), s = mul->getOperand(1 - i);
    auto dq = a.getDefiningOp<DequantizeOp>();
    auto st = dyn_cast<RankedTensorType>(s.getType());
    if (!dq || a.getType() != lhs.getType() || !st || st.getRank() != 0 ||
        !st.getElementType().isF32())
      continue;
    std::optional<QParams> p = getParams(dq.getInput().getType());
    if (!p || !p->perTensor() || !p->isSigned || p->width != 8 ||
        p->zps[0] != 0)
      continue;
    return Int8Activation{dq.getInput(), s, p->scales[0]};
  }
  return std::nullopt;
}

/// Whether `w` is a qnn.block_dequantize of 4-bit constants in blocks of
/// a multiple of 8 along `reductionAxis`: the form the W4A8 kernel packs
/// (checked without reading the constants).
bool isPackableInt4Blocks(Value w, int64_t reductionAxis) {
  auto bd = w.getDefiningOp<BlockDequantizeOp>();
  if (!bd)
    return false;
  auto qt = bd.getInput().getType();
  if (qt.getRank() != 2 || !qt.hasStaticShape() ||
      !qt.getElementType().isInteger(4) ||
      (int64_t)bd.getAxis() != reductionAxis ||
      !matchPattern(bd.getInput(), m_Constant()) ||
      !matchPattern(bd.getScale(), m_Constant()) ||
      (bd.getZeroPoint() && !matchPattern(bd.getZeroPoint(), m_Constant())))
    return false;
  int64_t block =
      std::min<int64_t>(bd.getBlockSize(), qt.getDimSize(reductionAxis));
  return block > 0 && block % 8 == 0;
}

/// The W4A8 product y[M, N] = s_x * sum_g s_w[g] * sum_{k in g}
/// q[m, k] * (u[k] - z_w[g]) (+ bias) on the int8 activations `q2d` [M, K]
/// (signless i8) with run-time scale `sx` (0-d f32, times `typeScale`),
/// where u are the unsigned nibbles (signed 4-bit values plus 8, the zero
/// points moved alike). Per block the zero point meets the block's
/// activation sum once instead of every weight:
///
///   sum_{k in g} q[k] * (u[k] - z) = sum_{k in g} q[k] * u[k] - z * S[g]
///
/// with S[m, g] = sum_{k in g} q[m, k] computed first. The weights are
/// packed for 16-lane dot products of groups of four: byte [t, g, c, i, j]
/// holds u[g * B + 8c + j] (low nibble) and u[g * B + 8c + 4 + j] (high
/// nibble) of output feature 16t + i, so that a 64-byte load gives two
/// u8 x s8 dot products (vpdpbusd) of 16 outputs by 4 activations each after
/// an AND and a shift. The contraction iterates (m, t, i, g, c, h, j) over
/// activations, weight bytes, scales [T, G, 16] f32, zero points [T, G, 16]
/// i8 and block sums S, and states the definition term by term:
/// acc + s_w * (u * q - (c, h, j = 0 ? z * S : 0)); the CPU kernel
/// (qopt-tile-and-vectorize, DotProductMatMul.cpp) sums each block in i32
/// first, exactly, and scales the block's sum once.
Value blockwiseIntegerProduct(OpBuilder &b, Location loc, Value q2d,
                              const BlockWeights &w, Value sx, double typeScale,
                              Value bias) {
  MLIRContext *ctx = b.getContext();
  Type f32 = b.getF32Type(), i8 = b.getI8Type(), i32 = b.getI32Type();
  const int64_t lanes = 16;
  int64_t blocks = (w.k + w.block - 1) / w.block, kp = blocks * w.block;
  int64_t groups = w.block / 8;
  int64_t t = (w.n + lanes - 1) / lanes, np = t * lanes;
  int32_t shift = w.isUnsigned ? 0 : 8;
  auto valueAt = [&](int64_t k, int64_t n) -> int32_t {
    if (k >= w.k || n >= w.n)
      return 0; // padding: a zero activation or a zero scale
    return w.q[k * w.n + n] + shift;
  };
  SmallVector<int8_t> bytes;
  bytes.reserve(t * kp * lanes / 2);
  for (int64_t ti = 0; ti < t; ++ti)
    for (int64_t g = 0; g < blocks; ++g)
      for (int64_t c = 0; c < groups; ++c)
        for (int64_t i = 0; i < lanes; ++i)
          for (int64_t j = 0; j < 4; ++j) {
            int64_t k = g * w.block + 8 * c + j, n = ti * lanes + i;
            bytes.push_back((int8_t)(uint8_t)((valueAt(k, n) & 15) |
                                              ((valueAt(k + 4, n) & 15) << 4)));
          }
  Value p = arith::ConstantOp::create(
      b, loc,
      DenseElementsAttr::get(
          RankedTensorType::get({t, blocks, groups, lanes, 4}, i8),
          ArrayRef<int8_t>(bytes)));
  // Scales and zero points (0..23 after the shift: one byte each).
  SmallVector<float> sv(t * blocks * lanes, 0.0f);
  SmallVector<int8_t> zv(t * blocks * lanes, 0);
  for (int64_t g = 0; g < blocks; ++g)
    for (int64_t n = 0; n < w.n; ++n) {
      int64_t at = ((n / lanes) * blocks + g) * lanes + n % lanes;
      sv[at] = (float)w.scale[g * w.n + n];
      zv[at] = (int8_t)(w.zero[g * w.n + n] + shift);
    }
  Value s = arith::ConstantOp::create(
      b, loc,
      DenseElementsAttr::get(RankedTensorType::get({t, blocks, lanes}, f32),
                             ArrayRef<float>(sv)));
  Value z = arith::ConstantOp::create(
      b, loc,
      DenseElementsAttr::get(RankedTensorType::get({t, blocks, lanes}, i8),
                             ArrayRef<int8_t>(zv)));

  // q: [M, K] -> zero-padded [M, Kp] -> [M, G, C, 2, 4].
  auto qt = cast<RankedTensorType>(q2d.getType());
  int64_t m = qt.getDimSize(0);
  Value x = q2d;
  if (kp != w.k)
    x = tensor::PadOp::create(
        b, loc, RankedTensorType::get({m, kp}, i8), x,
        SmallVector<OpFoldResult>{b.getIndexAttr(0), b.getIndexAttr(0)},
        SmallVector<OpFoldResult>{b.getIndexAttr(0), b.getIndexAttr(kp - w.k)},
        intConst(b, loc, i8, 0));
  Value mDim = qt.isDynamicDim(0) ? Value(tensor::DimOp::create(b, loc, q2d, 0))
                                  : Value();
  OpFoldResult mFold =
      mDim ? OpFoldResult(mDim) : OpFoldResult(b.getIndexAttr(m));
  Value xBlocks = tensor::ExpandShapeOp::create(
      b, loc, RankedTensorType::get({m, blocks, w.block}, i8), x,
      SmallVector<ReassociationIndices>{{0}, {1, 2}},
      SmallVector<OpFoldResult>{mFold, b.getIndexAttr(blocks),
                                b.getIndexAttr(w.block)});
  x = tensor::ExpandShapeOp::create(
      b, loc, RankedTensorType::get({m, blocks, groups, 2, 4}, i8), xBlocks,
      SmallVector<ReassociationIndices>{{0}, {1}, {2, 3, 4}},
      SmallVector<OpFoldResult>{mFold, b.getIndexAttr(blocks),
                                b.getIndexAttr(groups), b.getIndexAttr(2),
                                b.getIndexAttr(4)});

  using utils::IteratorType;
  // S[m, g]: the activations' block sums, exact in i32.
  auto sumsType = RankedTensorType::get({m, blocks}, i32);
  AffineExpr e0, e1, e2;
  bindDims(ctx, e0, e1, e2);
  Value sums =
      linalg::GenericOp::create(
          b, loc, TypeRange{sumsType}, ValueRange{xBlocks},
          ValueRange{fill(
              b, loc, emptyTensor(b, loc, sumsType, {mDim, Value()}), 0)},
          SmallVector<AffineMap>{AffineMap::get(3, 0, {e0, e1, e2}, ctx),
                                 AffineMap::get(3, 0, {e0, e1}, ctx)},
          SmallVector<IteratorType>{IteratorType::parallel,
                                    IteratorType::parallel,
                                    IteratorType::reduction},
          [&](OpBuilder &nb, Location l, ValueRange a) {
            linalg::YieldOp::create(
                nb, l,
                Value(arith::AddIOp::create(
                    nb, l, a[1], arith::ExtSIOp::create(nb, l, i32, a[0]))));
          })
          .getResult(0);
  AffineExpr d0, d1, d2, d3, d4, d5, d6;
  bindDims(ctx, d0, d1, d2, d3, d4, d5, d6);
  auto accType = RankedTensorType::get({m, t, lanes}, f32);
  Value init =
      fill(b, loc, emptyTensor(b, loc, accType, {mDim, Value(), Value()}), 0.0);
  SmallVector<AffineMap> maps = {
      AffineMap::get(7, 0, {d0, d3, d4, d5, d6}, ctx),
      AffineMap::get(7, 0, {d1, d3, d4, d2, d6}, ctx),
      AffineMap::get(7, 0, {d1, d3, d2}, ctx),
      AffineMap::get(7, 0, {d1, d3, d2}, ctx),
      AffineMap::get(7, 0, {d0, d3}, ctx),
      AffineMap::get(7, 0, {d0, d1, d2}, ctx)};
  SmallVector<IteratorType> iters(3, IteratorType::parallel);
  iters.append(4, IteratorType::reduction);
  Value acc =
      linalg::GenericOp::create(
          b, loc, TypeRange{accType}, ValueRange{x, p, s, z, sums},
          ValueRange{init}, maps, iters,
          [&](OpBuilder &nb, Location l, ValueRange a) {
            // The low nibble for h = 0, the high one for h = 1.
            Value h = linalg::IndexOp::create(nb, l, 5);
            Value isLow =
                arith::CmpIOp::create(nb, l, arith::CmpIPredicate::eq, h,
                                      arith::ConstantIndexOp::create(nb, l, 0));
            Value lo =
                arith::AndIOp::create(nb, l, a[1], intConst(nb, l, i8, 15));
            Value hi =
                arith::ShRUIOp::create(nb, l, a[1], intConst(nb, l, i8, 4));
            Value nib = arith::ExtUIOp::create(
                nb, l, i32, arith::SelectOp::create(nb, l, isLow, lo, hi));
            Value xi = arith::ExtSIOp::create(nb, l, i32, a[0]);
            Value prod = arith::MulIOp::create(nb, l, nib, xi);
            // The zero point times the block sum, once per block (at
            // c = h = j = 0).
            Value zero = arith::ConstantIndexOp::create(nb, l, 0);
            Value first = isLow;
            for (unsigned d : {4u, 6u})
              first = arith::AndIOp::create(
                  nb, l, first,
                  arith::CmpIOp::create(nb, l, arith::CmpIPredicate::eq,
                                        linalg::IndexOp::create(nb, l, d),
                                        zero));
            Value zs = arith::MulIOp::create(
                nb, l, arith::ExtUIOp::create(nb, l, i32, a[3]), a[4]);
            Value corr = arith::SelectOp::create(nb, l, first, zs,
                                                 intConst(nb, l, i32, 0));
            Value term = arith::MulFOp::create(
                nb, l, a[2],
                arith::SIToFPOp::create(
                    nb, l, f32, arith::SubIOp::create(nb, l, prod, corr)));
            linalg::YieldOp::create(
                nb, l, Value(arith::AddFOp::create(nb, l, a[5], term)));
          })
          .getResult(0);

  // [M, T, 16] -> [M, Np] -> [M, N], times s_x, plus the bias.
  Value y = tensor::CollapseShapeOp::create(
      b, loc, RankedTensorType::get({m, np}, f32), acc,
      SmallVector<ReassociationIndices>{{0}, {1, 2}});
  auto yType = RankedTensorType::get({m, w.n}, f32);
  if (np != w.n) {
    SmallVector<OpFoldResult> offsets = {b.getIndexAttr(0), b.getIndexAttr(0)};
    SmallVector<OpFoldResult> sizes = {mFold, b.getIndexAttr(w.n)};
    SmallVector<OpFoldResult> strides = {b.getIndexAttr(1), b.getIndexAttr(1)};
    y = tensor::ExtractSliceOp::create(b, loc, yType, y, offsets, sizes,
                                       strides);
  }
  SmallVector<Value> inputs = {y, sx};

  Value factor = floatConst(b, loc, f32, typeScale);
  if (bias)
    inputs.push_back(bias);
  return elementwise(b, loc, yType, inputs, y,
                     [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
                       Value r = arith::MulFOp::create(
                           nb, l, a[0],
                           arith::MulFOp::create(nb, l, a[1], factor));
                       if (bias)
                         r = arith::AddFOp::create(nb, l, r, a.back());
                       return r;
                     });
}

/// A product of int8 activations and 4-bit block weights (W4A8), see
/// blockwiseIntegerProduct. Applied by --integer-only, which marks such
/// products illegal (qnn::isInt8BlockwiseProduct).
template <typename OpTy>
struct BlockwiseInt8Product : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  using Adaptor = typename OpTy::Adaptor;
  LogicalResult
  matchAndRewrite(OpTy op, Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    constexpr bool isFC = std::is_same_v<OpTy, FullyConnectedOp>;
    if (!qnn::isInt8BlockwiseProduct(op))
      return rewriter.notifyMatchFailure(op, "not an int8 x int4 product");
    std::optional<Int8Activation> a = matchInt8Activation(op->getOperand(0));
    std::optional<BlockWeights> w =
        matchBlockWeights(op->getOperand(1), isFC ? 1 : 0);
    if (!a || !w)
      return rewriter.notifyMatchFailure(op, "operands changed");
    Location loc = op.getLoc();
    Value q = rewriter.getRemappedValue(a->q);
    Value sx = rewriter.getRemappedValue(a->scale);
    if (!q || !sx)
      return rewriter.notifyMatchFailure(op, "activation not converted");
    Value q2d = rowsOf(rewriter, loc, q);
    if (!q2d)
      return rewriter.notifyMatchFailure(op, "dynamic leading dimension");
    Value bias;
    if constexpr (isFC)
      bias = adaptor.getBias();
    auto outType = cast<RankedTensorType>(op->getResult(0).getType());
    Value y =
        blockwiseIntegerProduct(rewriter, loc, q2d, *w, sx, a->typeScale, bias);
    y = unrows(rewriter, loc, y, outType);
    rewriter.replaceOp(op, epilogue(rewriter, loc, y, Value(),
                                    outType.getRank() - 1,
                                    op.getActivationRange()));
    return success();
  }
};

} // namespace

bool qnn::isInt8BlockwiseProduct(Operation *op) {
  if (!isa<MatMulOp, FullyConnectedOp>(op) || op->getNumOperands() < 2)
    return false;
  auto xt = dyn_cast<RankedTensorType>(op->getOperand(0).getType());
  auto yt = dyn_cast<RankedTensorType>(op->getResult(0).getType());
  if (!xt || !yt || xt.getRank() < 2 || !xt.getElementType().isF32() ||
      !yt.getElementType().isF32())
    return false;
  if (auto mm = dyn_cast<MatMulOp>(op);
      mm && cast<RankedTensorType>(mm.getRhs().getType()).getRank() != 2)
    return false;
  if (isa<FullyConnectedOp>(op) && xt.getRank() != 2)
    return false;
  // Rows are the collapsed leading dimensions (see rowsOf).
  if (xt.getRank() > 2 &&
      llvm::any_of(xt.getShape().drop_back(), ShapedType::isDynamic))
    return false;
  int64_t reductionAxis = isa<FullyConnectedOp>(op) ? 1 : 0;
  return matchInt8Activation(op->getOperand(0)) &&
         isPackableInt4Blocks(op->getOperand(1), reductionAxis);
}

void lowering::populateBlockwiseIntegerPatterns(TypeConverter &converter,
                                                RewritePatternSet &patterns) {
  patterns.add<BlockwiseInt8Product<MatMulOp>,
               BlockwiseInt8Product<FullyConnectedOp>>(converter,
                                                       patterns.getContext());
}
