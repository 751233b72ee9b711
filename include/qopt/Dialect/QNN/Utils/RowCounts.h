//===- RowCounts.h - Results whose size is known only at run time -*- C++
//-*-===//
//
// Part of qopt. A model output whose extent along one axis depends on the
// data (NonMaxSuppression's selected boxes and what is computed from them
// row by row) is returned padded to a static upper bound, with the number of
// real rows as an extra 0-d i64 result. These entry-function result
// attributes pair them up, for qopt-run, Python and the C header.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_DIALECT_QNN_UTILS_ROWCOUNTS_H
#define QOPT_DIALECT_QNN_UTILS_ROWCOUNTS_H

#include "llvm/ADT/StringRef.h"

namespace mlir {
namespace qnn {

/// On a padded result: the index of the result holding its row count.
constexpr llvm::StringLiteral kRowCountResultAttrName = "qopt.row_count";
/// On a padded result: the axis whose extent the count gives.
constexpr llvm::StringLiteral kRowAxisAttrName = "qopt.row_axis";
/// On a count result: the index of the padded result it counts.
constexpr llvm::StringLiteral kRowCountOfAttrName = "qopt.row_count_of";

} // namespace qnn
} // namespace mlir

#endif // QOPT_DIALECT_QNN_UTILS_ROWCOUNTS_H
