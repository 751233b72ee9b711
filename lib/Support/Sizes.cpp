//===- Sizes.cpp - Overflow-checked size arithmetic -----------------------===//
//
// Part of qopt.
//
//===----------------------------------------------------------------------===//

#include "qopt/Support/Sizes.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

std::optional<int64_t> qopt::checkedNumElements(llvm::ArrayRef<int64_t> shape) {
  // The product of the non-zero dimensions must fit as well, so that any
  // partial product a caller computes (strides, outer/inner sizes) does; a
  // zero dimension then makes the count 0.
  int64_t n = 1;
  bool empty = false;
  for (int64_t d : shape) {
    if (d < 0)
      continue;
    if (d == 0) {
      empty = true;
      continue;
    }
    std::optional<int64_t> next = checkedMul(n, d);
    if (!next)
      return std::nullopt;
    n = *next;
  }
  return empty ? 0 : n;
}

std::optional<int64_t> qopt::checkedByteSize(llvm::ArrayRef<int64_t> shape,
                                             int64_t elementBytes) {
  std::optional<int64_t> n = checkedNumElements(shape);
  if (!n)
    return std::nullopt;
  return checkedMul(*n, elementBytes);
}

std::string qopt::shapeString(llvm::ArrayRef<int64_t> shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i)
      s += ", ";
    s += shape[i] < 0 ? "?" : std::to_string(shape[i]);
  }
  return s + "]";
}

std::string qopt::formatBytes(uint64_t bytes) {
  static const char *units[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB",
                                "EiB"};
  double v = bytes;
  int u = 0;
  while (v >= 1024 && u < 6) {
    v /= 1024;
    ++u;
  }
  std::string s;
  llvm::raw_string_ostream os(s);
  if (u == 0)
    os << bytes << " bytes";
  else
    os << llvm::format("%.1f ", v) << units[u];
  return s;
}

std::optional<uint64_t> qopt::parseByteSize(llvm::StringRef text) {
  text = text.trim();
  uint64_t scale = 1;
  if (!text.empty()) {
    switch (llvm::toUpper(text.back())) {
    case 'K': scale = 1ull << 10; break;
    case 'M': scale = 1ull << 20; break;
    case 'G': scale = 1ull << 30; break;
    case 'T': scale = 1ull << 40; break;
    default: break;
    }
    if (scale != 1)
      text = text.drop_back();
  }
  uint64_t v;
  if (text.empty() || text.getAsInteger(10, v))
    return std::nullopt;
  std::optional<uint64_t> bytes = llvm::checkedMulUnsigned(v, scale);
  return bytes;
}
