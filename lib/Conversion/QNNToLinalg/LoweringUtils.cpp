//===- LoweringUtils.cpp - Shared helpers of the qnn lowerings ------------===//
//
// Part of qopt. See LoweringUtils.h.
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

//===----------------------------------------------------------------------===//
// Tensors and elementwise generics
//===----------------------------------------------------------------------===//

namespace mlir::qnn::lowering {

/// tensor.empty of `type`; dynamic dim i is taken from `dims[i]`.
Value emptyTensor(OpBuilder &b, Location loc, RankedTensorType type,
                  ArrayRef<Value> dims) {
  return createEmptyTensor(b, loc, type.getShape(), type.getElementType(),
                           dims);
}

Value emptyTensor(OpBuilder &b, Location loc, ArrayRef<int64_t> shape, Type et,
                  ArrayRef<Value> dims) {
  return createEmptyTensor(b, loc, shape, et, dims);
}

SmallVector<Value> dimValues(OpBuilder &b, Location loc, Value v) {
  return getDimValues(b, loc, v);
}

/// An empty result tensor whose dynamic dims equal those of `like` at the same
/// positions (true for the batch dimension of every op lowered here).
Value emptyLike(OpBuilder &b, Location loc, RankedTensorType type, Value like) {
  return emptyTensor(b, loc, type, dimValues(b, loc, like));
}

Value reduceAllElements(
    OpBuilder &b, Location loc, Value x, double init,
    function_ref<Value(OpBuilder &, Location, Value, Value)> combine) {
  auto t = cast<RankedTensorType>(x.getType());
  Type et = t.getElementType();
  MLIRContext *ctx = b.getContext();
  auto body = [&](OpBuilder &nb, Location l, ValueRange a) {
    linalg::YieldOp::create(nb, l, combine(nb, l, a[1], a[0]));
  };
  Value scalarInit = fill(
      b, loc, tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{}, et), init);
  auto toScalar = [&](Value v) {
    int64_t r = cast<RankedTensorType>(v.getType()).getRank();
    return linalg::GenericOp::create(
               b, loc, TypeRange{scalarInit.getType()}, ValueRange{v},
               ValueRange{scalarInit},
               SmallVector<AffineMap>{b.getMultiDimIdentityMap(r),
                                      AffineMap::get(r, 0, {}, ctx)},
               SmallVector<IteratorType>(r, IteratorType::reduction), body)
        .getResult(0);
  };
  int64_t lanes = 0;
  if (t.hasStaticShape() && t.getRank() > 0)
    for (int64_t l : {64, 32, 16})
      if (t.getNumElements() % l == 0 && t.getNumElements() >= 4 * l) {
        lanes = l;
        break;
      }
  if (!lanes)
    return toScalar(x);
  int64_t n = t.getNumElements();
  Value flat = x;
  if (t.getRank() > 1) {
    SmallVector<ReassociationIndices> all(1);
    for (int64_t d = 0; d < t.getRank(); ++d)
      all[0].push_back(d);
    flat = tensor::CollapseShapeOp::create(b, loc, x, all);
  }
  Value rows = tensor::ExpandShapeOp::create(
      b, loc, RankedTensorType::get({n / lanes, lanes}, et), flat,
      SmallVector<ReassociationIndices>{{0, 1}});
  Value partInit =
      fill(b, loc,
           tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{lanes}, et), init);
  Value part = linalg::GenericOp::create(
                   b, loc, TypeRange{partInit.getType()}, ValueRange{rows},
                   ValueRange{partInit},
                   SmallVector<AffineMap>{
                       b.getMultiDimIdentityMap(2),
                       AffineMap::get(2, 0, {getAffineDimExpr(1, ctx)}, ctx)},
                   SmallVector<IteratorType>{IteratorType::reduction,
                                             IteratorType::parallel},
                   body)
                   .getResult(0);
  return toScalar(part);
}

Value floatConst(OpBuilder &b, Location loc, Type t, double v) {
  return arith::ConstantOp::create(b, loc, t, b.getFloatAttr(t, v));
}

Value fill(OpBuilder &b, Location loc, Value init, double v) {
  Type et = cast<RankedTensorType>(init.getType()).getElementType();
  Value c = isa<IntegerType>(et) ? intConst(b, loc, et, (int64_t)v)
                                 : floatConst(b, loc, et, v);
  return linalg::FillOp::create(b, loc, c, init).getResult(0);
}

double lowest(Type t) {
  return -llvm::APFloat::getLargest(cast<FloatType>(t).getFloatSemantics())
              .convertToDouble();
}

/// Map of an operand broadcast (numpy rules) into a result of rank `rank`.
AffineMap broadcastMap(MLIRContext *ctx, ArrayRef<int64_t> operandShape,
                       ArrayRef<int64_t> resultShape) {
  int64_t rank = resultShape.size(), offset = rank - operandShape.size();
  SmallVector<AffineExpr> exprs;
  for (auto [i, d] : llvm::enumerate(operandShape)) {
    int64_t r = resultShape[offset + i];
    exprs.push_back(d == 1 && r != 1 ? getAffineConstantExpr(0, ctx)
                                     : getAffineDimExpr(offset + i, ctx));
  }
  return AffineMap::get(rank, 0, exprs, ctx);
}

/// Applies a fused activation to a scalar.
Value applyActivation(OpBuilder &b, Location loc, Value x,
                      std::pair<double, double> range) {
  Type t = x.getType();
  if (range.first > -std::numeric_limits<double>::infinity())
    x = arith::MaximumFOp::create(b, loc, x,
                                  floatConst(b, loc, t, range.first));
  if (range.second < std::numeric_limits<double>::infinity())
    x = arith::MinimumFOp::create(b, loc, x,
                                  floatConst(b, loc, t, range.second));
  return x;
}

/// A parallel elementwise generic over `result` type. `inputs` are broadcast
/// into it; `body` maps the input scalars to the output scalar.
Value elementwise(OpBuilder &b, Location loc, RankedTensorType resultType,
                  ValueRange inputs, Value like,
                  function_ref<Value(OpBuilder &, Location, ValueRange)> body,
                  ArrayRef<AffineMap> explicitMaps) {
  MLIRContext *ctx = b.getContext();
  int64_t rank = resultType.getRank();
  SmallVector<AffineMap> maps;
  for (auto [i, in] : llvm::enumerate(inputs)) {
    if (i < explicitMaps.size() && explicitMaps[i]) {
      maps.push_back(explicitMaps[i]);
      continue;
    }
    maps.push_back(broadcastMap(ctx,
                                cast<RankedTensorType>(in.getType()).getShape(),
                                resultType.getShape()));
  }
  maps.push_back(AffineMap::getMultiDimIdentityMap(rank, ctx));
  Value init = emptyLike(b, loc, resultType, like);
  SmallVector<IteratorType> iters(rank, IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{resultType}, inputs, ValueRange{init}, maps, iters,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value r = body(nb, nl, args.drop_back());
        linalg::YieldOp::create(nb, nl, r);
      });
  return generic.getResult(0);
}

/// The bias + activation epilogue of conv / fully_connected / matmul:
/// out = act(acc + bias[channel]).
Value epilogue(OpBuilder &b, Location loc, Value acc, Value bias,
               int64_t channelDim, std::pair<double, double> range) {
  auto type = cast<RankedTensorType>(acc.getType());
  bool hasAct = range.first > -std::numeric_limits<double>::infinity() ||
                range.second < std::numeric_limits<double>::infinity();
  if (!bias && !hasAct)
    return acc;
  SmallVector<Value> inputs = {acc};
  SmallVector<AffineMap> maps = {
      AffineMap::getMultiDimIdentityMap(type.getRank(), b.getContext())};
  if (bias) {
    inputs.push_back(bias);
    maps.push_back(AffineMap::get(
        type.getRank(), 0, {b.getAffineDimExpr(channelDim)}, b.getContext()));
  }
  return elementwise(
      b, loc, type, inputs, acc,
      [&](OpBuilder &nb, Location nl, ValueRange a) {
        Value x = a[0];
        if (a.size() > 1)
          x = arith::AddFOp::create(nb, nl, x, a[1]);
        return applyActivation(nb, nl, x, range);
      },
      maps);
}

/// Pads the two spatial dims of an NCHW tensor.
Value padSpatial(OpBuilder &b, Location loc, Value x, ArrayRef<int64_t> pads,
                 double value, ArrayRef<int64_t> extraHigh) {
  if (llvm::all_of(pads, [](int64_t p) { return p == 0; }) &&
      extraHigh[0] == 0 && extraHigh[1] == 0)
    return x;
  auto t = cast<RankedTensorType>(x.getType());
  SmallVector<int64_t> shape(t.getShape());
  for (int i = 0; i < 2; ++i)
    if (shape[2 + i] != kDyn)
      shape[2 + i] += pads[i] + pads[2 + i] + extraHigh[i];
  auto padType = RankedTensorType::get(shape, t.getElementType());
  SmallVector<OpFoldResult> low = {b.getIndexAttr(0), b.getIndexAttr(0),
                                   b.getIndexAttr(pads[0]),
                                   b.getIndexAttr(pads[1])};
  SmallVector<OpFoldResult> high = {b.getIndexAttr(0), b.getIndexAttr(0),
                                    b.getIndexAttr(pads[2] + extraHigh[0]),
                                    b.getIndexAttr(pads[3] + extraHigh[1])};
  return tensor::PadOp::create(b, loc, padType, x, low, high,
                               floatConst(b, loc, t.getElementType(), value));
}

Value permute(OpBuilder &b, Location loc, Value x, ArrayRef<int64_t> perm) {
  return createPermutation(b, loc, x, perm);
}

int64_t panelWidth(int64_t f) {
  for (int64_t p : {32, 16})
    if (f % p == 0)
      return p;
  // Fewer than 16 channels are one panel; more take panels of 16, the last
  // padded with zero weights and run by a narrower remainder tile (24
  // channels: 16 + 8 instead of three 8-channel tiles, each of which spent
  // one broadcast per multiply-add with AVX2).
  return f < 16 ? f : 16;
}

Value windowReduceNHWC(
    OpBuilder &b, Location loc, Value x, Type resultElt,
    ArrayRef<int64_t> outShape, ArrayRef<int64_t> kernel,
    ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations,
    ArrayRef<int64_t> pads, Value padValue, Value initValue,
    function_ref<Value(OpBuilder &, Location, Value, Value)> combine) {
  MLIRContext *ctx = b.getContext();
  auto xt = cast<RankedTensorType>(x.getType());
  Value nhwc = permute(b, loc, x, {0, 2, 3, 1});
  // Explicit pads, then enough high padding for the last (ceil-mode) window.
  SmallVector<int64_t> padded = {0, 0, 0, 0};
  for (int i = 0; i < 2; ++i) {
    int64_t need = (outShape[2 + i] - 1) * strides[i] +
                   dilations[i] * (kernel[i] - 1) + 1;
    int64_t have = xt.getDimSize(2 + i) + pads[i] + pads[2 + i];
    padded[i] = pads[i];
    padded[2 + i] = pads[2 + i] + std::max<int64_t>(0, need - have);
  }
  nhwc = createPadNHWC(b, loc, nhwc, padded, padValue);
  SmallVector<int64_t> outNHWC = {outShape[0], outShape[2], outShape[3],
                                  outShape[1]};
  SmallVector<Value> dims = dimValues(b, loc, nhwc);
  SmallVector<Value> outDims = {dims[0], Value(), Value(), Value()};
  Value init =
      linalg::FillOp::create(b, loc, initValue,
                             emptyTensor(b, loc, outNHWC, resultElt, outDims))
          .getResult(0);
  // Loops (n, oh, ow, c, kh, kw); the window tensor only gives kh, kw their
  // extents.
  AffineExpr n, oh, ow, c, kh, kw;
  bindDims(ctx, n, oh, ow, c, kh, kw);
  SmallVector<AffineMap> maps = {
      AffineMap::get(6, 0,
                     {n, oh * strides[0] + kh * dilations[0],
                      ow * strides[1] + kw * dilations[1], c},
                     ctx),
      AffineMap::get(6, 0, {kh, kw}, ctx), AffineMap::get(6, 0, {n, oh, ow, c}, ctx)};
  SmallVector<IteratorType> iters(4, IteratorType::parallel);
  iters.append(2, IteratorType::reduction);
  Value window = tensor::EmptyOp::create(b, loc, kernel, xt.getElementType());
  Value y = linalg::GenericOp::create(
                b, loc, TypeRange{init.getType()}, ValueRange{nhwc, window},
                ValueRange{init}, maps, iters,
                [&](OpBuilder &nb, Location l, ValueRange a) {
                  linalg::YieldOp::create(nb, l, combine(nb, l, a[2], a[0]));
                })
                .getResult(0);
  return permute(b, loc, y, {0, 3, 1, 2});
}

/// `w` permuted by `perm`, folded at compile time when `w` is a constant.
Value permuteWeights(OpBuilder &b, Location loc, Value w,
                     ArrayRef<int64_t> perm) {
  auto t = cast<RankedTensorType>(w.getType());
  std::optional<SmallVector<double>> values = getConstantFloatValues(w);
  if (!values || !t.hasStaticShape())
    return permute(b, loc, w, perm);
  SmallVector<int64_t> shape, inStrides(t.getRank(), 1);
  for (int64_t i = t.getRank() - 2; i >= 0; --i)
    inStrides[i] = inStrides[i + 1] * t.getDimSize(i + 1);
  for (int64_t p : perm)
    shape.push_back(t.getDimSize(p));
  SmallVector<double> out(values->size());
  SmallVector<int64_t> idx(shape.size(), 0);
  for (double &o : out) {
    int64_t src = 0;
    for (auto [k, p] : llvm::enumerate(perm))
      src += idx[k] * inStrides[p];
    o = (*values)[src];
    for (int64_t k = shape.size() - 1; k >= 0 && ++idx[k] == shape[k]; --k)
      idx[k] = 0;
  }
  auto type = RankedTensorType::get(shape, t.getElementType());
  return arith::ConstantOp::create(
      b, loc, type, createFloatElements(type, out, "conv_weights_hwcf"));
}

/// Reshape to a static-or-batch-dynamic shape through a shape tensor.
Value reshapeTensor(OpBuilder &b, Location loc, Value src,
                    RankedTensorType resultType) {
  auto srcType = cast<RankedTensorType>(src.getType());
  if (srcType == resultType)
    return src;
  SmallVector<Value> dims;
  Value dynamicExtent;
  if (!resultType.hasStaticShape()) {
    // The one dynamic result dim is numel(src) / (product of static dims).
    Value numel = arith::ConstantIndexOp::create(b, loc, 1);
    for (Value d : dimValues(b, loc, src))
      numel = arith::MulIOp::create(b, loc, numel, d);
    int64_t known = 1;
    for (int64_t d : resultType.getShape())
      if (d != kDyn)
        known *= d;
    dynamicExtent = arith::DivUIOp::create(
        b, loc, numel, arith::ConstantIndexOp::create(b, loc, known));
  }
  for (int64_t d : resultType.getShape())
    dims.push_back(d == kDyn
                       ? dynamicExtent
                       : Value(arith::ConstantIndexOp::create(b, loc, d)));
  // Typed explicitly: a rank-0 result has no dims to infer the type from.
  Value shape = tensor::FromElementsOp::create(
      b, loc, RankedTensorType::get({(int64_t)dims.size()}, b.getIndexType()),
      dims);
  return tensor::ReshapeOp::create(b, loc, resultType, src, shape);
}

bool isFloatTensor(Type t) {
  return isa<FloatType>(cast<RankedTensorType>(t).getElementType());
}

//===----------------------------------------------------------------------===//
// Quantization parameters and integer helpers
//===----------------------------------------------------------------------===//

std::optional<QParams> getParams(Type t) {
  auto q = dyn_cast<quant::QuantizedType>(getElementTypeOrSelf(t));
  if (!q)
    return std::nullopt;
  QParams p;
  p.isSigned = q.isSigned();
  p.width = q.getStorageTypeIntegralWidth();
  p.qmin = q.getStorageTypeMin();
  p.qmax = q.getStorageTypeMax();
  if (!isa<quant::UniformQuantizedType, quant::UniformQuantizedPerAxisType>(q))
    return std::nullopt;
  UniformParams u = getUniformParams(q);
  p.scales = u.scales;
  p.zps = u.zeroPoints;
  p.axis = u.axis;
  return p;
}

Value intConst(OpBuilder &b, Location loc, Type t, int64_t v) {
  return arith::ConstantOp::create(b, loc, t, b.getIntegerAttr(t, v));
}

/// Integer of any width -> i32, honouring the storage signedness.
Value extTo32(OpBuilder &b, Location loc, Value v, bool isSigned) {
  Type i32 = b.getI32Type();
  if (v.getType() == i32)
    return v;
  if (isSigned)
    return arith::ExtSIOp::create(b, loc, i32, v);
  return arith::ExtUIOp::create(b, loc, i32, v);
}

/// A 1-D i32 constant of per-channel values.
Value channelConst(OpBuilder &b, Location loc, ArrayRef<int64_t> values) {
  SmallVector<int32_t> v(values.begin(), values.end());
  auto t = RankedTensorType::get({(int64_t)v.size()}, b.getI32Type());
  return arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(t, ArrayRef<int32_t>(v)));
}

/// The storage bit pattern of an integer value (u8 128 is i8 -128).
APInt storageBits(int64_t v, unsigned width) {
  return APInt(64, v, /*isSigned=*/true).trunc(width);
}

/// qnn.rescale of an i32 accumulator by `realMultipliers` (one, or one per
/// entry of `axis`) into `out` storage, adding `outZp`.
Value rescale(OpBuilder &b, Location loc, Value acc,
              ArrayRef<double> realMultipliers, int64_t axis, int64_t inZp,
              const QParams &out, RoundingMode rounding, bool inUnsigned) {
  auto accType = cast<RankedTensorType>(acc.getType());
  SmallVector<int32_t> mults, shifts;
  for (double m : realMultipliers) {
    FixedPointMultiplier f = quantizeMultiplier(m);
    mults.push_back(f.multiplier);
    shifts.push_back(f.shift);
  }
  Type outElt = b.getIntegerType(out.width);
  auto outType = RankedTensorType::get(accType.getShape(), outElt);
  auto op = RescaleOp::create(
      b, loc, outType, acc, b.getDenseI32ArrayAttr(mults),
      b.getDenseI32ArrayAttr(shifts), b.getI64IntegerAttr(inZp),
      b.getI64IntegerAttr(out.zps[0]),
      RoundingModeAttr::get(b.getContext(), rounding),
      mults.size() > 1 ? b.getI64IntegerAttr(axis) : IntegerAttr(),
      b.getBoolAttr(inUnsigned), b.getBoolAttr(!out.isSigned));
  return op.getResult();
}

/// Clamps storage integers to the quantized image of a fused activation.
Value clampActivation(OpBuilder &b, Location loc, Value v, const QParams &out,
                      std::pair<double, double> range) {
  double s = out.scales[0];
  int64_t z = out.zps[0];
  int64_t lo = out.qmin, hi = out.qmax;
  // In double first: bounds like -FLT_MAX must not overflow int64.
  double qlo = z + std::nearbyint(range.first / s);
  double qhi = z + std::nearbyint(range.second / s);
  if (qlo > (double)lo)
    lo = qlo > (double)hi ? hi : (int64_t)qlo;
  if (qhi < (double)hi)
    hi = qhi < (double)lo ? lo : (int64_t)qhi;
  if (lo == out.qmin && hi == out.qmax)
    return v;
  auto t = cast<RankedTensorType>(v.getType());
  Type et = t.getElementType();
  int64_t rank = t.getRank();
  SmallVector<AffineMap> maps(2, b.getMultiDimIdentityMap(rank));
  SmallVector<IteratorType> iters(rank, IteratorType::parallel);
  Value init = emptyTensor(b, loc, t.getShape(), et, dimValues(b, loc, v));
  return linalg::GenericOp::create(
             b, loc, TypeRange{t}, ValueRange{v}, ValueRange{init}, maps, iters,
             [&](OpBuilder &nb, Location l, ValueRange a) {
               Value loC = arith::ConstantOp::create(
                   nb, l, et,
                   nb.getIntegerAttr(et, storageBits(lo, out.width)));
               Value hiC = arith::ConstantOp::create(
                   nb, l, et,
                   nb.getIntegerAttr(et, storageBits(hi, out.width)));
               Value r = a[0];
               if (out.isSigned) {
                 r = arith::MaxSIOp::create(nb, l, r, loC);
                 r = arith::MinSIOp::create(nb, l, r, hiC);
               } else {
                 r = arith::MaxUIOp::create(nb, l, r, loC);
                 r = arith::MinUIOp::create(nb, l, r, hiC);
               }
               linalg::YieldOp::create(nb, l, r);
             })
      .getResult(0);
}

/// Requantizes an accumulator with scale s_acc[c] into `out` (skipping the
/// rescale when it is the identity, e.g. ConvInteger's i32 result).
Value requantizeAccumulator(OpBuilder &b, Location loc, Value acc,
                            ArrayRef<double> accScales, int64_t channelAxis,
                            const QParams &out, RoundingMode rounding,
                            ScaleMath math,
                            std::pair<double, double> activation) {
  SmallVector<double> mults;
  for (double s : accScales)
    mults.push_back(math.div(s, out.scales[0]));
  bool identity = out.width == 32 && out.zps[0] == 0 &&
                  llvm::all_of(mults, [](double m) { return m == 1.0; });
  Value r = identity ? acc
                     : rescale(b, loc, acc, mults, channelAxis, 0, out,
                               rounding, /*inUnsigned=*/false);
  return clampActivation(b, loc, r, out, activation);
}

/// Accumulator scales s_x * s_w[c].
SmallVector<double> accScales(const QParams &x, const QParams &w,
                              ScaleMath math) {
  SmallVector<double> s;
  for (double ws : w.scales)
    s.push_back(math.mul(x.scales[0], ws));
  return s;
}

} // namespace mlir::qnn::lowering
