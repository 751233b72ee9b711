//===- BlockwiseOps.cpp - Block-quantized weights: DequantizeLinear, NBits ===//
//
// Part of qopt. ONNX's blocked DequantizeLinear (opset 21, `block_size`)
// and ONNX Runtime's com.microsoft MatMulNBits, the two ways int4 weights
// with a scale (and zero point) per block of the reduction axis come in.
// Both become qnn.block_dequantize of constants; MatMulNBits adds the
// product (and its bias) it fuses. The CPU lowering then runs the product
// on the packed weights (lib/Conversion/QNNToLinalg/BlockwiseOps.cpp).
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "qopt/Dialect/QNN/IR/QNN.h"
#include "qopt/Dialect/QNN/Utils/ConstantUtils.h"

#include "qopt/Support/Sizes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::qnn;
using namespace qopt::onnx_import;

namespace {

/// The block-storage type (si/ui, 4 or 8 bits) of ONNX integer type `t`.
IntegerType blockStorage(Type t) {
  auto it = dyn_cast<IntegerType>(t);
  if (!it || (it.getWidth() != 4 && it.getWidth() != 8))
    return {};
  return IntegerType::get(t.getContext(), it.getWidth(),
                          it.isUnsigned() ? IntegerType::Unsigned
                                          : IntegerType::Signed);
}

/// Input `i` as a block-storage tensor: a constant retyped in place, or a
/// run-time value through tensor.bitcast (the bits stay).
Value storageOperand(Importer &im, const onnx::NodeProto &node, int i,
                     IntegerType storage) {
  Location loc = im.nodeLoc(node);
  RankedTensorType t = im.typeOf(node.input(i));
  auto type = RankedTensorType::get(t.getShape(), storage);
  if (auto dense =
          dyn_cast_or_null<DenseElementsAttr>(im.getConst(node.input(i))))
    return arith::ConstantOp::create(im.builder, loc, dense.bitcast(storage));
  return tensor::BitcastOp::create(im.builder, loc, type,
                                   im.get(node.input(i)));
}

/// Input `i` (a scale or bias, `what`) as f32: f16/bf16 constants are
/// widened at import.
FailureOr<Value> f32Input(Importer &im, const onnx::NodeProto &node, int i,
                          StringRef what) {
  RankedTensorType t = im.typeOf(node.input(i));
  if (t.getElementType().isF32())
    return im.get(node.input(i));
  std::optional<SmallVector<double>> v;
  if (isa<FloatType>(t.getElementType()))
    v = im.getConstFloats(node.input(i));
  if (!v)
    return im.unsupported(node, "a " + what.str() + " of type " +
                                    typeString(t.getElementType()) +
                                    " that is not a constant");
  auto type = RankedTensorType::get(t.getShape(), im.builder.getF32Type());
  return Value(arith::ConstantOp::create(
      im.builder, im.nodeLoc(node),
      cast<TypedAttr>(createFloatElements(type, *v, node.input(i)))));
}

} // namespace

LogicalResult
qopt::onnx_import::importBlockedDequantizeLinear(Importer &im,
                                                 const onnx::NodeProto &node) {
  RankedTensorType xt = im.typeOf(node.input(0)), st = im.typeOf(node.input(1));
  int64_t rank = xt.getRank(), block = getInt(node, "block_size", 0);
  int64_t axis = getInt(node, "axis", 1);
  if (axis < -rank || axis >= rank)
    return im.nodeError(node) << "axis " << axis << " is out of range for "
                              << "rank " << rank;
  if (axis < 0)
    axis += rank;
  if (block < 0)
    return im.nodeError(node) << "block_size must be positive, got " << block;
  IntegerType storage = blockStorage(xt.getElementType());
  if (!storage)
    return im.unsupported(node, "blocked DequantizeLinear of " +
                                    typeString(xt.getElementType()) +
                                    " (qopt takes int4, uint4, int8, uint8)");
  if (st.getRank() != rank)
    return im.nodeError(node) << "blocked scale must have the input's rank "
                              << rank << ", got " << st.getRank();
  for (int64_t d = 0; d < rank; ++d) {
    int64_t n = xt.getDimSize(d);
    if (ShapedType::isDynamic(n) || st.isDynamicDim(d))
      continue;
    int64_t want = d == axis ? (n + block - 1) / block : n;
    if (st.getDimSize(d) != want)
      return im.nodeError(node)
             << "scale dimension " << d << " is " << st.getDimSize(d)
             << ", expected " << want
             << (d == axis ? " (blocks of " + std::to_string(block) + ")"
                           : std::string());
  }
  Value zp;
  if (im.hasInput(node, 2)) {
    RankedTensorType zt = im.typeOf(node.input(2));
    if (zt.getShape() != st.getShape() ||
        zt.getElementType() != xt.getElementType())
      return im.nodeError(node) << "zero point must have the scale's shape "
                                   "and the input's type";
    zp = storageOperand(im, node, 2, storage);
  }
  auto scale = f32Input(im, node, 1, "scale");
  if (failed(scale))
    return failure();
  Location loc = im.nodeLoc(node);
  Value q = storageOperand(im, node, 0, storage);
  Value y = BlockDequantizeOp::create(
      im.builder, loc,
      RankedTensorType::get(xt.getShape(), im.builder.getF32Type()), q, *scale,
      zp, im.builder.getI64IntegerAttr(axis),
      im.builder.getI64IntegerAttr(block));
  // The result has the scale's type.
  if (!st.getElementType().isF32())
    y = CastOp::create(
        im.builder, loc,
        RankedTensorType::get(xt.getShape(), st.getElementType()), y);
  im.set(node, y);
  return success();
}

/// com.microsoft MatMulNBits(A, B, scales, zero_points?, g_idx?, bias?):
/// Y = A x dequantize(B)^T + bias with B [N, ceil(K / block_size), blob]
/// bytes, each block's `bits`-bit values packed low bits first, one scale
/// per (n, block) and zero points packed the same way (default 2^(bits-1)).
static LogicalResult importMatMulNBits(Importer &im,
                                       const onnx::NodeProto &node) {
  if (failed(im.requireInputs(node, 3, 6)))
    return failure();
  int64_t k = getInt(node, "K", 0), n = getInt(node, "N", 0);
  int64_t bits = getInt(node, "bits", 4), block = getInt(node, "block_size", 0);
  if (k <= 0 || n <= 0 || block <= 0)
    return im.nodeError(node) << "K, N and block_size must be positive, got "
                              << k << ", " << n << " and " << block;
  // B must hold N x blocks x blob bytes; the product is computed without
  // overflow so that no attribute can make it match a small B.
  constexpr int64_t kMaxDim = int64_t(1) << 31;
  if (k > kMaxDim || n > kMaxDim || block > kMaxDim)
    return im.nodeError(node) << "K, N and block_size must be at most 2^31";
  if (bits != 4 && bits != 8)
    return im.unsupported(node, "bits=" + std::to_string(bits) +
                                    " (qopt takes 4 and 8)");
  if ((block * bits) % 8)
    return im.nodeError(node)
           << "block_size " << block << " does not fill whole bytes";
  RankedTensorType at = im.typeOf(node.input(0));
  // f16 / bf16 activations (GPU-style exports): the product runs in f32 on
  // the widened input, the result rounded back to A's type (as every fp16
  // model runs in qopt, see --widen-float16).
  Type aType = at.getElementType();
  if (!aType.isF32() && !isa<Float16Type, BFloat16Type>(aType))
    return im.unsupported(node, "MatMulNBits with " + typeString(aType) +
                                    " activations (qopt takes f32, f16 and "
                                    "bf16)");
  if (at.getRank() < 2 || at.isDynamicDim(at.getRank() - 1) ||
      at.getDimSize(at.getRank() - 1) != k)
    return im.nodeError(node) << "A must be [..., K = " << k << "], got "
                              << qopt::shapeString(at.getShape());
  int64_t blocks = (k + block - 1) / block, blob = block * bits / 8;
  DenseElementsAttr b = im.getDenseConst(node.input(1));
  if (!b)
    b = dyn_cast_or_null<DenseElementsAttr>(im.getConst(node.input(1)));
  if (!b || !b.getElementType().isUnsignedInteger(8))
    return im.unsupported(node, "B that is not a uint8 constant");
  std::optional<int64_t> need = qopt::checkedMul(n, blocks);
  if (need)
    need = qopt::checkedMul(*need, blob);
  if (!need || b.getNumElements() != *need)
    return im.nodeError(node) << "B holds " << b.getNumElements()
                              << " bytes, expected N x blocks x blob = " << n
                              << " x " << blocks << " x " << blob;
  std::optional<SmallVector<double>> scales;
  if (isa<FloatType>(im.typeOf(node.input(2)).getElementType()))
    scales = im.getConstFloats(node.input(2));
  if (!scales)
    return im.unsupported(node, "scales that are not constants");
  if ((int64_t)scales->size() != n * blocks)
    return im.nodeError(node)
           << "scales hold " << scales->size()
           << " values, expected N x blocks = " << n * blocks;
  ArrayRef<char> bytes = b.getRawData();
  auto byteAt = [&](int64_t i) -> uint8_t {
    return (uint8_t)bytes[b.isSplat() ? 0 : i];
  };
  uint32_t mask = (1u << bits) - 1;
  // Zero points: packed uint8 [N, ceil(blocks * bits / 8)] (float zero
  // points, which ORT also allows, are not integers qopt can store).
  SmallVector<int64_t> zeros(n * blocks, int64_t(1) << (bits - 1));
  if (im.hasInput(node, 3)) {
    DenseElementsAttr z =
        dyn_cast_or_null<DenseElementsAttr>(im.getConst(node.input(3)));
    if (!z)
      return im.unsupported(node, "zero points that are not constants");
    if (!z.getElementType().isUnsignedInteger(8))
      return im.unsupported(node, "zero points of type " +
                                      typeString(z.getElementType()) +
                                      " (qopt takes packed uint8)");
    int64_t rowBytes = (blocks * bits + 7) / 8;
    if (z.getNumElements() != n * rowBytes)
      return im.nodeError(node) << "zero points hold " << z.getNumElements()
                                << " bytes, expected " << n * rowBytes;
    ArrayRef<char> zb = z.getRawData();
    for (int64_t r = 0; r < n; ++r)
      for (int64_t g = 0; g < blocks; ++g) {
        int64_t bit = g * bits;
        uint8_t byte = (uint8_t)zb[z.isSplat() ? 0 : r * rowBytes + bit / 8];
        zeros[r * blocks + g] = (byte >> (bit % 8)) & mask;
      }
  }
  // g_idx (act-order models) is accepted only when it is the identity
  // grouping k / block_size.
  if (im.hasInput(node, 4)) {
    auto gidx = im.getConstInts(node.input(4));
    bool identity = gidx && (int64_t)gidx->size() == k;
    for (int64_t i = 0; identity && i < k; ++i)
      identity = (*gidx)[i] == i / block;
    if (!identity)
      return im.unsupported(node, "g_idx other than k / block_size (act-order "
                                  "weights)");
  }

  // [K, N] weights with [blocks, N] scales and zero points: the product is
  // a plain A x W, which the CPU lowering runs on the packed values.
  MLIRContext *ctx = im.ctx;
  Location loc = im.nodeLoc(node);
  auto storage = IntegerType::get(ctx, bits, IntegerType::Unsigned);
  SmallVector<APInt> q(k * n), zv(blocks * n);
  for (int64_t r = 0; r < n; ++r)
    for (int64_t i = 0; i < k; ++i) {
      int64_t bit = (i % block) * bits;
      uint8_t byte = byteAt((r * blocks + i / block) * blob + bit / 8);
      q[i * n + r] = APInt(bits, (byte >> (bit % 8)) & mask);
    }
  SmallVector<float> sv(blocks * n);
  for (int64_t r = 0; r < n; ++r)
    for (int64_t g = 0; g < blocks; ++g) {
      sv[g * n + r] = (float)(*scales)[r * blocks + g];
      zv[g * n + r] = APInt(bits, zeros[r * blocks + g]);
    }
  Value qc = arith::ConstantOp::create(
      im.builder, loc,
      DenseElementsAttr::get(RankedTensorType::get({k, n}, storage), q));
  Value sc = arith::ConstantOp::create(
      im.builder, loc,
      DenseElementsAttr::get(
          RankedTensorType::get({blocks, n}, im.builder.getF32Type()),
          ArrayRef<float>(sv)));
  Value zc = arith::ConstantOp::create(
      im.builder, loc,
      DenseElementsAttr::get(RankedTensorType::get({blocks, n}, storage), zv));
  Value w = BlockDequantizeOp::create(
      im.builder, loc, RankedTensorType::get({k, n}, im.builder.getF32Type()),
      qc, sc, zc, im.builder.getI64IntegerAttr(0),
      im.builder.getI64IntegerAttr(block));
  SmallVector<int64_t> shape(at.getShape());
  shape.back() = n;
  auto yt = RankedTensorType::get(shape, im.builder.getF32Type());
  Value a = im.get(node.input(0));
  if (!aType.isF32())
    a = CastOp::create(im.builder, loc, at.clone(im.builder.getF32Type()), a);
  Value y = MatMulOp::create(im.builder, loc, yt, a, w);
  if (im.hasInput(node, 5)) {
    RankedTensorType bt = im.typeOf(node.input(5));
    if (bt.getRank() != 1 || bt.getDimSize(0) != n)
      return im.nodeError(node) << "bias must be [N = " << n << "], got "
                                << qopt::shapeString(bt.getShape());
    auto bias = f32Input(im, node, 5, "bias");
    if (failed(bias))
      return failure();
    y = AddOp::create(im.builder, loc, yt, y, *bias);
  }
  if (!aType.isF32())
    y = CastOp::create(im.builder, loc, RankedTensorType::get(shape, aType), y);
  im.set(node, y);
  return success();
}

void qopt::onnx_import::registerBlockwiseHandlers(HandlerTable &t) {
  t.onOp("com.microsoft.MatMulNBits", 1, importMatMulNBits);
}
