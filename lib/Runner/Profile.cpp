//===- Profile.cpp - Per-layer time of a JIT-compiled model ---------------===//
//
// Part of qopt.
//
//===----------------------------------------------------------------------===//

#include "qopt/Runner/Profile.h"
#include "qopt/Support/OutputFile.h"

#include "qopt/Dialect/QNN/IR/QNN.h"
#include "qopt/Dialect/QNN/Utils/LocationName.h"
#include "qopt/Runner/JitRunner.h"
#include "qopt/Runner/RuntimeSymbols.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Matchers.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"

#include <algorithm>
#include <chrono>

using namespace mlir;
using llvm::Error;
using llvm::Expected;

namespace {

Error err(const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
}

/// Multiply-accumulates of a conv2d / fully_connected / matmul per run,
/// with `batch` for a dynamic leading dimension.
int64_t macsOf(Operation *op, int64_t batch) {
  auto result = dyn_cast<RankedTensorType>(op->getResult(0).getType());
  if (!result)
    return 0;
  int64_t reduce = 0;
  if (auto conv = dyn_cast<qnn::Conv2DOp>(op)) {
    auto w = cast<RankedTensorType>(conv.getWeight().getType());
    reduce = w.getDimSize(1) * w.getDimSize(2) * w.getDimSize(3);
  } else if (auto fc = dyn_cast<qnn::FullyConnectedOp>(op)) {
    auto w = cast<RankedTensorType>(fc.getWeight().getType());
    reduce = w.getDimSize(1);
  } else if (auto mm = dyn_cast<qnn::MatMulOp>(op)) {
    auto l = mm.getLhs().getType();
    reduce = l.getDimSize(l.getRank() - 1);
  } else {
    return 0;
  }
  if (ShapedType::isDynamic(reduce))
    return 0;
  int64_t outputs = 1;
  for (int64_t d : result.getShape())
    outputs *= ShapedType::isDynamic(d) ? batch : d;
  return outputs * reduce;
}

/// Collects the marks' times while alive.
std::vector<std::chrono::steady_clock::time_point> *activeMarks = nullptr;
void qoptProfileMark(int64_t id) {
  if (activeMarks && id >= 0 && (size_t)id < activeMarks->size())
    (*activeMarks)[id] = std::chrono::steady_clock::now();
}

} // namespace

Expected<std::vector<qopt::LayerProfile>>
qopt::profileModel(ModuleOp module, llvm::ArrayRef<NpyArray> data,
                   const ProfileOptions &options, double &totalMs) {
  auto func = module.lookupSymbol<func::FuncOp>(options.entry);
  if (!func || func.isExternal())
    return err("no function '" + options.entry + "' to profile");
  if (module.lookupSymbol(kProfileMarkSymbol))
    return err(llvm::Twine("the module defines '") + kProfileMarkSymbol +
               "', a name qopt's profiler reserves");
  int64_t samples = data.empty() || data[0].shape.empty() ? 1 : data[0].shape[0];
  // What each layer is (its first op) and computes (multiply-accumulates),
  // by the name its kernels will carry.
  struct Layer {
    std::string op;
    int64_t macs = 0;
    llvm::SmallVector<Operation *> ops;
  };
  llvm::StringMap<Layer> byName;
  for (Operation &op : func.getBody().front().without_terminator()) {
    if (op.getNumResults() == 0 || op.hasTrait<OpTrait::ConstantLike>())
      continue;
    std::string name = qnn::getLocationName(op.getLoc());
    if (name.empty()) {
      llvm::raw_string_ostream os(name);
      op.getLoc().print(os);
    }
    Layer &l = byName[name];
    if (l.op.empty())
      l.op = op.getName().getStringRef().str();
    l.ops.push_back(&op);
  }
  auto model = CompiledModel::compile(module, options.entry, options.vectorize,
                                      options.dotProduct, /*memoryLimit=*/0,
                                      options.threads, /*profile=*/true);
  if (!model)
    return model.takeError();
  const std::vector<std::string> &marks = (*model)->profileMarks();
  if (marks.empty())
    return err("the compiled model has no profile marks");
  int64_t b0 = (*model)->staticBatch();
  if (!b0)
    b0 = options.batchSize > 0 ? std::min(options.batchSize, samples) : samples;
  bool whole = (*model)->runsWhole(data);
  // The MACs of the profiled run: a dynamic leading dimension is the batch
  // that run computes; a static one is the model's own (counting it as the
  // number of samples given made a batch-1 model fed 8 samples report 1/8
  // of its GOP/s).
  int64_t runBatch = whole ? samples : b0;
  for (auto &entry : byName)
    for (Operation *op : entry.second.ops)
      entry.second.macs += macsOf(op, runBatch);
  std::vector<NpyArray> batchData(data.size());
  llvm::SmallVector<const NpyArray *> ptrs;
  for (auto [in, out] : llvm::zip_equal(data, batchData)) {
    out = whole ? in : sliceSamples(in, 0, std::min(b0, samples), b0);
    ptrs.push_back(&out);
  }
  std::vector<std::chrono::steady_clock::time_point> times(marks.size());
  std::vector<double> sums(marks.size(), 0.0);
  std::vector<NpyArray> outs;
  activeMarks = &times;
  totalMs = 0;
  int runs = std::max(1, options.runs);
  for (int run = -1; run < runs; ++run) { // run -1 warms up
    if (Error e = (*model)->runBatch(ptrs, outs)) {
      activeMarks = nullptr;
      return std::move(e);
    }
    if (run < 0)
      continue;
    for (size_t i = 1; i < marks.size(); ++i)
      sums[i] += std::chrono::duration<double, std::milli>(times[i] -
                                                           times[i - 1])
                     .count();
    totalMs += std::chrono::duration<double, std::milli>(times.back() -
                                                         times.front())
                   .count();
  }
  activeMarks = nullptr;
  totalMs /= runs;
  // A kernel fused from several nodes carries their joined names: it
  // belongs to the node among them that multiplies (else the first named).
  auto resolve = [&](const std::string &kernel) -> std::string {
    if (byName.count(kernel))
      return kernel;
    std::string best;
    size_t bestPos = std::string::npos;
    bool bestMacs = false;
    for (auto &entry : byName) {
      StringRef name = entry.first();
      size_t pos = name.empty() ? std::string::npos : kernel.find(name.str());
      if (pos == std::string::npos)
        continue;
      bool macs = entry.second.macs > 0;
      if (best.empty() || (macs && !bestMacs) ||
          (macs == bestMacs &&
           (pos < bestPos || (pos == bestPos && name.size() > best.size())))) {
        best = name.str();
        bestPos = pos;
        bestMacs = macs;
      }
    }
    return best.empty() ? kernel : best;
  };
  // The kernels of one node (a convolution with its fused epilogue, the
  // permutation feeding it) are one layer.
  std::vector<LayerProfile> layers;
  llvm::StringMap<size_t> index;
  for (size_t i = 1; i < marks.size(); ++i) {
    std::string name = resolve(marks[i]);
    auto [it, inserted] = index.try_emplace(name, layers.size());
    if (inserted) {
      auto known = byName.find(name);
      std::string op = known == byName.end() ? "" : known->second.op;
      int64_t macs = known == byName.end() ? 0 : known->second.macs;
      layers.push_back({name, op, 0, 0, 0, macs});
    }
    layers[it->second].ms += sums[i] / runs;
  }
  for (LayerProfile &l : layers) {
    l.share = totalMs > 0 ? l.ms / totalMs : 0;
    l.gops = l.ms > 0 ? 2.0 * l.macs / (l.ms * 1e6) : 0;
  }
  return layers;
}

void qopt::printProfile(llvm::raw_ostream &os,
                        llvm::ArrayRef<LayerProfile> layers, double totalMs,
                        size_t limit) {
  std::vector<const LayerProfile *> order;
  for (const LayerProfile &l : layers)
    order.push_back(&l);
  std::stable_sort(order.begin(), order.end(),
                   [](auto *a, auto *b) { return a->ms > b->ms; });
  if (limit && order.size() > limit)
    order.resize(limit);
  size_t w = 5;
  for (auto *l : order)
    w = std::max(w, std::min<size_t>(l->name.size(), 60));
  os << llvm::left_justify("layer", w) << "  " << llvm::left_justify("op", 20)
     << llvm::right_justify("ms", 10) << llvm::right_justify("share", 8)
     << llvm::right_justify("GOP/s", 9) << "\n";
  for (auto *l : order) {
    std::string name = l->name.size() > 60
                           ? "..." + l->name.substr(l->name.size() - 57)
                           : l->name;
    os << llvm::left_justify(name, w) << "  " << llvm::left_justify(l->op, 20)
       << llvm::format("%10.3f%7.1f%%", l->ms, 100 * l->share);
    if (l->macs)
      os << llvm::format("%9.1f", l->gops);
    os << "\n";
  }
  os << llvm::format("total %.3f ms per run\n", totalMs);
}

Error qopt::writeProfileJson(llvm::StringRef path,
                             llvm::ArrayRef<LayerProfile> layers,
                             double totalMs) {
  llvm::json::Array arr;
  for (const LayerProfile &l : layers)
    arr.push_back(llvm::json::Object{{"name", l.name},
                                     {"op", l.op},
                                     {"ms", l.ms},
                                     {"share", l.share},
                                     {"macs", l.macs},
                                     {"gops", l.gops}});
  llvm::json::Value root(llvm::json::Object{{"version", 1},
                                            {"total_ms", totalMs},
                                            {"layers", std::move(arr)}});
  return writeOutputFile(path, [&](llvm::raw_ostream &os) {
    os << llvm::formatv("{0:2}", root) << "\n";
    return Error::success();
  });
}

void *qopt::profileMarkFunction() {
  return reinterpret_cast<void *>(&qoptProfileMark);
}
