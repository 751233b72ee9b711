//===- HeaderFuzzer.cpp - Fuzz the C header generator ---------------------===//
//
// Part of qopt. Input: NUL-separated names; the first is the model's file
// name, the others its input and output names (model-controlled text). The
// header written from them must keep its structure whatever the names are:
//   - only printable ASCII and newlines;
//   - comments neither nest nor end early: every `/*` is closed by the
//     next `*/`, and no line inside a comment starts a directive;
//   - every string literal decodes back to the exact name;
//   - parameter names are unique C identifiers.
//
//===----------------------------------------------------------------------===//

#include "qopt/Target/AOT/CHeader.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/StringExtras.h"

#include <set>

/// Decodes a literal written by cStringLiteral (octal and one-character
/// escapes); traps on anything cStringLiteral never writes.
static std::string decode(llvm::StringRef lit) {
  if (lit.size() < 2 || lit.front() != '"' || lit.back() != '"')
    __builtin_trap();
  std::string out;
  for (size_t i = 1; i + 1 < lit.size(); ++i) {
    char c = lit[i];
    if (c == '"' || c == '*' || c == '?' || !llvm::isPrint(c))
      __builtin_trap(); // must have been escaped
    if (c != '\\') {
      out += c;
      continue;
    }
    char e = lit[++i];
    if (e == '"' || e == '\\' || e == '?') {
      out += e;
    } else if (e >= '0' && e <= '3' && i + 2 < lit.size() - 1) {
      int v = (e - '0') * 64 + (lit[i + 1] - '0') * 8 + (lit[i + 2] - '0');
      out += char(v);
      i += 2;
    } else {
      __builtin_trap();
    }
  }
  return out;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static mlir::MLIRContext ctx;
  llvm::SmallVector<llvm::StringRef> parts;
  llvm::StringRef(reinterpret_cast<const char *>(data), size)
      .split(parts, '\0');
  if (parts.size() > 17)
    parts.resize(17);
  mlir::Builder b(&ctx);
  qopt::CHeaderSpec spec;
  spec.prefix = "m";
  spec.sourceName = parts[0].str();
  spec.triple = "x86_64-linux-gnu";
  for (size_t i = 1; i < parts.size(); ++i) {
    qopt::CHeaderPort p{parts[i].str(),
                        i % 2 ? mlir::Type(b.getF32Type())
                              : mlir::Type(b.getIntegerType(8)),
                        {1, 4}};
    (i % 2 ? spec.inputs : spec.outputs).push_back(p);
  }
  std::string header;
  llvm::raw_string_ostream os(header);
  qopt::writeCHeader(os, spec);

  // Printable ASCII only; comments well formed.
  bool inComment = false;
  for (size_t i = 0; i < header.size(); ++i) {
    char c = header[i];
    if (c != '\n' && !llvm::isPrint(c))
      __builtin_trap();
    llvm::StringRef rest = llvm::StringRef(header).drop_front(i);
    if (rest.starts_with("/*")) {
      if (inComment)
        __builtin_trap(); // nested comment opener
      inComment = true;
      ++i;
    } else if (rest.starts_with("*/")) {
      if (!inComment)
        __builtin_trap();
      inComment = false;
      ++i;
    } else if (inComment && c == '\n' && rest.drop_front().starts_with("#")) {
      __builtin_trap();
    }
  }
  if (inComment)
    __builtin_trap();

  // Every name's literal decodes to the name.
  for (llvm::StringRef name : parts) {
    std::string lit = qopt::cStringLiteral(name);
    if (decode(lit) != name.str())
      __builtin_trap();
  }
  // Parameter names: unique identifiers.
  qopt::CIdentifierScope scope({"batch"});
  std::set<std::string> seen{"batch"};
  for (size_t i = 1; i < parts.size(); ++i) {
    std::string id = scope.add(parts[i], i % 2 ? "" : "_out");
    if (id.empty() || !llvm::isAlpha(id[0]) || !seen.insert(id).second)
      __builtin_trap();
    for (char c : id)
      if (!llvm::isAlnum(c) && c != '_')
        __builtin_trap();
  }
  return 0;
}
