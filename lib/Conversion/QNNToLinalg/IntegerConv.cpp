//===- IntegerConv.cpp - Quantized convolutions to NHWC integer code ------===//
//
// Part of qopt. The convolution lowering of `--integer-only`: dense
// convolutions in the dot-product layout (groups of 4 u8 or 2 s16 input
// channels), depthwise ones and wide weights through the named NHWC ops,
// zero-point terms folded at compile time; and the i32 accumulator bound
// check the weighted ops share.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"

#include "qopt/Dialect/QNN/Utils/TensorUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/IndexingUtils.h"
#include "mlir/IR/AffineExpr.h"
#include "llvm/Support/FormatVariadic.h"

#include <cmath>

using namespace mlir;
using namespace mlir::qnn;
using namespace mlir::qnn::lowering;
using utils::IteratorType;

namespace {

/// The dot-product convolution's op: acc += x * w over (n, oh, ow, f) and
/// the reductions (kh, kw, cg, k), u8 activations (g = 4) zero-extended,
/// others sign-extended.
Value dotConvGeneric(OpBuilder &b, Location loc, Value x, Value w, Value init,
                     ArrayRef<AffineMap> maps, int64_t g) {
  SmallVector<IteratorType> iters(4, IteratorType::parallel);
  iters.append(4, IteratorType::reduction);
  bool unsignedX = g == 4;
  auto conv = linalg::GenericOp::create(
      b, loc, TypeRange{init.getType()}, ValueRange{x, w}, ValueRange{init},
      maps, iters, [&](OpBuilder &nb, Location l, ValueRange a) {
        Type i32 = nb.getI32Type();
        Value xv = unsignedX ? Value(arith::ExtUIOp::create(nb, l, i32, a[0]))
                             : Value(arith::ExtSIOp::create(nb, l, i32, a[0]));
        Value wv = arith::ExtSIOp::create(nb, l, i32, a[1]);
        Value p = arith::MulIOp::create(nb, l, xv, wv);
        linalg::YieldOp::create(nb, l,
                                Value(arith::AddIOp::create(nb, l, a[2], p)));
      });
  return conv.getResult(0);
}

/// A dense convolution in the dot-product layout: NHWC activations
/// (channels zero-padded to a multiple of `g`) read in groups of `g`
/// channels, times weights packed in panels [F/P, KH, KW, C/g, P, g] (P =
/// panelWidth(F)), accumulated in i32:
///   acc[n, oh, ow, f] += x[n, oh*s+kh*d, ow*s+kw*d, g*cg + k]
///                        * w[f / P, kh, kw, cg, f % P, k]
/// A register tile of P output channels reads one contiguous panel (as
/// upstream's mmt4d data tiling does), so the panel stays in cache while the
/// tile sweeps the output map; in a [KH, KW, C/g, F, g] layout its 128-byte
/// pieces were F*g bytes apart and shared a few cache sets.
/// g = 4 for unsigned 8-bit activations times signed 8-bit weights (x86
/// VNNI vpdpbusd, AArch64 usdot); g = 2 for signed 16-bit activations times
/// 16-bit weights (vpdpwssd). The CPU back end recognises the op by this
/// structure (qcpu::isDotProductConv): it selects the dot-product kernel for
/// it and keeps elementwise fusion from pulling the NHWC permutation into the
/// reduction (see qopt-fuse-elementwise).
///
/// Grouped convolutions (`groups` > 1, each group's input channels a
/// multiple of g and its output channels a multiple of P, so that a panel
/// and a channel group never straddle two groups) read the input channels
/// of output channel f's group: x[..., (f / (F/groups)) * C/groups + g*cg + k].
///
/// With `taps` (one input channel, undilated kernel columns: an STFT or an
/// audio front end), g consecutive kernel columns take the place of the g
/// channels, which would otherwise be one channel and g - 1 zeros (4x the
/// work): x is read as [N, H, W] at x[n, oh*s + kh*d, ow*s + g*kq + k] with
/// weights [F/P, KH, ceil(KW/g), 1, P, g] (the columns past KW zero, the
/// input padded on the right to cover them).
Value createDotConv(OpBuilder &b, Location loc, Value x, Value w, Value init,
                    ArrayRef<int64_t> s, ArrayRef<int64_t> d, int64_t g,
                    int64_t groups = 1, bool taps = false) {
  MLIRContext *ctx = b.getContext();
  auto xt = cast<RankedTensorType>(x.getType());
  auto wt = cast<RankedTensorType>(w.getType());
  int64_t c = xt.getDimSize(3), cg = (c + g - 1) / g, panel = wt.getDimSize(4);
  Type elt = xt.getElementType();
  AffineExpr n, oh, ow, f, kh, kw, ci, k;
  bindDims(ctx, n, oh, ow, f, kh, kw, ci, k);
  // The activations' last index expressions: the column and channel, or
  // with taps the column alone (kw counts groups of g columns).
  SmallVector<AffineExpr> inner;
  if (taps) {
    int64_t width =
        (cast<RankedTensorType>(init.getType()).getDimSize(2) - 1) * s[1] +
        wt.getDimSize(2) * g;
    x = tensor::CollapseShapeOp::create(
        b, loc, x, SmallVector<ReassociationIndices>{{0}, {1}, {2, 3}});
    if (width > xt.getDimSize(2)) {
      SmallVector<OpFoldResult> low(3, b.getIndexAttr(0)), high = low;
      high[2] = b.getIndexAttr(width - xt.getDimSize(2));
      x = tensor::PadOp::create(
          b, loc,
          RankedTensorType::get({xt.getDimSize(0), xt.getDimSize(1), width},
                                elt),
          x, low, high, intConst(b, loc, elt, 0));
    }
    inner = {ow * s[1] + kw * g + k};
  } else {
    if (c % g) {
      SmallVector<OpFoldResult> low(4, b.getIndexAttr(0)), high = low;
      high[3] = b.getIndexAttr(cg * g - c);
      SmallVector<int64_t> shape(xt.getShape());
      shape[3] = cg * g;
      x = tensor::PadOp::create(b, loc, RankedTensorType::get(shape, elt), x,
                                low, high, intConst(b, loc, elt, 0));
    }
    AffineExpr channel = ci * g + k;
    if (groups > 1) {
      int64_t outputs = cast<RankedTensorType>(init.getType()).getDimSize(3);
      channel = f.floorDiv(outputs / groups) * (c / groups) + channel;
    }
    inner = {ow * s[1] + kw * d[1], channel};
  }
  SmallVector<AffineExpr> xExprs = {n, oh * s[0] + kh * d[0]};
  xExprs.append(inner);
  SmallVector<AffineMap> maps = {
      AffineMap::get(8, 0, xExprs, ctx),
      AffineMap::get(8, 0, {f.floorDiv(panel), kh, kw, ci, f % panel, k}, ctx),
      AffineMap::get(8, 0, {n, oh, ow, f}, ctx)};
  return dotConvGeneric(b, loc, x, w, init, maps, g);
}

} // namespace

/// Dense and depthwise quantized convolutions with constant weights lower to
/// NHWC convolutions with every zero-point term moved out of the inner loop:
///   sum (x - zx)(w - zw) = sum x * w' - zx * sum w',   w' = w - zw
/// w' is computed at compile time, and so is zx * sum w' per output channel,
/// which joins the bias in the accumulator's initial value.
///
/// Dense convolutions use the dot-product layout (see createDotConv) with
/// 8-bit activations when w' fits in i8 (signed activations become unsigned,
/// x + 128, zx + 128), and with signed 16-bit activations (w' in i16). The
/// others lower to the named NHWC ops (as float
/// convolutions do in convert-qnn-to-linalg) with w' in i8 or i16; unsigned
/// activations are then mapped to signed ones by flipping the sign bit
/// (x - 128, zx - 128) while permuting to NHWC, because the named ops
/// sign-extend. Padding uses the (mapped) zero point.
/// Returns null when the convolution does not qualify.
Value lowering::lowerConvNHWC(Conv2DOp op, Value input, Value bias,
                              ConversionPatternRewriter &rewriter,
                              const QParams &xp, const QParams &wp,
                              bool eightBitDots) {
  auto qc = op.getWeight().getDefiningOp<QConstOp>();
  auto wt = cast<RankedTensorType>(op.getWeight().getType());
  auto xt = cast<RankedTensorType>(input.getType());
  auto ot = op.getOutput().getType();
  if (!qc || !wt.hasStaticShape() || xt.getRank() != 4 ||
      ot.isDynamicDim(1) || ot.isDynamicDim(2) || ot.isDynamicDim(3))
    return Value(); // the generic NCHW form handles dynamic spatial sizes
  
  int64_t f = wt.getDimSize(0), cpg = wt.getDimSize(1), kh = wt.getDimSize(2),
          kw = wt.getDimSize(3), group = op.getGroup();
  int64_t c = xt.getDimSize(1);
  bool depthwise = group > 1 && group == c && f == c && cpg == 1;
  bool grouped = group > 1 && !depthwise;
  Location loc = op.getLoc();
  MLIRContext *ctx = rewriter.getContext();
  Type i8 = rewriter.getI8Type(), i32 = rewriter.getI32Type();

  // w'[f][c][kh][kw] = w - zw[f], and its per-channel sums.
  SmallVector<int64_t> wv;
  for (APInt v : qc.getValue().getValues<APInt>())
    wv.push_back(wp.isSigned ? v.getSExtValue() : (int64_t)v.getZExtValue());
  int64_t perF = cpg * kh * kw;
  SmallVector<int64_t> sums(f, 0);
  bool fitsI8 = true;
  for (auto [i, v] : llvm::enumerate(wv)) { // in place: wv becomes w'
    int64_t ch = i / perF;
    v -= wp.zps[wp.perTensor() ? 0 : ch];
    sums[ch] += v;
    fitsI8 &= v >= -128 && v <= 127;
  }
  // Dot-product layout: groups of 4 channels for 8-bit activations (u8 x
  // s8, so w' must fit i8), of 2 for signed 16-bit ones (s16 x s16).
  // Without 8-bit dot products (x86 AVX2), 8-bit activations are widened
  // to 16 bits and take the pair layout: vpmaddwd is exact, while the
  // 8-bit vpmaddubsw saturates (255 * 127 * 2 > 32767).
  bool widen = xp.width == 8 && !eightBitDots && !depthwise;
  int64_t g = xp.width == 8 && !widen ? 4 : 2;
  bool dot = !depthwise && (widen || (xp.width == 8 && fitsI8) ||
                            (xp.width == 16 && xp.isSigned));
  // Grouped convolutions only in the dot-product layout, with groups of
  // whole channel groups and whole panels (else the generic NCHW form).
  if (grouped && (!dot || cpg % g || (f / group) % panelWidth(f / group)))
    return Value();
  // One input channel and undilated kernel columns: g columns per group.
  bool taps =
      dot && group == 1 && c == 1 && kw >= 2 * g && op.getDilations()[1] == 1;
  bool wide = !fitsI8 || (dot && g == 2);
  Type wElt = wide ? rewriter.getI16Type() : i8;
  unsigned wBits = wide ? 16 : 8;
  // [F, C, KH, KW] -> [KH, KW, C, F] (dense), [KH, KW, C] (depthwise) or
  // [F/P, KH, KW, C/g, P, g] (dot-product panels, C padded with zeros).
  // With taps, kernel column x is column x / g of the panels and channel
  // x % g of its group (one group per column group).
  int64_t panel = panelWidth(f / group), panels = (f + panel - 1) / panel;
  int64_t cols = taps ? (kw + g - 1) / g : kw;
  int64_t cg = taps ? 1 : (cpg + g - 1) / g;
  SmallVector<int64_t> wShape =
      dot         ? SmallVector<int64_t>{panels, kh, cols, cg, panel, g}
      : depthwise ? SmallVector<int64_t>{kh, kw, f}
                  : SmallVector<int64_t>{kh, kw, cpg, f};
  SmallVector<APInt> wPacked(ShapedType::getNumElements(wShape),
                             APInt(wBits, 0));
  for (int64_t o = 0; o < f; ++o)
    for (int64_t ci = 0; ci < cpg; ++ci)
      for (int64_t y = 0; y < kh; ++y)
        for (int64_t x = 0; x < kw; ++x) {
          int64_t src = ((o * cpg + ci) * kh + y) * kw + x;
          int64_t col = taps ? x / g : x, chan = taps ? x % g : ci;
          int64_t dst =
              dot ? (((((o / panel) * kh + y) * cols + col) * cg + chan / g) *
                         panel +
                     o % panel) *
                            g +
                        chan % g
              : depthwise ? (y * kw + x) * f + o
                          : ((y * kw + x) * cpg + ci) * f + o;
          wPacked[dst] = APInt(wBits, wv[src], /*isSigned=*/true);
        }
  Value w = arith::ConstantOp::create(
      rewriter, loc,
      DenseElementsAttr::get(RankedTensorType::get(wShape, wElt), wPacked));

  // Activations: NCHW -> NHWC; signed 8-bit -> unsigned for the dot-product
  // layout, unsigned -> signed for the named ops.
  int64_t zx = xp.zps[0];
  bool toUnsigned = dot && g == 4 && xp.isSigned;
  bool toSigned = !dot && !xp.isSigned;
  bool flip = toUnsigned || toSigned;
  if (flip)
    zx += toUnsigned ? 128 : -128;
  // Widened (x86 without VNNI): the same values in i16, u8 zero-extended,
  // i8 sign-extended.
  Type i16 = rewriter.getI16Type();
  bool isUnsigned = !xp.isSigned;
  Value x = createPermutation(
      rewriter, loc, input, {0, 2, 3, 1},
      [&](OpBuilder &b, Location l, Value v) -> Value {
        if (flip)
          v = arith::XOrIOp::create(b, l, v, intConst(b, l, v.getType(), 0x80));
        if (!widen)
          return v;
        return isUnsigned ? Value(arith::ExtUIOp::create(b, l, i16, v))
                          : Value(arith::ExtSIOp::create(b, l, i16, v));
      },
      widen ? i16 : Type());
  Type xElt = cast<RankedTensorType>(x.getType()).getElementType();
  Value zxValue = arith::ConstantOp::create(
      rewriter, loc, xElt,
      rewriter.getIntegerAttr(xElt,
                              storageBits(zx, xElt.getIntOrFloatBitWidth())));
  x = createPadNHWC(rewriter, loc, x, op.getPads(), zxValue);

  // Accumulator init: bias[f] - zx * sum w'[f].
  auto outT = op.getOutput().getType();
  SmallVector<int64_t> outShape = {outT.getDimSize(0), outT.getDimSize(2),
                                   outT.getDimSize(3), f};
  SmallVector<Value> batch = dimValues(rewriter, loc, input);
  Value empty = emptyTensor(rewriter, loc, outShape, i32,
                            {batch[0], Value(), Value(), Value()});
  SmallVector<int64_t> corr;
  for (int64_t sum : sums)
    corr.push_back(-zx * sum);
  SmallVector<Value> initInputs = {channelConst(rewriter, loc, corr)};
  if (bias)
    initInputs.push_back(bias);
  AffineMap chan = AffineMap::get(4, 0, {rewriter.getAffineDimExpr(3)}, ctx);
  SmallVector<AffineMap> maps(initInputs.size(), chan);
  maps.push_back(rewriter.getMultiDimIdentityMap(4));
  Value init = linalg::GenericOp::create(
                   rewriter, loc, TypeRange{empty.getType()}, initInputs,
                   ValueRange{empty}, maps,
                   SmallVector<IteratorType>(4, IteratorType::parallel),
                   [](OpBuilder &b, Location l, ValueRange a) {
                     Value v = a[0];
                     if (a.size() > 2)
                       v = arith::AddIOp::create(b, l, v, a[1]);
                     linalg::YieldOp::create(b, l, v);
                   })
                   .getResult(0);
  if (dot)
    return createDotConv(rewriter, loc, x, w, init, op.getStrides(),
                         op.getDilations(), g, grouped ? group : 1, taps);
  return createConvNHWC(rewriter, loc, x, w, init, op.getStrides(),
                        op.getDilations(), depthwise);
}

/// The i32 accumulator of a quantized op is safe when, for every output
/// channel c, |bias[c]| + max|x - zx| * sum_k |w[c, k] - zw[c]| < 2^31
/// (without constant weights: K * max|w - zw|). 8-bit activations only
/// overflow beyond K = 66000; 16-bit ones (16x8) already near K = 500, so the
/// bound is checked at compile time and an overflowing layer is an error
/// naming it, never a wrapped result.
LogicalResult lowering::checkAccumulatorBound(Operation *op, Value weight,
                                              Value bias, int64_t channelAxis,
                                              const QParams &xp,
                                              const QParams &wp) {
  double xMax = std::max(std::fabs(double(xp.qmin - xp.zps[0])),
                         std::fabs(double(xp.qmax - xp.zps[0])));
  auto wt = cast<RankedTensorType>(weight.getType());
  if (!wt.hasStaticShape())
    return success();
  int64_t channels = wt.getDimSize(channelAxis);
  int64_t perChannel = wt.getNumElements() / std::max<int64_t>(1, channels);
  SmallVector<double> sums(channels, 0.0);
  auto zw = [&](int64_t c) { return double(wp.zps[wp.perTensor() ? 0 : c]); };
  if (auto qc = weight.getDefiningOp<QConstOp>()) {
    SmallVector<int64_t> strides = computeStrides(wt.getShape());
    int64_t i = 0;
    for (APInt v : qc.getValue().getValues<APInt>()) {
      int64_t c = (i / strides[channelAxis]) % channels;
      double w =
          wp.isSigned ? double(v.getSExtValue()) : double(v.getZExtValue());
      sums[c] += std::fabs(w - zw(c));
      ++i;
    }
  } else {
    for (int64_t c = 0; c < channels; ++c)
      sums[c] = perChannel * std::max(std::fabs(wp.qmin - zw(c)),
                                      std::fabs(wp.qmax - zw(c)));
  }
  SmallVector<double> b(channels, 0.0);
  if (bias)
    if (auto qc = bias.getDefiningOp<QConstOp>()) {
      auto values = llvm::to_vector(qc.getValue().getValues<APInt>());
      for (int64_t c = 0; c < channels && c < (int64_t)values.size(); ++c)
        b[c] = std::fabs(double(values[c].getSExtValue()));
    }
  for (int64_t c = 0; c < channels; ++c) {
    double bound = b[c] + xMax * sums[c];
    if (bound > 2147483647.0)
      return op->emitError("the i32 accumulator of output channel ")
             << c << " can overflow (|acc| up to "
             << llvm::formatv("{0:F0}", bound).str() << " with "
             << xp.width
             << "-bit activations); keep this layer at 8-bit activations or "
                "float (per-layer config)";
  }
  return success();
}
