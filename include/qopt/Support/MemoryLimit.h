//===- MemoryLimit.h - The process-wide memory limit ------------*- C++ -*-===//
//
// Part of qopt. One limit for everything a process does with a model:
// importing its tensors (external data included, checked against the limit
// before a byte is read), folding, calibrating and running. It is read from
// $QOPT_MAX_MEMORY, which every tool's --max-memory sets, else it is the
// machine's physical memory. Where an allocation fails anyway, the tools'
// out-of-memory handler turns LLVM's abort into a diagnostic and exit code 1.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_SUPPORT_MEMORYLIMIT_H
#define QOPT_SUPPORT_MEMORYLIMIT_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Error.h"

#include <cstdint>

namespace qopt {

/// The limit in bytes: $QOPT_MAX_MEMORY, else the physical memory.
uint64_t processMemoryLimit();

/// Applies a --max-memory value ("8G", "512M", ...) to this process: an
/// error names the option when the text is not a byte count.
llvm::Error setProcessMemoryLimit(llvm::StringRef text);

/// The `--max-memory` option every tool has (one definition, one help
/// text); construct it at namespace scope and call apply() after parsing.
class MaxMemoryOption {
public:
  explicit MaxMemoryOption(llvm::cl::OptionCategory *category = nullptr);
  /// Sets the process-wide limit when the option was given.
  llvm::Error apply() const;

private:
  llvm::cl::opt<std::string> value;
};

/// "raise it with --max-memory or QOPT_MAX_MEMORY": the advice every
/// over-the-limit diagnostic ends with.
extern const char *const kMemoryLimitAdvice;

/// Installs handlers for LLVM's fatal errors and failed allocations that
/// print "<tool>: error: ..." (for allocations: out of memory, with the
/// advice above), remove temporary output files and exit with code 1
/// instead of aborting.
void installToolErrorHandlers(const char *toolName);

} // namespace qopt

#endif // QOPT_SUPPORT_MEMORYLIMIT_H
