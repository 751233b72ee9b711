//===- StageTimer.cpp - Stage progress and the closing summary ------------===//
//
// Part of qopt.
//
//===----------------------------------------------------------------------===//

#include "qopt/Tools/StageTimer.h"

#include "llvm/Support/FormatVariadic.h"

using namespace llvm;

qopt::StageTimer::StageTimer(StringRef tool, bool progress)
    : tool(tool.str()), progress(progress), start(Clock::now()),
      stageStart(start) {}

void qopt::StageTimer::begin(StringRef stage) {
  end();
  current = stage.str();
  stageStart = Clock::now();
  if (progress)
    errs() << tool << ": " << stage << "...\n";
}

void qopt::StageTimer::end() {
  if (current.empty())
    return;
  double s = std::chrono::duration<double>(Clock::now() - stageStart).count();
  stages.push_back({current, s});
  current.clear();
}

static std::string seconds(double s) { return formatv("{0:F1} s", s).str(); }

std::string qopt::StageTimer::summary() const {
  double total = std::chrono::duration<double>(Clock::now() - start).count();
  std::string line = tool + ": done in " + seconds(total);
  if (!stages.empty()) {
    line += " (";
    for (auto [i, stage] : llvm::enumerate(stages))
      line += (i ? ", " : "") + stage.first + " " + seconds(stage.second);
    line += ")";
  }
  for (const std::string &fact : facts)
    line += "; " + fact;
  return line;
}

void qopt::StageTimer::printSummary(raw_ostream &os) {
  end();
  os << summary() << "\n";
}
