//===- MemoryLimit.cpp - The process-wide memory limit --------------------===//
//
// Part of qopt.
//
//===----------------------------------------------------------------------===//

#include "qopt/Support/MemoryLimit.h"

#include "qopt/Support/Sizes.h"

#include "llvm/Support/ErrorHandling.h"
#include "llvm/Support/Signals.h"

#include <cstdlib>
#include <cstring>
#include <unistd.h>

using namespace llvm;

const char *const qopt::kMemoryLimitAdvice =
    "raise it with --max-memory or QOPT_MAX_MEMORY";

uint64_t qopt::processMemoryLimit() {
  if (const char *env = std::getenv("QOPT_MAX_MEMORY"))
    if (std::optional<uint64_t> v = parseByteSize(env))
      return *v;
  long pages = sysconf(_SC_PHYS_PAGES), pageSize = sysconf(_SC_PAGESIZE);
  if (pages > 0 && pageSize > 0)
    return (uint64_t)pages * (uint64_t)pageSize;
  return uint64_t(8) << 30;
}

Error qopt::setProcessMemoryLimit(StringRef text) {
  if (!parseByteSize(text))
    return createStringError("--max-memory expects a byte count such as 8G, "
                             "got '%s'",
                             text.str().c_str());
  setenv("QOPT_MAX_MEMORY", text.str().c_str(), /*overwrite=*/1);
  return Error::success();
}

qopt::MaxMemoryOption::MaxMemoryOption(cl::OptionCategory *category)
    : value("max-memory",
            cl::desc("Refuse models whose tensors need more than this many "
                     "bytes, at import and before running (suffix K, M, G or "
                     "T; default: $QOPT_MAX_MEMORY, else the machine's "
                     "physical memory)"),
            cl::value_desc("bytes")) {
  if (category)
    value.addCategory(*category);
}

Error qopt::MaxMemoryOption::apply() const {
  return value.empty() ? Error::success() : setProcessMemoryLimit(value);
}

static const char *handlerToolName = "qopt";

/// Writes without allocating: the heap may be exhausted.
static void writeRaw(const char *s) {
  size_t n = std::strlen(s);
  while (n) {
    ssize_t w = ::write(2, s, n);
    if (w <= 0)
      return;
    s += w;
    n -= w;
  }
}

static void onBadAlloc(void *, const char *reason, bool) {
  writeRaw(handlerToolName);
  writeRaw(": error: out of memory (");
  writeRaw(reason ? reason : "allocation failed");
  writeRaw("); the model needs more memory than this machine or process "
           "allows: use a smaller batch, or set the limit qopt checks "
           "before allocating with --max-memory or QOPT_MAX_MEMORY\n");
  sys::RunInterruptHandlers();
  ::_exit(1);
}

static void onFatalError(void *, const char *reason, bool) {
  writeRaw(handlerToolName);
  writeRaw(": error: ");
  writeRaw(reason);
  writeRaw("\n");
  // report_fatal_error removes temporary files and exits with code 1 after
  // this returns (or aborts when a crash report was asked for).
}

void qopt::installToolErrorHandlers(const char *toolName) {
  handlerToolName = toolName;
  install_bad_alloc_error_handler(onBadAlloc);
  install_fatal_error_handler(onFatalError);
}
