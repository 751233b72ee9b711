//===- QuantizedOps.cpp - ONNX quantized ops ------------------------------===//
//
// Part of qopt. QDQ (QuantizeLinear, DequantizeLinear) and QOperator
// (QLinearConv, QLinearMatMul, ConvInteger, MatMulInteger) models.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "qopt/Dialect/QNN/IR/QNN.h"
#include "qopt/Dialect/QNN/Utils/ConstantUtils.h"
#include "qopt/Support/Sizes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Traits.h"

using namespace mlir;
using namespace mlir::qnn;
using namespace qopt::onnx_import;

/// The signless storage type and signedness of an ONNX integer type.
static std::pair<IntegerType, bool> storageOf(Type t) {
  auto i = cast<IntegerType>(t);
  return {IntegerType::get(t.getContext(), i.getWidth()), !i.isUnsigned()};
}

FailureOr<quant::QuantizedType>
Importer::quantType(const onnx::NodeProto &node, int scaleIdx, int zpIdx,
                    Type storageIfNoZp, int64_t rank, int64_t axis) {
  auto scales = getConstFloats(node.input(scaleIdx));
  if (!scales)
    return unsupported(node, "a scale that is not a constant");
  SmallVector<int64_t> zps(scales->size(), 0);
  Type storage = storageIfNoZp;
  if (hasInput(node, zpIdx)) {
    auto z = getConstInts(node.input(zpIdx));
    if (!z)
      return unsupported(node, "a zero point that is not a constant");
    ElementsAttr za = getConst(node.input(zpIdx));
    storage = za.getElementType();
    // uint8 zero points are unsigned: read them zero-extended.
    zps.clear();
    for (APInt v : za.getValues<APInt>())
      zps.push_back(cast<IntegerType>(storage).isUnsigned()
                        ? (int64_t)v.getZExtValue()
                        : v.getSExtValue());
    if (zps.size() != scales->size())
      return nodeError(node) << "scale has " << scales->size()
                             << " values but zero point has " << zps.size();
  }
  if (!isa<IntegerType>(storage))
    return unsupported(node, "a non-integer quantized type");
  auto [st, isSigned] = storageOf(storage);
  unsigned flags = isSigned ? quant::QuantizationFlags::Signed : 0;
  int64_t qmin = quant::QuantizedType::getDefaultMinimumForInteger(
      isSigned, st.getWidth());
  int64_t qmax = quant::QuantizedType::getDefaultMaximumForInteger(
      isSigned, st.getWidth());
  for (double sc : *scales)
    if (!(sc > 0) || !std::isfinite(sc))
      return nodeError(node)
             << "scale " << sc << " must be positive and finite";
  for (int64_t z : zps)
    if (z < qmin || z > qmax)
      return nodeError(node) << "zero point " << z << " is outside [" << qmin
                             << ", " << qmax << "]";
  Type f32 = builder.getF32Type();
  if (scales->size() == 1 &&
      getConst(node.input(scaleIdx)).getShapedType().getRank() <= 1)
    return cast<quant::QuantizedType>(quant::UniformQuantizedType::get(
        flags, st, f32, (*scales)[0], zps[0], qmin, qmax));
  if (axis < 0)
    axis += rank;
  if (axis < 0 || axis >= rank)
    return nodeError(node) << "quantization axis " << axis
                           << " is out of range for rank " << rank;
  return cast<quant::QuantizedType>(quant::UniformQuantizedPerAxisType::get(
      flags, st, f32, *scales, zps, axis, qmin, qmax));
}

Value Importer::toQuant(Location loc, Value v, quant::QuantizedType q) {
  auto t = cast<RankedTensorType>(v.getType());
  if (t.getElementType() == q)
    return v;
  if (isa<quant::QuantizedType>(t.getElementType()))
    v = toRaw(loc, v); // reinterpret the stored integers (ONNX semantics)
  t = cast<RankedTensorType>(v.getType());
  auto storage = RankedTensorType::get(t.getShape(), q.getStorageType());
  if (t != storage)
    v = tensor::BitcastOp::create(builder, loc, storage, v);
  return quant::StorageCastOp::create(
      builder, loc, RankedTensorType::get(t.getShape(), q), v);
}

Value Importer::toRaw(Location loc, Value v) {
  auto t = cast<RankedTensorType>(v.getType());
  auto q = dyn_cast<quant::QuantizedType>(t.getElementType());
  if (!q)
    return v;
  auto storage = RankedTensorType::get(t.getShape(), q.getStorageType());
  Value raw = quant::StorageCastOp::create(builder, loc, storage, v);
  if (!q.isSigned())
    raw = tensor::BitcastOp::create(
        builder, loc,
        RankedTensorType::get(
            t.getShape(), IntegerType::get(ctx, q.getStorageTypeIntegralWidth(),
                                           IntegerType::Unsigned)),
        raw);
  return raw;
}

FailureOr<Value> Importer::quantOperand(const onnx::NodeProto &node, int i,
                                        quant::QuantizedType q) {
  RankedTensorType t = typeOf(node.input(i));
  Type et = t.getElementType();
  if (!isa<IntegerType, quant::QuantizedType>(et))
    return nodeError(node) << "input " << i
                           << " must be an integer tensor, got " << t;
  unsigned width =
      isa<IntegerType>(et)
          ? et.getIntOrFloatBitWidth()
          : cast<quant::QuantizedType>(et).getStorageTypeIntegralWidth();
  if (width != q.getStorageTypeIntegralWidth())
    return nodeError(node) << "input " << i << " of type " << t
                           << " does not match its zero point's type";
  // Constant integers (weights) become a qconst holding the same bits.
  if (auto dense =
          dyn_cast_or_null<DenseIntElementsAttr>(getConst(node.input(i)))) {
    auto storage = RankedTensorType::get(t.getShape(), q.getStorageType());
    auto bits = dense.bitcast(q.getStorageType());
    return Value(QConstOp::create(
        builder, NameLoc::get(StringAttr::get(ctx, node.input(i))),
        RankedTensorType::get(t.getShape(), q),
        cast<ElementsAttr>(bits.reshape(storage))));
  }
  return toQuant(nodeLoc(node), get(node.input(i)), q);
}

Value Importer::asUnitQuantized(Location loc, Value v) {
  auto t = cast<RankedTensorType>(v.getType());
  auto i = dyn_cast<IntegerType>(t.getElementType());
  if (!i || i.getWidth() > 32 || i.getWidth() == 1)
    return v;
  bool isSigned = !i.isUnsigned();
  auto q = quant::UniformQuantizedType::get(
      isSigned ? quant::QuantizationFlags::Signed : 0,
      IntegerType::get(ctx, i.getWidth()), builder.getF32Type(), 1.0, 0,
      quant::QuantizedType::getDefaultMinimumForInteger(isSigned, i.getWidth()),
      quant::QuantizedType::getDefaultMaximumForInteger(isSigned,
                                                        i.getWidth()));
  return toQuant(loc, v, q);
}

static quant::QuantizedType accumulatorType(MLIRContext *ctx) {
  return quant::UniformQuantizedType::get(
      quant::QuantizationFlags::Signed, IntegerType::get(ctx, 32),
      Float32Type::get(ctx), 1.0, 0, std::numeric_limits<int32_t>::min(),
      std::numeric_limits<int32_t>::max());
}

/// The unit-scale quantized type of a ConvInteger / MatMulInteger operand:
/// its integer type with the (optional) zero point input `zpIdx`, per axis
/// `axis` when the zero point has one value per `channels` (axis -1: only
/// per tensor).
FailureOr<quant::QuantizedType>
Importer::unitScaleType(const onnx::NodeProto &node, int idx, int zpIdx,
                        int64_t axis, int64_t channels) {
  Type et = typeOf(node.input(idx)).getElementType();
  if (auto q = dyn_cast<quant::QuantizedType>(et))
    et = IntegerType::get(ctx, q.getStorageTypeIntegralWidth(),
                          q.isSigned() ? IntegerType::Signless
                                       : IntegerType::Unsigned);
  if (!isa<IntegerType>(et))
    return nodeError(node) << "input " << idx << " must be an integer tensor";
  SmallVector<int64_t> zps = {0};
  if (hasInput(node, zpIdx)) {
    ElementsAttr za = getConst(node.input(zpIdx));
    if (!za)
      return unsupported(node, "a zero point that is not a constant");
    auto zt = dyn_cast<IntegerType>(za.getElementType());
    if (!zt || !getConstInts(node.input(zpIdx)))
      return nodeError(node) << "zero point must be an integer constant of "
                                "at most "
                             << kMaxFoldElements << " elements";
    zps.clear();
    for (APInt v : za.getValues<APInt>())
      zps.push_back(zt.isUnsigned() ? (int64_t)v.getZExtValue()
                                    : v.getSExtValue());
  }
  auto [st, isSigned] = storageOf(et);
  unsigned flags = isSigned ? quant::QuantizationFlags::Signed : 0;
  int64_t qmin = quant::QuantizedType::getDefaultMinimumForInteger(
      isSigned, st.getWidth());
  int64_t qmax = quant::QuantizedType::getDefaultMaximumForInteger(
      isSigned, st.getWidth());
  if (zps.size() == 1)
    return cast<quant::QuantizedType>(quant::UniformQuantizedType::get(
        flags, st, builder.getF32Type(), 1.0, zps[0], qmin, qmax));
  if (axis < 0 || (int64_t)zps.size() != channels)
    return unsupported(node, "per-element zero points of input " +
                                 std::to_string(idx));
  return cast<quant::QuantizedType>(quant::UniformQuantizedPerAxisType::get(
      flags, st, builder.getF32Type(), SmallVector<double>(zps.size(), 1.0),
      zps, axis, qmin, qmax));
}

/// QuantizeLinear whose (single) scale is computed at run time -- ONNX's
/// function form of DynamicQuantizeLinear: no quantized type can carry it,
/// so y = saturate(round_half_even(x / s) + zp) is computed elementwise into
/// a plain 8-bit integer tensor.
static LogicalResult importRuntimeScaleQuantize(Importer &im,
                                                const onnx::NodeProto &node) {
  auto single = [&](int i) {
    RankedTensorType t = im.typeOf(node.input(i));
    return t.hasStaticShape() && t.getNumElements() == 1;
  };
  if (!single(1) || (im.hasInput(node, 2) && !single(2)))
    return im.unsupported(node, "a run-time scale or zero point with more "
                                "than one value");
  Type out = IntegerType::get(im.ctx, 8, IntegerType::Unsigned);
  if (im.hasInput(node, 2))
    out = im.typeOf(node.input(2)).getElementType();
  auto it = dyn_cast<IntegerType>(out);
  if (!it || it.getWidth() != 8)
    return im.unsupported(node,
                          "a run-time scale with a " +
                              std::string(it ? "non-8-bit" : "non-integer") +
                              " zero point");
  bool isUnsigned = it.isUnsigned();
  Location loc = im.nodeLoc(node);
  SmallVector<Value> operands = {im.get(node.input(0)),
                                 im.reshapeTo(loc, im.get(node.input(1)), {})};
  if (im.hasInput(node, 2))
    operands.push_back(
        im.reshapeTo(loc, im.toRaw(loc, im.get(node.input(2))), {}));
  double lo = isUnsigned ? 0 : -128, hi = isUnsigned ? 255 : 127;
  auto y = im.mapElements(
      node, operands, out, [&](OpBuilder &b, Location l, const ScalarArgs &a) {
        Type f32 = b.getF32Type();
        auto c = [&](double v) -> Value {
          return arith::ConstantOp::create(b, l, b.getF32FloatAttr(v));
        };
        Value q = math::RoundEvenOp::create(
            b, l, arith::DivFOp::create(b, l, a[0], a[1]));
        if (a.size() > 2)
          q = arith::AddFOp::create(
              b, l, q,
              a.isUnsigned[2]
                  ? (Value)arith::UIToFPOp::create(b, l, f32, a[2])
                  : (Value)arith::SIToFPOp::create(b, l, f32, a[2]));
        q = arith::MinimumFOp::create(
            b, l, arith::MaximumFOp::create(b, l, q, c(lo)), c(hi));
        Type i8 = b.getI8Type();
        return isUnsigned ? (Value)arith::FPToUIOp::create(b, l, i8, q)
                          : (Value)arith::FPToSIOp::create(b, l, i8, q);
      });
  if (failed(y))
    return failure();
  im.set(node, *y);
  return success();
}

static LogicalResult importQuantizeLinear(Importer &im,
                                          const onnx::NodeProto &node) {
  if (failed(im.requireInputs(node, 2, 3)))
    return failure();
  if (getInt(node, "block_size", 0) != 0)
    return im.unsupported(node, "blocked quantization (block_size, opset 21)");
  RankedTensorType xt = im.typeOf(node.input(0));
  if (!xt.getElementType().isF32())
    return im.unsupported(node, "QuantizeLinear of a non-f32 tensor");
  if (!im.getConst(node.input(1)))
    return importRuntimeScaleQuantize(im, node);
  auto q = im.quantType(node, 1, 2,
                        IntegerType::get(im.ctx, 8, IntegerType::Unsigned),
                        xt.getRank(), getInt(node, "axis", 1));
  if (failed(q))
    return failure();
  im.set(node, QuantizeOp::create(im.builder, im.nodeLoc(node),
                                  RankedTensorType::get(xt.getShape(), *q),
                                  im.get(node.input(0))));
  return success();
}

static LogicalResult importDequantizeLinear(Importer &im,
                                            const onnx::NodeProto &node) {
  if (failed(im.requireInputs(node, 2, 3)))
    return failure();
  if (getInt(node, "block_size", 0) != 0)
    return importBlockedDequantizeLinear(im, node);
  RankedTensorType xt = im.typeOf(node.input(0));
  Type storage = xt.getElementType();
  if (auto qt = dyn_cast<quant::QuantizedType>(storage))
    storage = IntegerType::get(im.ctx, qt.getStorageTypeIntegralWidth(),
                               qt.isSigned() ? IntegerType::Signless
                                             : IntegerType::Unsigned);
  auto q =
      im.quantType(node, 1, 2, storage, xt.getRank(), getInt(node, "axis", 1));
  if (failed(q))
    return failure();
  auto x = im.quantOperand(node, 0, *q);
  if (failed(x))
    return failure();
  im.set(node, DequantizeOp::create(im.builder, im.nodeLoc(node),
                                    RankedTensorType::get(
                                        xt.getShape(), im.builder.getF32Type()),
                                    *x));
  return success();
}

/// QLinearConv(x, x_s, x_zp, w, w_s, w_zp, y_s, y_zp, B).
static LogicalResult importQLinearConv(Importer &im,
                                       const onnx::NodeProto &node) {
  if (failed(im.requireInputs(node, 8, 9)))
    return failure();
  RankedTensorType xt = im.typeOf(node.input(0)), wt = im.typeOf(node.input(3));
  if (xt.getRank() != 4 || wt.getRank() != 4)
    return im.unsupported(node, "only 2-D convolution (4-D NCHW input) is "
                                "supported");
  Type u8 = IntegerType::get(im.ctx, 8, IntegerType::Unsigned);
  auto xq = im.quantType(node, 1, 2, u8, 4, 0);
  auto wq = im.quantType(node, 4, 5, u8, 4, 0);
  auto yq = im.quantType(node, 6, 7, u8, 4, 0);
  if (failed(xq) || failed(wq) || failed(yq))
    return failure();
  if (!isa<quant::UniformQuantizedType>(*xq) ||
      !isa<quant::UniformQuantizedType>(*yq))
    return im.nodeError(node) << "x and y must be quantized per tensor";
  auto x = im.quantOperand(node, 0, *xq);
  auto w = im.quantOperand(node, 3, *wq);
  if (failed(x) || failed(w))
    return failure();
  Value bias;
  if (im.hasInput(node, 8)) {
    double sx = cast<quant::UniformQuantizedType>(*xq).getScale();
    quant::QuantizedType bq;
    Type i32 = IntegerType::get(im.ctx, 32);
    int64_t lo = std::numeric_limits<int32_t>::min(),
            hi = std::numeric_limits<int32_t>::max();
    if (auto w1 = dyn_cast<quant::UniformQuantizedType>(*wq))
      bq = quant::UniformQuantizedType::get(quant::QuantizationFlags::Signed,
                                            i32, im.builder.getF32Type(),
                                            sx * w1.getScale(), 0, lo, hi);
    else {
      auto wa = cast<quant::UniformQuantizedPerAxisType>(*wq);
      SmallVector<double> s;
      for (double ws : wa.getScales())
        s.push_back(sx * ws);
      bq = quant::UniformQuantizedPerAxisType::get(
          quant::QuantizationFlags::Signed, i32, im.builder.getF32Type(), s,
          SmallVector<int64_t>(s.size(), 0), 0, lo, hi);
    }
    auto b = im.quantOperand(node, 8, bq);
    if (failed(b))
      return failure();
    bias = *b;
  }
  return im.emitConv(node, *x, *w, bias, *yq);
}

/// QLinearMatMul(a, a_s, a_zp, b, b_s, b_zp, y_s, y_zp).
static LogicalResult importQLinearMatMul(Importer &im,
                                         const onnx::NodeProto &node) {
  if (failed(im.requireInputs(node, 8, 8)))
    return failure();
  RankedTensorType at = im.typeOf(node.input(0)), bt = im.typeOf(node.input(3));
  Type u8 = IntegerType::get(im.ctx, 8, IntegerType::Unsigned);
  auto aq = im.quantType(node, 1, 2, u8, at.getRank(), at.getRank() - 2);
  auto bq = im.quantType(node, 4, 5, u8, bt.getRank(), bt.getRank() - 1);
  auto yq = im.quantType(node, 6, 7, u8, at.getRank(), 0);
  if (failed(aq) || failed(bq) || failed(yq))
    return failure();
  if (!isa<quant::UniformQuantizedType>(*aq) ||
      !isa<quant::UniformQuantizedType>(*yq))
    return im.unsupported(node, "per-row quantization of a or y");
  std::string reason;
  auto shape = inferMatMulShape(at.getShape(), bt.getShape(), &reason);
  if (failed(shape))
    return im.nodeError(node) << reason;
  auto a = im.quantOperand(node, 0, *aq);
  auto b = im.quantOperand(node, 3, *bq);
  if (failed(a) || failed(b))
    return failure();
  im.set(node, MatMulOp::create(im.builder, im.nodeLoc(node),
                                RankedTensorType::get(*shape, *yq), *a, *b));
  return success();
}

/// Zero points computed at run time (ONNX Runtime's quantize_dynamic:
/// DynamicQuantizeLinear's zero point feeds ConvInteger / MatMulInteger).
static bool hasRuntimeZeroPoint(Importer &im, const onnx::NodeProto &node) {
  for (int i : {2, 3})
    if (im.hasInput(node, i) && !im.getConst(node.input(i)))
      return true;
  return false;
}

/// Operand `idx` of a ConvInteger / MatMulInteger minus its zero point
/// (input `zpIdx`), as f32: exact, the differences lie in [-255, 255]. A
/// zero point with one value per channel is reshaped to `zpShape` so that
/// it broadcasts along the operand's channel axis.
static FailureOr<Value> centeredAsFloat(Importer &im,
                                        const onnx::NodeProto &node, int idx,
                                        int zpIdx, ArrayRef<int64_t> zpShape) {
  Location loc = im.nodeLoc(node);
  Value v = im.toRaw(loc, im.get(node.input(idx)));
  auto vt = cast<RankedTensorType>(v.getType());
  Type et = vt.getElementType();
  if (!et.isInteger(8))
    return im.nodeError(node)
           << "input " << idx << " must be an 8-bit integer tensor";
  // One zero point, or one per channel of zpShape (none for input 0).
  int64_t channels = 1;
  for (int64_t d : zpShape)
    channels *= d;
  bool hasZp = im.hasInput(node, zpIdx);
  int64_t zpCount = 1;
  if (hasZp) {
    RankedTensorType zt = im.typeOf(node.input(zpIdx));
    if (!zt.hasStaticShape())
      return im.unsupported(node, "a zero point of dynamic shape");
    zpCount = zt.getNumElements();
    if (zpCount != 1 && zpShape.empty())
      return im.unsupported(node, "a run-time zero point of input " +
                                      std::to_string(idx) +
                                      " with more than one value");
    if (zpCount != 1 && zpCount != channels)
      return im.nodeError(node) << "zero point " << zpIdx << " has " << zpCount
                                << " values for " << channels << " channels";
  }
  // Constant weights with a constant zero point: folded, not recomputed
  // at every call.
  auto data =
      dyn_cast_or_null<DenseIntElementsAttr>(im.getConst(node.input(idx)));
  auto zpData = hasZp ? dyn_cast_or_null<DenseIntElementsAttr>(
                            im.getConst(node.input(zpIdx)))
                      : DenseIntElementsAttr();
  if (data && vt.hasStaticShape() && (!hasZp || zpData)) {
    bool isUnsigned = cast<IntegerType>(et).isUnsigned();
    auto asInt = [&](const APInt &a) {
      return isUnsigned ? (int64_t)a.getZExtValue() : a.getSExtValue();
    };
    SmallVector<int64_t> zps = {0};
    if (zpData) {
      zps.clear();
      for (const APInt &a : zpData.getValues<APInt>())
        zps.push_back(asInt(a));
    }
    // The channel of element i: zpShape broadcasts against the operand's
    // shape, one non-1 extent at most.
    int64_t inner = 1;
    for (int64_t d = vt.getRank() - 1; d >= 0; --d) {
      int64_t z = d - (vt.getRank() - (int64_t)zpShape.size());
      if (z >= 0 && zpShape[z] != 1)
        break;
      inner *= vt.getDimSize(d);
    }
    SmallVector<double> values;
    values.reserve(vt.getNumElements());
    int64_t i = 0;
    for (const APInt &a : data.getValues<APInt>()) {
      int64_t zp = zps.size() == 1 ? zps[0] : zps[(i / inner) % zps.size()];
      values.push_back(double(asInt(a) - zp));
      ++i;
    }
    auto ft = RankedTensorType::get(vt.getShape(), im.builder.getF32Type());
    return (Value)arith::ConstantOp::create(
        im.builder, loc, ft,
        cast<TypedAttr>(createFloatElements(ft, values, node.input(idx))));
  }
  SmallVector<Value> operands = {v};
  if (hasZp) {
    Value zp = im.toRaw(loc, im.get(node.input(zpIdx)));
    if (cast<RankedTensorType>(zp.getType()).getElementType() != et)
      return im.nodeError(node) << "zero point " << zpIdx << " must have the "
                                << "element type of input " << idx;
    operands.push_back(zpCount == 1 ? im.reshapeTo(loc, zp, {})
                                    : im.reshapeTo(loc, zp, zpShape));
  }
  return im.mapElements(
      node, operands, im.builder.getF32Type(),
      [](OpBuilder &b, Location l, const ScalarArgs &a) {
        auto toF = [&](unsigned i) -> Value {
          return a.isUnsigned[i]
                     ? Value(
                           arith::UIToFPOp::create(b, l, b.getF32Type(), a[i]))
                     : Value(
                           arith::SIToFPOp::create(b, l, b.getF32Type(), a[i]));
        };
        Value x = toF(0);
        return a.size() == 1 ? x
                             : (Value)arith::SubFOp::create(b, l, x, toF(1));
      });
}

/// The int32 result of a product computed in f32 (rounded to the nearest
/// integer): exact while partial sums stay below 2^24 in magnitude, and
/// within f32 rounding of ONNX Runtime's int32 beyond that -- which the
/// graph then converts to float and scales anyway.
static FailureOr<Value> roundedToInt32(Importer &im,
                                       const onnx::NodeProto &node, Value f) {
  return im.mapElements(node, {f}, im.builder.getI32Type(),
                        [](OpBuilder &b, Location l, const ScalarArgs &a) {
                          Value r = math::RoundEvenOp::create(b, l, a[0]);
                          return (Value)arith::FPToSIOp::create(
                              b, l, b.getI32Type(), r);
                        });
}

/// The integer form of a product whose input 0 has a zero point z computed
/// at run time (ONNX Runtime's quantize_dynamic) and whose weights are
/// constant with a constant zero point:
///   sum_k (x_k - z) w'_k = sum_k x_k w'_k - z * sum_k w'_k,
/// w' the weights minus their zero point. The product runs as qopt's
/// integer convolution / matmul with x's zero point 0 (u8 x s8 is what
/// VNNI's dot product takes), and z times the constant sums of w' is
/// subtracted from its int32 result. Exact: equal to the ONNX definition.
static bool hasRuntimeInputZeroPointOnly(Importer &im,
                                         const onnx::NodeProto &node) {
  if (!im.hasInput(node, 2) || im.getConst(node.input(2)))
    return false;
  RankedTensorType zt = im.typeOf(node.input(2));
  if (!zt.hasStaticShape() || zt.getNumElements() != 1 ||
      zt.getElementType() != im.typeOf(node.input(0)).getElementType())
    return false;
  if (!isa_and_nonnull<DenseIntElementsAttr>(im.getConst(node.input(1))) ||
      !im.typeOf(node.input(1)).hasStaticShape())
    return false;
  return !im.hasInput(node, 3) ||
         isa_and_nonnull<DenseIntElementsAttr>(im.getConst(node.input(3)));
}

/// The sums of the constant weights minus their zero points over what the
/// product reduces, shaped to broadcast against its result: per output
/// channel ([F, 1, 1]) of a convolution's [F, C, KH, KW]; per column
/// ([..., 1, N]) of a matmul's [..., K, N], or one sum for a vector B.
static FailureOr<Value> centeredWeightSums(Importer &im,
                                           const onnx::NodeProto &node,
                                           bool isConv, int wIdx = 1,
                                           int zpIdx = 3) {
  RankedTensorType wt = im.typeOf(node.input(wIdx));
  auto data = cast<DenseIntElementsAttr>(im.getConst(node.input(wIdx)));
  bool isUnsigned = wt.getElementType().isUnsignedInteger();
  auto asInt = [&](const APInt &a) {
    return isUnsigned ? (int64_t)a.getZExtValue() : a.getSExtValue();
  };
  SmallVector<int64_t> zps = {0};
  if (im.hasInput(node, zpIdx)) {
    auto za = cast<DenseIntElementsAttr>(im.getConst(node.input(zpIdx)));
    bool zpUnsigned = za.getElementType().isUnsignedInteger();
    zps.clear();
    for (const APInt &a : za.getValues<APInt>())
      zps.push_back(zpUnsigned ? (int64_t)a.getZExtValue() : a.getSExtValue());
  }
  ArrayRef<int64_t> shape = wt.getShape();
  int64_t rank = wt.getRank();
  // Element i of the weights adds to sum (i / blockOuter) * cols + i % cols
  // with zero point index (i % cols) for a matmul, i / inner for a conv.
  SmallVector<int64_t> sumShape;
  int64_t channels = 1, inner = 1, cols = 1, k = 1;
  if (isConv) {
    channels = shape[0];
    for (int64_t d = 1; d < rank; ++d)
      inner *= shape[d];
    sumShape = {channels, 1, 1};
  } else if (rank == 1) {
    k = shape[0];
  } else {
    cols = shape[rank - 1];
    k = shape[rank - 2];
    for (int64_t d = 0; d + 2 < rank; ++d) {
      channels *= shape[d];
      sumShape.push_back(shape[d]);
    }
    sumShape.append({1, cols});
  }
  int64_t nSums = isConv ? channels : channels * cols;
  if ((int64_t)zps.size() != 1 &&
      (int64_t)zps.size() != (isConv ? channels : cols))
    return im.nodeError(node)
           << "zero point " << zpIdx << " has " << zps.size() << " values for "
           << (isConv ? channels : cols) << " channels";
  SmallVector<int64_t> sums(nSums, 0);
  int64_t i = 0;
  for (const APInt &a : data.getValues<APInt>()) {
    int64_t sum, zpIdx;
    if (isConv) {
      sum = i / inner;
      zpIdx = sum;
    } else {
      int64_t col = i % cols;
      sum = (i / (k * cols)) * cols + col;
      zpIdx = col;
    }
    sums[sum] += asInt(a) - zps[zps.size() == 1 ? 0 : zpIdx];
    ++i;
  }
  SmallVector<int32_t> values;
  for (int64_t v : sums) {
    if (v < std::numeric_limits<int32_t>::min() ||
        v > std::numeric_limits<int32_t>::max())
      return im.nodeError(node) << "weight sums overflow int32";
    values.push_back((int32_t)v);
  }
  auto t = RankedTensorType::get(sumShape, im.builder.getI32Type());
  return (Value)arith::ConstantOp::create(
      im.builder, im.nodeLoc(node),
      DenseIntElementsAttr::get(t, ArrayRef<int32_t>(values)));
}

/// The node's int32 output: the product `acc` (computed with x's zero point
/// 0) minus the run-time zero point times the weight sums.
static FailureOr<Value> subtractZeroPointTerm(Importer &im,
                                              const onnx::NodeProto &node,
                                              Value acc, Value zp, Value sums) {
  Location loc = im.nodeLoc(node);
  zp = im.toRaw(loc, zp);
  Type i32 = im.builder.getI32Type();
  return im.mapElements(
      node, {im.toRaw(loc, acc), zp, sums}, i32,
      [&](OpBuilder &b, Location l, const ScalarArgs &a) {
        Value z = a.isUnsigned[1]
                      ? (Value)arith::ExtUIOp::create(b, l, i32, a[1])
                      : (Value)arith::ExtSIOp::create(b, l, i32, a[1]);
        return (Value)arith::SubIOp::create(
            b, l, a[0], arith::MulIOp::create(b, l, z, a[2]));
      });
}

/// The unit-scale type of 8-bit integers of type `it` with zero point 0
/// (a run-time zero point is applied by subtractZeroPointTerm).
static quant::QuantizedType zeroPointFreeType(Importer &im, IntegerType it) {
  bool isUnsigned = it.isUnsigned();
  return quant::UniformQuantizedType::get(
      isUnsigned ? 0 : quant::QuantizationFlags::Signed,
      IntegerType::get(im.ctx, 8), im.builder.getF32Type(), 1.0, 0,
      isUnsigned ? 0 : -128, isUnsigned ? 255 : 127);
}

/// qnn.dynamic_quantize_linear of `x` (f32): u8, scale, zero point.
static DynamicQuantizeLinearOp
dynamicQuantizeLinear(Importer &im, const onnx::NodeProto &node, Value x) {
  auto xt = cast<RankedTensorType>(x.getType());
  Type u8 = IntegerType::get(im.ctx, 8, IntegerType::Unsigned);
  return DynamicQuantizeLinearOp::create(
      im.builder, im.nodeLoc(node), xt.clone(u8),
      RankedTensorType::get({}, im.builder.getF32Type()),
      RankedTensorType::get({}, u8), x);
}

static LogicalResult
importConvIntegerRuntimeZeroPoint(Importer &im, const onnx::NodeProto &node) {
  Location loc = im.nodeLoc(node);
  RankedTensorType xt = im.typeOf(node.input(0)), wt = im.typeOf(node.input(1));
  // The sums first: they check the zero point count with a precise message.
  auto sums = centeredWeightSums(im, node, /*isConv=*/true);
  if (failed(sums))
    return failure();
  auto xi = dyn_cast<IntegerType>(
      cast<RankedTensorType>(im.toRaw(loc, im.get(node.input(0))).getType())
          .getElementType());
  if (!xi || xi.getWidth() != 8)
    return im.nodeError(node) << "input 0 must be an 8-bit integer tensor";
  quant::QuantizedType xq = zeroPointFreeType(im, xi);
  auto wq = im.unitScaleType(node, 1, 3, /*axis=*/0, wt.getDimSize(0));
  if (failed(wq))
    return failure();
  auto w = im.quantOperand(node, 1, *wq);
  if (failed(w))
    return failure();
  // ONNX Runtime pads x with its zero point (zero after centering): x is
  // padded with z here, and the convolution itself pads nothing.
  SmallVector<int64_t> strides, dilations, pads;
  if (failed(im.windowAttrs(node, xt.getShape(), wt.getShape().drop_front(2),
                            strides, dilations, pads)))
    return failure();
  Value x = im.toSignless(loc, im.toRaw(loc, im.get(node.input(0))));
  if (llvm::any_of(pads, [](int64_t p) { return p != 0; })) {
    Value zpT = im.toSignless(loc, im.toRaw(loc, im.get(node.input(2))));
    SmallVector<Value> zeros(
        cast<RankedTensorType>(zpT.getType()).getRank(),
        arith::ConstantIndexOp::create(im.builder, loc, 0));
    Value z = tensor::ExtractOp::create(im.builder, loc, zpT, zeros);
    SmallVector<int64_t> shape(xt.getShape());
    shape[2] += pads[0] + pads[2];
    shape[3] += pads[1] + pads[3];
    auto idx = [&](int64_t v) -> OpFoldResult {
      return im.builder.getIndexAttr(v);
    };
    SmallVector<OpFoldResult> low = {idx(0), idx(0), idx(pads[0]),
                                     idx(pads[1])};
    SmallVector<OpFoldResult> high = {idx(0), idx(0), idx(pads[2]),
                                      idx(pads[3])};
    x = tensor::PadOp::create(
        im.builder, loc,
        RankedTensorType::get(
            shape, cast<RankedTensorType>(x.getType()).getElementType()),
        x, low, high, z);
  }
  Value xqv = im.toQuant(loc, x, xq);
  if (failed(im.emitConv(node, xqv, *w, Value(), accumulatorType(im.ctx),
                         /*inputPadded=*/true)))
    return failure();
  auto y = subtractZeroPointTerm(im, node, im.get(node.output(0)),
                                 im.get(node.input(2)), *sums);
  if (failed(y))
    return failure();
  im.set(node, *y);
  return success();
}

static LogicalResult importConvInteger(Importer &im,
                                       const onnx::NodeProto &node) {
  if (failed(im.requireInputs(node, 2, 4)))
    return failure();
  RankedTensorType xt = im.typeOf(node.input(0)), wt = im.typeOf(node.input(1));
  if (xt.getRank() != 4 || wt.getRank() != 4)
    return im.unsupported(node, "only 2-D convolution (4-D NCHW input) is "
                                "supported");
  if (hasRuntimeInputZeroPointOnly(im, node))
    return importConvIntegerRuntimeZeroPoint(im, node);
  if (hasRuntimeZeroPoint(im, node)) {
    // Padding reads the zero point (ONNX Runtime pads with it): zero after
    // centering, as the float convolution pads.
    auto x = centeredAsFloat(im, node, 0, 2, {});
    auto w = centeredAsFloat(im, node, 1, 3, {wt.getDimSize(0), 1, 1, 1});
    if (failed(x) || failed(w))
      return failure();
    if (failed(im.emitConv(node, *x, *w, Value(), im.builder.getF32Type())))
      return failure();
    auto y = roundedToInt32(im, node, im.get(node.output(0)));
    if (failed(y))
      return failure();
    im.set(node, *y);
    return success();
  }
  auto xq = im.unitScaleType(node, 0, 2, /*axis=*/-1, 0);
  auto wq = im.unitScaleType(node, 1, 3, /*axis=*/0, wt.getDimSize(0));
  if (failed(xq) || failed(wq))
    return failure();
  auto x = im.quantOperand(node, 0, *xq);
  auto w = im.quantOperand(node, 1, *wq);
  if (failed(x) || failed(w))
    return failure();
  return im.emitConv(node, *x, *w, Value(), accumulatorType(im.ctx));
}

/// The int32 product of A (8-bit integers, zero point `aZp`: a value,
/// computed at run time or not, or null for none) and the constant B
/// (input `bIdx`, zero point input `bZpIdx`): qopt's integer matmul with A's
/// zero point 0, minus aZp times the column sums of the centered B.
static FailureOr<Value> integerMatMulConstantB(Importer &im,
                                               const onnx::NodeProto &node,
                                               Value a, Value aZp, int bIdx,
                                               int bZpIdx) {
  Location loc = im.nodeLoc(node);
  a = im.toRaw(loc, a);
  auto at = cast<RankedTensorType>(a.getType());
  RankedTensorType bt = im.typeOf(node.input(bIdx));
  auto it = dyn_cast<IntegerType>(at.getElementType());
  if (!it || it.getWidth() != 8)
    return im.nodeError(node)
           << "A must be an 8-bit integer tensor, got " << at;
  if (!isa_and_nonnull<DenseIntElementsAttr>(im.getConst(node.input(bIdx))) ||
      !bt.hasStaticShape() || bt.getRank() < 1)
    return im.unsupported(node, "a B that is not a constant");
  if (im.hasInput(node, bZpIdx) &&
      !isa_and_nonnull<DenseIntElementsAttr>(im.getConst(node.input(bZpIdx))))
    return im.unsupported(node, "a zero point of B that is not a constant");
  if (aZp) {
    auto zt = cast<RankedTensorType>(aZp.getType());
    if (!zt.hasStaticShape() || zt.getNumElements() != 1)
      return im.unsupported(node, "a zero point of A with more than one value");
  }
  std::string reason;
  auto shape = inferMatMulShape(at.getShape(), bt.getShape(), &reason);
  if (failed(shape))
    return im.nodeError(node) << reason;
  FailureOr<Value> sums = Value();
  if (aZp)
    sums = centeredWeightSums(im, node, /*isConv=*/false, bIdx, bZpIdx);
  if (failed(sums))
    return failure();
  quant::QuantizedType aq = zeroPointFreeType(im, it);
  auto bq = im.unitScaleType(node, bIdx, bZpIdx, bt.getRank() - 1,
                             bt.getDimSize(bt.getRank() - 1));
  if (failed(bq))
    return failure();
  auto b = im.quantOperand(node, bIdx, *bq);
  if (failed(b))
    return failure();
  Value acc = MatMulOp::create(
      im.builder, loc, RankedTensorType::get(*shape, accumulatorType(im.ctx)),
      im.toQuant(loc, a, aq), *b);
  if (!aZp)
    return im.toRaw(loc, acc);
  return subtractZeroPointTerm(im, node, acc, aZp, *sums);
}

/// ONNX Runtime's rescale of an int32 product to float, as its contrib
/// kernels compute it: acc * (a_scale * b_scale) + bias, b_scale one value
/// or one per column, bias one per column (inputs `bScaleIdx`, `biasIdx`).
static LogicalResult rescaleToFloat(Importer &im, const onnx::NodeProto &node,
                                    Value acc, Value aScale, int bScaleIdx,
                                    int biasIdx) {
  Location loc = im.nodeLoc(node);
  int64_t columns = cast<RankedTensorType>(acc.getType()).getShape().back();
  auto vectorOrScalar = [&](int idx, StringRef what) -> FailureOr<Value> {
    RankedTensorType t = im.typeOf(node.input(idx));
    if (!t.getElementType().isF32() || !t.hasStaticShape() ||
        (t.getNumElements() != 1 && t.getNumElements() != columns))
      return im.nodeError(node)
             << what << " must be f32 with one value or "
             << "one per column (" << columns << "), got " << t;
    Value v = im.get(node.input(idx));
    return t.getNumElements() == 1 ? im.reshapeTo(loc, v, {})
                                   : im.reshapeTo(loc, v, {columns});
  };
  auto st = cast<RankedTensorType>(aScale.getType());
  if (!st.getElementType().isF32() || !st.hasStaticShape() ||
      st.getNumElements() != 1)
    return im.unsupported(node, "an A scale with more than one value");
  auto bScale = vectorOrScalar(bScaleIdx, "b_scale");
  if (failed(bScale))
    return failure();
  SmallVector<Value> operands = {acc, im.reshapeTo(loc, aScale, {}), *bScale};
  if (im.hasInput(node, biasIdx)) {
    auto bias = vectorOrScalar(biasIdx, "bias");
    if (failed(bias))
      return failure();
    operands.push_back(*bias);
  }
  Type f32 = im.builder.getF32Type();
  auto y = im.mapElements(
      node, operands, f32, [&](OpBuilder &b, Location l, const ScalarArgs &x) {
        Value m = arith::MulFOp::create(b, l, x[1], x[2]);
        Value r = arith::MulFOp::create(
            b, l, arith::SIToFPOp::create(b, l, f32, x[0]), m);
        if (x.size() > 3)
          r = arith::AddFOp::create(b, l, r, x[3]);
        return r;
      });
  if (failed(y))
    return failure();
  im.set(node, *y);
  return success();
}

/// com.microsoft MatMulIntegerToFloat(A, B, a_scale, b_scale, a_zero_point,
/// b_zero_point, bias): what ONNX Runtime's optimizer fuses
/// quantize_dynamic's MatMulInteger + Cast + Mul (+ Add) into.
static LogicalResult importMatMulIntegerToFloat(Importer &im,
                                                const onnx::NodeProto &node) {
  if (failed(im.requireInputs(node, 4, 7)))
    return failure();
  auto acc = integerMatMulConstantB(
      im, node, im.get(node.input(0)),
      im.hasInput(node, 4) ? im.get(node.input(4)) : Value(), 1, 5);
  if (failed(acc))
    return failure();
  return rescaleToFloat(im, node, *acc, im.get(node.input(2)), 3, 6);
}

/// com.microsoft DynamicQuantizeMatMul(A, B, b_scale, b_zero_point, bias):
/// A quantized at run time as DynamicQuantizeLinear does, then as
/// MatMulIntegerToFloat.
static LogicalResult importDynamicQuantizeMatMul(Importer &im,
                                                 const onnx::NodeProto &node) {
  if (failed(im.requireInputs(node, 3, 5)))
    return failure();
  RankedTensorType xt = im.typeOf(node.input(0));
  if (!xt.getElementType().isF32())
    return im.nodeError(node) << "expects an f32 A, got " << xt;
  auto q = dynamicQuantizeLinear(im, node, im.get(node.input(0)));
  auto acc =
      integerMatMulConstantB(im, node, q.getOutput(), q.getZeroPoint(), 1, 3);
  if (failed(acc))
    return failure();
  return rescaleToFloat(im, node, *acc, q.getScale(), 2, 4);
}

static LogicalResult importMatMulInteger(Importer &im,
                                         const onnx::NodeProto &node) {
  if (failed(im.requireInputs(node, 2, 4)))
    return failure();
  RankedTensorType at = im.typeOf(node.input(0)), bt = im.typeOf(node.input(1));
  std::string reason;
  auto shape = inferMatMulShape(at.getShape(), bt.getShape(), &reason);
  if (failed(shape))
    return im.nodeError(node) << reason;
  if (hasRuntimeInputZeroPointOnly(im, node)) {
    auto y = integerMatMulConstantB(im, node, im.get(node.input(0)),
                                    im.get(node.input(2)), 1, 3);
    if (failed(y))
      return failure();
    im.set(node, *y);
    return success();
  }
  if (hasRuntimeZeroPoint(im, node)) {
    // b's zero point has one value per column (or one).
    SmallVector<int64_t> perColumn(bt.getRank(), 1);
    perColumn.back() = bt.getDimSize(bt.getRank() - 1);
    auto a = centeredAsFloat(im, node, 0, 2, {});
    auto b = centeredAsFloat(im, node, 1, 3, perColumn);
    if (failed(a) || failed(b))
      return failure();
    Value f = MatMulOp::create(
        im.builder, im.nodeLoc(node),
        RankedTensorType::get(*shape, im.builder.getF32Type()), *a, *b);
    auto y = roundedToInt32(im, node, f);
    if (failed(y))
      return failure();
    im.set(node, *y);
    return success();
  }
  auto aq = im.unitScaleType(node, 0, 2, /*axis=*/-1, 0);
  auto bq = im.unitScaleType(node, 1, 3, bt.getRank() - 1,
                             bt.getDimSize(bt.getRank() - 1));
  if (failed(aq) || failed(bq))
    return failure();
  auto a = im.quantOperand(node, 0, *aq);
  auto b = im.quantOperand(node, 1, *bq);
  if (failed(a) || failed(b))
    return failure();
  im.set(node,
         MatMulOp::create(
             im.builder, im.nodeLoc(node),
             RankedTensorType::get(*shape, accumulatorType(im.ctx)), *a, *b));
  return success();
}

/// DynamicQuantizeLinear: qnn.dynamic_quantize_linear (ONNX's definition;
/// its lowering reads x once for the range and once to quantize).
static LogicalResult importDynamicQuantizeLinear(Importer &im,
                                                 const onnx::NodeProto &node) {
  if (failed(im.requireInputs(node, 1, 1)))
    return failure();
  RankedTensorType xt = im.typeOf(node.input(0));
  if (!xt.getElementType().isF32())
    return im.nodeError(node) << "expects an f32 input";
  auto op = dynamicQuantizeLinear(im, node, im.get(node.input(0)));
  im.set(node, op.getOutput(), 0);
  im.set(node, op.getScale(), 1);
  im.set(node, op.getZeroPoint(), 2);
  return success();
}

void qopt::onnx_import::registerQuantizedHandlers(HandlerTable &t) {
  t.onOp("DynamicQuantizeLinear", 11, importDynamicQuantizeLinear);
  t.onOp("com.microsoft.MatMulIntegerToFloat", 1, importMatMulIntegerToFloat);
  t.onOp("com.microsoft.DynamicQuantizeMatMul", 1, importDynamicQuantizeMatMul);
  t.onOp("QuantizeLinear", 1, importQuantizeLinear);
  t.onOp("DequantizeLinear", 1, importDequantizeLinear);
  t.onOp("QLinearConv", 1, importQLinearConv);
  t.onOp("QLinearMatMul", 1, importQLinearMatMul);
  t.onOp("ConvInteger", 1, importConvInteger);
  t.onOp("MatMulInteger", 1, importMatMulInteger);
}
