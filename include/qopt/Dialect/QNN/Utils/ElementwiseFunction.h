//===- ElementwiseFunction.h - A float island as a function of one input -*- C++ -*-===//
//
// Part of qopt. Lookup tables replace a float island (the ops between the
// dequantize of an 8-bit tensor and the next quantize) by its 256 possible
// results. ElementwiseFunction recognizes such an island, whatever ops
// express it (qnn ops with ScalarFunctionOpInterface, linalg.generic with
// arith/math bodies, intermediate quantize/dequantize pairs, earlier
// tables), and evaluates it for one stored input value, in double
// precision, rounding wherever the graph rounds.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_DIALECT_QNN_UTILS_ELEMENTWISEFUNCTION_H
#define QOPT_DIALECT_QNN_UTILS_ELEMENTWISEFUNCTION_H

#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"

#include <optional>

namespace mlir {
namespace qnn {

/// Marks an op a per-layer config keeps in float (`keep_float`): islands
/// keep it after quantize-static, and tables are not formed through them.
constexpr llvm::StringLiteral kKeepFloatAttrName = "qnn.keep_float";

class ElementwiseFunction {
public:
  /// The function computing the float `root` from a single 8-bit
  /// per-tensor quantized tensor through elementwise ops and scalar
  /// constants, or nullopt. At most `maxOps` ops are looked at.
  static std::optional<ElementwiseFunction> trace(Value root,
                                                  unsigned maxOps = 64);

  /// The quantized tensor the function reads.
  Value input() const { return leaf; }
  quant::UniformQuantizedType inputType() const;
  /// How many ops compute in float (a bare requantization has none).
  unsigned floatOps() const { return numFloatOps; }

  /// The root's real value when the input stores `stored`.
  double evaluate(int64_t stored);

private:
  ElementwiseFunction(Value root) : root(root) {}
  bool traceFloat(Value v);
  bool traceQuantized(Value v);
  bool traceGeneric(Operation *op);
  bool isScalarConstant(Value v, double *value = nullptr) const;
  double evalFloat(Value v);
  double evalQuantized(Value v); ///< the real value a quantized tensor holds

  Value root, leaf;
  unsigned budget = 0, numFloatOps = 0;
  llvm::DenseSet<Value> traced;
  llvm::SmallVector<Value> traceOrder;
  llvm::DenseMap<Value, double> memo;
  double leafReal = 0;
};

/// The stored value of `real` in `type`: round half to even, saturate (NaN
/// stores the zero point), as qnn.quantize does.
int64_t quantizeScalar(double real, quant::UniformQuantizedType type);

} // namespace qnn
} // namespace mlir

#endif // QOPT_DIALECT_QNN_UTILS_ELEMENTWISEFUNCTION_H
