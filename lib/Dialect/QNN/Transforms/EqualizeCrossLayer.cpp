//===- EqualizeCrossLayer.cpp - Cross-layer weight equalization -----------===//
//
// Part of qopt. Implements `--equalize` (Nagel et al. 2019, §4.1): per pair
// of consecutive weighted layers with a positive-homogeneous activation
// between them, s_i = sqrt(r1_i / r2_i) moves range from the producer's
// output channel i to the consumer's input channel i. Weights are read
// once into double arrays, every sweep works on those, and the new
// constants are written once at the end.
//
//===----------------------------------------------------------------------===//

#include "qopt/Dialect/QNN/IR/QNN.h"
#include "qopt/Dialect/QNN/Transforms/Passes.h"
#include "qopt/Dialect/QNN/Utils/ConstantUtils.h"
#include "qopt/Dialect/QNN/Utils/ElementwiseFunction.h"
#include "qopt/Dialect/QNN/Utils/LocationName.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/MapVector.h"

#include <cmath>

namespace mlir {
namespace qnn {
#define GEN_PASS_DEF_EQUALIZECROSSLAYERPASS
#include "qopt/Dialect/QNN/Transforms/Passes.h.inc"
} // namespace qnn
} // namespace mlir

using namespace mlir;
using namespace mlir::qnn;

namespace {

/// The weights and bias of one layer as doubles, and how its weight tensor
/// maps to output and input channels.
struct Layer {
  Operation *op;
  SmallVector<int64_t> shape; ///< [F, C/group, ...] (conv) or [N, K] (fc)
  int64_t group = 1;
  SmallVector<double> weight;
  std::optional<SmallVector<double>> bias; ///< none: the layer has no bias
  bool changed = false, biasChanged = false;

  int64_t outChannels() const { return shape[0]; }
  /// Elements of one output row (C/group * kh * kw, or K).
  int64_t rowSize() const { return weight.size() / shape[0]; }
  int64_t inChannels() const { return shape[1] * group; }
  /// Elements per (output row, input channel) pair: kh * kw, or 1.
  int64_t spatial() const { return rowSize() / shape[1]; }

  double outputRange(int64_t f) const {
    double r = 0;
    for (int64_t k = 0, n = rowSize(); k < n; ++k)
      r = std::max(r, std::fabs(weight[f * n + k]));
    return r;
  }
  /// Calls `fn(index)` for every weight element reading input channel `c`.
  template <typename Fn> void forInputChannel(int64_t c, Fn fn) const {
    int64_t perGroupIn = shape[1], perGroupOut = shape[0] / group;
    int64_t g = c / perGroupIn, local = c % perGroupIn, sp = spatial();
    for (int64_t f = g * perGroupOut; f < (g + 1) * perGroupOut; ++f)
      for (int64_t k = 0; k < sp; ++k)
        fn(f * rowSize() + local * sp + k);
  }
  double inputRange(int64_t c) const {
    double r = 0;
    forInputChannel(c,
                    [&](int64_t i) { r = std::max(r, std::fabs(weight[i])); });
    return r;
  }
};

/// A conv2d or fully_connected with constant weights (and bias, if any) as
/// a Layer, or nullopt.
std::optional<Layer> readLayer(Operation *op) {
  if (!isa<Conv2DOp, FullyConnectedOp>(op) || op->hasAttr(kKeepFloatAttrName))
    return std::nullopt;
  auto weighted = cast<WeightedOpInterface>(op);
  Value w = weighted.getWeightOperand().get();
  auto type = dyn_cast<RankedTensorType>(w.getType());
  auto values = getConstantFloatValues(w);
  if (!type || !values || !type.hasStaticShape() || type.getRank() < 2)
    return std::nullopt;
  Layer layer;
  layer.op = op;
  layer.shape = llvm::to_vector(type.getShape());
  if (auto conv = dyn_cast<Conv2DOp>(op))
    layer.group = conv.getGroup();
  layer.weight = std::move(*values);
  if (Value b = weighted.getBiasValue()) {
    layer.bias = getConstantFloatValues(b);
    if (!layer.bias)
      return std::nullopt;
  }
  return layer;
}

struct EqualizeCrossLayerPass
    : qnn::impl::EqualizeCrossLayerPassBase<EqualizeCrossLayerPass> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    llvm::MapVector<Operation *, Layer> layers;
    auto layerOf = [&](Operation *op) -> Layer * {
      auto it = layers.find(op);
      if (it != layers.end())
        return &it->second;
      std::optional<Layer> l = readLayer(op);
      if (!l)
        return nullptr;
      return &layers.insert({op, std::move(*l)}).first->second;
    };

    // Producer -> consumer pairs joined by a single use of the producer's
    // result as the consumer's input.
    SmallVector<std::pair<Operation *, Operation *>> pairs;
    func.walk([&](Operation *op) {
      if (!isa<Conv2DOp, FullyConnectedOp>(op) || !op->getResult(0).hasOneUse())
        return;
      OpOperand &use = *op->getResult(0).getUses().begin();
      Operation *consumer = use.getOwner();
      if (!isa<Conv2DOp, FullyConnectedOp>(consumer) ||
          use.getOperandNumber() != 0)
        return;
      auto act = cast<FusedActivationOpInterface>(op);
      Activation kind = act.getActivation();
      bool relu6 = kind == Activation::Relu6 && relu6AsRelu;
      if (kind != Activation::None && kind != Activation::Relu && !relu6) {
        ++numSkippedClip;
        return;
      }
      // Both looked up after both inserts: an insert may move the map's
      // entries.
      if (!layerOf(op) || !layerOf(consumer))
        return;
      Layer *p = layerOf(op), *c = layerOf(consumer);
      if (p->outChannels() != c->inChannels())
        return;
      if (relu6)
        act.setActivation(Activation::Relu, std::nullopt, std::nullopt);
      pairs.push_back({op, consumer});
    });

    for (unsigned sweep = 0; sweep < maxIterations; ++sweep) {
      double moved = 0;
      for (auto [producer, consumer] : pairs) {
        Layer &p = layers.find(producer)->second;
        Layer &c = layers.find(consumer)->second;
        for (int64_t i = 0, n = p.outChannels(); i < n; ++i) {
          double r1 = p.outputRange(i), r2 = c.inputRange(i);
          // A dead channel (all-zero weights on either side) has nothing to
          // balance.
          if (r1 <= 0 || r2 <= 0)
            continue;
          double s = std::sqrt(r1 / r2);
          moved = std::max(moved, std::fabs(s - 1));
          for (int64_t k = 0, rs = p.rowSize(); k < rs; ++k)
            p.weight[i * rs + k] /= s;
          if (p.bias)
            (*p.bias)[i] /= s, p.biasChanged = true;
          c.forInputChannel(i, [&](int64_t e) { c.weight[e] *= s; });
        }
        p.changed = c.changed = true;
      }
      if (moved <= tolerance)
        break;
    }
    numPairs = pairs.size();

    OpBuilder b(func.getContext());
    for (auto &entry : layers) {
      Operation *op = entry.first;
      Layer &layer = entry.second;
      if (!layer.changed)
        continue;
      auto weighted = cast<WeightedOpInterface>(op);
      std::string name = getLocationName(op->getLoc());
      auto replace = [&](OpOperand &operand, ArrayRef<double> values,
                         StringRef suffix) {
        replaceWithFloatConstant(
            b, operand, cast<RankedTensorType>(operand.get().getType()), values,
            (name.empty() ? "weight" : name) + suffix.str());
      };
      replace(weighted.getWeightOperand(), layer.weight, "_equalized");
      if (layer.biasChanged)
        for (OpOperand &o : op->getOpOperands())
          if (o.get() == weighted.getBiasValue()) {
            replace(o, *layer.bias, "_bias_equalized");
            break;
          }
    }
  }
};

} // namespace
