//===- InitAllTools.h - Registration shared by qopt's tools ---------*- C++ -*-===//
//
// Part of qopt.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_INITALLTOOLS_H
#define QOPT_INITALLTOOLS_H

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace qopt {

/// Adds every upstream dialect and extension, qopt's dialects, and the LLVM IR
/// translations: what a tool that reads any MLIR input and may take it down to
/// machine code (qopt, qopt-run, qopt-compile) needs. Embedding compilers that
/// only want qopt's passes use registerAllDialects() instead.
void registerToolDialects(mlir::DialectRegistry &registry);

} // namespace qopt

#endif // QOPT_INITALLTOOLS_H
