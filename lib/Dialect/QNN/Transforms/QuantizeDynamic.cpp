//===- QuantizeDynamic.cpp - Dynamic and weight-only quantization ---------===//
//
// Part of qopt. No calibration: weights are quantized at compile time;
// activations either at run time (qnn.dynamic_quantize, integer
// accumulation, float epilogue) or not at all (weight-only).
//
//===----------------------------------------------------------------------===//

#include "qopt/Dialect/QNN/IR/QNN.h"
#include "qopt/Dialect/QNN/Transforms/Passes.h"
#include "qopt/Dialect/QNN/Transforms/WideRangeLogarithms.h"
#include "qopt/Dialect/QNN/Utils/ConstantUtils.h"
#include "qopt/Dialect/QNN/Utils/LocationName.h"
#include "qopt/Dialect/QNN/Utils/QuantParams.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace mlir {
namespace qnn {
#define GEN_PASS_DEF_QUANTIZEDYNAMICPASS
#include "qopt/Dialect/QNN/Transforms/Passes.h.inc"
} // namespace qnn
} // namespace mlir

using namespace mlir;
using namespace mlir::qnn;

namespace {

/// An f32 constant of `shape` holding `values`.
Value f32Constant(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                  ArrayRef<double> values) {
  auto type = RankedTensorType::get(shape, b.getF32Type());
  return arith::ConstantOp::create(
      b, loc, cast<TypedAttr>(createFloatElements(type, values, "qd")));
}

std::string nameSuffix(Operation *op) {
  std::string name = getLocationName(op->getLoc());
  return name.empty() ? "" : " '" + name + "'";
}

struct QuantizeDynamicPass
    : qnn::impl::QuantizeDynamicPassBase<QuantizeDynamicPass> {
  using QuantizeDynamicPassBase::QuantizeDynamicPassBase;

  /// `w` [shape] quantized in blocks of groupSize along `axis` as ONNX
  /// Runtime's blockwise quantizer does (asymmetric, the range widened to
  /// hold 0, unsigned values), dequantized by qnn.block_dequantize.
  Value blockQuantize(OpBuilder &b, Location loc, ArrayRef<double> w,
                      ArrayRef<int64_t> shape, int64_t axis) {
    int64_t rows = shape[0], cols = shape[1];
    int64_t len = shape[axis], other = shape[1 - axis];
    int64_t block = groupSize, blocks = (len + block - 1) / block;
    int64_t qmax = (int64_t(1) << weightBits) - 1;
    SmallVector<int64_t> sShape(shape);
    sShape[axis] = blocks;
    SmallVector<uint8_t> q(rows * cols);
    SmallVector<float> scales(blocks * other);
    SmallVector<uint8_t> zeros(blocks * other);
    auto at = [&](int64_t along, int64_t across) {
      return axis == 0 ? along * cols + across : across * cols + along;
    };
    auto blockAt = [&](int64_t g, int64_t across) {
      return axis == 0 ? g * other + across : across * blocks + g;
    };
    for (int64_t c = 0; c < other; ++c)
      for (int64_t g = 0; g < blocks; ++g) {
        int64_t from = g * block, to = std::min(len, from + block);
        double lo = 0.0, hi = 0.0;
        for (int64_t k = from; k < to; ++k) {
          lo = std::min(lo, w[at(k, c)]);
          hi = std::max(hi, w[at(k, c)]);
        }
        float scale = (float)((hi - lo) / (double)qmax);
        int64_t zero = 0;
        if (scale > 0.0f)
          zero = std::clamp<int64_t>(
              (int64_t)std::nearbyint(-lo / (double)scale), 0, qmax);
        scales[blockAt(g, c)] = scale;
        zeros[blockAt(g, c)] = (uint8_t)zero;
        for (int64_t k = from; k < to; ++k) {
          int64_t v = scale > 0.0f
                          ? (int64_t)std::nearbyint(w[at(k, c)] / scale) + zero
                          : zero;
          q[at(k, c)] = (uint8_t)std::clamp<int64_t>(v, 0, qmax);
        }
      }
    auto storage =
        IntegerType::get(b.getContext(), weightBits, IntegerType::Unsigned);
    auto intTensor = [&](ArrayRef<int64_t> s, ArrayRef<uint8_t> v) -> Value {
      auto type = RankedTensorType::get(s, storage);
      SmallVector<APInt> bits;
      bits.reserve(v.size());
      for (uint8_t x : v)
        bits.push_back(APInt(weightBits, x));
      return arith::ConstantOp::create(b, loc,
                                       DenseElementsAttr::get(type, bits));
    };
    Value qv = intTensor(shape, q);
    Value zv = intTensor(sShape, zeros);
    Value sv = arith::ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(RankedTensorType::get(sShape, b.getF32Type()),
                               ArrayRef<float>(scales)));
    return BlockDequantizeOp::create(
        b, loc, RankedTensorType::get(shape, b.getF32Type()), qv, sv, zv,
        b.getI64IntegerAttr(axis), b.getI64IntegerAttr(block));
  }

  /// Input 0 of `op` replaced by its run-time int8 round trip,
  /// `dequantize(q) * s_x` with `q, s_x = dynamic_quantize(x)`: the product
  /// with block-quantized weights stays a float op on int8 values, which
  /// the CPU lowering runs as integer dot products per block (W4A8).
  void quantizeActivation(OpBuilder &b, Location loc, Operation *op) {
    Value x = op->getOperand(0);
    auto xt = cast<RankedTensorType>(x.getType());
    Type f32 = b.getF32Type();
    auto d = DynamicQuantizeOp::create(
        b, loc, RankedTensorType::get(xt.getShape(), unitInt8(b)),
        RankedTensorType::get({}, f32), x);
    Value xd = DequantizeOp::create(b, loc, xt, d.getOutput());
    op->setOperand(0, MulOp::create(b, loc, xt, xd, d.getScale()));
  }

  /// Symmetric int8 in units of a run-time scale.
  static quant::UniformQuantizedType unitInt8(OpBuilder &b) {
    return quant::UniformQuantizedType::get(quant::QuantizationFlags::Signed,
                                            b.getI8Type(), b.getF32Type(), 1.0,
                                            0, -127, 127);
  }

  /// Quantizes one weighted op; false (op untouched) when its weights or
  /// bias are not constant or it is not float.
  bool quantize(Operation *op, bool dynamic) {
    Value x = op->getOperand(0), weight = op->getOperand(1);
    auto xt = cast<RankedTensorType>(x.getType());
    auto yt = cast<RankedTensorType>(op->getResult(0).getType());
    if (!xt.getElementType().isF32() || !yt.getElementType().isF32())
      return false;
    bool product = isa<FullyConnectedOp, MatMulOp>(op);
    // Weights quantized in blocks already (an imported MatMulNBits or
    // blocked DequantizeLinear): dynamic mode quantizes the activations.
    if (weight.getDefiningOp<BlockDequantizeOp>()) {
      if (!product)
        return false;
      if (dynamic) {
        OpBuilder b(op);
        quantizeActivation(b, op->getLoc(), op);
      }
      return true;
    }
    auto w = getConstantRealValues(weight);
    if (!w)
      return false;
    auto weighted = cast<WeightedOpInterface>(op);
    auto wShape = cast<RankedTensorType>(weight.getType()).getShape();
    std::optional<int64_t> weightAxis = weighted.getWeightChannelAxis();
    if (!weightAxis)
      return false;
    int64_t axis = *weightAxis;
    int64_t channels = wShape[axis];
    std::optional<SmallVector<double>> bias;
    if (Value biasValue = weighted.getBiasValue()) {
      bias = getConstantRealValues(biasValue);
      if (!bias)
        return false;
    }
    MLIRContext *ctx = op->getContext();
    Location loc = op->getLoc();
    OpBuilder b(op);
    if (groupSize && wShape.size() == 2 && product) {
      // fully_connected weights are [N, K], matmul's [K, N].
      int64_t reductionAxis = isa<FullyConnectedOp>(op) ? 1 : 0;
      op->setOperand(1, blockQuantize(b, loc, *w, wShape, reductionAxis));
      if (dynamic)
        quantizeActivation(b, loc, op);
      return true;
    }
    QuantizedWeights qw = quantizeWeights(*w, wShape, axis, perChannel, {},
                                          weightBits);
    auto storage = RankedTensorType::get(wShape, b.getI8Type());
    auto values = DenseElementsAttr::get(storage, ArrayRef<int8_t>(qw.values));

    if (!dynamic) {
      // Weight-only: int8 storage, dequantized in front of the float op.
      auto wq = QConstOp::create(
          b, loc,
          RankedTensorType::get(wShape, weightType(ctx, qw.scales, axis,
                                                   weightBits)),
          values);
      Value wf = DequantizeOp::create(b, loc, weight.getType(), wq);
      op->setOperand(1, wf);
      return true;
    }

    // Dynamic: integers in units of the scales, i32 accumulation.
    Type f32 = b.getF32Type();
    auto unit = unitInt8(b);
    auto [xq, sx] = [&] {
      auto d = DynamicQuantizeOp::create(
          b, loc, RankedTensorType::get(xt.getShape(), unit),
          RankedTensorType::get({}, f32), x);
      return std::make_pair(d.getOutput(), d.getScale());
    }();
    auto wq = QConstOp::create(
        b, loc,
        RankedTensorType::get(wShape, weightType(ctx, {1.0}, axis, weightBits)),
        values);
    auto accType = quant::UniformQuantizedType::get(
        quant::QuantizationFlags::Signed, b.getI32Type(), f32, 1.0, 0,
        std::numeric_limits<int32_t>::min(),
        std::numeric_limits<int32_t>::max());
    Operation *intOp = b.clone(*op);
    intOp->setOperands({xq, wq});
    intOp->getResult(0).setType(RankedTensorType::get(yt.getShape(), accType));
    // The activation moves to the float epilogue.
    intOp->setAttr("fused_activation",
                   ActivationAttr::get(ctx, Activation::None));
    intOp->removeAttr("clip_min");
    intOp->removeAttr("clip_max");
    Value acc = DequantizeOp::create(b, loc, yt, intOp->getResult(0));
    // Per-channel factors broadcast along the output channel axis: [F, 1, 1]
    // for NCHW convolutions, [F] for fully_connected / matmul.
    SmallVector<int64_t> chanShape = {channels};
    chanShape.append(yt.getRank() - weighted.getResultChannelAxis() - 1, 1);
    SmallVector<double> sw = qw.scales;
    if (sw.size() == 1)
      sw.assign(channels, sw[0]);
    Value y = MulOp::create(b, loc, yt, acc, f32Constant(b, loc, chanShape, sw));
    y = MulOp::create(b, loc, yt, y, sx);
    SmallVector<double> bv = bias ? *bias : SmallVector<double>(channels, 0.0);
    auto add = AddOp::create(b, loc, yt, y, f32Constant(b, loc, chanShape, bv));
    for (StringRef attr : {"fused_activation", "clip_min", "clip_max"})
      if (Attribute a = op->getAttr(attr))
        add->setAttr(attr, a);
    op->getResult(0).replaceAllUsesWith(add.getResult());
    op->erase();
    return true;
  }

  void runOnOperation() override {
    if (weightBits != 8 && weightBits != 4) {
      emitError(getOperation().getLoc(),
                "quantize-dynamic: weight-bits must be 8 or 4, "
                "got ")
          << static_cast<unsigned>(weightBits);
      return signalPassFailure();
    }
    // What feeds a logarithm over a range 8 bits cannot hold stays float
    // (see WideRangeLogarithms.h).
    llvm::DenseSet<Operation *> wideRange;
    for (WideRangeLogarithm &w : findWideRangeLogarithms(getOperation())) {
      int64_t kept = 0;
      for (Operation *op : w.producers)
        if (isa<WeightedOpInterface>(op) && wideRange.insert(op).second)
          ++kept;
      if (kept)
        w.logarithm->emitWarning("quantize-dynamic: the ")
            << kept << " weighted ops computing the operand of the "
            << "logarithm" << nameSuffix(w.logarithm)
            << " stay float: " << w.reason
            << ", and 8-bit activations hold 48 dB";
    }
    SmallVector<Operation *> ops;
    getOperation().walk([&](Operation *op) {
      if (isa<WeightedOpInterface>(op) && !wideRange.contains(op))
        ops.push_back(op);
    });
    for (Operation *op : ops) {
      SmallVector<Operation *> constants;
      for (Value v : op->getOperands().drop_front())
        if (Operation *def = v.getDefiningOp<arith::ConstantOp>())
          constants.push_back(def);
      if (!quantize(op, mode == DynamicQuantMode::Dynamic)) {
        op->emitRemark("quantize-dynamic: left in float (weights or bias "
                       "not constant, or not an f32 op)");
        continue;
      }
      // The float weights and bias are gone unless something else uses them.
      for (Operation *def : constants)
        if (def->use_empty())
          def->erase();
    }
  }
};

} // namespace
