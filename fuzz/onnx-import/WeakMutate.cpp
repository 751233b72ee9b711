//===- WeakMutate.cpp - LLVMFuzzerMutate outside libFuzzer ----------------===//
//
// Part of qopt. The replay build (no libFuzzer) links ONNXMutator.cpp too;
// nothing calls the mutator there. Weak: libFuzzer's definition wins.
//
//===----------------------------------------------------------------------===//

#include <cstddef>
#include <cstdint>

extern "C" __attribute__((weak)) size_t LLVMFuzzerMutate(uint8_t *, size_t size, size_t) {
  return size;
}
