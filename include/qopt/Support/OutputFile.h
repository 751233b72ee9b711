//===- OutputFile.h - Atomic, checked writes of output files ----*- C++ -*-===//
//
// Part of qopt. Every file a qopt tool or the Python module writes goes
// through writeOutputFile: the content is written to a temporary file in the
// destination's directory and renamed over the destination only when every
// byte was written, so a failed write (a full disk, a closed pipe) leaves the
// old file, or none, instead of a truncated one, and comes back as an error
// naming the file instead of LLVM's fatal "IO failure on output stream".
// Destinations that are not regular files (/dev/null, /dev/full, a FIFO,
// "-" for standard output) are written in place, with the same checks.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_SUPPORT_OUTPUTFILE_H
#define QOPT_SUPPORT_OUTPUTFILE_H

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

namespace qopt {

/// Writes `path` with the bytes `write` puts into the stream. `binary`
/// selects OF_None over OF_Text. An error returned by `write` is passed on
/// (and nothing is written); a write error becomes "cannot write 'path':
/// <reason>".
llvm::Error
writeOutputFile(llvm::StringRef path,
                llvm::function_ref<llvm::Error(llvm::raw_ostream &)> write,
                bool binary = false);

/// The same for content already in memory.
llvm::Error writeOutputFile(llvm::StringRef path, llvm::StringRef bytes,
                            bool binary = true);

} // namespace qopt

#endif // QOPT_SUPPORT_OUTPUTFILE_H
