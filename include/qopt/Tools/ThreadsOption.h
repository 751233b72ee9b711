//===- ThreadsOption.h - The --threads option of qopt's tools ---*- C++ -*-===//
//
// Part of qopt.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_TOOLS_THREADSOPTION_H
#define QOPT_TOOLS_THREADSOPTION_H

#include "llvm/Support/CommandLine.h"

namespace qopt {

/// Registers `--threads` in `category` and returns it. libLLVM registers an
/// undocumented internal option of the same name, and two options of one
/// name abort at registration; it is removed first, so this must be called
/// in main (before parsing), not from a static initializer.
llvm::cl::opt<unsigned> &registerThreadsOption(llvm::cl::OptionCategory &category,
                                               llvm::StringRef description);

} // namespace qopt

#endif // QOPT_TOOLS_THREADSOPTION_H
