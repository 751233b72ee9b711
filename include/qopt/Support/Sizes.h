//===- Sizes.h - Overflow-checked size arithmetic ---------------*- C++ -*-===//
//
// Part of qopt. Models are untrusted input: every element count, byte size
// and window extent computed from a model goes through these helpers, which
// report overflow instead of wrapping (signed overflow is undefined).
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_SUPPORT_SIZES_H
#define QOPT_SUPPORT_SIZES_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/CheckedArithmetic.h"

#include <cstdint>
#include <optional>
#include <string>

namespace qopt {

using llvm::checkedAdd;
using llvm::checkedMul;
using llvm::checkedSub;

/// Product of the static dimensions of `shape` (dynamic dimensions, i.e.
/// negative values, count as 1); nullopt when it, or the product of the
/// non-zero dimensions, overflows int64.
std::optional<int64_t> checkedNumElements(llvm::ArrayRef<int64_t> shape);

/// Byte size of `shape` with `elementBytes` per element; nullopt on overflow.
std::optional<int64_t> checkedByteSize(llvm::ArrayRef<int64_t> shape,
                                       int64_t elementBytes);

/// `[2, 3, ?]`: a shape for diagnostics (dynamic dimensions print as `?`).
std::string shapeString(llvm::ArrayRef<int64_t> shape);

/// `1.5 GiB`: a byte count for diagnostics.
std::string formatBytes(uint64_t bytes);

/// Parses a byte count such as `4096`, `512M`, `8G` or `1T` (binary
/// prefixes); nullopt when malformed or overflowing.
std::optional<uint64_t> parseByteSize(llvm::StringRef text);

} // namespace qopt

#endif // QOPT_SUPPORT_SIZES_H
