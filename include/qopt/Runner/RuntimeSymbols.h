//===- RuntimeSymbols.h - What JIT-compiled models may call ----*- C++ -*-===//
//
// Part of qopt. A `.mlir` input is code: lowered to LLVM it could call any
// function of the host process (`system`, `open`...). The JIT therefore
// resolves only the runtime functions qopt's lowering emits, and binds the
// allocation functions to checked versions so that a failed allocation
// becomes an error instead of a null-pointer dereference.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_RUNNER_RUNTIMESYMBOLS_H
#define QOPT_RUNNER_RUNTIMESYMBOLS_H

#include "qopt/Codegen/CPU/Transforms/ProfileMark.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ExecutionEngine/Orc/Core.h"
#include "llvm/ExecutionEngine/Orc/Mangling.h"
#include "llvm/Support/Error.h"

#include <csetjmp>
#include <cstdint>
#include <functional>

namespace qopt {

/// The function an If branch calls when the importer could not compile it
/// for the model's input shapes (shapes that only the other branch
/// accepts): the JIT turns the call into an error, AOT objects define it
/// weakly (message on stderr, abort).
constexpr const char *kUnavailableBranchSymbol = "qopt_unavailable_branch";

/// The function an observer inside an If or Loop body calls in the
/// calibration clone: `void qopt_observe(int64_t id, int64_t rank,
/// void *descriptor)`, an f32 memref as MLIR passes unranked memrefs. It
/// hands the values to the active ObservationScope; without one it does
/// nothing.
constexpr const char *kObserveSymbol = "qopt_observe";

/// `void qopt_profile_mark(int64_t id)`: what `qopt-run --profile` inserts
/// after each compiled kernel (see Profile.h); outside a profile run it
/// does nothing.
using mlir::qcpu::kProfileMarkSymbol;
/// Its implementation (Profile.cpp).
void *profileMarkFunction();

/// Receives what observers inside region bodies see while it is alive (on
/// this thread): `sink(id, values, count)` once per execution of the
/// observer. Nested scopes hide outer ones.
class ObservationScope {
public:
  using Sink = std::function<void(int64_t id, const float *values,
                                  int64_t count)>;
  explicit ObservationScope(Sink sink);
  ~ObservationScope();
  ObservationScope(const ObservationScope &) = delete;
  ObservationScope &operator=(const ObservationScope &) = delete;
  void deliver(int64_t id, const float *values, int64_t count) {
    sink(id, values, count);
  }

private:
  Sink sink;
  ObservationScope *previous;
};

/// Whether generated code may call the external function `name`: the C math
/// library, memory functions, LLVM intrinsics.
bool isAllowedRuntimeSymbol(llvm::StringRef name);

/// Checks a module in the LLVM dialect: every external function or global it
/// refers to is allowed, and it holds no inline assembly. The error names
/// the first offending symbol.
llvm::Error checkRuntimeSymbols(mlir::ModuleOp llvmModule);

/// malloc, calloc and aligned_alloc for JIT-compiled code: on failure they
/// leave the model through AllocationScope (see there).
llvm::orc::SymbolMap checkedAllocationSymbols(llvm::orc::MangleAndInterner);

/// Marks a call into JIT-compiled code. If an allocation inside it fails, the
/// checked allocators longjmp back here: `failed()` becomes true and
/// `failedBytes()` says how much was asked for. Use as
///
///   AllocationScope scope;
///   if (!setjmp(scope.jumpBuffer)) call(); else /* scope.failedBytes() */
///
/// Memory the model allocated before the failure is not freed.
struct AllocationScope {
  AllocationScope();
  ~AllocationScope();
  std::jmp_buf jumpBuffer;
  uint64_t failedBytes() const;
  /// Whether the jump came from an unavailable If branch instead.
  bool tookUnavailableBranch() const;

private:
  AllocationScope *previous;
};

} // namespace qopt

#endif // QOPT_RUNNER_RUNTIMESYMBOLS_H
