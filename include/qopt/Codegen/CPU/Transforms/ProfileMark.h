//===- ProfileMark.h - The profiler's mark function -------------*- C++ -*-===//
//
// Part of qopt. qopt-insert-profile-marks calls this function between
// compiled kernels; the JIT binds it to the profiler's clock (Runner).
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_CODEGEN_CPU_TRANSFORMS_PROFILEMARK_H
#define QOPT_CODEGEN_CPU_TRANSFORMS_PROFILEMARK_H

namespace mlir::qcpu {

/// `void qopt_profile_mark(int64_t id)`, declared private in the module.
constexpr const char *kProfileMarkSymbol = "qopt_profile_mark";

} // namespace mlir::qcpu

#endif // QOPT_CODEGEN_CPU_TRANSFORMS_PROFILEMARK_H
