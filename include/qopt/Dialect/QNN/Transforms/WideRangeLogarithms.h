//===- WideRangeLogarithms.h - Computations 8 bits cannot carry -*- C++ -*-===//
//
// Part of qopt. A logarithm turns relative precision into absolute error:
// 8-bit activations hold 48 dB, so the operand of a log-power spectrogram
// (80 dB and more) loses every value below 1/256 of its maximum to the
// floor, and so does each op computing it (an int8 STFT has the same 48 dB).
// Quantization keeps such computations float and says why.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_DIALECT_QNN_TRANSFORMS_WIDERANGELOGARITHMS_H
#define QOPT_DIALECT_QNN_TRANSFORMS_WIDERANGELOGARITHMS_H

#include "mlir/IR/Operation.h"
#include "llvm/ADT/SetVector.h"

#include <string>

namespace mlir {
namespace qnn {

/// A logarithm whose operand needs more than 8 bits, and the ops of the
/// function that compute that operand (back to the function's inputs and
/// constants; observers included).
struct WideRangeLogarithm {
  Operation *logarithm; ///< the logarithm (or square root)
  std::string kind;     ///< "logarithm" or "square root"
  std::string reason;
  llvm::SetVector<Operation *> producers;
};

/// The logarithms (elementwise ops whose body computes log, log2, log10 or
/// log1p) of `root`'s functions whose operand is a power (computed from a
/// square: x * x, pow(x, 2)) or, when it is observed with calibrated
/// statistics, spans more than 2^8 (positive minimum to maximum), with
/// everything computing that operand; and the square roots of powers (a
/// magnitude sqrt(re^2 + im^2)) with the ops from the squares to the root.
SmallVector<WideRangeLogarithm> findWideRangeLogarithms(Operation *root);

} // namespace qnn
} // namespace mlir

#endif // QOPT_DIALECT_QNN_TRANSFORMS_WIDERANGELOGARITHMS_H
