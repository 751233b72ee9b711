//===- CHeader.h - The C header that describes a compiled model -*- C++ -*-===//
//
// Part of qopt. Model names are untrusted text: an ONNX input may be called
// `x */ #include "evil.h"` or `y"; system("id"); //`. Nothing taken from the
// model reaches the header except through the two functions below:
//   - CIdentifierScope::add turns a name into a C identifier that is valid,
//     not a keyword, not reserved and unique in the header;
//   - cStringLiteral turns a name into a string literal (with quotes) that
//     contains no `*`, `"`, `\`, `?`, control or non-ASCII byte unescaped, so
//     it can be neither closed as a string nor as a comment, and forms no
//     trigraph. The same literal is what comments show.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_TARGET_AOT_CHEADER_H
#define QOPT_TARGET_AOT_CHEADER_H

#include "mlir/IR/Types.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/raw_ostream.h"

#include <string>
#include <vector>

namespace qopt {

/// `"name"` as a C string literal, escaped as described above.
std::string cStringLiteral(llvm::StringRef text);

/// True if `name` can be used as an external C identifier by a header:
/// [A-Za-z][A-Za-z0-9_]*, at most 63 characters, not a C or C++ keyword.
bool isCIdentifier(llvm::StringRef name);

/// Hands out unique C identifiers for arbitrary names, by the rule in
/// docs/aot.md: bytes outside [A-Za-z0-9_] become `_`; a name that is empty,
/// or starts with a digit or an underscore, gets the prefix `t_`; it is cut
/// to 56 bytes; a keyword, a name the header uses itself, or a name without
/// a lower-case letter (a macro's shape) gets the suffix `_`; a name already
/// handed out gets `_2`, `_3`, ...
class CIdentifierScope {
public:
  /// Names that must not be handed out (e.g. other parameters).
  explicit CIdentifierScope(llvm::ArrayRef<llvm::StringRef> reserved = {});
  std::string add(llvm::StringRef name, llvm::StringRef suffix = "");

private:
  llvm::StringSet<> used;
};

/// One input or output of the compiled entry.
struct CHeaderPort {
  std::string name; ///< the model's name for it (untrusted)
  mlir::Type element;
  llvm::SmallVector<int64_t> shape; ///< ShapedType::kDynamic = batch
  /// An output whose size depends on the data: padded to `shape`, its real
  /// extent along `rowAxis` is the value of output `rowCount` (-1: none).
  int64_t rowCount = -1, rowAxis = 0;
  /// This output is the row count of output `countOf` (-1: not a count).
  int64_t countOf = -1;
};

struct CHeaderSpec {
  std::string prefix;     ///< C symbol prefix; must satisfy isCIdentifier
  std::string sourceName; ///< the model's file name (untrusted)
  std::string triple;
  std::string cpu; ///< the CPU the object was compiled for ("generic")
  /// A multi-versioned object's versions, lowest first (cpu is "multi").
  std::vector<std::string> cpuVersions;
  unsigned threads = 1;
  std::vector<CHeaderPort> inputs, outputs;
};

/// The C type and `enum qopt_dtype` constant of an element type the header
/// can describe (f32, f64, 8/16/32/64-bit signed and unsigned integers);
/// nullptr for any other.
const char *cTypeName(mlir::Type element);
const char *cDTypeEnum(mlir::Type element);

/// Writes the header. `spec.prefix` must be a C identifier.
void writeCHeader(llvm::raw_ostream &os, const CHeaderSpec &spec);

} // namespace qopt

#endif // QOPT_TARGET_AOT_CHEADER_H
