//===- SmoothQuant.cpp - Activation outliers migrated into weights --------===//
//
// Part of qopt. Implements `--smooth-quant` (Xiao et al., ICML 2023): per
// input X of fully_connected / matmul layers with constant weights,
// s_j = max|X_j|^alpha / max|W_j|^(1-alpha) divides X's channel j (folded
// into the per-channel linear op producing X) and multiplies the weights
// reading it. The channel maxima come from the calibration data through a
// driver's LayerInputStreamer.
//
//===----------------------------------------------------------------------===//

#include "qopt/Dialect/QNN/IR/QNN.h"
#include "qopt/Dialect/QNN/Transforms/LayerConfig.h"
#include "qopt/Dialect/QNN/Transforms/Passes.h"
#include "qopt/Dialect/QNN/Transforms/Transforms.h"
#include "qopt/Dialect/QNN/Utils/ConstantUtils.h"
#include "qopt/Dialect/QNN/Utils/LocationName.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/MapVector.h"

#include <cmath>

namespace mlir {
namespace qnn {
#define GEN_PASS_DEF_SMOOTHQUANTPASS
#include "qopt/Dialect/QNN/Transforms/Passes.h.inc"
} // namespace qnn
} // namespace mlir

using namespace mlir;
using namespace mlir::qnn;

namespace {

/// Rows of X kept per input for the alpha search (evenly spaced within
/// each sample, up to kRowsPerSample of them).
constexpr int64_t kMaxSearchRows = 4096;
constexpr int64_t kRowsPerSample = 64;

/// One layer reading the smoothed input: its weights as [K][N] doubles
/// (input channel major, whatever the op's layout).
struct Reader {
  Operation *op;
  int64_t n = 0;
  SmallVector<double> w; ///< [K][N]
};

/// One step of the per-channel linear chain that produces X and absorbs
/// 1/s: a constant operand of a mul/add, or a weighted producer's output
/// channels.
struct Absorber {
  Operation *op;
  unsigned operand = 0; ///< mul/add: the constant operand
};

/// One input X and everything smoothing it touches.
struct Candidate {
  Value x;
  int64_t k = 0;
  SmallVector<Reader> readers;
  SmallVector<Absorber> absorbers;
  // Statistics.
  SmallVector<double> absMax; ///< per channel, over the calibration data
  SmallVector<double> weightMax; ///< per channel, over every reader
  std::vector<float> rows;    ///< sampled rows of X, [rows][k]
};

/// A constant that broadcasts along the last axis of a rank-`rank` tensor
/// of `k` channels: shape [..1.., k] or all ones. Its values per channel.
std::optional<SmallVector<double>> channelConstant(Value c, int64_t k,
                                                   int64_t rank) {
  auto t = dyn_cast<RankedTensorType>(c.getType());
  if (!t || !t.hasStaticShape() || t.getRank() > rank ||
      !isa<FloatType>(t.getElementType()))
    return std::nullopt;
  for (int64_t d = 0; d + 1 < t.getRank(); ++d)
    if (t.getDimSize(d) != 1)
      return std::nullopt;
  int64_t last = t.getRank() ? t.getDimSize(t.getRank() - 1) : 1;
  if (last != k && last != 1)
    return std::nullopt;
  auto values = getConstantFloatValues(c);
  if (!values)
    return std::nullopt;
  if (last == 1)
    return SmallVector<double>(k, (*values)[0]);
  return values;
}

/// The weights of a layer reading X (operand 0) as [K][N], or nullopt.
std::optional<Reader> readReader(Operation *op, int64_t k) {
  if (!isa<FullyConnectedOp, MatMulOp>(op) || op->hasAttr(kKeepFloatAttrName))
    return std::nullopt;
  auto weighted = cast<WeightedOpInterface>(op);
  Value wv = weighted.getWeightOperand().get();
  auto wt = dyn_cast<RankedTensorType>(wv.getType());
  if (!wt || wt.getRank() != 2 || !wt.hasStaticShape())
    return std::nullopt;
  auto values = getConstantFloatValues(wv);
  if (!values)
    return std::nullopt;
  Reader r;
  r.op = op;
  if (isa<FullyConnectedOp>(op)) { // [N, K]
    if (wt.getDimSize(1) != k)
      return std::nullopt;
    r.n = wt.getDimSize(0);
    r.w.resize(values->size());
    for (int64_t o = 0; o < r.n; ++o)
      for (int64_t j = 0; j < k; ++j)
        r.w[j * r.n + o] = (*values)[o * k + j];
  } else { // [K, N]
    if (wt.getDimSize(0) != k)
      return std::nullopt;
    r.n = wt.getDimSize(1);
    r.w = std::move(*values);
  }
  return r;
}

/// The chain producing `x` (rank `rank`, `k` channels on the last axis)
/// that can absorb a per-channel division, or failure. Every op of the
/// chain but the last feeds only the next one.
FailureOr<SmallVector<Absorber>> findAbsorbers(Value x, int64_t k,
                                               int64_t rank) {
  SmallVector<Absorber> chain;
  Value v = x;
  for (;;) {
    Operation *def = v.getDefiningOp();
    if (!def || def->hasAttr(kKeepFloatAttrName) ||
        def->getParentRegion() != x.getParentRegion())
      return failure();
    if (v != x && !v.hasOneUse())
      return failure();
    if (isa<MulOp, AddOp>(def)) {
      // Which operand is the per-channel constant (the other carries X).
      int which = -1;
      for (unsigned i = 0; i < 2; ++i)
        if (channelConstant(def->getOperand(i), k, rank) &&
            def->getOperand(1 - i).getType() == def->getResult(0).getType())
          which = i;
      if (which < 0)
        return failure();
      chain.push_back({def, unsigned(which)});
      if (isa<MulOp>(def))
        return chain;
      v = def->getOperand(1 - which); // add: scale what is added to
      continue;
    }
    if (auto ln = dyn_cast<LayerNormOp>(def)) {
      // Its scale and shift, per channel of the last axis.
      if (!channelConstant(ln.getScale(), k, rank) ||
          (ln.getBias() && !channelConstant(ln.getBias(), k, rank)))
        return failure();
      chain.push_back({def, 1});
      if (ln.getBias())
        chain.push_back({def, 2});
      return chain;
    }
    if (isa<FullyConnectedOp, MatMulOp>(def)) {
      auto act = cast<FusedActivationOpInterface>(def);
      if (act.getActivation() != Activation::None)
        return failure();
      std::optional<Reader> producer =
          readReader(def, cast<RankedTensorType>(def->getOperand(0).getType())
                              .getShape()
                              .back());
      if (!producer || producer->n != k)
        return failure();
      if (Value b = cast<WeightedOpInterface>(def).getBiasValue())
        if (!getConstantFloatValues(b))
          return failure();
      chain.push_back({def, 0});
      return chain;
    }
    return failure();
  }
}

/// Rounds `v` in place to asymmetric 8-bit per-tensor min/max steps (the
/// flow's activation form; the range includes 0).
void fakeQuantActivations(std::vector<double> &v) {
  double lo = 0, hi = 0;
  for (double x : v)
    lo = std::min(lo, x), hi = std::max(hi, x);
  double scale = (hi - lo) / 255.0;
  if (scale <= 0)
    return;
  double zp = std::nearbyint(-128.0 - lo / scale);
  for (double &x : v)
    x = (std::clamp(std::nearbyint(x / scale) + zp, -128.0, 127.0) - zp) *
        scale;
}

struct SmoothQuantPass : qnn::impl::SmoothQuantPassBase<SmoothQuantPass> {
  using Base::Base;
  SmoothQuantPass(const SmoothQuantPassOptions &options,
                  LayerInputStreamer streamer)
      : Base(options), streamer(std::move(streamer)) {}

  LayerInputStreamer streamer;

  /// s for `c` at migration strength `a`.
  SmallVector<double> factors(const Candidate &c, double a) const {
    SmallVector<double> s(c.k, 1.0);
    for (int64_t j = 0; j < c.k; ++j) {
      double wmax = c.weightMax[j];
      // A dead channel (never active, or no weight reads it) keeps 1.
      if (c.absMax[j] <= 0 || wmax <= 0)
        continue;
      s[j] = std::pow(c.absMax[j], a) / std::pow(wmax, 1.0 - a);
      s[j] = std::clamp(s[j], 1e-6, 1e6);
    }
    return s;
  }

  /// ||X W - q(X/s) q(s W)||^2 over the sampled rows and every reader.
  double outputError(const Candidate &c, ArrayRef<double> s) const {
    int64_t rows = c.rows.size() / c.k;
    std::vector<double> xq(c.rows.size());
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t j = 0; j < c.k; ++j)
        xq[i * c.k + j] = c.rows[i * c.k + j] / s[j];
    fakeQuantActivations(xq);
    double qmax = double((1 << (weightBits - 1)) - 1), error = 0;
    for (const Reader &r : c.readers) {
      // s W, quantized per output channel (column o).
      std::vector<double> wq(r.w.size());
      for (int64_t o = 0; o < r.n; ++o) {
        double m = 0;
        for (int64_t j = 0; j < c.k; ++j)
          m = std::max(m, std::fabs(r.w[j * r.n + o] * s[j]));
        double scale = m > 0 ? m / qmax : 1.0;
        for (int64_t j = 0; j < c.k; ++j)
          wq[j * r.n + o] =
              std::clamp(std::nearbyint(r.w[j * r.n + o] * s[j] / scale), -qmax,
                         qmax) *
              scale;
      }
      std::vector<double> y(r.n), yq(r.n);
      for (int64_t i = 0; i < rows; ++i) {
        std::fill(y.begin(), y.end(), 0.0);
        std::fill(yq.begin(), yq.end(), 0.0);
        for (int64_t j = 0; j < c.k; ++j) {
          double x = c.rows[i * c.k + j], q = xq[i * c.k + j];
          const double *w = &r.w[j * r.n], *wqj = &wq[j * r.n];
          for (int64_t o = 0; o < r.n; ++o)
            y[o] += x * w[o], yq[o] += q * wqj[o];
        }
        for (int64_t o = 0; o < r.n; ++o)
          error += (y[o] - yq[o]) * (y[o] - yq[o]);
      }
    }
    return error;
  }

  /// Writes `values` as a new constant in place of `operand`.
  void replaceConstant(OpBuilder &b, OpOperand &operand,
                       ArrayRef<double> values, RankedTensorType type,
                       StringRef suffix) {
    std::string name = getLocationName(operand.getOwner()->getLoc());
    replaceWithFloatConstant(b, operand, type, values,
                             (name.empty() ? "smoothed" : name) + suffix.str());
  }

  /// Folds x / s into the producer chain and s into the readers.
  void apply(Candidate &c, ArrayRef<double> s) {
    OpBuilder b(&getContext());
    int64_t k = c.k;
    for (Absorber &a : c.absorbers) {
      if (isa<MulOp, AddOp, LayerNormOp>(a.op)) {
        OpOperand &operand = a.op->getOpOperand(a.operand);
        auto old = cast<RankedTensorType>(operand.get().getType());
        SmallVector<double> v = *channelConstant(
            operand.get(), k,
            cast<RankedTensorType>(a.op->getResult(0).getType()).getRank());
        for (int64_t j = 0; j < k; ++j)
          v[j] /= s[j];
        // A scalar becomes per channel, of the same rank.
        SmallVector<int64_t> shape(std::max<int64_t>(old.getRank(), 1), 1);
        shape.back() = k;
        replaceConstant(b, operand, v,
                        RankedTensorType::get(shape, old.getElementType()),
                        "_smoothed");
        continue;
      }
      // A producer layer: its output channel j (and bias j) divided by s_j.
      auto weighted = cast<WeightedOpInterface>(a.op);
      OpOperand &wo = weighted.getWeightOperand();
      auto wt = cast<RankedTensorType>(wo.get().getType());
      SmallVector<double> w = *getConstantFloatValues(wo.get());
      if (isa<FullyConnectedOp>(a.op)) { // [N=k, K']
        int64_t in = wt.getDimSize(1);
        for (int64_t o = 0; o < k; ++o)
          for (int64_t i = 0; i < in; ++i)
            w[o * in + i] /= s[o];
      } else { // [K', N=k]
        for (size_t e = 0; e < w.size(); ++e)
          w[e] /= s[e % k];
      }
      replaceConstant(b, wo, w, wt, "_smoothed");
      if (Value bias = weighted.getBiasValue()) {
        SmallVector<double> bv = *getConstantFloatValues(bias);
        for (int64_t o = 0; o < k; ++o)
          bv[o] /= s[o];
        for (OpOperand &o : a.op->getOpOperands())
          if (o.get() == bias) {
            replaceConstant(b, o, bv, cast<RankedTensorType>(bias.getType()),
                            "_bias_smoothed");
            break;
          }
      }
    }
    for (Reader &r : c.readers) {
      // Read again: a layer between two smoothed inputs had its output
      // channels rescaled as the next input's absorber.
      OpOperand &wo = cast<WeightedOpInterface>(r.op).getWeightOperand();
      auto wt = cast<RankedTensorType>(wo.get().getType());
      SmallVector<double> w = *getConstantFloatValues(wo.get());
      bool fc = isa<FullyConnectedOp>(r.op);
      for (int64_t j = 0; j < k; ++j)
        for (int64_t o = 0; o < r.n; ++o)
          w[fc ? o * k + j : j * r.n + o] *= s[j];
      replaceConstant(b, wo, w, wt, "_smoothed");
    }
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (weightBits != 8 && weightBits != 4) {
      emitError(module.getLoc(), "smooth-quant: weight-bits must be 8 or 4, "
                                 "got ")
          << static_cast<unsigned>(weightBits);
      return signalPassFailure();
    }
    if (!(alpha >= 0.0 && alpha <= 1.0)) {
      emitError(module.getLoc(), "smooth-quant: alpha must be in [0, 1], got ")
          << alpha;
      return signalPassFailure();
    }
    if (!config.empty() &&
        failed(applyLayerConfig(module, config, "smooth-quant",
                                /*warnUnmatched=*/false)))
      return signalPassFailure();
    auto main = module.lookupSymbol<func::FuncOp>("main");
    if (!main || main.isExternal())
      return;

    // Inputs whose every user is a smoothable layer, with an absorber.
    std::vector<Candidate> candidates;
    llvm::SmallPtrSet<Value, 16> seen;
    for (Operation &op : main.getBody().front()) {
      if (!isa<FullyConnectedOp, MatMulOp>(op))
        continue;
      Value x = op.getOperand(0);
      auto xt = dyn_cast<RankedTensorType>(x.getType());
      if (!xt || !xt.getElementType().isF32() || xt.getRank() < 2 ||
          xt.isDynamicDim(xt.getRank() - 1) || !seen.insert(x).second)
        continue;
      Candidate c;
      c.x = x;
      c.k = xt.getDimSize(xt.getRank() - 1);
      bool ok = true;
      for (OpOperand &use : x.getUses()) {
        std::optional<Reader> r = use.getOperandNumber() == 0
                                      ? readReader(use.getOwner(), c.k)
                                      : std::nullopt;
        if (!r || use.getOwner()->getBlock() != &main.getBody().front()) {
          ok = false;
          break;
        }
        c.readers.push_back(std::move(*r));
      }
      if (!ok) {
        ++numSkipped;
        continue;
      }
      auto chain = findAbsorbers(x, c.k, xt.getRank());
      if (failed(chain)) {
        ++numSkipped;
        continue;
      }
      c.absorbers = std::move(*chain);
      c.weightMax.assign(c.k, 0.0);
      for (const Reader &r : c.readers)
        for (int64_t j = 0; j < c.k; ++j)
          for (int64_t o = 0; o < r.n; ++o)
            c.weightMax[j] =
                std::max(c.weightMax[j], std::fabs(r.w[j * r.n + o]));
      candidates.push_back(std::move(c));
    }
    if (candidates.empty())
      return;

    if (calibrationData.empty()) {
      emitError(module.getLoc(),
                "smooth-quant: the activations' channel ranges come from "
                "calibration data: give calibration-data=x.npy");
      return signalPassFailure();
    }
    if (!streamer) {
      emitError(module.getLoc(),
                "smooth-quant: this tool cannot run the model (it does not "
                "link the JIT); use qopt, qopt-run or qopt-compile");
      return signalPassFailure();
    }
    SmallVector<Operation *> taps;
    for (Candidate &c : candidates) {
      taps.push_back(c.readers.front().op);
      c.absMax.assign(c.k, 0.0);
    }
    SmallVector<std::string> paths(calibrationData.begin(),
                                   calibrationData.end());
    bool wantRows = searchAlpha;
    if (failed(streamer(
            module, taps, paths,
            [&](unsigned i, ArrayRef<int64_t> shape, ArrayRef<float> values) {
              Candidate &c = candidates[i];
              int64_t rows = values.size() / c.k;
              for (int64_t r = 0; r < rows; ++r)
                for (int64_t j = 0; j < c.k; ++j)
                  c.absMax[j] = std::max(
                      c.absMax[j], (double)std::fabs(values[r * c.k + j]));
              if (!wantRows || shape.empty() || shape[0] <= 0)
                return;
              int64_t perSample = rows / shape[0];
              int64_t take = std::min(perSample, kRowsPerSample);
              for (int64_t n = 0; n < shape[0] && take > 0; ++n)
                for (int64_t t = 0; t < take; ++t) {
                  if ((int64_t)c.rows.size() >= kMaxSearchRows * c.k)
                    return;
                  int64_t r = n * perSample + t * perSample / take;
                  c.rows.insert(c.rows.end(), values.begin() + r * c.k,
                                values.begin() + (r + 1) * c.k);
                }
            })))
      return signalPassFailure();

    for (Candidate &c : candidates) {
      double chosen = alpha;
      if (searchAlpha && !c.rows.empty()) {
        SmallVector<double> identity(c.k, 1.0);
        double best = outputError(c, identity);
        chosen = -1;
        for (int step = 1; step <= 9; ++step) {
          double a = 0.1 * step;
          double e = outputError(c, factors(c, a));
          if (e < best)
            best = e, chosen = a;
        }
      }
      if (chosen < 0) {
        ++numSkipped;
        continue;
      }
      c.x.getDefiningOp()->setAttr(
          "qnn.smooth_quant_alpha",
          FloatAttr::get(Float32Type::get(&getContext()), chosen));
      apply(c, factors(c, chosen));
      ++numSmoothed;
    }
  }
};

} // namespace

std::unique_ptr<Pass> qnn::createSmoothQuantPass(SmoothQuantPassOptions options,
                                                 LayerInputStreamer streamer) {
  return std::make_unique<SmoothQuantPass>(options, std::move(streamer));
}
