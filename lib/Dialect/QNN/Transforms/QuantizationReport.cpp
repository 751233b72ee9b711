//===- QuantizationReport.cpp - Weight size report ------------------------===//
//
// Part of qopt. Implements `--quantization-report`: float vs quantized
// weight bytes per layer, as text on stderr and optionally as JSON.
//
//===----------------------------------------------------------------------===//

#include "qopt/Dialect/QNN/IR/QNN.h"
#include "qopt/Dialect/QNN/Transforms/Passes.h"
#include "qopt/Dialect/QNN/Transforms/Transforms.h"
#include "qopt/Dialect/QNN/Utils/LocationName.h"
#include "qopt/Support/OutputFile.h"

#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/Matchers.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/raw_ostream.h"

namespace mlir {
namespace qnn {
#define GEN_PASS_DEF_QUANTIZATIONREPORTPASS
#include "qopt/Dialect/QNN/Transforms/Passes.h.inc"
} // namespace qnn
} // namespace mlir

using namespace mlir;
using namespace mlir::qnn;

namespace {

/// Elements and stored bits of one constant operand (weight or bias).
struct Operand {
  int64_t elements = 0;
  unsigned bits = 32; ///< effective bits as stored (32: float)
};

/// The operand as the report counts it: a quantized constant at the bit
/// width of its value range (i8<-7:7> is 4 bits), also behind a dequantize
/// (weight-only quantization stores it that way), anything else as float32.
Operand describe(Value v) {
  Operand o;
  if (auto dq = v.getDefiningOp<DequantizeOp>())
    if (dq.getInput().getDefiningOp<QConstOp>())
      v = dq.getInput();
  auto t = dyn_cast<RankedTensorType>(v.getType());
  if (!t || !t.hasStaticShape())
    return o;
  o.elements = t.getNumElements();
  if (auto q = dyn_cast<quant::QuantizedType>(t.getElementType())) {
    uint64_t levels = q.getStorageTypeMax() - q.getStorageTypeMin() + 1;
    o.bits = llvm::Log2_64_Ceil(levels);
  }
  return o;
}

int64_t bytes(const Operand &o) { return (o.elements * o.bits + 7) / 8; }

struct Row {
  std::string name, op;
  Operand weight, bias;
  int64_t floatBytes = 0, quantBytes = 0;
};

/// The report's rows: every weighted op with constant weights under `root`.
std::vector<Row> collectRows(Operation *root) {
  std::vector<Row> rows;
  root->walk([&](Operation *op) {
    auto weighted = dyn_cast<WeightedOpInterface>(op);
    if (!weighted)
      return;
    Value w = weighted.getWeightOperand().get();
    Value b = weighted.getBiasValue();
    // A matmul of two activations (attention) stores no weights.
    Value stored = w;
    while (isa_and_nonnull<DequantizeOp, ReshapeOp, FlattenOp>(
        stored.getDefiningOp()))
      stored = stored.getDefiningOp()->getOperand(0);
    if (!matchPattern(stored, m_Constant()))
      return;
    Row r;
    r.name = getLocationName(op->getLoc());
    if (r.name.empty())
      r.name =
          (op->getName().getStringRef() + "#" + llvm::Twine(rows.size())).str();
    r.op = op->getName().getStringRef().str();
    r.weight = describe(w);
    if (b)
      r.bias = describe(b);
    r.floatBytes = 4 * (r.weight.elements + r.bias.elements);
    r.quantBytes = bytes(r.weight) + bytes(r.bias);
    rows.push_back(r);
  });
  return rows;
}

llvm::json::Object toJson(const Row &r) {
  return llvm::json::Object{{"name", r.name},
                            {"op", r.op},
                            {"weight_elements", r.weight.elements},
                            {"weight_bits", (int64_t)r.weight.bits},
                            {"bias_elements", r.bias.elements},
                            {"bias_bits", (int64_t)r.bias.bits},
                            {"float_bytes", r.floatBytes},
                            {"quantized_bytes", r.quantBytes}};
}

struct QuantizationReportPass
    : qnn::impl::QuantizationReportPassBase<QuantizationReportPass> {
  using QuantizationReportPassBase::QuantizationReportPassBase;

  void runOnOperation() override {
    std::vector<Row> rows = collectRows(getOperation());

    int64_t totalFloat = 0, totalQuant = 0;
    llvm::json::Array layers;
    std::string discarded;
    llvm::raw_string_ostream quiet(discarded);
    llvm::raw_ostream &os =
        printTable ? static_cast<llvm::raw_ostream &>(llvm::errs()) : quiet;
    os << llvm::format("%-40s %10s %5s %10s %10s\n", "layer", "weights",
                       "bits", "float B", "quant B");
    for (const Row &r : rows) {
      totalFloat += r.floatBytes;
      totalQuant += r.quantBytes;
      os << llvm::format("%-40s %10lld %5u %10lld %10lld\n", r.name.c_str(),
                         (long long)r.weight.elements, r.weight.bits,
                         (long long)r.floatBytes, (long long)r.quantBytes);
      layers.push_back(toJson(r));
    }
    double ratio = totalQuant ? double(totalFloat) / totalQuant : 1.0;
    os << llvm::format("%-40s %10s %5s %10lld %10lld  (%.2fx smaller)\n",
                       "total", "", "", (long long)totalFloat,
                       (long long)totalQuant, ratio);

    if (!jsonFile.empty()) {
      llvm::json::Value report(
          llvm::json::Object{{"layers", std::move(layers)},
                             {"total_float_bytes", totalFloat},
                             {"total_quantized_bytes", totalQuant},
                             {"compression", ratio}});
      if (llvm::Error e = qopt::writeOutputFile(
              jsonFile, [&](llvm::raw_ostream &out) {
                out << llvm::formatv("{0:2}", report) << "\n";
                return llvm::Error::success();
              })) {
        emitError(getOperation().getLoc())
            << "cannot write the quantization report: "
            << llvm::toString(std::move(e));
        return signalPassFailure();
      }
    }
    markAllAnalysesPreserved();
  }
};

} // namespace

llvm::json::Array qnn::weightSizeRows(Operation *root) {
  llvm::json::Array layers;
  for (const Row &r : collectRows(root))
    layers.push_back(toJson(r));
  return layers;
}
