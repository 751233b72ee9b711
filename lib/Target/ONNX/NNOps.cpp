//===- NNOps.cpp - ONNX neural-network ops --------------------------------===//
//
// Part of qopt. Conv, Gemm, MatMul, BatchNormalization, pooling, Softmax and
// Dropout, and the window attributes they share with the quantized
// convolutions.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "qopt/Dialect/QNN/IR/QNN.h"
#include "qopt/Dialect/QNN/Utils/ConstantUtils.h"
#include "qopt/Support/Sizes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Traits.h"

using namespace mlir;
using namespace mlir::qnn;
using namespace qopt::onnx_import;

/// [N, C, L] -> [N, C, 1, L] (and back): 1-D windows run as 2-D ones.
static Value liftTo2D(Importer &im, Location loc, Value v) {
  auto t = cast<RankedTensorType>(v.getType());
  return im.reshapeTo(loc, v, {t.getDimSize(0), t.getDimSize(1), 1,
                               t.getDimSize(2)});
}

static LogicalResult importConv(Importer &im, const onnx::NodeProto &node) {
  if (failed(im.requireInputs(node, 2, 3)))
    return failure();
  RankedTensorType xt = im.typeOf(node.input(0)), wt = im.typeOf(node.input(1));
  if (!isa<FloatType>(xt.getElementType()) ||
      !isa<FloatType>(wt.getElementType()))
    return im.nodeError(node)
           << "expects float input and weight, got " << xt.getElementType()
           << " and " << wt.getElementType()
           << " (integer convolutions are ConvInteger or "
              "QLinearConv)";
  return im.emitConv(node, im.get(node.input(0)), im.get(node.input(1)),
                     im.hasInput(node, 2) ? im.get(node.input(2)) : Value(),
                     xt.getElementType());
}

/// A 2-D ConvTranspose whose kernel equals its stride (no padding,
/// dilation, output padding or groups; FPN and U-Net upsampling, PaddleOCR's
/// detection head): every output pixel takes exactly one kernel tap, so it
/// is a 1x1 convolution to M * kh * kw channels followed by a depth-to-space
/// rearrangement (reshape, transpose, reshape), instead of a kh x kw
/// convolution of a zero-inserted input that is 3/4 zeros at stride 2.
/// Fails (without a diagnostic) when the shape does not qualify.
static LogicalResult importNonOverlappingConvTranspose(
    Importer &im, const onnx::NodeProto &node, RankedTensorType xt,
    ArrayRef<double> wv, ArrayRef<int64_t> k, ArrayRef<int64_t> strides,
    ArrayRef<int64_t> dil, ArrayRef<int64_t> pads, ArrayRef<int64_t> outPad,
    int64_t group) {
  auto isOne = [](int64_t v) { return v == 1; };
  auto isZero = [](int64_t v) { return v == 0; };
  if (xt.getRank() != 4 || !xt.hasStaticShape() || group != 1 ||
      ArrayRef<int64_t>(k) != strides || !llvm::all_of(dil, isOne) ||
      !llvm::all_of(pads, isZero) || !llvm::all_of(outPad, isZero))
    return failure();
  std::optional<SmallVector<double>> bias;
  if (im.hasInput(node, 2)) {
    bias = im.getConstFloats(node.input(2));
    if (!bias)
      return failure();
  }
  int64_t n = xt.getDimSize(0), c = xt.getDimSize(1), h = xt.getDimSize(2),
          w = xt.getDimSize(3), kh = k[0], kw = k[1];
  int64_t m = (int64_t)wv.size() / (c * kh * kw);
  int64_t outC = m * kh * kw, oh, ow;
  if (__builtin_mul_overflow(h, kh, &oh) ||
      __builtin_mul_overflow(w, kw, &ow) ||
      !qopt::checkedByteSize({n, m, oh, ow}, kMaxElementBytes))
    return failure(); // the general path reports it
  Location loc = im.nodeLoc(node);
  OpBuilder &b = im.builder;
  Type et = xt.getElementType();
  // W [C, M, kh, kw] -> [M * kh * kw, C, 1, 1]: output channel (mi, i, j).
  SmallVector<double> nw(outC * c);
  for (int64_t ci = 0; ci < c; ++ci)
    for (int64_t mi = 0; mi < m; ++mi)
      for (int64_t i = 0; i < kh; ++i)
        for (int64_t j = 0; j < kw; ++j)
          nw[((mi * kh + i) * kw + j) * c + ci] =
              wv[((ci * m + mi) * kh + i) * kw + j];
  auto nwType = RankedTensorType::get({outC, c, 1, 1}, et);
  SmallVector<Value> operands{
      im.get(node.input(0)),
      arith::ConstantOp::create(
          b, NameLoc::get(StringAttr::get(im.ctx, node.input(1))),
          cast<TypedAttr>(createFloatElements(nwType, nw, node.input(1))))};
  if (bias) {
    SmallVector<double> nb(outC);
    for (int64_t o = 0; o < outC; ++o)
      nb[o] = (*bias)[o / (kh * kw)];
    operands.push_back(arith::ConstantOp::create(
        b, NameLoc::get(StringAttr::get(im.ctx, node.input(2))),
        cast<TypedAttr>(createFloatElements(RankedTensorType::get({outC}, et),
                                            nb, node.input(2)))));
  }
  auto conv = Conv2DOp::create(
      b, loc, TypeRange{RankedTensorType::get({n, outC, h, w}, et)}, operands,
      ArrayRef<NamedAttribute>{});
  conv.setStrides({1, 1});
  conv.setDilations({1, 1});
  conv.setPads({0, 0, 0, 0});
  conv.setGroup(1);
  // [N, M*kh*kw, H, W] -> [N, M, H*kh, W*kw] (depth-to-space, CRD order).
  Value t = im.reshapeTo(loc, conv, {n, m, kh, kw, h, w});
  t = im.transpose(loc, t, {0, 1, 4, 2, 5, 3});
  im.set(node, im.reshapeTo(loc, t, {n, m, oh, ow}));
  return success();
}

/// ConvTranspose as the convolution it is the adjoint of: the input with
/// (stride - 1) zeros between elements and (dilated kernel - 1 - pad) zeros
/// around it (one strided tensor.insert_slice into a zero tensor), convolved
/// at stride 1 with the spatially flipped kernel whose input and output
/// channels are swapped per group. The convolution is a qnn.conv2d, so it
/// gets the fast convolution kernels and quantizes like any convolution.
static LogicalResult importConvTranspose(Importer &im,
                                         const onnx::NodeProto &node) {
  if (failed(im.requireInputs(node, 2, 3)))
    return failure();
  Location loc = im.nodeLoc(node);
  OpBuilder &b = im.builder;
  RankedTensorType xt = im.typeOf(node.input(0)), wt = im.typeOf(node.input(1));
  Type et = xt.getElementType();
  if (!isa<FloatType>(et) || wt.getElementType() != et)
    return im.nodeError(node) << "expects float input and weight";
  int64_t sp = xt.getRank() - 2;
  if ((sp != 1 && sp != 2) || wt.getRank() != xt.getRank())
    return im.unsupported(node, "only 1-D and 2-D transposed convolution");
  auto wv = im.getConstFloats(node.input(1));
  if (!wv || !wt.hasStaticShape())
    return im.unsupported(node, "a weight that is not a constant");
  int64_t group = getInt(node, "group", 1);
  int64_t c = wt.getDimSize(0), mg = wt.getDimSize(1);
  if (group <= 0 || c % group || (xt.getDimSize(1) != kDyn &&
                                  xt.getDimSize(1) != c))
    return im.nodeError(node) << "weight " << wt << " does not match input "
                              << xt << " with group " << group;
  SmallVector<int64_t> k(wt.getShape().drop_front(2));
  auto attr = [&](StringRef name, int64_t n, int64_t dflt) {
    return getInts(node, name).value_or(SmallVector<int64_t>(n, dflt));
  };
  SmallVector<int64_t> strides = attr("strides", sp, 1),
                       dil = attr("dilations", sp, 1),
                       pads = attr("pads", 2 * sp, 0),
                       outPad = attr("output_padding", sp, 0);
  if ((int64_t)strides.size() != sp || (int64_t)dil.size() != sp ||
      (int64_t)pads.size() != 2 * sp || (int64_t)outPad.size() != sp)
    return im.nodeError(node) << "attribute sizes do not match a " << sp
                              << "-D window";
  for (int64_t v : llvm::concat<int64_t>(strides, dil, k))
    if (v < 1 || v > qnn::kMaxWindowExtent)
      return im.nodeError(node) << "strides, dilations and kernel must be in "
                                   "[1, "
                                << qnn::kMaxWindowExtent << "]";
  for (int64_t v : llvm::concat<int64_t>(pads, outPad))
    if (v < 0 || v > qnn::kMaxWindowExtent)
      return im.nodeError(node) << "pads must be in [0, "
                                << qnn::kMaxWindowExtent << "]";
  SmallVector<int64_t> in(xt.getShape().drop_front(2));
  if (llvm::is_contained(in, kDyn))
    return im.unsupported(node, "dynamic spatial dimensions");
  std::string autoPad = getString(node, "auto_pad", "NOTSET");
  auto outShape = getInts(node, "output_shape");
  if (outShape && (int64_t)outShape->size() == sp + 2)
    outShape = SmallVector<int64_t>(outShape->begin() + 2, outShape->end());
  if (outShape || autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
    for (int64_t i = 0; i < sp; ++i) {
      // In 128 bits: output_shape is an unchecked attribute.
      __int128 target = outShape ? (__int128)(*outShape)[i]
                                 : (__int128)in[i] * strides[i];
      __int128 full = (__int128)strides[i] * (in[i] - 1) + outPad[i] +
                      (__int128)(k[i] - 1) * dil[i] + 1;
      __int128 t128 = full - target;
      if (target < 0 || t128 > qnn::kMaxWindowExtent ||
          t128 < -qnn::kMaxWindowExtent)
        return im.nodeError(node) << "output_shape does not fit the input "
                                     "and kernel";
      int64_t total = (int64_t)t128;
      // total < 0 (an output_shape larger than the full transposed
      // convolution): negative pads, i.e. more zeros around the input.
      bool upper = autoPad != "SAME_LOWER";
      pads[i] = upper ? total / 2 : total - total / 2;
      pads[sp + i] = total - pads[i];
    }
  } else if (autoPad == "VALID") {
    pads.assign(2 * sp, 0);
  } else if (autoPad != "NOTSET") {
    return im.nodeError(node) << "invalid auto_pad '" << autoPad << "'";
  }
  if (succeeded(importNonOverlappingConvTranspose(im, node, xt, *wv, k, strides,
                                                  dil, pads, outPad, group)))
    return success();
  // The zero-inserted, padded input.
  SmallVector<int64_t> zShape{xt.getDimSize(0), c};
  SmallVector<int64_t> before(sp), after(sp);
  for (int64_t i = 0; i < sp; ++i) {
    int64_t kd = (k[i] - 1) * dil[i];
    before[i] = kd - pads[i];
    after[i] = kd - pads[sp + i] + outPad[i];
    if (before[i] < 0 || after[i] < 0)
      return im.unsupported(node, "pads larger than the dilated kernel");
    int64_t z;
    if (__builtin_mul_overflow(in[i] - 1, strides[i], &z) ||
        __builtin_add_overflow(z, before[i] + 1 + after[i], &z))
      return im.nodeError(node) << "result size overflows 64 bits";
    zShape.push_back(z);
  }
  if (!qopt::checkedByteSize(zShape, kMaxElementBytes))
    return im.nodeError(node) << "result size overflows 64 bits";
  Value x = im.get(node.input(0));
  SmallVector<Value> dyn;
  if (xt.isDynamicDim(0))
    dyn.push_back(tensor::DimOp::create(b, loc, x, 0));
  Value zeros =
      linalg::FillOp::create(
          b, loc, Value(arith::ConstantOp::create(b, loc, b.getFloatAttr(et, 0.0))),
          Value(tensor::EmptyOp::create(b, loc, zShape, et, dyn)))
          .result();
  SmallVector<OpFoldResult> offs{b.getIndexAttr(0), b.getIndexAttr(0)},
      szs, strs{b.getIndexAttr(1), b.getIndexAttr(1)};
  for (int64_t d = 0; d < xt.getRank(); ++d)
    szs.push_back(xt.isDynamicDim(d)
                      ? OpFoldResult(tensor::DimOp::create(b, loc, x, d).getResult())
                      : OpFoldResult(b.getIndexAttr(xt.getDimSize(d))));
  for (int64_t i = 0; i < sp; ++i) {
    offs.push_back(b.getIndexAttr(before[i]));
    strs.push_back(b.getIndexAttr(strides[i]));
  }
  Value z = tensor::InsertSliceOp::create(b, loc, x, zeros, offs, szs, strs);
  // Weight [C, M/g, k...] -> [M, C/g, k...], spatially flipped.
  int64_t cg = c / group, m = mg * group;
  int64_t kh = sp == 2 ? k[0] : 1, kw = k[sp - 1];
  SmallVector<double> nw(m * cg * kh * kw);
  for (int64_t g = 0; g < group; ++g)
    for (int64_t ci = 0; ci < cg; ++ci)
      for (int64_t mi = 0; mi < mg; ++mi)
        for (int64_t i = 0; i < kh; ++i)
          for (int64_t j = 0; j < kw; ++j) {
            int64_t src = (((g * cg + ci) * mg + mi) * kh + i) * kw + j;
            int64_t dst = (((g * mg + mi) * cg + ci) * kh + (kh - 1 - i)) * kw +
                          (kw - 1 - j);
            nw[dst] = (*wv)[src];
          }
  SmallVector<int64_t> nwShape{m, cg};
  if (sp == 2)
    nwShape.push_back(kh);
  nwShape.push_back(kw);
  auto nwType = RankedTensorType::get(nwShape, et);
  Value w = arith::ConstantOp::create(
      b, NameLoc::get(StringAttr::get(im.ctx, node.input(1))),
      cast<TypedAttr>(createFloatElements(nwType, nw, node.input(1))));
  if (sp == 1) {
    z = liftTo2D(im, loc, z);
    w = liftTo2D(im, loc, w);
  }
  auto zt = cast<RankedTensorType>(z.getType());
  SmallVector<int64_t> dil2 = sp == 2 ? dil : SmallVector<int64_t>{1, dil[0]};
  SmallVector<int64_t> out{zt.getDimSize(0), m};
  for (int64_t i = 0; i < 2; ++i) {
    int64_t kk = i == 0 ? kh : kw;
    out.push_back(zt.getDimSize(2 + i) - (kk - 1) * dil2[i]);
  }
  SmallVector<Value> operands{z, w};
  if (im.hasInput(node, 2))
    operands.push_back(im.get(node.input(2)));
  auto conv = Conv2DOp::create(b, loc,
                               TypeRange{RankedTensorType::get(out, et)},
                               operands, ArrayRef<NamedAttribute>{});
  conv.setStrides({1, 1});
  conv.setDilations(dil2);
  conv.setPads({0, 0, 0, 0});
  conv.setGroup(group);
  Value y = conv;
  if (sp == 1)
    y = im.reshapeTo(loc, y, {out[0], out[1], out[3]});
  im.set(node, y);
  return success();
}

/// Gemm: Y = alpha * op(A) * op(B) + beta * C, normalized to
/// fully_connected(A, B as [N, K], bias) when B and C are constants.
static LogicalResult importGemm(Importer &im, const onnx::NodeProto &node) {
  if (failed(im.requireInputs(node, 2, 3)))
    return failure();
  Location loc = im.nodeLoc(node);
  float alpha = getFloat(node, "alpha", 1.0f),
        beta = getFloat(node, "beta", 1.0f);
  bool transA = getInt(node, "transA", 0), transB = getInt(node, "transB", 0);
  RankedTensorType at = im.typeOf(node.input(0)), bt = im.typeOf(node.input(1));
  if (at.getRank() != 2 || bt.getRank() != 2)
    return im.nodeError(node)
           << "A and B must be 2-D, got " << at << " and " << bt;
  Type et = at.getElementType();
  if (!isa<FloatType>(et) || !isa<FloatType>(bt.getElementType()))
    return im.nodeError(node) << "expects float A and B, got " << et << " and "
                              << bt.getElementType()
                              << " (integer products are MatMulInteger or "
                                 "QLinearMatMul)";
  Value a = im.get(node.input(0));
  if (transA)
    a = im.transpose(loc, a, {1, 0});
  int64_t m = cast<RankedTensorType>(a.getType()).getDimSize(0);
  int64_t k = cast<RankedTensorType>(a.getType()).getDimSize(1);
  int64_t n = transB ? bt.getDimSize(0) : bt.getDimSize(1);
  int64_t kb = transB ? bt.getDimSize(1) : bt.getDimSize(0);
  if (k != kDyn && kb != kDyn && k != kb)
    return im.nodeError(node)
           << "inner dimensions differ: A " << at << ", B " << bt;
  if (k == kDyn) // A's inner dimension is dynamic (a transposed batch)
    k = kb;

  // Weight as [N, K]: fold the transpose and alpha into a constant B.
  Value w;
  if (auto bvals = im.getConstFloats(node.input(1))) {
    SmallVector<double> wv(n * k);
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < k; ++j)
        wv[i * k + j] =
            alpha * (transB ? (*bvals)[i * k + j] : (*bvals)[j * n + i]);
    auto wType = RankedTensorType::get({n, k}, et);
    w = arith::ConstantOp::create(
        im.builder, NameLoc::get(StringAttr::get(im.ctx, node.input(1))),
        cast<TypedAttr>(createFloatElements(wType, wv, node.input(1))));
  } else {
    if (alpha != 1.0f)
      return im.unsupported(node, "alpha != 1 with a non-constant B");
    w = im.get(node.input(1));
    if (!transB)
      w = im.transpose(loc, w, {1, 0});
  }

  auto outType = RankedTensorType::get({m, n}, et);
  Value bias;
  Value fullC; // a C that is not a per-column vector is added afterwards
  if (im.hasInput(node, 2) && beta != 0.0f) {
    RankedTensorType ct = im.typeOf(node.input(2));
    auto cvals = im.getConstFloats(node.input(2));
    bool perColumn = ct.getNumElements() == n || ct.getNumElements() == 1;
    if (cvals && perColumn && (ct.getRank() <= 1 || ct.getDimSize(0) == 1)) {
      SmallVector<double> bv(n);
      for (int64_t i = 0; i < n; ++i)
        bv[i] = beta * (*cvals)[cvals->size() == 1 ? 0 : i];
      auto biasType = RankedTensorType::get({n}, et);
      bias = arith::ConstantOp::create(
          im.builder, NameLoc::get(StringAttr::get(im.ctx, node.input(2))),
          cast<TypedAttr>(createFloatElements(biasType, bv, node.input(2))));
    } else {
      if (beta != 1.0f)
        return im.unsupported(node, "beta != 1 with a non-constant C");
      // A per-column C computed in the graph (e.g. DequantizeLinear of an
      // int32 bias in QDQ models) is still the bias.
      if (ct.getNumElements() == n &&
          (ct.getRank() == 1 || (ct.getRank() == 2 && ct.getDimSize(0) == 1)))
        bias = im.reshapeTo(loc, im.get(node.input(2)), {n});
      else
        fullC = im.get(node.input(2));
    }
  }
  SmallVector<Value> operands = {a, w};
  if (bias)
    operands.push_back(bias);
  Value y = FullyConnectedOp::create(im.builder, loc, TypeRange{outType},
                                     operands, ArrayRef<NamedAttribute>{});
  if (fullC) {
    SmallVector<int64_t> shape;
    if (!::mlir::OpTrait::util::getBroadcastedShape(
            outType.getShape(),
            cast<RankedTensorType>(fullC.getType()).getShape(), shape))
      return im.nodeError(node) << "C does not broadcast to " << outType;
    y = AddOp::create(im.builder, loc, RankedTensorType::get(shape, et), y,
                      fullC);
  }
  im.set(node, y);
  return success();
}

static LogicalResult importMatMul(Importer &im, const onnx::NodeProto &node) {
  if (failed(im.requireInputs(node, 2, 2)))
    return failure();
  RankedTensorType a = im.typeOf(node.input(0)), b = im.typeOf(node.input(1));
  std::string reason;
  auto shape = inferMatMulShape(a.getShape(), b.getShape(), &reason);
  if (failed(shape))
    return im.nodeError(node) << reason;
  Value lhs = im.get(node.input(0)), rhs = im.get(node.input(1));
  im.set(node,
         MatMulOp::create(im.builder, im.nodeLoc(node),
                          RankedTensorType::get(*shape, a.getElementType()),
                          lhs, rhs));
  return success();
}

static LogicalResult importBatchNorm(Importer &im,
                                     const onnx::NodeProto &node) {
  if (failed(im.requireInputs(node, 5, 5)))
    return failure();
  if (getInt(node, "training_mode", 0) != 0 || node.output_size() > 1)
    return im.unsupported(node, "training-mode batch normalization (only "
                                "inference, with one output, is supported)");
  SmallVector<Value> operands;
  for (int i = 0; i < 5; ++i)
    operands.push_back(im.get(node.input(i)));
  auto bn = BatchNormOp::create(im.builder, im.nodeLoc(node),
                                TypeRange{operands[0].getType()}, operands,
                                ArrayRef<NamedAttribute>{});
  bn.setEpsilon(APFloat(getFloat(node, "epsilon", 1e-5f)));
  im.set(node, bn);
  return success();
}

static LogicalResult importPool(Importer &im, const onnx::NodeProto &node,
                                bool isMax) {
  if (failed(im.requireInputs(node, 1, 1)))
    return failure();
  bool wantIndices = node.output_size() > 1 && !node.output(1).empty();
  bool columnMajor = getInt(node, "storage_order", 0) != 0;
  RankedTensorType xt = im.typeOf(node.input(0));
  auto kernel = getInts(node, "kernel_shape");
  if (!kernel)
    return im.nodeError(node) << "missing kernel_shape";
  Value x = im.asUnitQuantized(im.nodeLoc(node), im.get(node.input(0)));
  SmallVector<int64_t> strides, dilations, pads;
  if (failed(im.windowAttrs(node, xt.getShape(), *kernel, strides, dilations,
                            pads)))
    return failure();
  // 1-D pooling is 2-D pooling over an [N, C, 1, L] view.
  bool oneD = kernel->size() == 1;
  if (oneD) {
    x = liftTo2D(im, im.nodeLoc(node), x);
    kernel = SmallVector<int64_t>{1, (*kernel)[0]};
  }
  xt = cast<RankedTensorType>(x.getType());
  bool ceil = getInt(node, "ceil_mode", 0);
  std::string reason;
  auto shape = inferPool2DShape(xt.getShape(), *kernel, strides, dilations,
                                pads, ceil, &reason);
  if (failed(shape))
    return im.nodeError(node) << reason;
  auto outType = RankedTensorType::get(*shape, xt.getElementType());
  auto finish = [&](Value y) {
    if (oneD)
      y = im.reshapeTo(im.nodeLoc(node), y,
                       {(*shape)[0], (*shape)[1], (*shape)[3]});
    im.set(node, y);
    if (!wantIndices)
      return success();
    if (!isa<FloatType>(xt.getElementType()) || !xt.hasStaticShape())
      return im.unsupported(node, "the Indices output of an integer or "
                                  "dynamic-shape MaxPool");
    // Indices: the row-major flat index into X of each window's first
    // maximum (one generic: output positions x window positions).
    OpBuilder &b = im.builder;
    Location loc = im.nodeLoc(node);
    Type i64 = b.getI64Type(), et = xt.getElementType();
    int64_t C = xt.getDimSize(1), H = xt.getDimSize(2), W = xt.getDimSize(3);
    Value window = tensor::EmptyOp::create(b, loc, *kernel, et);
    auto idxType = RankedTensorType::get(*shape, i64);
    Value vInit = linalg::FillOp::create(
                      b, loc,
                      Value(arith::ConstantOp::create(
                          b, loc, b.getFloatAttr(et, -INFINITY))),
                      Value(tensor::EmptyOp::create(b, loc, *shape, et)))
                      .result();
    Value iInit = linalg::FillOp::create(
                      b, loc,
                      Value(arith::ConstantOp::create(b, loc,
                                                      b.getI64IntegerAttr(-1))),
                      Value(tensor::EmptyOp::create(b, loc, *shape, i64)))
                      .result();
    SmallVector<AffineMap> maps{
        AffineMap::get(6, 0, {b.getAffineDimExpr(4), b.getAffineDimExpr(5)},
                       im.ctx),
        AffineMap::get(6, 0,
                       {b.getAffineDimExpr(0), b.getAffineDimExpr(1),
                        b.getAffineDimExpr(2), b.getAffineDimExpr(3)},
                       im.ctx)};
    maps.push_back(maps[1]);
    SmallVector<utils::IteratorType> iters(4, utils::IteratorType::parallel);
    iters.append(2, utils::IteratorType::reduction);
    auto g = linalg::GenericOp::create(
        b, loc, TypeRange{vInit.getType(), idxType}, ValueRange{window},
        ValueRange{vInit, iInit}, maps, iters,
        [&](OpBuilder &nb, Location l, ValueRange a) {
          auto idx = [&](int64_t d) {
            return (Value)arith::IndexCastOp::create(
                nb, l, i64, linalg::IndexOp::create(nb, l, d));
          };
          auto c = [&](int64_t v) {
            return (Value)arith::ConstantOp::create(nb, l,
                                                    nb.getI64IntegerAttr(v));
          };
          // ih = oh * sh - pt + kh * dh (and w), inside [0, H) x [0, W)?
          Value ih = arith::AddIOp::create(
              nb, l,
              arith::SubIOp::create(
                  nb, l, arith::MulIOp::create(nb, l, idx(2), c(strides[0])),
                  c(pads[0])),
              arith::MulIOp::create(nb, l, idx(4), c(dilations[0])));
          Value iw = arith::AddIOp::create(
              nb, l,
              arith::SubIOp::create(
                  nb, l, arith::MulIOp::create(nb, l, idx(3), c(strides[1])),
                  c(pads[1])),
              arith::MulIOp::create(nb, l, idx(5), c(dilations[1])));
          auto inRange = [&](Value v, int64_t n) {
            return (Value)arith::AndIOp::create(
                nb, l,
                arith::CmpIOp::create(nb, l, arith::CmpIPredicate::sge, v, c(0)),
                arith::CmpIOp::create(nb, l, arith::CmpIPredicate::slt, v, c(n)));
          };
          Value inside =
              arith::AndIOp::create(nb, l, inRange(ih, H), inRange(iw, W));
          auto clampIdx = [&](Value v, int64_t n) {
            v = arith::MaxSIOp::create(nb, l, v, c(0));
            v = arith::MinSIOp::create(nb, l, v, c(n - 1));
            return (Value)arith::IndexCastOp::create(nb, l, nb.getIndexType(),
                                                     v);
          };
          Value xv = tensor::ExtractOp::create(
              nb, l, x,
              ValueRange{linalg::IndexOp::create(nb, l, 0),
                         linalg::IndexOp::create(nb, l, 1), clampIdx(ih, H),
                         clampIdx(iw, W)});
          Value better = arith::AndIOp::create(
              nb, l, inside,
              arith::CmpFOp::create(nb, l, arith::CmpFPredicate::OGT, xv,
                                    a[1]));
          // Row major: ((n * C + c) * H + ih) * W + iw; column major
          // (storage_order 1): ((n * C + c) * W + iw) * H + ih.
          Value nc = arith::AddIOp::create(
              nb, l, arith::MulIOp::create(nb, l, idx(0), c(C)), idx(1));
          Value outer = columnMajor ? iw : ih, inner = columnMajor ? ih : iw;
          int64_t outerN = columnMajor ? W : H, innerN = columnMajor ? H : W;
          Value flat = arith::AddIOp::create(
              nb, l,
              arith::MulIOp::create(
                  nb, l,
                  arith::AddIOp::create(
                      nb, l, arith::MulIOp::create(nb, l, nc, c(outerN)),
                      outer),
                  c(innerN)),
              inner);
          linalg::YieldOp::create(
              nb, l,
              ValueRange{arith::SelectOp::create(nb, l, better, xv, a[1]),
                         arith::SelectOp::create(nb, l, better, flat, a[2])});
        });
    Value ind = g.getResult(1);
    if (oneD)
      ind = im.reshapeTo(loc, ind, {(*shape)[0], (*shape)[1], (*shape)[3]});
    im.set(node, ind, 1);
    return success();
  };
  if (isMax)
    return finish(
        MaxPool2DOp::create(im.builder, im.nodeLoc(node), outType, x,
                            im.builder.getDenseI64ArrayAttr(*kernel),
                            im.builder.getDenseI64ArrayAttr(strides),
                            im.builder.getDenseI64ArrayAttr(pads),
                            im.builder.getDenseI64ArrayAttr(dilations),
                            im.builder.getBoolAttr(ceil)));
  if (llvm::any_of(dilations, [](int64_t d) { return d != 1; }))
    return im.unsupported(node, "dilated average pooling");
  return finish(AvgPool2DOp::create(
      im.builder, im.nodeLoc(node), outType, x,
      im.builder.getDenseI64ArrayAttr(*kernel),
      im.builder.getDenseI64ArrayAttr(strides),
      im.builder.getDenseI64ArrayAttr(pads),
      im.builder.getBoolAttr(getInt(node, "count_include_pad", 0)),
      im.builder.getBoolAttr(ceil)));
}

/// Softmax; before opset 13 (`flattening`) it normalizes over all dimensions
/// from `axis` (default 1) on, from 13 over `axis` (default -1) alone.
static LogicalResult importSoftmax(Importer &im, const onnx::NodeProto &node,
                                   bool flattening) {
  if (failed(im.requireInputs(node, 1, 1)))
    return failure();
  RankedTensorType xt = im.typeOf(node.input(0));
  int64_t rank = xt.getRank();
  int64_t axis = getInt(node, "axis", flattening ? 1 : -1);
  if (axis < -rank || axis >= rank)
    return im.nodeError(node)
           << "axis " << axis << " is out of range for rank " << rank;
  if (axis < 0)
    axis += rank;
  // Before opset 13, softmax normalizes over all dimensions from `axis` on.
  if (flattening && axis != rank - 1) {
    bool trailingOnes = true;
    for (int64_t d = axis + 1; d < rank; ++d)
      trailingOnes &= xt.getDimSize(d) == 1;
    if (!trailingOnes)
      return im.unsupported(node, "opset < 13 softmax over several dimensions");
  }
  Value x = im.get(node.input(0));
  im.set(node, SoftmaxOp::create(im.builder, im.nodeLoc(node), x.getType(), x,
                                 im.builder.getI64IntegerAttr(axis)));
  return success();
}

LogicalResult Importer::windowAttrs(const onnx::NodeProto &node,
                                    ArrayRef<int64_t> inShape,
                                    ArrayRef<int64_t> kernel,
                                    SmallVectorImpl<int64_t> &strides,
                                    SmallVectorImpl<int64_t> &dilations,
                                    SmallVectorImpl<int64_t> &pads) {
  // 1-D and 2-D windows; a 1-D window is returned as the 2-D window of an
  // [N, C, 1, L] view (height 1, no padding).
  int64_t sp = kernel.size();
  if ((sp != 1 && sp != 2) || (int64_t)inShape.size() != sp + 2)
    return unsupported(node, "only 1-D and 2-D windows (3-D NCL and 4-D NCHW "
                             "tensors) are supported, got a " +
                                 std::to_string(kernel.size()) +
                                 "-D window on a " +
                                 std::to_string(inShape.size()) + "-D tensor");
  strides.assign(getInts(node, "strides").value_or(SmallVector<int64_t>(sp, 1)));
  dilations.assign(
      getInts(node, "dilations").value_or(SmallVector<int64_t>(sp, 1)));
  pads.assign(getInts(node, "pads").value_or(SmallVector<int64_t>(2 * sp, 0)));
  if ((int64_t)strides.size() != sp || (int64_t)dilations.size() != sp ||
      (int64_t)pads.size() != 2 * sp)
    return nodeError(node) << "strides, dilations and pads must have " << sp
                           << ", " << sp << " and " << 2 * sp
                           << " entries for a " << sp << "-D window";
  auto outOfRange = [](ArrayRef<int64_t> v, int64_t lo) {
    return llvm::any_of(
        v, [&](int64_t x) { return x < lo || x > qnn::kMaxWindowExtent; });
  };
  if (outOfRange(strides, 1) || outOfRange(dilations, 1) ||
      outOfRange(pads, 0) || outOfRange(kernel, 1))
    return nodeError(node) << "kernel_shape, strides and dilations must be in "
                              "[1, "
                           << qnn::kMaxWindowExtent << "] and pads in [0, "
                           << qnn::kMaxWindowExtent << "]";
  std::string autoPad = getString(node, "auto_pad", "NOTSET");
  if (autoPad == "VALID") {
    pads.assign(2 * sp, 0);
  } else if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
    for (int64_t i = 0; i < sp; ++i) {
      int64_t in = inShape[2 + i];
      if (in == kDyn)
        return unsupported(node, "auto_pad " + autoPad +
                                     " on a dynamic spatial dimension; fix it "
                                     "with --input-shape");
      int64_t out = (in + strides[i] - 1) / strides[i];
      int64_t eff = dilations[i] * (kernel[i] - 1) + 1;
      int64_t total = std::max<int64_t>(0, (out - 1) * strides[i] + eff - in);
      int64_t small = total / 2, big = total - small;
      pads[i] = autoPad == "SAME_UPPER" ? small : big;
      pads[sp + i] = autoPad == "SAME_UPPER" ? big : small;
    }
  } else if (autoPad != "NOTSET") {
    return nodeError(node) << "invalid auto_pad '" << autoPad << "'";
  }
  if (sp == 1) {
    strides.assign({1, strides[0]});
    dilations.assign({1, dilations[0]});
    pads.assign({0, pads[0], 0, pads[1]});
  }
  return success();
}

LogicalResult Importer::emitConv(const onnx::NodeProto &node, Value x, Value w,
                                 Value bias, Type resultElement,
                                 bool inputPadded) {
  auto xt = cast<RankedTensorType>(x.getType());
  auto wt = cast<RankedTensorType>(w.getType());
  SmallVector<int64_t> strides, dilations, pads;
  if (xt.getRank() != wt.getRank() || xt.getRank() < 3)
    return nodeError(node) << "input and weight must have the same rank, at "
                              "least 3 (N, C and a spatial dimension), got "
                           << xt << " and " << wt;
  if (failed(windowAttrs(node, xt.getShape(), wt.getShape().drop_front(2),
                         strides, dilations, pads)))
    return failure();
  if (inputPadded)
    pads.assign(pads.size(), 0);
  bool oneD = xt.getRank() == 3;
  if (oneD) {
    x = liftTo2D(*this, nodeLoc(node), x);
    w = liftTo2D(*this, nodeLoc(node), w);
    xt = cast<RankedTensorType>(x.getType());
    wt = cast<RankedTensorType>(w.getType());
  }
  int64_t group = getInt(node, "group", 1);
  std::string reason;
  auto shape = inferConv2DShape(xt.getShape(), wt.getShape(), strides,
                                dilations, pads, group, &reason);
  if (failed(shape))
    return nodeError(node) << reason;
  SmallVector<Value> operands = {x, w};
  if (bias)
    operands.push_back(bias);
  auto conv =
      Conv2DOp::create(builder, nodeLoc(node),
                       TypeRange{RankedTensorType::get(*shape, resultElement)},
                       operands, ArrayRef<NamedAttribute>{});
  conv.setStrides(strides);
  conv.setDilations(dilations);
  conv.setPads(pads);
  conv.setGroup(group);
  Value y = conv;
  if (oneD)
    y = reshapeTo(nodeLoc(node), y, {(*shape)[0], (*shape)[1], (*shape)[3]});
  set(node, y);
  return success();
}

/// Einsum as one linalg.generic: each letter of the equation is a loop;
/// inputs are read through their letters (a repeated letter reads a
/// diagonal), letters missing from the output are reductions. "..." stands
/// for the same leading broadcast dimensions in every operand; an equation
/// without "->" outputs the letters used once, in alphabetical order.
static LogicalResult importEinsum(Importer &im, const onnx::NodeProto &node) {
  // Variadic: every input is required.
  if (failed(im.requireInputs(node, 1, 1 << 10)) ||
      failed(im.requireInputs(node, node.input_size(), node.input_size())))
    return failure();
  Location loc = im.nodeLoc(node);
  OpBuilder &b = im.builder;
  std::string eq;
  for (char c : getString(node, "equation", ""))
    if (c != ' ')
      eq += c;
  std::string lhs = eq, rhs;
  bool explicitOut = false;
  if (size_t p = eq.find("->"); p != std::string::npos) {
    lhs = eq.substr(0, p);
    rhs = eq.substr(p + 2);
    explicitOut = true;
  }
  SmallVector<std::string> terms;
  for (StringRef t : llvm::split(StringRef(lhs), ','))
    terms.push_back(t.str());
  if ((int)terms.size() != node.input_size())
    return im.nodeError(node) << "equation '" << eq << "' has " << terms.size()
                              << " operands, the node " << node.input_size();
  Type et = im.typeOf(node.input(0)).getElementType();
  if (!isa<FloatType>(et) && !et.isSignlessInteger())
    return im.nodeError(node) << "unsupported element type " << et;
  // Ellipsis: the broadcast rank.
  int64_t ellRank = 0;
  for (auto [k, t] : llvm::enumerate(terms)) {
    int64_t rank = im.typeOf(node.input(k)).getRank();
    size_t e = t.find("...");
    int64_t letters = t.size() - (e == std::string::npos ? 0 : 3);
    if (e == std::string::npos ? letters != rank : letters > rank)
      return im.nodeError(node) << "operand " << k << " of rank " << rank
                                << " does not match '" << t << "'";
    if (e != std::string::npos)
      ellRank = std::max(ellRank, rank - letters);
  }
  // Loop dims: ellipsis dims first ('0'..), then letters in order of use.
  SmallVector<char> dims;
  auto dimOf = [&](char c) {
    auto it = llvm::find(dims, c);
    if (it != dims.end())
      return (int64_t)(it - dims.begin());
    dims.push_back(c);
    return (int64_t)dims.size() - 1;
  };
  for (int64_t i = 0; i < ellRank; ++i)
    dimOf(char(1 + i)); // placeholders that are never letters
  llvm::StringMap<int> counts;
  for (const auto &t : terms)
    for (char c : t)
      if (c != '.') {
        if (!llvm::isAlpha(c))
          return im.nodeError(node) << "invalid equation '" << eq << "'";
        dimOf(c);
        counts[std::string(1, c)]++;
      }
  if (!explicitOut) {
    rhs = ellRank ? "..." : "";
    for (char c = 'A'; c <= 'z'; ++c)
      if (llvm::isAlpha(c) && counts.lookup(std::string(1, c)) == 1)
        rhs += c;
  }
  auto exprsOf = [&](const std::string &t, int64_t rank,
                     SmallVectorImpl<AffineExpr> &out) -> LogicalResult {
    size_t e = t.find("...");
    int64_t ell = e == std::string::npos ? 0 : rank - (int64_t)(t.size() - 3);
    for (size_t i = 0; i < t.size(); ++i) {
      if (i == e) {
        for (int64_t j = 0; j < ell; ++j)
          out.push_back(b.getAffineDimExpr(ellRank - ell + j));
        i += 2;
        continue;
      }
      auto it = llvm::find(dims, t[i]);
      if (it == dims.end())
        return failure();
      out.push_back(b.getAffineDimExpr(it - dims.begin()));
    }
    return success();
  };
  SmallVector<AffineMap> maps;
  SmallVector<Value> ins;
  SmallVector<int64_t> sizes(dims.size(), kDyn);
  for (auto [k, t] : llvm::enumerate(terms)) {
    RankedTensorType tt = im.typeOf(node.input(k));
    if (tt.getElementType() != et)
      return im.nodeError(node) << "operand element types differ";
    SmallVector<AffineExpr> exprs;
    (void)exprsOf(t, tt.getRank(), exprs);
    for (auto [j, e] : llvm::enumerate(exprs)) {
      int64_t d = cast<AffineDimExpr>(e).getPosition(), s = tt.getDimSize(j);
      if (s == 1 && d < ellRank)
        exprs[j] = b.getAffineConstantExpr(0); // broadcast ellipsis dim
      else if (sizes[d] == kDyn)
        sizes[d] = s;
      else if (s != kDyn && s != sizes[d])
        return im.nodeError(node) << "letter sizes disagree in '" << eq << "'";
    }
    maps.push_back(AffineMap::get(dims.size(), 0, exprs, im.ctx));
    ins.push_back(im.get(node.input(k)));
  }
  SmallVector<AffineExpr> outExprs;
  std::string outTerm = rhs;
  if (failed(exprsOf(outTerm, ellRank + (int64_t)outTerm.size() -
                                  (outTerm.find("...") == std::string::npos
                                       ? 0
                                       : 3),
                     outExprs)))
    return im.nodeError(node) << "output letter not in the inputs of '" << eq
                              << "'";
  SmallVector<int64_t> outShape;
  SmallVector<bool> isOut(dims.size(), false);
  for (AffineExpr e : outExprs) {
    int64_t d = cast<AffineDimExpr>(e).getPosition();
    isOut[d] = true;
    if (sizes[d] == kDyn)
      return im.unsupported(node, "dynamic dimensions");
    outShape.push_back(sizes[d]);
  }
  maps.push_back(AffineMap::get(dims.size(), 0, outExprs, im.ctx));
  SmallVector<utils::IteratorType> iters;
  for (size_t d = 0; d < dims.size(); ++d)
    iters.push_back(isOut[d] ? utils::IteratorType::parallel
                             : utils::IteratorType::reduction);
  Value zero = isa<FloatType>(et)
                   ? (Value)arith::ConstantOp::create(b, loc,
                                                      b.getFloatAttr(et, 0.0))
                   : (Value)arith::ConstantOp::create(b, loc,
                                                      b.getIntegerAttr(et, 0));
  Value init = linalg::FillOp::create(
                   b, loc, zero,
                   Value(tensor::EmptyOp::create(b, loc, outShape, et)))
                   .result();
  auto g = linalg::GenericOp::create(
      b, loc, init.getType(), ins, ValueRange{init}, maps, iters,
      [&](OpBuilder &nb, Location l, ValueRange a) {
        bool f = isa<FloatType>(et);
        Value p = a[0];
        for (size_t i = 1; i + 1 < a.size(); ++i)
          p = f ? (Value)arith::MulFOp::create(nb, l, p, a[i])
                : (Value)arith::MulIOp::create(nb, l, p, a[i]);
        Value acc = a.back();
        linalg::YieldOp::create(
            nb, l,
            f ? (Value)arith::AddFOp::create(nb, l, acc, p)
              : (Value)arith::AddIOp::create(nb, l, acc, p));
      });
  im.set(node, g.getResult(0));
  return success();
}

void qopt::onnx_import::registerNNHandlers(HandlerTable &t) {
  t.onOp("Conv", 1, importConv);
  t.onOp("ConvTranspose", 1, importConvTranspose);
  t.onOp("Einsum", 12, importEinsum);
  t.onOp("Gemm", 1, importGemm);
  t.onOp("MatMul", 1, importMatMul);
  t.onOp("BatchNormalization", 1, importBatchNorm);
  t.onOp("MaxPool", 1, [](Importer &im, const onnx::NodeProto &n) {
    return importPool(im, n, /*isMax=*/true);
  });
  t.onOp("AveragePool", 1, [](Importer &im, const onnx::NodeProto &n) {
    return importPool(im, n, /*isMax=*/false);
  });
  t.onOp("GlobalAveragePool", 1, [](Importer &im, const onnx::NodeProto &n) {
    if (failed(im.requireInputs(n, 1, 1)))
      return failure();
    RankedTensorType xt = im.typeOf(n.input(0));
    if (xt.getRank() != 4)
      return im.unsupported(n, "only 4-D NCHW input is supported");
    Value x = im.get(n.input(0));
    im.set(n,
           GlobalAvgPool2DOp::create(
               im.builder, im.nodeLoc(n),
               RankedTensorType::get({xt.getDimSize(0), xt.getDimSize(1), 1, 1},
                                     xt.getElementType()),
               x));
    return success();
  });
  t.onOp("GlobalMaxPool", 1, [](Importer &im, const onnx::NodeProto &n) -> LogicalResult {
    if (failed(im.requireInputs(n, 1, 1)))
      return failure();
    RankedTensorType xt = im.typeOf(n.input(0));
    if (xt.getRank() < 3 || !isa<FloatType>(xt.getElementType()))
      return im.nodeError(n) << "expects a float input of rank >= 3";
    SmallVector<int64_t> axes;
    for (int64_t d = 2; d < xt.getRank(); ++d)
      axes.push_back(d);
    im.set(n, reduceAxes(im, im.nodeLoc(n), im.get(n.input(0)), axes,
                         /*isMax=*/true, /*keep=*/true));
    return success();
  });
  t.onOp("Softmax", 1, [](Importer &im, const onnx::NodeProto &n) {
    return importSoftmax(im, n, /*flattening=*/true);
  });
  t.onOp("Softmax", 13, [](Importer &im, const onnx::NodeProto &n) {
    return importSoftmax(im, n, /*flattening=*/false);
  });
  t.onOp("Dropout", 1, [](Importer &im, const onnx::NodeProto &n) {
    if (failed(im.requireInputs(n, 1, 3)))
      return failure();
    // Inference: the identity. training_mode (input 2, opset 12) must be a
    // constant false.
    if (im.hasInput(n, 2)) {
      auto mode = im.getConstInts(n.input(2));
      if (!mode || mode->size() != 1)
        return im.unsupported(n, "a training_mode that is not a constant");
      if ((*mode)[0])
        return im.unsupported(n, "training mode (random masks)");
    }
    Value x = im.get(n.input(0));
    im.set(n, x);
    if (n.output_size() > 1 && !n.output(1).empty()) {
      // The mask keeps every element: all true.
      auto xt = cast<RankedTensorType>(x.getType());
      Location loc = im.nodeLoc(n);
      Type i1 = im.builder.getI1Type();
      Value empty =
          tensor::EmptyOp::create(im.builder, loc, xt.clone(i1),
                                  im.resultDims(loc, xt.getShape(), {x}));
      Value one = arith::ConstantOp::create(im.builder, loc,
                                            im.builder.getBoolAttr(true));
      im.set(n,
             linalg::FillOp::create(im.builder, loc, one, empty).getResult(0),
             1);
    }
    return success();
  });
}
