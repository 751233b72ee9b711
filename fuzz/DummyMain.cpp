//===- DummyMain.cpp - Run a fuzz target on files, without libFuzzer ------===//
//
// Part of qopt. Builds without the fuzzing runtime: each argument is a file
// (or a directory of files) handed to LLVMFuzzerTestOneInput once, as
// libFuzzer does when given file names.
//
//===----------------------------------------------------------------------===//

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int runFile(llvm::StringRef path) {
  auto buf = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                         /*RequiresNullTerminator=*/false);
  if (!buf) {
    llvm::errs() << "cannot read '" << path << "'\n";
    return 1;
  }
  LLVMFuzzerTestOneInput(
      reinterpret_cast<const uint8_t *>((*buf)->getBufferStart()),
      (*buf)->getBufferSize());
  return 0;
}

int main(int argc, char **argv) {
  int failures = 0, runs = 0;
  for (int i = 1; i < argc; ++i) {
    llvm::StringRef arg = argv[i];
    if (arg.starts_with("-"))
      continue; // libFuzzer flags: ignored here
    if (llvm::sys::fs::is_directory(arg)) {
      std::error_code ec;
      std::vector<std::string> files;
      for (llvm::sys::fs::directory_iterator it(arg, ec), end;
           it != end && !ec; it.increment(ec))
        files.push_back(it->path());
      llvm::sort(files);
      for (const std::string &f : files) {
        failures += runFile(f);
        ++runs;
      }
      continue;
    }
    failures += runFile(arg);
    ++runs;
  }
  llvm::outs() << "ran " << runs << " input(s)\n";
  return failures ? 1 : 0;
}
