//===- ShapeOrigin.h - Where a dynamic dimension comes from -----*- C++ -*-===//
//
// Part of qopt. Dynamic dimensions (a batch) flow through a graph; whether
// two of them are equal at run time is decided by following each back to
// the operand dimension it is, by the semantics of the ops in between, a
// copy of. The importer uses it to keep `-1` reshape targets static, the JIT
// to find the batch in outputs whose batch is not dimension 0.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_DIALECT_QNN_UTILS_SHAPEORIGIN_H
#define QOPT_DIALECT_QNN_UTILS_SHAPEORIGIN_H

#include "mlir/IR/Value.h"

#include <utility>

namespace mlir {
namespace qnn {

/// The (value, dimension) that dynamic dimension `d` of `v` is a copy of,
/// following same-shape and broadcasting elementwise ops, transposes, the
/// batch of convolutions, pools and products, and the parallel loops of
/// linalg.generic ops; (v, d) itself when nothing is known.
std::pair<Value, int64_t> dimensionOrigin(Value v, int64_t d);

} // namespace qnn
} // namespace mlir

#endif // QOPT_DIALECT_QNN_UTILS_SHAPEORIGIN_H
