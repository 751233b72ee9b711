//===- NpyFuzzer.cpp - Fuzz the .npy reader -------------------------------===//
//
// Part of qopt. Input: the bytes of a .npy file. A parsed array must be
// consistent (payload size = shape x element size) and survive a write and
// a re-read unchanged.
//
//===----------------------------------------------------------------------===//

#include "qopt/Support/Npy.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"

#include <cstring>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::StringRef bytes(reinterpret_cast<const char *>(data), size);
  auto array = qopt::parseNpy(bytes, "fuzz.npy");
  if (!array) {
    llvm::consumeError(array.takeError());
    return 0;
  }
  if ((int64_t)array->data.size() !=
      array->numElements() * (int64_t)qopt::npyElementSize(array->dtype))
    __builtin_trap();
  // Round trip through the writer.
  static std::string path = [] {
    llvm::SmallString<128> p;
    (void)llvm::sys::fs::createTemporaryFile("qopt-fuzz", "npy", p);
    return std::string(p);
  }();
  if (llvm::Error e = qopt::writeNpy(path, *array)) {
    llvm::consumeError(std::move(e));
    return 0;
  }
  auto again = qopt::readNpy(path);
  if (!again || again->dtype != array->dtype ||
      again->shape != array->shape || again->data != array->data)
    __builtin_trap();
  return 0;
}
