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
#include "mlir/IR/Operation.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

#include <string>

namespace mlir {
namespace qnn {

/// The innermost NameLoc's name; the names of a FusedLoc joined by '+';
/// "" when there is none.
std::string getLocationName(Location loc);

/// The module attribute in which the ONNX importer records the op type of
/// every node, by node name: {conv1 = "Conv", act = "HardSwish", ...}.
constexpr llvm::StringLiteral kONNXOpTypesAttrName = "onnx.op_types";

/// The ONNX op types of the nodes `op` was imported from (its location
/// names, one per fused node), from the enclosing module's
/// kONNXOpTypesAttrName; empty for a module that was not imported.
SmallVector<std::string> getONNXOpTypes(Operation *op);

} // namespace qnn
} // namespace mlir

#endif // QOPT_DIALECT_QNN_UTILS_LOCATIONNAME_H
