//===- ThreadsOption.cpp - The --threads option of qopt's tools -----------===//
//
// Part of qopt.
//
//===----------------------------------------------------------------------===//

#include "qopt/Tools/ThreadsOption.h"

using namespace llvm;

cl::opt<unsigned> &qopt::registerThreadsOption(cl::OptionCategory &category,
                                               StringRef description) {
  auto &registered = cl::getRegisteredOptions();
  if (auto it = registered.find("threads"); it != registered.end())
    it->second->removeArgument();
  static cl::opt<unsigned> threads("threads", cl::desc(description),
                                   cl::init(1), cl::cat(category));
  return threads;
}
