//===- Calibrate.cpp - Activation statistics for quantization -------------===//
//
// Part of qopt. The instrumented clone returns every observer's input as an
// extra result; statistics are accumulated batch by batch and the batch is
// dropped, so memory does not grow with the dataset.
//
//===----------------------------------------------------------------------===//

#include "qopt/Calibration/Calibrate.h"
#include "qopt/Support/OutputFile.h"
#include "qopt/Calibration/Instrument.h"

#include "qopt/Dialect/QNN/IR/QNN.h"
#include "qopt/Dialect/QNN/Utils/LocationName.h"
#include "qopt/Runner/JitRunner.h"

#include "qopt/Runner/RuntimeSymbols.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

using namespace mlir;
using llvm::Error;
using llvm::Expected;

namespace {

Error err(const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg.str());
}

/// The methods under the clipping guard
/// (CalibrationOptions::maxClippedFraction).
bool isClipGuarded(qnn::CalibrationMethod m) {
  return m == qnn::CalibrationMethod::Entropy ||
         m == qnn::CalibrationMethod::MSE ||
         m == qnn::CalibrationMethod::KSigma ||
         m == qnn::CalibrationMethod::MovingAverage;
}

/// Streaming statistics of one observer.
struct Accumulator {
  qopt::ObserverStats stats;
  qnn::CalibrationMethod method;
  double emaMin = 0, emaMax = 0;
  bool first = true;
  long double sum = 0, sumSq = 0;
  std::vector<double> hist;     ///< [observedMin, observedMax] bins
  std::vector<double> absHist;  ///< [0, max |x|] bins (entropy)

  bool needsHistogram() const {
    return method == qnn::CalibrationMethod::Percentile ||
           isClipGuarded(method);
  }
};

/// Pass-1 update from one batch of float values.
Error accumulate(Accumulator &a, const float *v, int64_t n,
                 const qopt::CalibrationOptions &options) {
  if (n == 0)
    return Error::success();
  double bmin = std::numeric_limits<double>::infinity(), bmax = -bmin;
  for (int64_t i = 0; i < n; ++i) {
    double x = v[i];
    if (!std::isfinite(x))
      return err("observer " + llvm::Twine(a.stats.id) + " ('" +
                 a.stats.location + "') saw " +
                 (std::isnan(x) ? "NaN" : "Inf") +
                 "; check the calibration data and the model");
    bmin = std::min(bmin, x);
    bmax = std::max(bmax, x);
    a.sum += x;
    a.sumSq += (long double)x * x;
  }
  if (a.first) {
    a.stats.observedMin = bmin;
    a.stats.observedMax = bmax;
    a.emaMin = bmin;
    a.emaMax = bmax;
    a.first = false;
  } else {
    a.stats.observedMin = std::min(a.stats.observedMin, bmin);
    a.stats.observedMax = std::max(a.stats.observedMax, bmax);
    double c = options.averagingConstant;
    a.emaMin = (1 - c) * a.emaMin + c * bmin;
    a.emaMax = (1 - c) * a.emaMax + c * bmax;
  }
  a.stats.count += n;
  return Error::success();
}

/// Pass-2 update: histograms over the ranges found in pass 1.
void histogram(Accumulator &a, const float *v, int64_t n, int bins) {
  double lo = a.stats.observedMin, hi = a.stats.observedMax;
  double width = (hi - lo) / bins;
  double amax = std::max(std::fabs(lo), std::fabs(hi));
  double awidth = amax / bins;
  for (int64_t i = 0; i < n; ++i) {
    double x = v[i];
    int b = width > 0 ? std::min<int>(bins - 1, (int)((x - lo) / width)) : 0;
    a.hist[b] += 1;
    // Exact zeros (the spike a ReLU leaves) stay out of the entropy
    // histogram: zero is exactly representable at every threshold, so it
    // has no quantization error, but as a spike in the first bin it
    // dominated the divergence and drove thresholds down to a tenth of the
    // range (ResNet-style Fashion-MNIST: 89.4% -> 33.6%).
    if (!a.absHist.empty() && x != 0) {
      int ab = awidth > 0
                   ? std::min<int>(bins - 1, (int)(std::fabs(x) / awidth))
                   : 0;
      a.absHist[ab] += 1;
    }
  }
}

/// Two-sided percentile of the histogram.
std::pair<double, double> percentileRange(const Accumulator &a, double p) {
  double lo = a.stats.observedMin, hi = a.stats.observedMax;
  int bins = a.hist.size();
  double width = (hi - lo) / bins, total = a.stats.count;
  double tail = total * (1.0 - p / 100.0);
  double acc = 0;
  int l = 0;
  for (; l < bins; ++l) {
    acc += a.hist[l];
    if (acc > tail)
      break;
  }
  acc = 0;
  int r = bins - 1;
  for (; r >= 0; --r) {
    acc += a.hist[r];
    if (acc > tail)
      break;
  }
  return {lo + l * width, lo + (r + 1) * width};
}

/// Expected squared error of uniform quantization of the histogram to
/// `steps` steps with clipping range [lo, hi].
double quantError(const Accumulator &a, double lo, double hi, double steps) {
  double hlo = a.stats.observedMin, hhi = a.stats.observedMax;
  int bins = a.hist.size();
  double width = (hhi - hlo) / bins;
  double scale = (hi - lo) / steps;
  if (scale <= 0)
    return std::numeric_limits<double>::infinity();
  double e = 0;
  for (int b = 0; b < bins; ++b) {
    if (a.hist[b] == 0)
      continue;
    double x = hlo + (b + 0.5) * width;
    double c = std::min(std::max(x, lo), hi);
    double q = std::nearbyint((c - lo) / scale) * scale + lo;
    e += a.hist[b] * (x - q) * (x - q);
  }
  return e;
}

/// MSE-optimal clipping: shrink both ends toward 0 (or the center) and keep
/// the range with the least expected error.
std::pair<double, double> mseRange(const Accumulator &a, unsigned bits) {
  double steps = std::ldexp(1.0, std::min(bits, 24u)) - 1;
  double lo = std::min(0.0, a.stats.observedMin);
  double hi = std::max(0.0, a.stats.observedMax);
  std::pair<double, double> best = {lo, hi};
  double bestErr = quantError(a, lo, hi, steps);
  for (int i = 1; i <= 80; ++i) {
    double f = 1.0 - i * 0.01;
    double e = quantError(a, lo * f, hi * f, steps);
    if (e < bestErr) {
      bestErr = e;
      best = {lo * f, hi * f};
    }
  }
  return best;
}

/// TensorRT / TVM entropy calibration on |x|: the threshold whose 128-level
/// quantized distribution diverges least (KL) from the clipped one.
std::pair<double, double> entropyRange(const Accumulator &a) {
  const std::vector<double> &h = a.absHist;
  int bins = h.size();
  double amax = std::max(std::fabs(a.stats.observedMin),
                         std::fabs(a.stats.observedMax));
  double width = amax / bins;
  // 8-bit levels on |x|: 128 for a signed distribution (the other half of
  // the codes covers the negative side), 256 for a non-negative one.
  const int levels = a.stats.observedMin < 0 ? 128 : 256;
  if (bins < levels)
    return {a.stats.observedMin, a.stats.observedMax};
  double bestKL = std::numeric_limits<double>::infinity();
  int bestI = bins;
  for (int i = levels; i <= bins; ++i) {
    std::vector<double> p(h.begin(), h.begin() + i);
    double outliers = 0;
    for (int j = i; j < bins; ++j)
      outliers += h[j];
    p[i - 1] += outliers;
    // Q: the first i bins merged into `levels` groups, spread back over
    // their non-empty bins.
    std::vector<double> q(i, 0.0);
    double per = double(i) / levels;
    for (int g = 0; g < levels; ++g) {
      int start = int(g * per), end = int((g + 1) * per);
      if (g == levels - 1)
        end = i;
      // Q quantizes the unclipped bins (the outliers stay only in P).
      double sum = 0;
      int nonzero = 0;
      for (int j = start; j < end; ++j) {
        sum += h[j];
        nonzero += h[j] != 0;
      }
      for (int j = start; j < end; ++j)
        if (h[j] != 0)
          q[j] = sum / nonzero;
    }
    double ps = 0, qs = 0;
    for (int j = 0; j < i; ++j) {
      ps += p[j];
      qs += q[j];
    }
    if (ps == 0 || qs == 0)
      continue;
    double kl = 0;
    for (int j = 0; j < i; ++j) {
      if (p[j] == 0)
        continue;
      double pj = p[j] / ps, qj = std::max(q[j] / qs, 1e-12);
      kl += pj * std::log(pj / qj);
    }
    if (kl < bestKL) {
      bestKL = kl;
      bestI = i;
    }
  }
  double t = (bestI + 0.5) * width;
  double lo = a.stats.observedMin < 0 ? std::max(-t, a.stats.observedMin) : 0;
  double hi = std::min(t, a.stats.observedMax);
  return {lo, std::max(hi, lo)};
}

void finish(Accumulator &a, const qopt::CalibrationOptions &options) {
  qopt::ObserverStats &s = a.stats;
  double n = std::max<int64_t>(1, s.count);
  s.mean = double(a.sum / n);
  s.stddev = std::sqrt(std::max(0.0L, a.sumSq / n - (a.sum / n) * (a.sum / n)));
  switch (a.method) {
  case qnn::CalibrationMethod::MinMax:
    s.min = s.observedMin;
    s.max = s.observedMax;
    break;
  case qnn::CalibrationMethod::MovingAverage:
    s.min = a.emaMin;
    s.max = a.emaMax;
    break;
  case qnn::CalibrationMethod::KSigma:
    s.min = std::max(s.observedMin, s.mean - options.ksigma * s.stddev);
    s.max = std::min(s.observedMax, s.mean + options.ksigma * s.stddev);
    break;
  case qnn::CalibrationMethod::Percentile:
    std::tie(s.min, s.max) = percentileRange(a, options.percentile);
    break;
  case qnn::CalibrationMethod::MSE:
    std::tie(s.min, s.max) = mseRange(a, options.activationBits);
    break;
  case qnn::CalibrationMethod::Entropy:
    std::tie(s.min, s.max) = entropyRange(a);
    break;
  }
  if (s.min > s.max)
    std::swap(s.min, s.max);
  // The clipping guard (CalibrationOptions::maxClippedFraction).
  if (isClipGuarded(a.method) && options.maxClippedFraction > 0 && !a.hist.empty() &&
      s.count > 0) {
    auto [lo, hi] =
        percentileRange(a, 100.0 * (1.0 - options.maxClippedFraction));
    s.min = std::max(s.observedMin, std::min(s.min, lo));
    s.max = std::min(s.observedMax, std::max(s.max, hi));
  }
}

} // namespace

Expected<std::vector<qopt::ObserverStats>>
qopt::calibrate(ModuleOp module, llvm::ArrayRef<NpyArray> inputs,
                const CalibrationOptions &options) {
  auto func = module.lookupSymbol<func::FuncOp>(options.entry);
  if (!func || func.isExternal())
    return err("no function '" + options.entry + "' to calibrate");
  if (Operation *taken = module.lookupSymbol(qopt::kObserveSymbol))
    if (!isa<func::FuncOp>(taken) || !cast<func::FuncOp>(taken).isExternal())
      return err(llvm::Twine("the module defines '") + qopt::kObserveSymbol +
                 "', a name qopt's calibration runtime reserves");
  // The clone returns each observer's input after the model's own results.
  OwningOpRef<ModuleOp> clone = module.clone();
  auto cf = clone->lookupSymbol<func::FuncOp>(options.entry);
  SmallVector<qnn::ObserverOp> observers;
  cf.walk([&](qnn::ObserverOp o) { observers.push_back(o); });
  if (observers.empty())
    return err("the module has no qnn.observer ops; run qopt "
               "--insert-observers first");
  std::vector<Accumulator> acc(observers.size());
  std::map<int64_t, size_t> nestedIndex; // id -> acc index
  SmallVector<Value> watched;
  SmallVector<size_t> watchedIndex;
  for (auto [i, o] : llvm::enumerate(observers)) {
    acc[i].stats.id = o.getId();
    acc[i].stats.location =
        o.getName() ? o.getName()->str() : qnn::getLocationName(o.getLoc());
    acc[i].method = o.getMethod();
    acc[i].stats.method = qnn::stringifyCalibrationMethod(o.getMethod()).str();
    if (!cast<RankedTensorType>(o.getType()).getElementType().isF32())
      return err("observer " + llvm::Twine(o.getId()) +
                 " watches a non-f32 tensor");
    if (o->getParentOp() == cf) {
      watched.push_back(o.getInput());
      watchedIndex.push_back(i);
    } else {
      // In the clone, an observer inside a region body reports through
      // the runtime instead of returning its tensor.
      nestedIndex[o.getId()] = i;
      qopt::reportThroughRuntime(o.getInput(), o.getId());
      o.replaceAllUsesWith(o.getInput());
      o.erase();
    }
  }
  unsigned firstExtra = appendResults(cf, watched);

  auto model = CompiledModel::compile(*clone, options.entry);
  if (!model)
    return model.takeError();
  if (Error e = (*model)->checkInputs(
          inputs, std::vector<std::string>(inputs.size(), "calibration data")))
    return std::move(e);
  for (const NpyArray &in : inputs) {
    if (in.dtype != NpyDType::F32)
      continue;
    int64_t perSample =
        in.shape.empty() ? 1 : in.numElements() / std::max<int64_t>(1, in.shape[0]);
    for (int64_t i = 0; i < in.numElements(); ++i)
      if (!std::isfinite(in.as<float>()[i]))
        return err("calibration data contains " +
                   llvm::Twine(std::isnan(in.as<float>()[i]) ? "NaN" : "Inf") +
                   " in sample " + llvm::Twine(i / perSample) +
                   " (flat index " + llvm::Twine(i) + ")");
  }

  int64_t samples = (*model)->sampleCount(inputs);
  bool whole = (*model)->wholeCalls(inputs);
  bool needHist = llvm::any_of(acc, [](const Accumulator &a) {
    return a.needsHistogram();
  });
  int passes = needHist ? 2 : 1;
  for (int pass = 0; pass < passes; ++pass) {
    // Observers in If/Loop bodies report from inside the run, once per
    // execution (every loop iteration, only the branch taken).
    Error nestedError = Error::success();
    qopt::ObservationScope observation(
        [&](int64_t id, const float *values, int64_t count) {
          auto it = nestedIndex.find(id);
          if (it == nestedIndex.end() || nestedError)
            return;
          Accumulator &a = acc[it->second];
          if (pass == 0)
            nestedError = accumulate(a, values, count, options);
          else if (a.needsHistogram() && a.stats.count > 0)
            histogram(a, values, count, options.histogramBins);
        });
    if (pass == 1)
      for (Accumulator &a : acc)
        if (a.needsHistogram()) {
          a.hist.assign(options.histogramBins, 0.0);
          if (a.method == qnn::CalibrationMethod::Entropy)
            a.absHist.assign(options.histogramBins, 0.0);
        }
    Error e = (*model)->forEachBatch(
        inputs, options.batchSize,
        [&](std::vector<NpyArray> &outs, int64_t n, int64_t start) -> Error {
          for (auto [k, i] : llvm::enumerate(watchedIndex)) {
            Accumulator &a = acc[i];
            const NpyArray &o = outs[firstExtra + k];
            int64_t perSample = o.numElements() /
                                std::max<int64_t>(1, o.shape.empty() ? 1 : o.shape[0]);
            // The first n rows (a short static batch is zero-padded); never
            // more than the output holds (an output without a batch
            // dimension, e.g. a recurrent state, counts whole); all of it
            // in calls that are never padded.
            int64_t count =
                o.shape.empty() || whole
                    ? o.numElements()
                    : std::min<int64_t>(o.numElements(), n * perSample);
            if (pass == 0) {
              if (Error e = accumulate(a, o.as<float>(), count, options))
                return e;
            } else if (a.needsHistogram()) {
              histogram(a, o.as<float>(), count, options.histogramBins);
            }
          }
          if (options.progress)
            llvm::errs() << "\rcalibrating: pass " << pass + 1 << "/" << passes
                         << ", " << std::min(samples, start + n) << "/"
                         << samples << " samples";
          return Error::success();
        });
    if (e) {
      llvm::consumeError(std::move(nestedError));
      return std::move(e);
    }
    if (nestedError)
      return std::move(nestedError);
  }
  if (options.progress)
    llvm::errs() << "\n";
  std::vector<ObserverStats> out;
  for (Accumulator &a : acc) {
    finish(a, options);
    out.push_back(a.stats);
  }
  return out;
}

Error qopt::applyStatistics(ModuleOp module,
                            llvm::ArrayRef<ObserverStats> stats) {
  std::map<int64_t, const ObserverStats *> byId;
  for (const ObserverStats &s : stats)
    byId[s.id] = &s;
  Builder b(module.getContext());
  Error result = Error::success();
  module.walk([&](qnn::ObserverOp o) {
    if (result)
      return;
    auto it = byId.find(o.getId());
    if (it == byId.end()) {
      result = err("no statistics for observer " + llvm::Twine(o.getId()) +
                   " ('" +
                   (o.getName() ? o.getName()->str() : qnn::getLocationName(o.getLoc())) +
                   "')");
      return;
    }
    // An observer in a branch that never ran keeps no range: quantization
    // leaves its op float and says so, instead of inventing statistics.
    if (it->second->count == 0)
      return;
    const ObserverStats &s = *it->second;
    o.setMinAttr(b.getF64FloatAttr(s.min));
    o.setMaxAttr(b.getF64FloatAttr(s.max));
    // The whole range, where the method clipped it (for 16-bit layers).
    double lo = std::min(s.observedMin, s.min),
           hi = std::max(s.observedMax, s.max);
    if (lo != s.min || hi != s.max) {
      o.setObservedMinAttr(b.getF64FloatAttr(lo));
      o.setObservedMaxAttr(b.getF64FloatAttr(hi));
    } else {
      o.removeObservedMinAttr();
      o.removeObservedMaxAttr();
    }
  });
  return result;
}

Error qopt::writeStatistics(llvm::StringRef path,
                            llvm::ArrayRef<ObserverStats> stats) {
  llvm::json::Array arr;
  for (const ObserverStats &s : stats) {
    if (s.count == 0) {
      arr.push_back(llvm::json::Object{{"id", s.id},
                                       {"location", s.location},
                                       {"method", s.method},
                                       {"count", 0},
                                       {"note", "never executed during "
                                                "calibration (a branch "
                                                "that did not run)"}});
      continue;
    }
    arr.push_back(llvm::json::Object{{"id", s.id},
                                     {"location", s.location},
                                     {"method", s.method},
                                     {"min", s.min},
                                     {"max", s.max},
                                     {"observed_min", s.observedMin},
                                     {"observed_max", s.observedMax},
                                     {"mean", s.mean},
                                     {"std", s.stddev},
                                     {"count", s.count}});
  }
  llvm::json::Value root(
      llvm::json::Object{{"version", 1}, {"observers", std::move(arr)}});
  return writeOutputFile(path, [&](llvm::raw_ostream &os) {
    os << llvm::formatv("{0:2}", root) << "\n";
    return Error::success();
  });
}

Expected<std::vector<qopt::ObserverStats>>
qopt::readStatistics(llvm::StringRef path) {
  auto buf = llvm::MemoryBuffer::getFile(path);
  if (!buf)
    return err("cannot read '" + path + "': " + buf.getError().message());
  auto json = llvm::json::parse((*buf)->getBuffer());
  if (!json)
    return err("'" + path + "' is not valid JSON: " +
               llvm::toString(json.takeError()));
  auto *root = json->getAsObject();
  auto *obs = root ? root->getArray("observers") : nullptr;
  if (!obs)
    return err("'" + path + "' has no \"observers\" array");
  std::vector<ObserverStats> out;
  for (const llvm::json::Value &v : *obs) {
    auto *o = v.getAsObject();
    auto id = o ? o->getInteger("id") : std::nullopt;
    auto mn = o ? o->getNumber("min") : std::nullopt;
    auto mx = o ? o->getNumber("max") : std::nullopt;
    auto count = o ? o->getInteger("count") : std::nullopt;
    if (id && count && *count == 0 && !mn && !mx) {
      ObserverStats s;
      s.id = *id;
      s.count = 0;
      if (auto l = o->getString("location"))
        s.location = l->str();
      out.push_back(s);
      continue;
    }
    if (!id || !mn || !mx)
      return err("'" + path + "': every observer needs id, min and max");
    if (!std::isfinite(*mn) || !std::isfinite(*mx) || *mn > *mx)
      return err("'" + path + "': observer " + llvm::Twine(*id) +
                 " has an invalid range [" + std::to_string(*mn) + ", " +
                 std::to_string(*mx) + "]");
    ObserverStats s;
    s.id = *id;
    s.min = *mn;
    s.max = *mx;
    // Files written before the observed range was kept have none: the
    // chosen range stands for it.
    auto omn = o->getNumber("observed_min"), omx = o->getNumber("observed_max");
    bool observed = omn && omx && std::isfinite(*omn) && std::isfinite(*omx) &&
                    *omn <= *mn && *omx >= *mx;
    s.observedMin = observed ? *omn : *mn;
    s.observedMax = observed ? *omx : *mx;
    s.count = count && *count > 0 ? *count : -1;
    if (auto l = o->getString("location"))
      s.location = l->str();
    if (auto m = o->getString("method"))
      s.method = m->str();
    out.push_back(s);
  }
  return out;
}
