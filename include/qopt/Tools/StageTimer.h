//===- StageTimer.h - Stage progress and the closing summary --------*- C++
//-*-===//
//
// Part of qopt. The tools run for tens of seconds on real models (import,
// calibration, quantization, code generation); a StageTimer names each stage
// as it starts when stderr is a terminal, and the tool ends with one summary
// line whatever stderr is: time per stage and the facts the stages report
// (sizes, output SQNR, the CPU code was generated for).
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_TOOLS_STAGETIMER_H
#define QOPT_TOOLS_STAGETIMER_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <string>
#include <vector>

namespace qopt {

class StageTimer {
public:
  /// `progress`: print "<tool>: <stage>..." as each stage starts.
  StageTimer(llvm::StringRef tool, bool progress);

  /// Ends the running stage (if any) and starts `stage`.
  void begin(llvm::StringRef stage);
  /// Ends the running stage.
  void end();
  /// A fact for the summary ("weights 44.6 MiB -> 11.1 MiB").
  void note(llvm::StringRef fact) { facts.push_back(fact.str()); }

  /// "<tool>: done in 12.3 s (import 0.4 s, ...); fact; fact".
  std::string summary() const;
  /// Ends the running stage and prints the summary line to `os`.
  void printSummary(llvm::raw_ostream &os);

private:
  using Clock = std::chrono::steady_clock;
  std::string tool;
  bool progress;
  Clock::time_point start, stageStart;
  std::string current;
  std::vector<std::pair<std::string, double>> stages;
  std::vector<std::string> facts;
};

} // namespace qopt

#endif // QOPT_TOOLS_STAGETIMER_H
