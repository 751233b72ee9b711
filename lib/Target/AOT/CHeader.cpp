//===- CHeader.cpp - The C header that describes a compiled model ---------===//
//
// Part of qopt.
//
//===----------------------------------------------------------------------===//

#include "qopt/Target/AOT/CHeader.h"

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/StringExtras.h"

#include <algorithm>

using namespace llvm;

/// Identifiers a header may not declare: C11 and C++20 keywords, and the
/// macros and types <stdint.h> and the header itself define.
static bool isReservedWord(StringRef s) {
  static const char *const words[] = {
      "alignas", "alignof", "and", "and_eq", "asm", "auto", "bitand", "bitor",
      "bool", "break", "case", "catch", "char", "char8_t", "char16_t",
      "char32_t", "class", "co_await", "co_return", "co_yield", "compl",
      "concept", "const", "const_cast", "consteval", "constexpr", "constinit",
      "continue", "decltype", "default", "delete", "do", "double",
      "dynamic_cast", "else", "enum", "explicit", "export", "extern", "false",
      "float", "for", "friend", "goto", "if", "inline", "int", "long",
      "mutable", "namespace", "new", "noexcept", "not", "not_eq", "nullptr",
      "operator", "or", "or_eq", "private", "protected", "public", "register",
      "reinterpret_cast", "requires", "restrict", "return", "short", "signed",
      "sizeof", "static", "static_assert", "static_cast", "struct", "switch",
      "template", "this", "thread_local", "throw", "true", "try", "typedef",
      "typeid", "typename", "union", "unsigned", "using", "virtual", "void",
      "volatile", "wchar_t", "while", "xor", "xor_eq", "NULL", "main",
      "int8_t", "uint8_t", "int16_t", "uint16_t", "int32_t", "uint32_t",
      "int64_t", "uint64_t", "qopt_tensor_info", "qopt_dtype"};
  return llvm::is_contained(words, s);
}

std::string qopt::cStringLiteral(StringRef text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    // Escaped: the quote and backslash (they end or bend the literal), `?`
    // (trigraphs), `*` (so that neither `/*` nor `*/` can appear when the
    // literal is shown in a comment), and every byte that is not printable
    // ASCII, as three octal digits (a hex escape would swallow following
    // hex digits).
    if (c == '"' || c == '\\' || c == '?') {
      out += '\\';
      out += c;
    } else if (c >= 0x20 && c < 0x7f && c != '*') {
      out += c;
    } else {
      out += '\\';
      out += char('0' + (c >> 6));
      out += char('0' + ((c >> 3) & 7));
      out += char('0' + (c & 7));
    }
  }
  return out + "\"";
}

bool qopt::isCIdentifier(StringRef name) {
  if (name.empty() || name.size() > 63 || !isAlpha(name[0]))
    return false;
  if (!llvm::all_of(name, [](char c) { return isAlnum(c) || c == '_'; }))
    return false;
  return !isReservedWord(name);
}

qopt::CIdentifierScope::CIdentifierScope(ArrayRef<StringRef> reserved) {
  for (StringRef r : reserved)
    used.insert(r);
}

std::string qopt::CIdentifierScope::add(StringRef name, StringRef suffix) {
  std::string s;
  for (char c : name.take_front(4096))
    s += (isAlnum(c) || c == '_') ? c : '_';
  if (s.empty() || !isAlpha(s[0]))
    s = "t_" + s;
  s.resize(std::min<size_t>(s.size(), 56));
  s += suffix;
  // Keywords, and all-capital names (macros: <stdint.h>'s INT8_MAX, the
  // header's own guards), get a trailing underscore.
  if (isReservedWord(s) || llvm::none_of(s, isLower))
    s += "_";
  std::string unique = s;
  for (unsigned n = 2; used.contains(unique); ++n)
    unique = s + "_" + std::to_string(n);
  used.insert(unique);
  return unique;
}

const char *qopt::cTypeName(mlir::Type t) {
  if (t.isF32())
    return "float";
  if (t.isF64())
    return "double";
  auto i = mlir::dyn_cast<mlir::IntegerType>(t);
  if (!i)
    return nullptr;
  bool u = i.isUnsigned();
  switch (i.getWidth()) {
  case 8: return u ? "uint8_t" : "int8_t";
  case 16: return u ? "uint16_t" : "int16_t";
  case 32: return u ? "uint32_t" : "int32_t";
  case 64: return u ? "uint64_t" : "int64_t";
  default: return nullptr;
  }
}

const char *qopt::cDTypeEnum(mlir::Type t) {
  if (t.isF32())
    return "QOPT_F32";
  if (t.isF64())
    return "QOPT_F64";
  auto i = mlir::dyn_cast<mlir::IntegerType>(t);
  if (!i)
    return nullptr;
  bool u = i.isUnsigned();
  switch (i.getWidth()) {
  case 8: return u ? "QOPT_U8" : "QOPT_I8";
  case 16: return u ? "QOPT_U16" : "QOPT_I16";
  case 32: return u ? "QOPT_U32" : "QOPT_I32";
  case 64: return u ? "QOPT_U64" : "QOPT_I64";
  default: return nullptr;
  }
}

static std::string shapeText(ArrayRef<int64_t> shape) {
  std::string s = "[";
  for (auto [i, d] : llvm::enumerate(shape)) {
    if (i)
      s += ", ";
    s += mlir::ShapedType::isDynamic(d) ? "batch" : std::to_string(d);
  }
  return s + "]";
}

void qopt::writeCHeader(raw_ostream &h, const CHeaderSpec &spec) {
  assert(isCIdentifier(spec.prefix) && "the prefix is checked by the caller");
  const std::string &name = spec.prefix;
  std::string guard = StringRef(name).upper();
  h << "/* Generated by qopt-compile"
    << (spec.sourceName.empty() ? ""
                                : " from " + cStringLiteral(spec.sourceName))
    << " for " << cStringLiteral(spec.triple)
    << (spec.cpu.empty() ? "" : ", CPU " + cStringLiteral(spec.cpu))
    << ". Do not edit. */\n"
    << (spec.cpu.empty() || spec.cpu == "generic" || !spec.cpuVersions.empty()
            ? ""
            : "/* The object uses that CPU's instruction sets: it may not run "
              "on older\n * CPUs (qopt-compile --cpu=generic makes a portable "
              "one). */\n");
  if (!spec.cpuVersions.empty()) {
    h << "/* Multi-versioned: the model is compiled for each of these x86-64\n"
      << " * levels, and the first call runs the best one this CPU executes\n"
      << " * (CPUID and the OS-enabled register state; QOPT_CPU_LEVEL=<digit>\n"
      << " * in the environment lowers the choice):\n";
    for (auto [i, v] : llvm::enumerate(spec.cpuVersions))
      h << " *   " << i << "  " << v << "\n";
    h << " * Outputs of integer models are identical across versions. */\n";
  }
  h << "#ifndef " << guard << "_H\n#define " << guard << "_H\n\n"
    << "#include <stdint.h>\n\n"
    << "#ifndef QOPT_TENSOR_INFO_DEFINED\n#define QOPT_TENSOR_INFO_DEFINED\n"
    << "enum qopt_dtype { QOPT_F32, QOPT_F64, QOPT_I8, QOPT_U8, QOPT_I32, "
       "QOPT_I64,\n                  QOPT_I16, QOPT_U16, QOPT_U32, QOPT_U64 "
       "};\n"
    << "/* shape[i] == -1 marks the batch dimension. `name` is the model's\n"
    << " * own name for the tensor, as it appears in the model file. */\n"
    << "typedef struct {\n  const char *name;\n  enum qopt_dtype dtype;\n"
       "  int rank;\n  int64_t shape[8];\n} qopt_tensor_info;\n#endif\n\n"
    << "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n";
  auto table = [&](StringRef what, const std::vector<CHeaderPort> &ports) {
    h << "#define " << guard << "_NUM_" << what.upper() << " " << ports.size()
      << "\nstatic const qopt_tensor_info " << name << "_" << what << "["
      << std::max<size_t>(1, ports.size()) << "] = {\n";
    for (const CHeaderPort &p : ports) {
      h << "  {" << cStringLiteral(p.name) << ", " << cDTypeEnum(p.element)
        << ", " << p.shape.size() << ", {";
      for (auto [i, d] : llvm::enumerate(p.shape))
        h << (i ? ", " : "") << (mlir::ShapedType::isDynamic(d) ? -1 : d);
      h << "}},\n";
    }
    h << "};\n\n";
  };
  table("inputs", spec.inputs);
  table("outputs", spec.outputs);

  // Parameter names: sanitized and unique; `batch` is the last parameter.
  CIdentifierScope params({"batch", "inputs", "outputs"});
  std::vector<std::string> inNames, outNames;
  for (const CHeaderPort &p : spec.inputs)
    inNames.push_back(params.add(p.name));
  for (const CHeaderPort &p : spec.outputs)
    outNames.push_back(params.add(p.name, "_out"));

  h << "/* Runs the model on `batch` samples (C order, caller-allocated):\n";
  for (auto [p, id] : llvm::zip(spec.inputs, inNames))
    h << " *   in  " << id << " (" << cStringLiteral(p.name)
      << "): " << cTypeName(p.element) << " " << shapeText(p.shape) << "\n";
  for (auto [p, id] : llvm::zip(spec.outputs, outNames)) {
    h << " *   out " << id << " (" << cStringLiteral(p.name)
      << "): " << cTypeName(p.element) << " " << shapeText(p.shape);
    if (p.rowCount >= 0 && p.rowCount < (int64_t)outNames.size())
      h << ", padded: its size along dimension " << p.rowAxis
        << " depends on the data; the first *" << outNames[p.rowCount]
        << " are real, the rest zero";
    if (p.countOf >= 0 && p.countOf < (int64_t)outNames.size())
      h << ", the number of real rows of " << outNames[p.countOf];
    h << "\n";
  }
  h << " * A model without a batch dimension ignores `batch`. Thread-safe;\n"
    << " * intermediate buffers come from malloc and are freed before return.\n"
    << " * If malloc fails, the object calls " << name
    << "_allocation_failed(bytes),\n"
    << " * which prints a message and aborts; define your own to recover\n"
    << " * (e.g. longjmp; the buffers of the failed call are then leaked):\n"
    << " *   void " << name << "_allocation_failed(int64_t bytes);\n"
    << " * With glibc, repeated calls are several times faster when freed\n"
    << " * memory stays in the heap instead of going back to the kernel (else\n"
    << " * every call page-faults its buffers afresh; mobilenet_v2 int8: 22 ms\n"
    << " * vs 3.3 ms); call once at start-up:\n"
    << " *   mallopt(M_MMAP_THRESHOLD, 1 << 30); mallopt(M_TRIM_THRESHOLD, 1 "
       "<< 30);\n"
    << " * (<malloc.h>; examples/c/run_model.c does).\n";
  if (spec.threads == 1)
    h << " * Sequential code: no threads, no runtime library. */\n";
  else if (spec.threads == 0)
    h << " * Parallel loops on LLVM's OpenMP runtime: link with -lomp (Debian\n"
      << " * libomp-22-dev: -L/usr/lib/llvm-22/lib -lomp). Threads: as many as\n"
      << " * OMP_NUM_THREADS or omp_set_num_threads() ask, else one per core.\n"
      << " * Results are identical at any thread count. */\n";
  else
    h << " * Parallel loops on " << spec.threads
      << " threads of LLVM's OpenMP runtime: link\n"
      << " * with -lomp (Debian libomp-22-dev: -L/usr/lib/llvm-22/lib -lomp).\n"
      << " * Results are identical at any thread count. */\n";
  h << "void " << name << "_run(";
  bool first = true;
  for (auto [p, id] : llvm::zip(spec.inputs, inNames)) {
    h << (first ? "" : ", ") << "const " << cTypeName(p.element) << " *" << id;
    first = false;
  }
  for (auto [p, id] : llvm::zip(spec.outputs, outNames)) {
    h << (first ? "" : ", ") << cTypeName(p.element) << " *" << id;
    first = false;
  }
  h << (first ? "" : ", ") << "int64_t batch);\n\n"
    << "/* The same with arrays of input and output pointers, in order. */\n"
    << "void " << name
    << "_run_packed(const void *const *inputs, void *const *outputs, "
       "int64_t batch);\n\n";
  if (!spec.cpuVersions.empty())
    h << "/* The name of the version this CPU runs (the list above). */\n"
      << "const char *" << name << "_cpu_version(void);\n\n";
  h << "#ifdef __cplusplus\n}\n#endif\n\n#endif\n";
}
