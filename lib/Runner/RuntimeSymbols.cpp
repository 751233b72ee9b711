//===- RuntimeSymbols.cpp - What JIT-compiled models may call -------------===//
//
// Part of qopt.
//
//===----------------------------------------------------------------------===//

#include "qopt/Runner/RuntimeSymbols.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdio>
#include <cstdlib>
#include <vector>

using namespace mlir;

bool qopt::isAllowedRuntimeSymbol(llvm::StringRef name) {
  // What convert-math-to-libm, finalize-memref-to-llvm and LLVM's own
  // lowering of intrinsics call; nothing with side effects on the system.
  static const llvm::StringSet<> allowed = [] {
    llvm::StringSet<> s;
    for (const char *f :
         {"exp",   "exp2",  "expm1", "log",   "log2",  "log10", "log1p",
          "pow",   "sqrt",  "cbrt",  "sin",   "cos",   "tan",   "asin",
          "acos",  "atan",  "atan2", "sinh",  "cosh",  "tanh",  "asinh",
          "acosh", "atanh", "erf",   "erfc",  "fabs",  "floor", "ceil",
          "round", "roundeven", "trunc", "rint", "nearbyint", "fma",
          "fmod",  "copysign", "fmin", "fmax", "hypot"}) {
      s.insert(f);
      s.insert((llvm::Twine(f) + "f").str());
    }
    for (const char *f : {"malloc", "calloc", "aligned_alloc", "free",
                          "memcpy", "memmove", "memset",
                          "__truncsfhf2", "__extendhfsf2", "__truncdfhf2",
                          "__gnu_h2f_ieee", "__gnu_f2h_ieee",
                          "__truncsfbf2", "__truncdfbf2",
                          kUnavailableBranchSymbol, kObserveSymbol,
                          kProfileMarkSymbol})
      s.insert(f);
    return s;
  }();
  return allowed.contains(name) || name.starts_with("llvm.");
}

llvm::Error qopt::checkRuntimeSymbols(ModuleOp module) {
  std::string bad;
  module.walk([&](Operation *op) {
    if (auto f = dyn_cast<LLVM::LLVMFuncOp>(op)) {
      if (f.isExternal() && !isAllowedRuntimeSymbol(f.getName()))
        bad = "calls the external function '" + f.getName().str() + "'";
    } else if (auto g = dyn_cast<LLVM::GlobalOp>(op)) {
      if (g.getLinkage() == LLVM::Linkage::External && !g.getValueOrNull() &&
          g.getInitializerRegion().empty())
        bad = "refers to the external variable '" + g.getSymName().str() + "'";
    } else if (isa<LLVM::InlineAsmOp>(op)) {
      bad = "contains inline assembly";
    }
    return bad.empty() ? WalkResult::advance() : WalkResult::interrupt();
  });
  if (bad.empty())
    return llvm::Error::success();
  return llvm::createStringError(
      llvm::inconvertibleErrorCode(),
      "the model " + bad +
          ", which qopt's runtime does not provide; compiled models may call "
          "only the C math library and memory functions (.mlir inputs are "
          "code: see docs/security.md)");
}

namespace {
thread_local qopt::AllocationScope *activeScope = nullptr;
thread_local uint64_t lastFailedBytes = 0;
thread_local bool unavailableBranch = false;

/// Called by code of an If branch the importer could not compile for the
/// model's input shapes (see qopt::kUnavailableBranchSymbol).
[[noreturn]] void branchUnavailable() {
  unavailableBranch = true;
  if (activeScope)
    std::longjmp(activeScope->jumpBuffer, 1);
  std::fprintf(stderr, "qopt: a compiled model took an If branch that could "
                       "not be compiled for its input shapes\n");
  std::_Exit(1);
}

thread_local qopt::ObservationScope *activeObservation = nullptr;

/// qopt_observe: an f32 memref of any rank and layout (see kObserveSymbol).
void observe(int64_t id, int64_t rank, void *descriptor) {
  if (!activeObservation || !descriptor || rank < 0 || rank > 32)
    return;
  struct Head {
    float *allocated, *aligned;
    int64_t offset;
  };
  auto *head = static_cast<Head *>(descriptor);
  auto *sizes = reinterpret_cast<int64_t *>(head + 1);
  int64_t *strides = sizes + rank;
  int64_t count = 1;
  bool contiguous = true;
  for (int64_t d = rank - 1; d >= 0; --d) {
    if (sizes[d] != 1 && strides[d] != count)
      contiguous = false;
    count *= sizes[d];
  }
  const float *base = head->aligned + head->offset;
  if (contiguous || count == 0) {
    activeObservation->deliver(id, base, count);
    return;
  }
  std::vector<float> values(count);
  std::vector<int64_t> index(rank, 0);
  for (int64_t i = 0; i < count; ++i) {
    int64_t at = 0;
    for (int64_t d = 0; d < rank; ++d)
      at += index[d] * strides[d];
    values[i] = base[at];
    for (int64_t d = rank - 1; d >= 0 && ++index[d] == sizes[d]; --d)
      index[d] = 0;
  }
  activeObservation->deliver(id, values.data(), count);
}

[[noreturn]] void allocationFailed(uint64_t bytes) {
  lastFailedBytes = bytes;
  if (activeScope)
    std::longjmp(activeScope->jumpBuffer, 1);
  // Outside a scope (global constructors): nothing to return to.
  std::fprintf(stderr,
               "qopt: a compiled model could not allocate %llu bytes\n",
               (unsigned long long)bytes);
  std::_Exit(1);
}

void *checkedMalloc(size_t bytes) {
  void *p = std::malloc(bytes);
  if (!p && bytes)
    allocationFailed(bytes);
  return p;
}

void *checkedCalloc(size_t count, size_t size) {
  void *p = std::calloc(count, size);
  if (!p && count && size)
    allocationFailed(__builtin_mul_overflow(count, size, &size) ? UINT64_MAX
                                                                : size);
  return p;
}

void *checkedAlignedAlloc(size_t alignment, size_t bytes) {
  void *p = std::aligned_alloc(alignment, bytes);
  if (!p && bytes)
    allocationFailed(bytes);
  return p;
}
} // namespace

qopt::AllocationScope::AllocationScope() : previous(activeScope) {
  activeScope = this;
  lastFailedBytes = 0;
  unavailableBranch = false;
}

bool qopt::AllocationScope::tookUnavailableBranch() const {
  return unavailableBranch;
}

qopt::ObservationScope::ObservationScope(Sink sink)
    : sink(std::move(sink)), previous(activeObservation) {
  activeObservation = this;
}

qopt::ObservationScope::~ObservationScope() { activeObservation = previous; }

qopt::AllocationScope::~AllocationScope() { activeScope = previous; }

uint64_t qopt::AllocationScope::failedBytes() const { return lastFailedBytes; }

llvm::orc::SymbolMap
qopt::checkedAllocationSymbols(llvm::orc::MangleAndInterner interner) {
  llvm::orc::SymbolMap map;
  auto bind = [&](const char *name, void *fn) {
    map[interner(name)] = {llvm::orc::ExecutorAddr::fromPtr(fn),
                           llvm::JITSymbolFlags::Exported};
  };
  bind("malloc", reinterpret_cast<void *>(&checkedMalloc));
  bind("calloc", reinterpret_cast<void *>(&checkedCalloc));
  bind("aligned_alloc", reinterpret_cast<void *>(&checkedAlignedAlloc));
  bind(kUnavailableBranchSymbol, reinterpret_cast<void *>(&branchUnavailable));
  bind(kObserveSymbol, reinterpret_cast<void *>(&observe));
  bind(kProfileMarkSymbol, profileMarkFunction());
  return map;
}
