//===- CPUDispatch.h - Multi-versioned objects: choosing at run time -*- C++
//-*-===//
//
// Part of qopt. A multi-versioned object (qopt-compile --cpu=multi) holds the
// model compiled for several x86-64 levels; its entry point asks the CPU
// (CPUID, and XGETBV for the registers the OS saves) once, at the first call,
// and runs the best version the CPU can execute.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_TARGET_AOT_CPUDISPATCH_H
#define QOPT_TARGET_AOT_CPUDISPATCH_H

#include "llvm/ADT/StringRef.h"

#include <string>
#include <vector>

namespace llvm {
class Function;
class Module;
} // namespace llvm

namespace qopt {

/// One version of a multi-versioned object: its name (in the header and
/// from <name>_cpu_version()), and the LLVM CPU and features it is compiled
/// for.
struct CPUVersion {
  std::string name, cpu, features;
};

/// The x86-64 versions in increasing order; a version's index is the level
/// the dispatcher computes: 0 the x86-64 baseline (SSE2), 1 x86-64-v3 (AVX2,
/// FMA; int8 products with vpmaddwd), 2 x86-64-v4 with AVX-512 VNNI
/// (vpdpbusd), 3 the same with AVX-512 VBMI (vpermi2b byte tables).
std::vector<CPUVersion> x86Versions();

/// Emits `i32 @<symbol>()` (internal): the highest level of x86Versions()
/// the running CPU supports -- every feature of the level in CPUID, and the
/// YMM (level 1) or opmask/ZMM (levels 2-3) state enabled by the OS in XCR0
/// -- lowered to the digit in $QOPT_CPU_LEVEL when that is smaller (to test
/// or pin the lower versions; never raised).
llvm::Function *emitX86CPULevel(llvm::Module &m, llvm::StringRef symbol);

} // namespace qopt

#endif // QOPT_TARGET_AOT_CPUDISPATCH_H
