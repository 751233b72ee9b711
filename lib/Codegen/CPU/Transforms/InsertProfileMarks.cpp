//===- InsertProfileMarks.cpp - Mark calls between compiled kernels -------===//
//
// Part of qopt. See Passes.td.
//
//===----------------------------------------------------------------------===//

#include "qopt/Codegen/CPU/Transforms/Passes.h"
#include "qopt/Codegen/CPU/Transforms/ProfileMark.h"
#include "qopt/Dialect/QNN/Utils/LocationName.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"

namespace mlir {
namespace qcpu {
#define GEN_PASS_DEF_INSERTPROFILEMARKSPASS
#include "qopt/Codegen/CPU/Transforms/Passes.h.inc"
} // namespace qcpu
} // namespace mlir

using namespace mlir;

namespace {

using qcpu::kProfileMarkSymbol;

/// The node names a location carries (qnn::getLocationName), each once:
/// fusion can join several locations of one node.
std::string nameOf(Location loc) {
  std::string names = qnn::getLocationName(loc), all;
  for (StringRef part : llvm::split(names, '+'))
    if (!part.empty() && !llvm::is_contained(llvm::split(all, '+'), part))
      all += (all.empty() ? "" : "+") + part.str();
  return all;
}

/// nameOf, or the location as text (models read from .mlir files).
std::string describe(Location loc) {
  std::string name = nameOf(loc);
  if (name.empty()) {
    llvm::raw_string_ostream os(name);
    loc.print(os);
  }
  return name;
}

/// The arithmetic of a convolution or matmul tile: vector FMAs,
/// contractions, qcpu's dot products, lowered or not (vpdpbusd/vpdpwssd,
/// vpmaddwd, usdot; not the table lookups, which are intrinsic calls too).
/// Without them a convolution's loops were named after whatever location
/// they carried: PaddleOCR's and the digits CNN's int8 convolutions on AVX2
/// were reported as the max pool after them.
bool isMultiplyAdd(Operation *op) {
  if (auto call = dyn_cast<LLVM::CallIntrinsicOp>(op)) {
    StringRef name = call.getIntrin();
    // (vpmaddwd: the exact 16-bit pairs of int8 convolutions on AVX2.)
    return name.starts_with("llvm.x86.avx512.vpdp") ||
           name.starts_with("llvm.x86.avx2.pmadd.wd") ||
           name.starts_with("llvm.x86.avx512.pmaddw.d") ||
           name.starts_with("llvm.aarch64.neon.usdot");
  }
  StringRef n = op->getName().getStringRef();
  return n == "vector.fma" || n == "vector.contract" ||
         n == "vector.outerproduct" || n.starts_with("qcpu.dot");
}

/// A top-level op that does work (rather than allocating, viewing or
/// computing an index).
bool isWork(Operation *op) {
  if (op->getNumRegions() > 0)
    return true;
  if (isa<linalg::LinalgOp, memref::CopyOp, memref::StoreOp>(op))
    return true;
  if (auto call = dyn_cast<func::CallOp>(op))
    return call.getCallee() != kProfileMarkSymbol;
  return false;
}

struct InsertProfileMarksPass
    : qcpu::impl::InsertProfileMarksPassBase<InsertProfileMarksPass> {
  using InsertProfileMarksPassBase::InsertProfileMarksPassBase;
  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto func = module.lookupSymbol<func::FuncOp>(entry);
    if (!func || func.isExternal())
      return;
    MLIRContext *ctx = &getContext();
    OpBuilder b(ctx);
    if (!module.lookupSymbol(kProfileMarkSymbol)) {
      b.setInsertionPointToEnd(module.getBody());
      auto decl = func::FuncOp::create(
          b, module.getLoc(), kProfileMarkSymbol,
          FunctionType::get(ctx, {b.getI64Type()}, {}));
      decl.setPrivate();
    }
    SmallVector<Attribute> names = {StringAttr::get(ctx, "")};
    auto mark = [&](Location loc) {
      Value id = arith::ConstantOp::create(
          b, loc, b.getI64IntegerAttr(names.size() - 1));
      func::CallOp::create(b, loc, kProfileMarkSymbol, TypeRange{}, id);
    };
    Block &body = func.getBody().front();
    b.setInsertionPointToStart(&body);
    mark(func.getLoc());
    for (Operation &op : llvm::make_early_inc_range(body.without_terminator())) {
      if (!isWork(&op))
        continue;
      // A kernel is named after its multiply-adds when it has any (a
      // convolution tile whose loops carry the fused consumer's location),
      // else after itself, else after the first named op inside.
      std::string name;
      op.walk([&](Operation *inner) {
        if (isMultiplyAdd(inner))
          name = describe(inner->getLoc());
        return name.empty() ? WalkResult::advance() : WalkResult::interrupt();
      });
      if (name.empty())
        name = nameOf(op.getLoc());
      if (name.empty())
        op.walk([&](Operation *inner) {
          name = nameOf(inner->getLoc());
          return name.empty() ? WalkResult::advance()
                              : WalkResult::interrupt();
        });
      if (name.empty()) { // not from an ONNX node: its source location
        llvm::raw_string_ostream os(name);
        op.getLoc().print(os);
      }
      names.push_back(StringAttr::get(ctx, name));
      b.setInsertionPointAfter(&op);
      mark(op.getLoc());
    }
    module->setAttr("qopt.profile_marks", ArrayAttr::get(ctx, names));
  }
};

} // namespace
