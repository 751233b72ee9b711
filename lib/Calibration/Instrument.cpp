//===- Instrument.cpp - Expose intermediate tensors as results ------------===//
//
// Part of qopt.
//
//===----------------------------------------------------------------------===//

#include "qopt/Calibration/Instrument.h"

using namespace mlir;

unsigned qopt::appendResults(func::FuncOp func, ArrayRef<Value> values) {
  auto ret = cast<func::ReturnOp>(func.getBody().front().getTerminator());
  SmallVector<Value> results(ret.getOperands());
  unsigned first = results.size();
  results.append(values.begin(), values.end());
  ret->setOperands(results);
  SmallVector<Type> types;
  for (Value v : results)
    types.push_back(v.getType());
  func.setFunctionType(FunctionType::get(
      func.getContext(), func.getFunctionType().getInputs(), types));
  func.removeResAttrsAttr();
  return first;
}
