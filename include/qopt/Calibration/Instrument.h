//===- Instrument.h - Expose intermediate tensors as results ---------*- C++ -*-===//
//
// Part of qopt. Calibration and the per-layer SQNR report run a clone of the
// model whose entry function also returns the tensors they watch.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_CALIBRATION_INSTRUMENT_H
#define QOPT_CALIBRATION_INSTRUMENT_H

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace qopt {

/// Appends `values` (defined in `func`'s body) to the results of `func` and
/// its return; returns the index of the first appended result. Result
/// attributes are dropped (they were sized for the old result list).
unsigned appendResults(mlir::func::FuncOp func, mlir::ArrayRef<mlir::Value> values);

/// Makes the clone hand `value` (an f32 tensor anywhere, also inside If and
/// Loop bodies, whose values cannot become results) to the active
/// qopt::ObservationScope each time it is computed: a call to qopt_observe
/// with `id`, inserted after `value`'s definition.
void reportThroughRuntime(mlir::Value value, int64_t id);

} // namespace qopt

#endif // QOPT_CALIBRATION_INSTRUMENT_H
