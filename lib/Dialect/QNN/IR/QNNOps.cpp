//===- QNNOps.cpp - QNN op verifiers, folders and shape helpers -----------===//
//
// Part of qopt. Verifier messages name the operand and the offending value
// so that a user reading a diagnostic on an imported model can find it.
//
//===----------------------------------------------------------------------===//

#include "qopt/Dialect/QNN/IR/QNN.h"

#include "mlir/Dialect/Traits.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace mlir::qnn;

//===----------------------------------------------------------------------===//
// Shape helpers
//===----------------------------------------------------------------------===//

static constexpr int64_t kDyn = ShapedType::kDynamic;

/// Prints a shape as 1x?x4 for diagnostics.
static std::string shapeStr(ArrayRef<int64_t> shape) {
  std::string s;
  llvm::raw_string_ostream os(s);
  llvm::interleave(
      shape, os,
      [&](int64_t d) {
        if (d == kDyn)
          os << '?';
        else
          os << d;
      },
      "x");
  if (shape.empty())
    os << "scalar";
  return s;
}

static LogicalResult fail(std::string *reason, const llvm::Twine &msg) {
  if (reason)
    *reason = msg.str();
  return failure();
}

int64_t qnn::getWindowOutputSize(int64_t in, int64_t kernel, int64_t stride,
                                 int64_t dilation, int64_t padBefore,
                                 int64_t padAfter, bool ceilMode) {
  if (in == kDyn)
    return kDyn;
  // Sizes come from models (untrusted): overflow means "does not fit".
  int64_t effective, span;
  if (__builtin_mul_overflow(dilation, kernel - 1, &effective) ||
      __builtin_add_overflow(effective, 1, &effective) ||
      __builtin_add_overflow(in, padBefore, &span) ||
      __builtin_add_overflow(span, padAfter, &span) ||
      __builtin_sub_overflow(span, effective, &span) || stride < 1)
    return -1;
  if (span < 0)
    return -1;
  int64_t out = ceilMode ? (span + stride - 1) / stride + 1 : span / stride + 1;
  // ONNX/PyTorch: with ceil mode, the last window must start inside the input
  // or the leading padding.
  if (ceilMode && (out - 1) * stride >= in + padBefore)
    --out;
  return out;
}

bool qnn::areShapesCompatible(ArrayRef<int64_t> a, ArrayRef<int64_t> b) {
  if (a.size() != b.size())
    return false;
  for (auto [x, y] : llvm::zip_equal(a, b))
    if (x != kDyn && y != kDyn && x != y)
      return false;
  return true;
}

static LogicalResult checkWindowAttrs(ArrayRef<int64_t> strides,
                                      ArrayRef<int64_t> dilations,
                                      ArrayRef<int64_t> pads,
                                      std::string *reason) {
  if (strides.size() != 2)
    return fail(reason, "expects 2 strides, got " + llvm::Twine(strides.size()));
  if (dilations.size() != 2)
    return fail(reason,
                "expects 2 dilations, got " + llvm::Twine(dilations.size()));
  if (pads.size() != 4)
    return fail(reason, "expects 4 pads [top, left, bottom, right], got " +
                            llvm::Twine(pads.size()));
  if (llvm::any_of(strides, [](int64_t s) { return s < 1; }))
    return fail(reason, "strides must be positive");
  if (llvm::any_of(dilations, [](int64_t s) { return s < 1; }))
    return fail(reason, "dilations must be positive");
  if (llvm::any_of(pads, [](int64_t s) { return s < 0; }))
    return fail(reason, "pads must be non-negative");
  auto tooLarge = [](int64_t s) { return s > qnn::kMaxWindowExtent; };
  if (llvm::any_of(strides, tooLarge) || llvm::any_of(dilations, tooLarge) ||
      llvm::any_of(pads, tooLarge))
    return fail(reason, "strides, dilations and pads must be at most " +
                            llvm::Twine(qnn::kMaxWindowExtent));
  return success();
}

FailureOr<SmallVector<int64_t>>
qnn::inferConv2DShape(ArrayRef<int64_t> input, ArrayRef<int64_t> weight,
                      ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations,
                      ArrayRef<int64_t> pads, int64_t group,
                      std::string *reason) {
  if (input.size() != 4)
    return fail(reason, "expects a 4-D NCHW input, got rank " +
                            llvm::Twine(input.size()));
  if (weight.size() != 4)
    return fail(reason, "expects a 4-D FCHW weight, got rank " +
                            llvm::Twine(weight.size()));
  if (failed(checkWindowAttrs(strides, dilations, pads, reason)))
    return failure();
  if (group < 1)
    return fail(reason, "group must be positive, got " + llvm::Twine(group));
  int64_t cin = input[1], f = weight[0], cpg = weight[1];
  if (f != kDyn && f % group != 0)
    return fail(reason, "output channels (" + llvm::Twine(f) +
                            ") must be a multiple of group (" +
                            llvm::Twine(group) + ")");
  if (cin != kDyn && cpg != kDyn && cin != cpg * group)
    return fail(reason, "input channels (" + llvm::Twine(cin) +
                            ") must equal weight channels per group (" +
                            llvm::Twine(cpg) + ") times group (" +
                            llvm::Twine(group) + ")");
  SmallVector<int64_t> out = {input[0], f, 0, 0};
  for (int i = 0; i < 2; ++i) {
    if (weight[2 + i] == kDyn) {
      out[2 + i] = kDyn;
      continue;
    }
    int64_t o = getWindowOutputSize(input[2 + i], weight[2 + i], strides[i],
                                    dilations[i], pads[i], pads[2 + i]);
    if (o != kDyn && o < 1)
      return fail(reason, "kernel " + shapeStr(weight.drop_front(2)) +
                              " does not fit the padded input " +
                              shapeStr(input.drop_front(2)));
    out[2 + i] = o;
  }
  return out;
}

FailureOr<SmallVector<int64_t>>
qnn::inferPool2DShape(ArrayRef<int64_t> input, ArrayRef<int64_t> kernel,
                      ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations,
                      ArrayRef<int64_t> pads, bool ceilMode,
                      std::string *reason) {
  if (input.size() != 4)
    return fail(reason, "expects a 4-D NCHW input, got rank " +
                            llvm::Twine(input.size()));
  if (kernel.size() != 2)
    return fail(reason, "expects a 2-D kernel, got " +
                            llvm::Twine(kernel.size()) + " sizes");
  if (llvm::any_of(kernel, [](int64_t k) { return k < 1; }))
    return fail(reason, "kernel sizes must be positive");
  if (llvm::any_of(kernel, [](int64_t k) { return k > kMaxWindowExtent; }))
    return fail(reason, "kernel sizes must be at most " +
                            llvm::Twine(kMaxWindowExtent));
  if (failed(checkWindowAttrs(strides, dilations, pads, reason)))
    return failure();
  if (pads[0] >= kernel[0] || pads[2] >= kernel[0] || pads[1] >= kernel[1] ||
      pads[3] >= kernel[1])
    return fail(reason, "pads must be smaller than the kernel");
  SmallVector<int64_t> out = {input[0], input[1], 0, 0};
  for (int i = 0; i < 2; ++i) {
    int64_t o = getWindowOutputSize(input[2 + i], kernel[i], strides[i],
                                    dilations[i], pads[i], pads[2 + i],
                                    ceilMode);
    if (o != kDyn && o < 1)
      return fail(reason, "kernel " + shapeStr(kernel) +
                              " does not fit the padded input " +
                              shapeStr(input.drop_front(2)));
    out[2 + i] = o;
  }
  return out;
}

FailureOr<SmallVector<int64_t>> qnn::inferMatMulShape(ArrayRef<int64_t> lhs,
                                                      ArrayRef<int64_t> rhs,
                                                      std::string *reason) {
  if (lhs.empty() || rhs.empty())
    return fail(reason, "operands must have rank at least 1");
  SmallVector<int64_t> a(lhs), b(rhs);
  bool lhsVec = a.size() == 1, rhsVec = b.size() == 1;
  if (lhsVec)
    a.insert(a.begin(), 1);
  if (rhsVec)
    b.push_back(1);
  int64_t k1 = a.back(), k2 = b[b.size() - 2];
  if (k1 != kDyn && k2 != kDyn && k1 != k2)
    return fail(reason, "contraction dimensions differ: " + llvm::Twine(k1) +
                            " vs " + llvm::Twine(k2));
  SmallVector<int64_t> batch;
  if (!::mlir::OpTrait::util::getBroadcastedShape(ArrayRef(a).drop_back(2),
                                          ArrayRef(b).drop_back(2), batch))
    return fail(reason, "batch dimensions " +
                            shapeStr(ArrayRef(a).drop_back(2)) + " and " +
                            shapeStr(ArrayRef(b).drop_back(2)) +
                            " do not broadcast");
  SmallVector<int64_t> out(batch);
  if (!lhsVec)
    out.push_back(a[a.size() - 2]);
  if (!rhsVec)
    out.push_back(b.back());
  return out;
}

//===----------------------------------------------------------------------===//
// Fused activation
//===----------------------------------------------------------------------===//

std::pair<double, double>
qnn::getActivationRange(Activation kind, std::optional<llvm::APFloat> min,
                        std::optional<llvm::APFloat> max) {
  constexpr double inf = std::numeric_limits<double>::infinity();
  switch (kind) {
  case Activation::None:
    return {-inf, inf};
  case Activation::Relu:
    return {0.0, inf};
  case Activation::Relu6:
    return {0.0, 6.0};
  case Activation::Clip:
    return {min ? min->convertToDouble() : -inf,
            max ? max->convertToDouble() : inf};
  }
  llvm_unreachable("unknown activation");
}

LogicalResult qnn::verifyFusedActivation(Operation *op) {
  auto iface = cast<FusedActivationOpInterface>(op);
  auto min = iface.getActivationMin(), max = iface.getActivationMax();
  if (iface.getActivation() != Activation::Clip) {
    if (min || max)
      return op->emitOpError(
          "clip_min/clip_max are only allowed with fused_activation = clip");
    return success();
  }
  if (!min || !max)
    return op->emitOpError(
        "fused_activation = clip requires both clip_min and clip_max");
  if (min->convertToDouble() > max->convertToDouble())
    return op->emitOpError("clip_min (")
           << min->convertToDouble() << ") is greater than clip_max ("
           << max->convertToDouble() << ")";
  return success();
}

//===----------------------------------------------------------------------===//
// Element type rules
//===----------------------------------------------------------------------===//

static bool isQuantized(Type t) {
  return isa<quant::UniformQuantizedType, quant::UniformQuantizedPerAxisType>(
      getElementTypeOrSelf(t));
}

static Type getExpressed(Type elementType) {
  if (auto q = dyn_cast<quant::QuantizedType>(elementType))
    return q.getExpressedType();
  return elementType;
}

/// Float operands and results must share one float type; quantized ones must
/// all be quantized with the same expressed type. Mixing is an error: the
/// boundary between the worlds is an explicit quantize/dequantize.
static LogicalResult verifySameNumericKind(Operation *op, ValueRange values) {
  bool anyQuant = false, anyFloat = false;
  Type floatType, expressed;
  for (Value v : values) {
    Type et = getElementTypeOrSelf(v.getType());
    if (isQuantized(et)) {
      anyQuant = true;
    } else if (isa<FloatType>(et)) {
      anyFloat = true;
      if (floatType && floatType != et)
        return op->emitOpError("float operands and results must share one "
                               "element type, got ")
               << floatType << " and " << et;
      floatType = et;
    } else {
      continue; // integer tensors are checked by the op's own rules
    }
    Type e = getExpressed(et);
    if (expressed && expressed != e)
      return op->emitOpError("quantized expressed types differ: ")
             << expressed << " and " << e;
    expressed = e;
  }
  if (anyQuant && anyFloat)
    return op->emitOpError("mixes float and quantized operands; insert "
                           "qnn.quantize or qnn.dequantize at the boundary");
  return success();
}

/// Quantized ops that move data without arithmetic must keep their input's
/// parameters.
static LogicalResult verifySameQuantParams(Operation *op, Type in, Type out) {
  Type a = getElementTypeOrSelf(in), b = getElementTypeOrSelf(out);
  if (isQuantized(a) && a != b)
    return op->emitOpError("quantized ")
           << op->getName().stripDialect()
           << " must keep its input's quantization parameters, got " << a
           << " -> " << b;
  return success();
}

static bool approxEqual(double a, double b) {
  return std::fabs(a - b) <= 1e-6 * std::max(std::fabs(a), std::fabs(b));
}

/// Quantized conv / fully_connected: per-tensor input and output, weight
/// per-tensor or per-axis along 0, 32-bit bias with scale s_in * s_w.
static LogicalResult verifyQuantizedWeightedOp(Operation *op, Value input,
                                               Value weight, Value bias,
                                               Value output) {
  auto inQ = dyn_cast<quant::UniformQuantizedType>(
      getElementTypeOrSelf(input.getType()));
  if (!inQ)
    return op->emitOpError("quantized input must be per-tensor, got ")
           << getElementTypeOrSelf(input.getType());
  if (!isa<quant::UniformQuantizedType>(getElementTypeOrSelf(output.getType())))
    return op->emitOpError("quantized result must be per-tensor, got ")
           << getElementTypeOrSelf(output.getType());
  Type wt = getElementTypeOrSelf(weight.getType());
  int64_t channels = cast<ShapedType>(weight.getType()).getDimSize(0);
  SmallVector<double> weightScales;
  if (auto w = dyn_cast<quant::UniformQuantizedType>(wt)) {
    weightScales.push_back(w.getScale());
  } else {
    auto wa = cast<quant::UniformQuantizedPerAxisType>(wt);
    if (wa.getQuantizedDimension() != 0)
      return op->emitOpError("per-axis weight must be quantized along axis 0 "
                             "(output channels), got axis ")
             << wa.getQuantizedDimension();
    if (channels != kDyn &&
        static_cast<int64_t>(wa.getScales().size()) != channels)
      return op->emitOpError("per-axis weight has ")
             << wa.getScales().size() << " scales for " << channels
             << " output channels";
    weightScales.assign(wa.getScales().begin(), wa.getScales().end());
  }
  if (!bias)
    return success();
  Type bt = getElementTypeOrSelf(bias.getType());
  auto bq = dyn_cast<quant::QuantizedType>(bt);
  if (!bq || bq.getStorageTypeIntegralWidth() != 32)
    return op->emitOpError("quantized bias must be 32-bit quantized, got ")
           << bt;
  SmallVector<double> biasScales;
  SmallVector<int64_t> biasZps;
  if (auto bt1 = dyn_cast<quant::UniformQuantizedType>(bt)) {
    biasScales.push_back(bt1.getScale());
    biasZps.push_back(bt1.getZeroPoint());
  } else {
    auto bta = cast<quant::UniformQuantizedPerAxisType>(bt);
    biasScales.assign(bta.getScales().begin(), bta.getScales().end());
    biasZps.assign(bta.getZeroPoints().begin(), bta.getZeroPoints().end());
  }
  if (llvm::any_of(biasZps, [](int64_t z) { return z != 0; }))
    return op->emitOpError("quantized bias must have zero point 0");
  if (biasScales.size() != weightScales.size())
    return op->emitOpError("bias has ")
           << biasScales.size() << " scales but the weight has "
           << weightScales.size();
  for (auto [i, sb, sw] : llvm::enumerate(biasScales, weightScales)) {
    double expected = inQ.getScale() * sw;
    if (!approxEqual(sb, expected))
      return op->emitOpError("bias scale ")
             << sb << " at channel " << i << " must equal input scale * "
             << "weight scale = " << expected;
  }
  return success();
}

static LogicalResult verifyWeightedOpTypes(Operation *op, Value input,
                                           Value weight, Value bias,
                                           Value output) {
  SmallVector<Value> values = {input, weight, output};
  if (!isQuantized(input.getType()) && bias)
    values.push_back(bias);
  if (failed(verifySameNumericKind(op, values)))
    return failure();
  if (!isQuantized(input.getType()))
    return success();
  return verifyQuantizedWeightedOp(op, input, weight, bias, output);
}

static LogicalResult verifyResultShape(Operation *op, ArrayRef<int64_t> inferred,
                                       ShapedType result) {
  if (!areShapesCompatible(inferred, result.getShape()))
    return op->emitOpError("result shape ")
           << shapeStr(result.getShape()) << " does not match the expected "
           << shapeStr(inferred);
  return success();
}

//===----------------------------------------------------------------------===//
// Compute ops
//===----------------------------------------------------------------------===//

LogicalResult Conv2DOp::verify() {
  std::string reason;
  auto shape = inferConv2DShape(
      getInput().getType().getShape(), getWeight().getType().getShape(),
      getStrides(), getDilations(), getPads(), static_cast<int64_t>(getGroup()), &reason);
  if (failed(shape))
    return emitOpError(reason);
  if (failed(verifyResultShape(*this, *shape, getOutput().getType())))
    return failure();
  if (Value bias = getBias()) {
    auto bt = cast<RankedTensorType>(bias.getType());
    if (bt.getRank() != 1 || !areShapesCompatible(bt.getShape(), {(*shape)[1]}))
      return emitOpError("bias must be 1-D with one value per output channel (")
             << (*shape)[1] << "), got " << shapeStr(bt.getShape());
  }
  return verifyWeightedOpTypes(*this, getInput(), getWeight(), getBias(),
                               getOutput());
}

LogicalResult FullyConnectedOp::verify() {
  auto in = getInput().getType(), w = getWeight().getType();
  if (in.getRank() != 2)
    return emitOpError("expects a 2-D [M, K] input, got rank ")
           << in.getRank();
  if (w.getRank() != 2)
    return emitOpError("expects a 2-D [N, K] weight, got rank ") << w.getRank();
  if (!areShapesCompatible({in.getDimSize(1)}, {w.getDimSize(1)}))
    return emitOpError("input features (")
           << in.getDimSize(1) << ") must equal weight columns ("
           << w.getDimSize(1) << ")";
  SmallVector<int64_t> shape = {in.getDimSize(0), w.getDimSize(0)};
  if (failed(verifyResultShape(*this, shape, getOutput().getType())))
    return failure();
  if (Value bias = getBias()) {
    auto bt = cast<RankedTensorType>(bias.getType());
    if (bt.getRank() != 1 || !areShapesCompatible(bt.getShape(), {shape[1]}))
      return emitOpError("bias must be 1-D with one value per output feature (")
             << shape[1] << "), got " << shapeStr(bt.getShape());
  }
  return verifyWeightedOpTypes(*this, getInput(), getWeight(), getBias(),
                               getOutput());
}

LogicalResult MatMulOp::verify() {
  std::string reason;
  auto shape = inferMatMulShape(getLhs().getType().getShape(),
                                getRhs().getType().getShape(), &reason);
  if (failed(shape))
    return emitOpError(reason);
  if (failed(verifyResultShape(*this, *shape, getOutput().getType())))
    return failure();
  if (failed(verifySameNumericKind(*this, {getLhs(), getRhs(), getOutput()})))
    return failure();
  if (isQuantized(getLhs().getType())) {
    for (Value v : {getLhs(), getOutput()})
      if (!isa<quant::UniformQuantizedType>(getElementTypeOrSelf(v.getType())))
        return emitOpError("quantized lhs and result must be per-tensor");
    if (auto pa = dyn_cast<quant::UniformQuantizedPerAxisType>(
            getElementTypeOrSelf(getRhs().getType())))
      if (pa.getQuantizedDimension() != getRhs().getType().getRank() - 1)
        return emitOpError("per-axis rhs must be quantized along its last "
                           "dimension (output columns)");
  }
  return success();
}

LogicalResult BatchNormOp::verify() {
  auto in = getInput().getType();
  if (in.getRank() < 2)
    return emitOpError("expects an input of rank >= 2 with channels on axis "
                       "1, got rank ")
           << in.getRank();
  int64_t c = in.getDimSize(1);
  static constexpr StringLiteral names[] = {"scale", "bias", "mean",
                                            "variance"};
  Value params[] = {getScale(), getBias(), getMean(), getVariance()};
  for (auto [name, v] : llvm::zip_equal(names, params)) {
    auto t = cast<RankedTensorType>(v.getType());
    if (t.getRank() != 1 || !areShapesCompatible(t.getShape(), {c}))
      return emitOpError() << name << " must be 1-D with " << c
                           << " channels, got " << shapeStr(t.getShape());
  }
  if (getEpsilon().convertToDouble() < 0)
    return emitOpError("epsilon must be non-negative");
  if (failed(verifyResultShape(*this, in.getShape(), getOutput().getType())))
    return failure();
  return verifySameNumericKind(*this, getOperation()->getOperands());
}

//===----------------------------------------------------------------------===//
// Elementwise ops
//===----------------------------------------------------------------------===//

static LogicalResult verifyUnary(Operation *op) {
  return verifySameNumericKind(op, {op->getOperand(0), op->getResult(0)});
}

LogicalResult ReluOp::verify() { return verifyUnary(*this); }
LogicalResult LeakyReluOp::verify() { return verifyUnary(*this); }
LogicalResult SigmoidOp::verify() { return verifyUnary(*this); }
LogicalResult HardSigmoidOp::verify() { return verifyUnary(*this); }

LogicalResult ClipOp::verify() {
  if (getMin().convertToDouble() > getMax().convertToDouble())
    return emitOpError("min (")
           << getMin().convertToDouble() << ") is greater than max ("
           << getMax().convertToDouble() << ")";
  return verifyUnary(*this);
}

LogicalResult SoftmaxOp::verify() {
  int64_t rank = getInput().getType().getRank();
  if (static_cast<int64_t>(getAxis()) < -rank || static_cast<int64_t>(getAxis()) >= rank)
    return emitOpError("axis ") << static_cast<int64_t>(getAxis()) << " is out of range for rank "
                                << rank;
  return verifyUnary(*this);
}

LogicalResult NonMaxSuppressionOp::verify() {
  auto boxes = getBoxes().getType(), scores = getScores().getType();
  if (boxes.getRank() != 3 || !boxes.hasStaticShape() ||
      boxes.getDimSize(2) != 4)
    return emitOpError("expects boxes of a static shape [batches, boxes, 4], "
                       "got ")
           << boxes;
  if (scores.getRank() != 3 || !scores.hasStaticShape() ||
      scores.getDimSize(0) != boxes.getDimSize(0) ||
      scores.getDimSize(2) != boxes.getDimSize(1))
    return emitOpError("expects scores of shape [")
           << boxes.getDimSize(0) << ", classes, " << boxes.getDimSize(1)
           << "], got " << scores;
  for (Value v :
       {getMaxOutputBoxesPerClass(), getIouThreshold(), getScoreThreshold()})
    if (v && cast<RankedTensorType>(v.getType()).getNumElements() != 1)
      return emitOpError("expects a single value for each threshold and the "
                         "maximum count, got ")
             << v.getType();
  if (getCenterPointBox() != 0 && getCenterPointBox() != 1)
    return emitOpError("center_point_box must be 0 or 1, got ")
           << getCenterPointBox();
  auto selected = getSelected().getType();
  if (selected.getRank() != 2 || !selected.hasStaticShape() ||
      selected.getDimSize(0) < 1 || selected.getDimSize(1) != 3)
    return emitOpError("expects a static [M, 3] result with M >= 1, got ")
           << selected;
  return success();
}

LogicalResult NonZeroOp::verify() {
  RankedTensorType in = getInput().getType();
  if (in.getRank() == 0 || !in.hasStaticShape())
    return emitOpError("expects an input of a static shape and rank >= 1, got ")
           << in;
  auto expected = RankedTensorType::get({in.getRank(), in.getNumElements()},
                                        IntegerType::get(getContext(), 64));
  if (getIndices().getType() != expected)
    return emitOpError("expects indices of type ")
           << expected << ", got " << getIndices().getType();
  return success();
}

LogicalResult LayerNormOp::verify() {
  RankedTensorType in = getInput().getType();
  int64_t rank = in.getRank(), axis = static_cast<int64_t>(getAxis());
  if (rank == 0)
    return emitOpError("expects an input of rank >= 1");
  if (axis < -rank || axis >= rank)
    return emitOpError("axis ") << axis << " is out of range for rank " << rank;
  if (axis < 0)
    axis += rank;
  if (getOutput().getType() != in)
    return emitOpError("result type ")
           << getOutput().getType() << " differs from the input type " << in;
  float eps = getEpsilon().convertToFloat();
  if (!(eps >= 0) || !std::isfinite(eps))
    return emitOpError("epsilon must be finite and >= 0, got ") << eps;
  ArrayRef<int64_t> normalized = in.getShape().drop_front(axis);
  for (Value v : {getScale(), getBias()}) {
    if (!v)
      continue;
    auto t = cast<RankedTensorType>(v.getType());
    StringRef what = v == getScale() ? "scale" : "bias";
    if (t.getElementType() != in.getElementType())
      return emitOpError() << what << " element type " << t.getElementType()
                           << " differs from the input's "
                           << in.getElementType();
    if (t.getRank() > (int64_t)normalized.size())
      return emitOpError() << what << " of rank " << t.getRank()
                           << " does not broadcast to the normalized shape of "
                              "rank "
                           << normalized.size();
    ArrayRef<int64_t> tail = normalized.take_back(t.getRank());
    for (auto [d, n] : llvm::zip(t.getShape(), tail))
      if (d != 1 && d != ShapedType::kDynamic && n != ShapedType::kDynamic &&
          d != n)
        return emitOpError() << what << " shape (" << t.getShape()
                             << ") does not broadcast to the normalized "
                                "shape ("
                             << normalized << ")";
  }
  return success();
}

static LogicalResult verifyBinary(Operation *op) {
  Type elements[] = {getElementTypeOrSelf(op->getOperand(0).getType()),
                     getElementTypeOrSelf(op->getOperand(1).getType()),
                     getElementTypeOrSelf(op->getResult(0).getType())};
  if (llvm::any_of(elements, [](Type t) { return isa<IntegerType>(t); })) {
    if (elements[0] != elements[1] || elements[0] != elements[2])
      return op->emitOpError("integer operands and result must share one "
                             "type, got ")
             << elements[0] << ", " << elements[1] << " -> " << elements[2];
    return success();
  }
  return verifySameNumericKind(
      op, {op->getOperand(0), op->getOperand(1), op->getResult(0)});
}

LogicalResult AddOp::verify() { return verifyBinary(*this); }
LogicalResult SubOp::verify() { return verifyBinary(*this); }
LogicalResult MulOp::verify() { return verifyBinary(*this); }
LogicalResult DivOp::verify() { return verifyBinary(*this); }

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

LogicalResult MaxPool2DOp::verify() {
  std::string reason;
  auto shape = inferPool2DShape(getInput().getType().getShape(), getKernel(),
                                getStrides(), getDilations(), getPads(),
                                getCeilMode(), &reason);
  if (failed(shape))
    return emitOpError(reason);
  if (failed(verifyResultShape(*this, *shape, getOutput().getType())) ||
      failed(verifyUnary(*this)))
    return failure();
  return verifySameQuantParams(*this, getInput().getType(),
                               getOutput().getType());
}

LogicalResult AvgPool2DOp::verify() {
  std::string reason;
  SmallVector<int64_t> dilations = {1, 1};
  auto shape = inferPool2DShape(getInput().getType().getShape(), getKernel(),
                                getStrides(), dilations, getPads(),
                                getCeilMode(), &reason);
  if (failed(shape))
    return emitOpError(reason);
  if (failed(verifyResultShape(*this, *shape, getOutput().getType())))
    return failure();
  return verifyUnary(*this);
}

LogicalResult GlobalAvgPool2DOp::verify() {
  auto in = getInput().getType();
  if (in.getRank() != 4)
    return emitOpError("expects a 4-D NCHW input, got rank ") << in.getRank();
  SmallVector<int64_t> shape = {in.getDimSize(0), in.getDimSize(1), 1, 1};
  if (failed(verifyResultShape(*this, shape, getOutput().getType())))
    return failure();
  return verifyUnary(*this);
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

/// Data movement keeps the element type exactly (quantization parameters
/// included).
static LogicalResult verifySameElementType(Operation *op, Type in, Type out) {
  if (getElementTypeOrSelf(in) != getElementTypeOrSelf(out))
    return op->emitOpError("element type must be preserved, got ")
           << getElementTypeOrSelf(in) << " -> " << getElementTypeOrSelf(out);
  return success();
}

LogicalResult ReshapeOp::verify() {
  auto in = getInput().getType(), out = getOutput().getType();
  if (failed(verifySameElementType(*this, in, out)))
    return failure();
  if (in.hasStaticShape() && out.hasStaticShape() &&
      in.getNumElements() != out.getNumElements())
    return emitOpError("cannot reshape ")
           << shapeStr(in.getShape()) << " (" << in.getNumElements()
           << " elements) to " << shapeStr(out.getShape()) << " ("
           << out.getNumElements() << " elements)";
  if (out.getNumDynamicDims() > 1)
    return emitOpError("result may have at most one dynamic dimension");
  if (out.getNumDynamicDims() == 1 && in.hasStaticShape())
    return emitOpError("result has a dynamic dimension but the input shape ")
           << shapeStr(in.getShape()) << " is static";
  return success();
}

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getOutput().getType())
    return getInput();
  if (auto dense = dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput()))
    if (getOutput().getType().hasStaticShape())
      return dense.reshape(getOutput().getType());
  // Weights stored as resource blobs (every large ONNX initializer): the
  // reshaped constant shares the blob, so that the lowering sees constant
  // weights (an STFT's [257, 1, 512] reshaped to [257, 1, 1, 512] was
  // transposed at run time and missed the packed-weight kernels).
  if (auto blob =
          dyn_cast_or_null<DenseResourceElementsAttr>(adaptor.getInput()))
    if (getOutput().getType().hasStaticShape() &&
        !isa<quant::QuantizedType>(getOutput().getType().getElementType()))
      return DenseResourceElementsAttr::get(getOutput().getType(),
                                            blob.getRawHandle());
  return {};
}

SmallVector<int64_t, 2> FlattenOp::inferShape(ArrayRef<int64_t> shape,
                                              int64_t axis) {
  // An overflowing product (only possible for shapes whose element count
  // overflows, which the verifier rejects) saturates instead of wrapping.
  auto product = [](ArrayRef<int64_t> dims) {
    int64_t p = 1;
    for (int64_t d : dims) {
      if (d == kDyn)
        return kDyn;
      if (__builtin_mul_overflow(p, d, &p))
        return std::numeric_limits<int64_t>::max();
    }
    return p;
  };
  return {product(shape.take_front(axis)), product(shape.drop_front(axis))};
}

LogicalResult FlattenOp::verify() {
  auto in = getInput().getType();
  int64_t rank = in.getRank(), axis = static_cast<int64_t>(getAxis());
  if (axis < -rank || axis > rank)
    return emitOpError("axis ") << axis << " is out of range [" << -rank << ", "
                                << rank << "]";
  if (axis < 0)
    axis += rank;
  if (failed(verifyResultShape(*this, inferShape(in.getShape(), axis),
                               getOutput().getType())))
    return failure();
  return verifySameElementType(*this, in, getOutput().getType());
}

LogicalResult TransposeOp::verify() {
  auto in = getInput().getType();
  ArrayRef<int64_t> perm = getPerm();
  if (static_cast<int64_t>(perm.size()) != in.getRank())
    return emitOpError("perm has ")
           << perm.size() << " entries for an input of rank " << in.getRank();
  SmallVector<bool> seen(perm.size(), false);
  SmallVector<int64_t> shape;
  for (int64_t p : perm) {
    if (p < 0 || p >= in.getRank() || seen[p])
      return emitOpError("perm must be a permutation of [0, ")
             << in.getRank() << ")";
    seen[p] = true;
    shape.push_back(in.getDimSize(p));
  }
  if (failed(verifyResultShape(*this, shape, getOutput().getType())))
    return failure();
  return verifySameElementType(*this, in, getOutput().getType());
}

LogicalResult ConcatOp::verify() {
  if (getInputs().empty())
    return emitOpError("expects at least one input");
  auto first = cast<RankedTensorType>(getInputs().front().getType());
  int64_t rank = first.getRank(), axis = static_cast<int64_t>(getAxis());
  if (axis < -rank || axis >= rank)
    return emitOpError("axis ") << axis << " is out of range for rank " << rank;
  if (axis < 0)
    axis += rank;
  SmallVector<int64_t> shape(first.getShape());
  for (auto [i, v] : llvm::enumerate(getInputs().drop_front())) {
    auto t = cast<RankedTensorType>(v.getType());
    if (t.getRank() != rank)
      return emitOpError("input ")
             << i + 1 << " has rank " << t.getRank() << ", expected " << rank;
    for (int64_t d = 0; d < rank; ++d) {
      if (d == axis) {
        shape[d] = (shape[d] == kDyn || t.getDimSize(d) == kDyn)
                       ? kDyn
                       : shape[d] + t.getDimSize(d);
      } else if (!areShapesCompatible({shape[d]}, {t.getDimSize(d)})) {
        return emitOpError("input ")
               << i + 1 << " has size " << t.getDimSize(d) << " in dimension "
               << d << ", expected " << shape[d];
      }
    }
  }
  if (failed(verifyResultShape(*this, shape, getOutput().getType())))
    return failure();
  SmallVector<Value> all(getInputs());
  all.push_back(getOutput());
  if (!isQuantized(first) && !isa<FloatType>(first.getElementType())) {
    for (Value v : all)
      if (getElementTypeOrSelf(v.getType()) != first.getElementType())
        return emitOpError("integer inputs and result must share one type");
    return success();
  }
  return verifySameNumericKind(*this, all);
}

LogicalResult PadOp::verify() {
  auto in = getInput().getType();
  ArrayRef<int64_t> pads = getPads();
  if (static_cast<int64_t>(pads.size()) != 2 * in.getRank())
    return emitOpError("pads has ")
           << pads.size() << " entries, expected 2 * rank = "
           << 2 * in.getRank();
  if (llvm::any_of(pads, [](int64_t p) { return p < 0; }))
    return emitOpError("pads must be non-negative");
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < in.getRank(); ++d) {
    int64_t s = in.getDimSize(d);
    int64_t widest = std::max(pads[d], pads[d + in.getRank()]);
    // Reflection mirrors at most size - 1 elements; an edge needs one.
    if (s != kDyn && widest > 0 && getMode() == PadMode::Reflect && widest >= s)
      return emitOpError("reflect pad of ")
             << widest << " on dimension " << d << " of size " << s
             << " (at most " << s - 1 << ")";
    if (s == 0 && widest > 0 && getMode() == PadMode::Edge)
      return emitOpError("edge pad of the empty dimension ") << d;
    shape.push_back(s == kDyn ? kDyn : s + pads[d] + pads[d + in.getRank()]);
  }
  if (failed(verifyResultShape(*this, shape, getOutput().getType())))
    return failure();
  return verifySameElementType(*this, in, getOutput().getType());
}

//===----------------------------------------------------------------------===//
// Quantization ops
//===----------------------------------------------------------------------===//

/// A per-axis type must name an existing dimension with one scale per entry.
static LogicalResult verifyQuantTypeFitsShape(Operation *op, Type elementType,
                                              ShapedType shaped) {
  auto pa = dyn_cast<quant::UniformQuantizedPerAxisType>(elementType);
  if (!pa)
    return success();
  int32_t axis = pa.getQuantizedDimension();
  if (axis >= shaped.getRank())
    return op->emitOpError("per-axis quantization axis ")
           << axis << " is out of range for rank " << shaped.getRank();
  int64_t dim = shaped.getDimSize(axis);
  if (dim != kDyn && static_cast<int64_t>(pa.getScales().size()) != dim)
    return op->emitOpError("per-axis quantization has ")
           << pa.getScales().size() << " scales for dimension " << axis
           << " of size " << dim;
  return success();
}

LogicalResult QConstOp::verify() {
  auto out = getOutput().getType();
  auto q = cast<quant::QuantizedType>(out.getElementType());
  auto valueType = cast<ShapedType>(getValue().getType());
  if (valueType.getShape() != out.getShape())
    return emitOpError("value shape ")
           << shapeStr(valueType.getShape()) << " does not match result shape "
           << shapeStr(out.getShape());
  auto intType = dyn_cast<IntegerType>(valueType.getElementType());
  if (!intType || !intType.isSignless() ||
      intType.getWidth() != q.getStorageTypeIntegralWidth())
    return emitOpError("value must hold i")
           << q.getStorageTypeIntegralWidth() << " storage integers, got "
           << valueType.getElementType();
  if (failed(verifyQuantTypeFitsShape(*this, q, out)))
    return failure();
  int64_t lo = q.getStorageTypeMin(), hi = q.getStorageTypeMax();
  for (APInt v : getValue().getValues<APInt>()) {
    int64_t x = q.isSigned() ? v.getSExtValue()
                             : static_cast<int64_t>(v.getZExtValue());
    if (x < lo || x > hi)
      return emitOpError("stored value ")
             << x << " is outside the storage range [" << lo << ", " << hi
             << "]";
  }
  return success();
}

OpFoldResult QConstOp::fold(FoldAdaptor) { return getValue(); }

/// A range given as two optional attributes: both or neither, finite,
/// ordered.
static LogicalResult verifyRange(ObserverOp op, std::optional<APFloat> min,
                                 std::optional<APFloat> max, StringRef lo,
                                 StringRef hi) {
  if (min.has_value() != max.has_value())
    return op.emitOpError() << lo << " and " << hi << " must be given together";
  if (!min)
    return success();
  if (!std::isfinite(min->convertToDouble()) ||
      !std::isfinite(max->convertToDouble()))
    return op.emitOpError("statistics must be finite, got [")
           << min->convertToDouble() << ", " << max->convertToDouble() << "]";
  if (min->convertToDouble() > max->convertToDouble())
    return op.emitOpError()
           << lo << " (" << min->convertToDouble() << ") is greater than " << hi
           << " (" << max->convertToDouble() << ")";
  return success();
}

LogicalResult ObserverOp::verify() {
  if (static_cast<int64_t>(getId()) < 0)
    return emitOpError("id must be non-negative");
  if (failed(verifyRange(*this, getMin(), getMax(), "min", "max")) ||
      failed(verifyRange(*this, getObservedMin(), getObservedMax(),
                         "observed_min", "observed_max")))
    return failure();
  if (getObservedMin() && !getMin())
    return emitOpError("observed_min/observed_max without min/max");
  return success();
}

LogicalResult FakeQuantOp::verify() {
  auto q = dyn_cast<quant::QuantizedType>(getQtype());
  if (!q || !isQuantized(q))
    return emitOpError("qtype must be a !quant.uniform type, got ")
           << getQtype();
  if (q.getExpressedType() != getInput().getType().getElementType())
    return emitOpError("qtype expresses ")
           << q.getExpressedType() << " but the input holds "
           << getInput().getType().getElementType();
  return verifyQuantTypeFitsShape(*this, q, getInput().getType());
}

LogicalResult QuantizeOp::verify() {
  auto q = cast<quant::QuantizedType>(getOutput().getType().getElementType());
  if (q.getExpressedType() != getInput().getType().getElementType())
    return emitOpError("result expresses ")
           << q.getExpressedType() << " but the input holds "
           << getInput().getType().getElementType();
  return verifyQuantTypeFitsShape(*this, q, getOutput().getType());
}

LogicalResult DequantizeOp::verify() {
  auto q = cast<quant::QuantizedType>(getInput().getType().getElementType());
  if (q.getExpressedType() != getOutput().getType().getElementType())
    return emitOpError("input expresses ")
           << q.getExpressedType() << " but the result holds "
           << getOutput().getType().getElementType();
  return verifyQuantTypeFitsShape(*this, q, getInput().getType());
}

LogicalResult BlockDequantizeOp::verify() {
  auto in = getInput().getType(), scale = getScale().getType();
  int64_t rank = in.getRank(), axis = getAxis(), block = getBlockSize();
  if (rank == 0)
    return emitOpError("input must have at least one dimension");
  if (axis < 0 || axis >= rank)
    return emitOpError("axis ") << axis << " is out of range for rank " << rank;
  if (block < 1)
    return emitOpError("block_size must be positive, got ") << block;
  if (getOutput().getType().getShape() != in.getShape())
    return emitOpError("result shape must equal the input shape");
  if (scale.getRank() != rank)
    return emitOpError("scale must have the input's rank ") << rank;
  for (int64_t d = 0; d < rank; ++d) {
    int64_t n = in.getDimSize(d);
    int64_t want = ShapedType::isDynamic(n) ? n
                   : d == axis              ? (n + block - 1) / block
                                            : n;
    if (!ShapedType::isDynamic(want) && !scale.isDynamicDim(d) &&
        scale.getDimSize(d) != want)
      return emitOpError("scale dimension ")
             << d << " is " << scale.getDimSize(d) << ", expected " << want
             << (d == axis ? " (blocks of " + std::to_string(block) +
                                 " along the axis)"
                           : std::string());
  }
  if (Value zp = getZeroPoint()) {
    auto z = cast<RankedTensorType>(zp.getType());
    if (z.getShape() != scale.getShape())
      return emitOpError("zero_point shape must equal the scale's");
    if (z.getElementType() != in.getElementType())
      return emitOpError("zero_point element type ")
             << z.getElementType() << " differs from the input's "
             << in.getElementType();
  }
  return success();
}

LogicalResult RequantizeOp::verify() {
  auto in = cast<quant::QuantizedType>(getInput().getType().getElementType());
  auto out = cast<quant::QuantizedType>(getOutput().getType().getElementType());
  if (in.getExpressedType() != out.getExpressedType())
    return emitOpError("expressed types differ: ")
           << in.getExpressedType() << " and " << out.getExpressedType();
  if (failed(verifyQuantTypeFitsShape(*this, in, getInput().getType())))
    return failure();
  return verifyQuantTypeFitsShape(*this, out, getOutput().getType());
}

static bool fitsInteger(int64_t v, unsigned width, bool isUnsigned) {
  if (width >= 64)
    return true;
  if (isUnsigned)
    return v >= 0 && v < (int64_t(1) << width);
  return v >= -(int64_t(1) << (width - 1)) && v < (int64_t(1) << (width - 1));
}

LogicalResult RescaleOp::verify() {
  ArrayRef<int32_t> mult = getMultiplier(), shift = getShift();
  if (mult.empty())
    return emitOpError("multiplier must not be empty");
  if (shift.size() != mult.size())
    return emitOpError("has ") << mult.size() << " multipliers but "
                               << shift.size() << " shifts";
  for (auto [m, s] : llvm::zip_equal(mult, shift)) {
    if (m < 0)
      return emitOpError("multiplier ") << m << " must be non-negative";
    if (s < -31 || s > 30)
      return emitOpError("shift ") << s << " is out of range [-31, 30]";
  }
  auto in = getInput().getType(), out = getOutput().getType();
  if (mult.size() > 1) {
    if (!getAxis())
      return emitOpError("per-channel multipliers require an axis");
    int64_t axis = static_cast<int64_t>(*getAxis());
    if (axis < 0 || axis >= in.getRank())
      return emitOpError("axis ") << axis << " is out of range for rank "
                                  << in.getRank();
    int64_t dim = in.getDimSize(axis);
    if (dim != kDyn && dim != static_cast<int64_t>(mult.size()))
      return emitOpError("has ") << mult.size() << " multipliers for axis "
                                 << axis << " of size " << dim;
  }
  unsigned inWidth = in.getElementType().getIntOrFloatBitWidth();
  unsigned outWidth = out.getElementType().getIntOrFloatBitWidth();
  if (inWidth > 32 || outWidth > 32)
    return emitOpError("operates on integers of at most 32 bits");
  if (!fitsInteger(static_cast<int64_t>(getInputZp()), inWidth, getInputUnsigned()))
    return emitOpError("input_zp ") << static_cast<int64_t>(getInputZp()) << " does not fit the input type";
  if (!fitsInteger(static_cast<int64_t>(getOutputZp()), outWidth, getOutputUnsigned()))
    return emitOpError("output_zp ")
           << static_cast<int64_t>(getOutputZp()) << " does not fit the result type";
  return success();
}

LogicalResult DynamicQuantizeLinearOp::verify() {
  auto in = getInput().getType(), out = getOutput().getType();
  if (in.getShape() != out.getShape())
    return emitOpError("result shape must equal the input shape");
  if (!in.getElementType().isF32())
    return emitOpError("input must be f32 (the scale is f32)");
  return success();
}

LogicalResult DynamicQuantizeOp::verify() {
  auto in = getInput().getType(), out = getOutput().getType();
  if (in.getShape() != out.getShape())
    return emitOpError("result shape must equal the input shape");
  if (!in.getElementType().isF32())
    return emitOpError("input must be f32 (the scale is f32)");
  auto q = dyn_cast<quant::UniformQuantizedType>(out.getElementType());
  if (!q || q.getScale() != 1.0 || q.getZeroPoint() != 0 || !q.isSigned() ||
      q.getStorageTypeMin() != -q.getStorageTypeMax())
    return emitOpError("result must be a signed symmetric per-tensor type "
                       "with scale 1 and zero point 0 (e.g. "
                       "!quant.uniform<i8<-127:127>:f32, 1.0>), got ")
           << out.getElementType();
  if (q.getExpressedType() != in.getElementType())
    return emitOpError("result expressed type must be the input element type");
  return success();
}


std::optional<int64_t> AvgPool2DOp::getUniformWindowCount() {
  auto in = getInput().getType(), out = getOutput().getType();
  if (in.isDynamicDim(2) || in.isDynamicDim(3) || out.isDynamicDim(2) ||
      out.isDynamicDim(3))
    return std::nullopt;
  ArrayRef<int64_t> k = getKernel(), s = getStrides(), p = getPads();
  bool padded = llvm::any_of(p, [](int64_t v) { return v != 0; });
  if (padded && !getCountIncludePad())
    return std::nullopt;
  // Every window must lie inside the (counted) padded input.
  for (int i = 0; i < 2; ++i) {
    int64_t last = (out.getDimSize(2 + i) - 1) * s[i] + k[i];
    if (last > in.getDimSize(2 + i) + p[i] + p[2 + i])
      return std::nullopt;
  }
  return k[0] * k[1];
}

//===----------------------------------------------------------------------===//
// ScalarFunctionOpInterface
//===----------------------------------------------------------------------===//

std::optional<double> ReluOp::evaluateScalar(ArrayRef<double> x) {
  return std::max(x[0], 0.0);
}

std::optional<double> ClipOp::evaluateScalar(ArrayRef<double> x) {
  return std::min(std::max(x[0], (double)getMin().convertToFloat()),
                  (double)getMax().convertToFloat());
}

std::optional<double> LeakyReluOp::evaluateScalar(ArrayRef<double> x) {
  return x[0] >= 0 ? x[0] : (double)getAlpha().convertToFloat() * x[0];
}

std::optional<double> SigmoidOp::evaluateScalar(ArrayRef<double> x) {
  return 1.0 / (1.0 + std::exp(-x[0]));
}

std::optional<double> HardSigmoidOp::evaluateScalar(ArrayRef<double> x) {
  double y = (double)getAlpha().convertToFloat() * x[0] +
             (double)getBeta().convertToFloat();
  return std::min(1.0, std::max(0.0, y));
}

std::optional<double> AddOp::evaluateScalar(ArrayRef<double> x) {
  auto [lo, hi] = cast<FusedActivationOpInterface>(getOperation())
                      .getActivationRange();
  return std::min(hi, std::max(lo, x[0] + x[1]));
}

std::optional<double> SubOp::evaluateScalar(ArrayRef<double> x) {
  return x[0] - x[1];
}

std::optional<double> MulOp::evaluateScalar(ArrayRef<double> x) {
  return x[0] * x[1];
}

std::optional<double> DivOp::evaluateScalar(ArrayRef<double> x) {
  return x[0] / x[1];
}

//===----------------------------------------------------------------------===//
// LookupTableOp
//===----------------------------------------------------------------------===//

LogicalResult LookupTableOp::verify() {
  auto in = dyn_cast<quant::UniformQuantizedType>(
      getInput().getType().getElementType());
  auto out = dyn_cast<quant::UniformQuantizedType>(
      getOutput().getType().getElementType());
  if (!in || in.getStorageTypeIntegralWidth() != 8)
    return emitOpError("input must be an 8-bit per-tensor quantized tensor, "
                       "got ")
           << getInput().getType();
  if (!out)
    return emitOpError("result must be a per-tensor quantized tensor, got ")
           << getOutput().getType();
  auto table = getTable().getType();
  if (table.getRank() != 1 || table.getNumElements() != 256 ||
      table.getElementType() != out.getStorageType()) {
    std::string want;
    llvm::raw_string_ostream os(want);
    os << RankedTensorType::get({256}, out.getStorageType());
    return emitOpError("table must be ")
           << want << " (one stored result per stored input), got " << table;
  }
  return success();
}

#define GET_OP_CLASSES
#include "qopt/Dialect/QNN/IR/QNNOps.cpp.inc"

//===----------------------------------------------------------------------===//
// WeightedOpInterface
//===----------------------------------------------------------------------===//

OpOperand &Conv2DOp::getWeightOperand() { return getWeightMutable(); }
Value Conv2DOp::getBiasValue() { return getBias(); }
std::optional<int64_t> Conv2DOp::getWeightChannelAxis() { return 0; }
int64_t Conv2DOp::getResultChannelAxis() { return 1; }

OpOperand &FullyConnectedOp::getWeightOperand() { return getWeightMutable(); }
Value FullyConnectedOp::getBiasValue() { return getBias(); }
std::optional<int64_t> FullyConnectedOp::getWeightChannelAxis() { return 0; }
int64_t FullyConnectedOp::getResultChannelAxis() { return 1; }

OpOperand &MatMulOp::getWeightOperand() { return getRhsMutable(); }
Value MatMulOp::getBiasValue() { return Value(); }
std::optional<int64_t> MatMulOp::getWeightChannelAxis() {
  // A [K, N] right operand has its output channels last; a batched one has
  // no single channel axis.
  if (getRhs().getType().getRank() != 2)
    return std::nullopt;
  return 1;
}
int64_t MatMulOp::getResultChannelAxis() {
  return getOutput().getType().getRank() - 1;
}
