//===- InitAllDialects.h - Register qopt's dialects -----------------*- C++ -*-===//
//
// Part of qopt. The one registration surface for embedding compilers.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_INITALLDIALECTS_H
#define QOPT_INITALLDIALECTS_H

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace qopt {

/// Adds qopt's dialects (and the upstream dialects its passes create) to
/// `registry`.
void registerAllDialects(mlir::DialectRegistry &registry);

} // namespace qopt

#endif // QOPT_INITALLDIALECTS_H
