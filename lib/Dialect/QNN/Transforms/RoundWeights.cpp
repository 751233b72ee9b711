//===- RoundWeights.cpp - Weights chosen from calibration data ------------===//
//
// Part of qopt. Implements `--round-weights`: GPTQ (learned rounding) and
// bias correction. The pass gathers, per layer, the second moment H = X^T X
// and the mean of its input rows X (im2col patches for convolutions) from
// the calibration data through a driver's LayerInputStreamer, then chooses
// each layer's integers on its own, and hands quantize-static weights as
// dequantize(qconst), which it keeps.
//
//===----------------------------------------------------------------------===//

#include "qopt/Dialect/QNN/IR/QNN.h"
#include "qopt/Dialect/QNN/Transforms/LayerConfig.h"
#include "qopt/Dialect/QNN/Transforms/Passes.h"
#include "qopt/Dialect/QNN/Transforms/Transforms.h"
#include "qopt/Dialect/QNN/Utils/ConstantUtils.h"
#include "qopt/Dialect/QNN/Utils/QuantParams.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/Quant.h"

#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <numeric>

namespace mlir {
namespace qnn {
#define GEN_PASS_DEF_ROUNDWEIGHTSPASS
#include "qopt/Dialect/QNN/Transforms/Passes.h.inc"
} // namespace qnn
} // namespace mlir

using namespace mlir;
using namespace mlir::qnn;

namespace {

/// Statistics of H are gathered from at most this many input rows (spatial
/// positions, tokens) per sample, evenly spaced; the mean uses every row.
constexpr int64_t kMaxRowsPerSample = 64;
/// Layers whose H are gathered in one pass over the data.
constexpr uint64_t kMaxStatisticsBytes = 512ull << 20;

/// One weighted layer: its weights as rows (one per output channel) of K
/// reduction elements, in groups that share an input (conv groups).
struct Layer {
  Operation *op;
  unsigned bits;
  bool perChannel;
  int64_t rows = 0, k = 0, groups = 1; ///< rows = output channels
  bool transposed = false;             ///< matmul: weight [K, N]
  SmallVector<int64_t> weightShape;
  SmallVector<double> w; ///< [rows][k]
  std::optional<SmallVector<double>> bias;
  // Convolution geometry (input NCHW).
  bool conv = false;
  int64_t kh = 1, kw = 1, sh = 1, sw = 1, dh = 1, dw = 1, padT = 0, padL = 0,
          padB = 0, padR = 0;
  // Statistics, per group: H (k x k, upper triangle filled while
  // streaming), the sum of rows, the number of rows.
  std::vector<double> h, sum;
  int64_t hRows = 0, sumRows = 0;

  int64_t rowsPerGroup() const { return rows / groups; }
  uint64_t hBytes() const { return uint64_t(groups) * k * k * sizeof(double); }
};

std::optional<Layer> readLayer(Operation *op, unsigned bits, bool perChannel) {
  auto weighted = dyn_cast<WeightedOpInterface>(op);
  if (!weighted || op->hasAttr(kKeepFloatAttrName))
    return std::nullopt;
  if (auto a = op->getAttrOfType<IntegerAttr>(kWeightBitsAttrName))
    bits = a.getInt();
  if (auto a = op->getAttrOfType<BoolAttr>(kPerChannelAttrName))
    perChannel = a.getValue();
  Value wv = weighted.getWeightOperand().get();
  auto wt = dyn_cast<RankedTensorType>(wv.getType());
  auto in = dyn_cast<RankedTensorType>(op->getOperand(0).getType());
  auto values = getConstantFloatValues(wv);
  if (!wt || !in || !values || !wt.hasStaticShape() ||
      !wt.getElementType().isF32())
    return std::nullopt;
  Layer l;
  l.op = op, l.bits = bits, l.perChannel = perChannel;
  l.weightShape = llvm::to_vector(wt.getShape());
  if (auto conv = dyn_cast<Conv2DOp>(op)) {
    if (wt.getRank() != 4 || in.getRank() != 4)
      return std::nullopt;
    l.conv = true;
    l.rows = wt.getDimSize(0);
    l.groups = conv.getGroup();
    l.kh = wt.getDimSize(2), l.kw = wt.getDimSize(3);
    l.k = wt.getDimSize(1) * l.kh * l.kw;
    ArrayRef<int64_t> s = conv.getStrides(), d = conv.getDilations(),
                      p = conv.getPads();
    l.sh = s[0], l.sw = s[1], l.dh = d[0], l.dw = d[1];
    l.padT = p[0], l.padL = p[1], l.padB = p[2], l.padR = p[3];
    l.w = std::move(*values);
  } else if (isa<FullyConnectedOp>(op)) {
    if (wt.getRank() != 2)
      return std::nullopt;
    l.rows = wt.getDimSize(0), l.k = wt.getDimSize(1);
    l.w = std::move(*values);
  } else if (isa<MatMulOp>(op)) {
    if (wt.getRank() != 2 || in.getRank() < 2)
      return std::nullopt;
    l.transposed = true;
    l.k = wt.getDimSize(0), l.rows = wt.getDimSize(1);
    l.w.resize(values->size());
    for (int64_t i = 0; i < l.k; ++i)
      for (int64_t j = 0; j < l.rows; ++j)
        l.w[j * l.k + i] = (*values)[i * l.rows + j];
  } else {
    return std::nullopt;
  }
  if (l.groups <= 0 || l.rows % l.groups)
    return std::nullopt;
  if (Value b = weighted.getBiasValue()) {
    l.bias = getConstantFloatValues(b);
    if (!l.bias)
      return std::nullopt;
  }
  return l;
}

/// Adds the input rows of one batch to the layer's statistics.
void accumulate(Layer &l, ArrayRef<int64_t> shape, ArrayRef<float> x,
                bool wantH) {
  int64_t k = l.k;
  if (l.h.empty() && wantH)
    l.h.assign(size_t(l.groups) * k * k, 0.0);
  if (l.sum.empty())
    l.sum.assign(size_t(l.groups) * k, 0.0);
  // Rows gathered in blocks, column-major (one column per reduction
  // element), so H's update is a dot product per pair of columns.
  constexpr int64_t kBlock = 256;
  std::vector<float> block;
  auto flush = [&](int64_t g, int64_t n) {
    if (!n)
      return;
    double *hg = l.h.data() + size_t(g) * k * k;
    for (int64_t i = 0; i < k; ++i) {
      const float *ci = block.data() + i * kBlock;
      for (int64_t j = i; j < k; ++j) {
        const float *cj = block.data() + j * kBlock;
        float dot = 0;
        for (int64_t r = 0; r < n; ++r)
          dot += ci[r] * cj[r];
        hg[i * k + j] += dot;
      }
    }
    l.hRows += g == 0 ? n : 0;
  };
  if (wantH)
    block.assign(size_t(k) * kBlock, 0.f);

  if (!l.conv) {
    // [..., K]: every row is an input vector.
    int64_t rows = x.size() / k;
    int64_t perSample =
        shape.size() > 2 ? rows / std::max<int64_t>(1, shape[0]) : 1;
    int64_t stride = std::max<int64_t>(1, perSample / kMaxRowsPerSample);
    int64_t n = 0;
    for (int64_t r = 0; r < rows; ++r) {
      const float *row = x.data() + r * k;
      for (int64_t i = 0; i < k; ++i)
        l.sum[i] += row[i];
      ++l.sumRows;
      if (!wantH || (r % perSample) % stride)
        continue;
      for (int64_t i = 0; i < k; ++i)
        block[i * kBlock + n] = row[i];
      if (++n == kBlock)
        flush(0, n), n = 0;
    }
    flush(0, n);
    return;
  }
  // NCHW convolution input: one im2col row per output position and group.
  int64_t batch = shape[0], c = shape[1], hin = shape[2], win = shape[3];
  int64_t cg = c / l.groups;
  int64_t ho = (hin + l.padT + l.padB - l.dh * (l.kh - 1) - 1) / l.sh + 1;
  int64_t wo = (win + l.padL + l.padR - l.dw * (l.kw - 1) - 1) / l.sw + 1;
  if (ho <= 0 || wo <= 0 || cg * l.kh * l.kw != k)
    return;
  int64_t positions = ho * wo;
  int64_t stride = std::max<int64_t>(1, positions / kMaxRowsPerSample);
  std::vector<float> patch(k);
  for (int64_t g = 0; g < l.groups; ++g) {
    int64_t n = 0;
    double *sum = l.sum.data() + size_t(g) * k;
    for (int64_t b = 0; b < batch; ++b)
      for (int64_t pos = 0; pos < positions; ++pos) {
        int64_t oy = pos / wo, ox = pos % wo;
        int64_t e = 0;
        for (int64_t ci = 0; ci < cg; ++ci) {
          const float *plane = x.data() + ((b * c) + g * cg + ci) * hin * win;
          for (int64_t ky = 0; ky < l.kh; ++ky) {
            int64_t iy = oy * l.sh - l.padT + ky * l.dh;
            for (int64_t kx = 0; kx < l.kw; ++kx, ++e) {
              int64_t ix = ox * l.sw - l.padL + kx * l.dw;
              patch[e] = iy >= 0 && iy < hin && ix >= 0 && ix < win
                             ? plane[iy * win + ix]
                             : 0.f;
            }
          }
        }
        for (int64_t i = 0; i < k; ++i)
          sum[i] += patch[i];
        if (g == 0)
          ++l.sumRows;
        if (!wantH || pos % stride)
          continue;
        for (int64_t i = 0; i < k; ++i)
          block[i * kBlock + n] = patch[i];
        if (++n == kBlock)
          flush(g, n), n = 0;
      }
    flush(g, n);
  }
}

/// Lower Cholesky factor of the k x k matrix `a` in place; false if `a` is
/// not positive definite.
bool cholesky(std::vector<double> &a, int64_t k) {
  for (int64_t j = 0; j < k; ++j) {
    double d = a[j * k + j];
    for (int64_t p = 0; p < j; ++p)
      d -= a[j * k + p] * a[j * k + p];
    if (!(d > 0))
      return false;
    d = std::sqrt(d);
    a[j * k + j] = d;
    for (int64_t i = j + 1; i < k; ++i) {
      double s = a[i * k + j];
      for (int64_t p = 0; p < j; ++p)
        s -= a[i * k + p] * a[j * k + p];
      a[i * k + j] = s / d;
    }
    for (int64_t i = 0; i < j; ++i)
      a[i * k + j] = 0;
  }
  return true;
}

/// The upper Cholesky factor U of H^-1 (H^-1 = U^T U), or nullopt.
std::optional<std::vector<double>> inverseCholeskyUpper(std::vector<double> h,
                                                        int64_t k) {
  if (!cholesky(h, k))
    return std::nullopt;
  // L^-1 (lower), column by column.
  std::vector<double> li(size_t(k) * k, 0.0);
  for (int64_t j = 0; j < k; ++j) {
    li[j * k + j] = 1.0 / h[j * k + j];
    for (int64_t i = j + 1; i < k; ++i) {
      double s = 0;
      for (int64_t p = j; p < i; ++p)
        s += h[i * k + p] * li[p * k + j];
      li[i * k + j] = -s / h[i * k + i];
    }
  }
  // H^-1 = L^-T L^-1.
  std::vector<double> inv(size_t(k) * k, 0.0);
  for (int64_t i = 0; i < k; ++i)
    for (int64_t j = 0; j <= i; ++j) {
      double s = 0;
      for (int64_t p = i; p < k; ++p)
        s += li[p * k + i] * li[p * k + j];
      inv[i * k + j] = inv[j * k + i] = s;
    }
  if (!cholesky(inv, k))
    return std::nullopt;
  // U = L'^T.
  std::vector<double> u(size_t(k) * k, 0.0);
  for (int64_t i = 0; i < k; ++i)
    for (int64_t j = i; j < k; ++j)
      u[i * k + j] = inv[j * k + i];
  return u;
}

struct RoundWeightsPass : qnn::impl::RoundWeightsPassBase<RoundWeightsPass> {
  using Base::Base;
  RoundWeightsPass(const RoundWeightsPassOptions &options,
                   LayerInputStreamer streamer)
      : Base(options), streamer(std::move(streamer)) {}

  LayerInputStreamer streamer;

  bool learned() const { return rounding == WeightRounding::Learned; }

  /// The scale(s) of a layer: max |w| / qmax per row (or tensor), times
  /// the clipping ratio with the least input-weighted error when learning.
  SmallVector<double> chooseScales(const Layer &l) const {
    double qmax = double((1 << (l.bits - 1)) - 1);
    int64_t k = l.k, perGroup = l.rowsPerGroup();
    auto diag = [&](int64_t row, int64_t i) {
      if (l.h.empty())
        return 1.0;
      int64_t g = row / perGroup;
      return l.h[size_t(g) * k * k + i * k + i] + 1e-12;
    };
    auto error = [&](int64_t row, double s) {
      double e = 0;
      for (int64_t i = 0; i < k; ++i) {
        double w = l.w[row * k + i];
        double q = std::clamp(std::nearbyint(w / s), -qmax, qmax) * s;
        e += diag(row, i) * (w - q) * (w - q);
      }
      return e;
    };
    auto rangeOf = [&](int64_t r0, int64_t r1) {
      double m = 0;
      for (int64_t i = r0 * k; i < r1 * k; ++i)
        m = std::max(m, std::fabs(l.w[i]));
      return m > 0 ? m : 1.0;
    };
    auto best = [&](int64_t r0, int64_t r1) {
      double base = rangeOf(r0, r1) / qmax, bestS = base;
      if (!learned())
        return base;
      double bestE = std::numeric_limits<double>::infinity();
      for (int step = 0; step <= 10; ++step) {
        double s = base * (1.0 - 0.05 * step), e = 0;
        for (int64_t r = r0; r < r1; ++r)
          e += error(r, s);
        if (e < bestE)
          bestE = e, bestS = s;
      }
      return bestS;
    };
    SmallVector<double> scales;
    if (l.perChannel)
      for (int64_t r = 0; r < l.rows; ++r)
        scales.push_back(best(r, r + 1));
    else
      scales.push_back(best(0, l.rows));
    return scales;
  }

  /// GPTQ on one group of rows; `q` receives their integers.
  void gptq(Layer &l, int64_t g, ArrayRef<double> scales,
            MutableArrayRef<int8_t> q) const {
    int64_t k = l.k, perGroup = l.rowsPerGroup();
    double qmax = double((1 << (l.bits - 1)) - 1);
    std::vector<double> h(l.h.begin() + size_t(g) * k * k,
                          l.h.begin() + size_t(g + 1) * k * k);
    for (int64_t i = 0; i < k; ++i)
      for (int64_t j = 0; j < i; ++j)
        h[i * k + j] = h[j * k + i];
    double meanDiag = 0;
    for (int64_t i = 0; i < k; ++i)
      meanDiag += h[i * k + i] / k;
    // Inputs that never fire carry no information: unit curvature keeps H
    // invertible and leaves their weights to plain rounding.
    for (int64_t i = 0; i < k; ++i)
      if (h[i * k + i] <= 0)
        h[i * k + i] = meanDiag > 0 ? meanDiag : 1.0;
    // Columns by decreasing curvature (GPTQ's act-order).
    SmallVector<int64_t> order(k);
    std::iota(order.begin(), order.end(), 0);
    llvm::stable_sort(order, [&](int64_t a, int64_t b) {
      return h[a * k + a] > h[b * k + b];
    });
    std::optional<std::vector<double>> u;
    for (double damp = damping; !u && damp < 10; damp *= 10) {
      std::vector<double> hp(size_t(k) * k);
      for (int64_t i = 0; i < k; ++i)
        for (int64_t j = 0; j < k; ++j)
          hp[i * k + j] = h[order[i] * k + order[j]] +
                          (i == j ? damp * std::max(meanDiag, 1e-12) : 0.0);
      u = inverseCholeskyUpper(std::move(hp), k);
    }
    for (int64_t r = g * perGroup; r < (g + 1) * perGroup; ++r) {
      double s = scales[l.perChannel ? r : 0];
      std::vector<double> w(k);
      for (int64_t i = 0; i < k; ++i)
        w[i] = l.w[r * k + order[i]];
      for (int64_t i = 0; i < k; ++i) {
        double qi = std::clamp(std::nearbyint(w[i] / s), -qmax, qmax);
        q[r * k + order[i]] = (int8_t)qi;
        if (!u)
          continue; // H could not be factored: nearest rounding
        double err = (w[i] - qi * s) / (*u)[i * k + i];
        for (int64_t j = i + 1; j < k; ++j)
          w[j] -= err * (*u)[i * k + j];
      }
    }
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (weightBits != 8 && weightBits != 4) {
      emitError(module.getLoc(), "round-weights: weight-bits must be 8 or 4, "
                                 "got ")
          << static_cast<unsigned>(weightBits);
      return signalPassFailure();
    }
    if (!config.empty() &&
        failed(applyLayerConfig(module, config, "round-weights",
                                /*warnUnmatched=*/false)))
      return signalPassFailure();
    auto main = module.lookupSymbol<func::FuncOp>("main");
    if (!main || main.isExternal())
      return;
    std::vector<Layer> layers;
    for (Operation &op : main.getBody().front())
      if (std::optional<Layer> l = readLayer(&op, weightBits, perChannel))
        layers.push_back(std::move(*l));
    if (layers.empty())
      return;

    bool needStats = learned() || biasCorrection;
    if (needStats) {
      if (calibrationData.empty()) {
        emitError(module.getLoc(),
                  "round-weights: rounding=learned and bias-correction learn "
                  "from calibration data: give calibration-data=x.npy (or "
                  "rounding=nearest bias-correction=false)");
        return signalPassFailure();
      }
      if (!streamer) {
        emitError(module.getLoc(),
                  "round-weights: this tool cannot run the model (it does not "
                  "link the JIT); use qopt, qopt-run or qopt-compile");
        return signalPassFailure();
      }
      SmallVector<std::string> paths(calibrationData.begin(),
                                     calibrationData.end());
      // Groups of layers whose statistics fit the budget, one pass over
      // the data each.
      for (size_t first = 0; first < layers.size();) {
        size_t last = first;
        uint64_t bytes = 0;
        while (last < layers.size()) {
          uint64_t need = learned() ? layers[last].hBytes() : 0;
          if (last > first && bytes + need > kMaxStatisticsBytes)
            break;
          bytes += need;
          ++last;
        }
        SmallVector<Operation *> ops;
        for (size_t i = first; i < last; ++i)
          ops.push_back(layers[i].op);
        bool wantH = learned();
        if (failed(streamer(module, ops, paths,
                            [&](unsigned i, ArrayRef<int64_t> shape,
                                ArrayRef<float> values) {
                              accumulate(layers[first + i], shape, values,
                                         wantH);
                            })))
          return signalPassFailure();
        first = last;
      }
    }

    OpBuilder b(&getContext());
    // A progress line on a terminal (GPTQ on wide layers takes seconds).
    bool progress = learned() && llvm::errs().is_displayed();
    for (auto [index, l] : llvm::enumerate(layers)) {
      if (progress)
        llvm::errs() << "\rround-weights: layer " << index + 1 << "/"
                     << layers.size()
                     << (index + 1 == layers.size() ? "\n" : "");
      SmallVector<double> scales = chooseScales(l);
      SmallVector<int8_t> q(l.w.size());
      double qmax = double((1 << (l.bits - 1)) - 1);
      if (learned() && l.hRows > 0) {
        for (int64_t g = 0; g < l.groups; ++g)
          gptq(l, g, scales, q);
      } else {
        for (int64_t r = 0; r < l.rows; ++r)
          for (int64_t i = 0; i < l.k; ++i)
            q[r * l.k + i] = (int8_t)std::clamp(
                std::nearbyint(l.w[r * l.k + i] / scales[l.perChannel ? r : 0]),
                -qmax, qmax);
      }
      Location loc = l.op->getLoc();
      b.setInsertionPoint(l.op);
      // Bias correction: the expected output error (Q - W) E[x] per row.
      if (biasCorrection && l.sumRows > 0 && !l.transposed) {
        SmallVector<double> bias =
            l.bias ? *l.bias : SmallVector<double>(l.rows, 0.0);
        int64_t perGroup = l.rowsPerGroup();
        for (int64_t r = 0; r < l.rows; ++r) {
          const double *sum = l.sum.data() + size_t(r / perGroup) * l.k;
          double s = scales[l.perChannel ? r : 0], shift = 0;
          for (int64_t i = 0; i < l.k; ++i)
            shift += (q[r * l.k + i] * s - l.w[r * l.k + i]) * sum[i];
          bias[r] -= shift / double(l.sumRows);
        }
        auto type = RankedTensorType::get({l.rows}, b.getF32Type());
        Value nb = arith::ConstantOp::create(
            b, loc, type,
            cast<TypedAttr>(createFloatElements(type, bias, "bias_corrected")));
        Value old = cast<WeightedOpInterface>(l.op).getBiasValue();
        if (auto conv = dyn_cast<Conv2DOp>(l.op))
          conv.getBiasMutable().assign(nb);
        else
          cast<FullyConnectedOp>(l.op).getBiasMutable().assign(nb);
        if (Operation *def = old ? old.getDefiningOp() : nullptr;
            def && def->use_empty())
          def->erase();
      }
      // The integers in the weight's own layout.
      SmallVector<int8_t> stored(q.size());
      if (l.transposed) {
        for (int64_t j = 0; j < l.rows; ++j)
          for (int64_t i = 0; i < l.k; ++i)
            stored[i * l.rows + j] = q[j * l.k + i];
      } else {
        stored = q;
      }
      int64_t axis = l.transposed ? 1 : 0;
      quant::QuantizedType qt = weightType(&getContext(), scales, axis, l.bits);
      auto storage = RankedTensorType::get(l.weightShape, b.getI8Type());
      Value qc = QConstOp::create(
          b, loc, RankedTensorType::get(l.weightShape, qt),
          DenseElementsAttr::get(storage, ArrayRef<int8_t>(stored)));
      OpOperand &weight = cast<WeightedOpInterface>(l.op).getWeightOperand();
      Value dq = DequantizeOp::create(b, loc, weight.get().getType(), qc);
      Operation *old = weight.get().getDefiningOp();
      weight.set(dq);
      if (old && old->use_empty())
        old->erase();
      ++numLayers;
    }
  }
};

} // namespace

std::unique_ptr<Pass>
qnn::createRoundWeightsPass(RoundWeightsPassOptions options,
                            LayerInputStreamer streamer) {
  return std::make_unique<RoundWeightsPass>(options, std::move(streamer));
}
