//===- Instrument.cpp - Expose intermediate tensors as results ------------===//
//
// Part of qopt.
//
//===----------------------------------------------------------------------===//

#include "qopt/Calibration/Instrument.h"
#include "qopt/Runner/RuntimeSymbols.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"

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

void qopt::reportThroughRuntime(Value value, int64_t id) {
  MLIRContext *ctx = value.getContext();
  ctx->getOrLoadDialect<bufferization::BufferizationDialect>();
  ctx->getOrLoadDialect<memref::MemRefDialect>();
  ctx->getOrLoadDialect<arith::ArithDialect>();
  Operation *scope = value.getParentRegion()->getParentOp();
  auto module = isa<ModuleOp>(scope) ? cast<ModuleOp>(scope)
                                     : scope->getParentOfType<ModuleOp>();
  OpBuilder b(ctx);
  Type f32 = b.getF32Type();
  auto unranked = UnrankedMemRefType::get(f32, 0);
  if (!module.lookupSymbol(kObserveSymbol)) {
    b.setInsertionPointToEnd(module.getBody());
    auto decl = func::FuncOp::create(
        b, module.getLoc(), kObserveSymbol,
        FunctionType::get(ctx, {b.getI64Type(), unranked}, {}));
    decl.setPrivate();
  }
  b.setInsertionPointAfterValue(value);
  Location loc = value.getLoc();
  auto t = cast<RankedTensorType>(value.getType());
  Value buffer = bufferization::ToBufferOp::create(
      b, loc, MemRefType::get(t.getShape(), f32), value, /*read_only=*/true);
  Value cast = memref::CastOp::create(b, loc, unranked, buffer);
  Value idValue = arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(id));
  func::CallOp::create(b, loc, kObserveSymbol, TypeRange{},
                       ValueRange{idValue, cast});
}
