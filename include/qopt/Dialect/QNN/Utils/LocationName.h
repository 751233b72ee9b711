//===- LocationName.h - The name a location speaks for --------------*- C++ -*-===//
//
// Part of qopt. Ops carry their ONNX node names as NameLocs; after fusion a
// FusedLoc holds several. Observers, per-layer overrides and reports refer to
// ops by this name.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_DIALECT_QNN_UTILS_LOCATIONNAME_H
#define QOPT_DIALECT_QNN_UTILS_LOCATIONNAME_H

#include "mlir/IR/Location.h"

#include <string>

namespace mlir {
namespace qnn {

/// The innermost NameLoc's name; the names of a FusedLoc joined by '+';
/// "" when there is none.
std::string getLocationName(Location loc);

} // namespace qnn
} // namespace mlir

#endif // QOPT_DIALECT_QNN_UTILS_LOCATIONNAME_H
