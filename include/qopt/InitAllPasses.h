//===- InitAllPasses.h - Register qopt's passes and pipelines -------*- C++ -*-===//
//
// Part of qopt.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_INITALLPASSES_H
#define QOPT_INITALLPASSES_H

namespace qopt {

/// Registers every qopt pass and pipeline with MLIR's global pass registry,
/// so textual pipelines and `-<flag>` options see them. Idempotent.
void registerAllPasses();

} // namespace qopt

#endif // QOPT_INITALLPASSES_H
