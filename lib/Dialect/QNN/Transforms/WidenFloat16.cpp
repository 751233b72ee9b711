//===- WidenFloat16.cpp - Compute fp16 and bf16 parts in f32 --------------===//
//
// Part of qopt. Implements `--widen-float16`: half-precision tensors and
// scalars inside a function become f32 (constants converted exactly, casts
// that no longer convert dropped); the signature keeps its types.
//
//===----------------------------------------------------------------------===//

#include "qopt/Dialect/QNN/IR/QNN.h"
#include "qopt/Dialect/QNN/Transforms/Passes.h"
#include "qopt/Dialect/QNN/Utils/ConstantUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace mlir {
namespace qnn {
#define GEN_PASS_DEF_WIDENFLOAT16PASS
#include "qopt/Dialect/QNN/Transforms/Passes.h.inc"
} // namespace qnn
} // namespace mlir

using namespace mlir;

namespace {

bool isHalf(Type t) { return isa<Float16Type, BFloat16Type>(t); }

/// `t` with half-precision elements (or itself, a half scalar) as f32.
Type widened(Type t) {
  Type f32 = Float32Type::get(t.getContext());
  if (isHalf(t))
    return f32;
  if (auto shaped = dyn_cast<RankedTensorType>(t))
    if (isHalf(shaped.getElementType()))
      return shaped.clone(f32);
  if (auto shaped = dyn_cast<UnrankedTensorType>(t))
    if (isHalf(shaped.getElementType()))
      return UnrankedTensorType::get(f32);
  return t;
}

/// Elementwise conversion of a ranked tensor `v` to element type `to`
/// (extf or truncf), as a linalg.generic.
Value convertTensor(OpBuilder &b, Location loc, Value v, Type toType) {
  auto from = cast<RankedTensorType>(v.getType());
  auto to = cast<RankedTensorType>(toType);
  SmallVector<Value> dyn;
  for (int64_t d = 0; d < from.getRank(); ++d)
    if (from.isDynamicDim(d))
      dyn.push_back(tensor::DimOp::create(b, loc, v, d));
  Value init =
      tensor::EmptyOp::create(b, loc, to.getShape(), to.getElementType(), dyn);
  AffineMap id = b.getMultiDimIdentityMap(from.getRank());
  return linalg::GenericOp::create(
             b, loc, TypeRange{to}, ValueRange{v}, ValueRange{init},
             ArrayRef<AffineMap>{id, id},
             SmallVector<utils::IteratorType>(from.getRank(),
                                              utils::IteratorType::parallel),
             [&](OpBuilder &nb, Location l, ValueRange args) {
               Type et = to.getElementType();
               Value r =
                   et.getIntOrFloatBitWidth() >
                           args[0].getType().getIntOrFloatBitWidth()
                       ? Value(arith::ExtFOp::create(nb, l, et, args[0]))
                       : Value(arith::TruncFOp::create(nb, l, et, args[0]));
               linalg::YieldOp::create(nb, l, r);
             })
      .getResult(0);
}

/// The f32 form of a half-precision constant attribute (exact).
FailureOr<TypedAttr> widenedConstant(arith::ConstantOp c) {
  Type t = widened(c.getType());
  if (auto f = dyn_cast<FloatAttr>(c.getValue()))
    return TypedAttr(FloatAttr::get(t, f.getValueAsDouble()));
  auto values = qnn::getConstantFloatValues(c.getResult());
  auto tt = dyn_cast<RankedTensorType>(t);
  if (!values || !tt)
    return failure();
  return cast<TypedAttr>(qnn::createFloatElements(tt, *values, "widened"));
}

struct WidenFloat16Pass : qnn::impl::WidenFloat16PassBase<WidenFloat16Pass> {
  void runOnOperation() override {
    func::FuncOp f = getOperation();
    if (f.isExternal())
      return;
    // Every half-precision value is a function argument or reaches an op
    // as an operand or result (block arguments of regions mirror operands).
    auto isHalfTyped = [](Value v) {
      return widened(v.getType()) != v.getType();
    };
    bool any = llvm::any_of(f.getArguments(), isHalfTyped);
    WalkResult walk = f.getBody().walk([&](Operation *op) {
      if (!llvm::any_of(op->getOperands(), isHalfTyped) &&
          !llvm::any_of(op->getResults(), isHalfTyped))
        return WalkResult::advance();
      any = true;
      if (isa<arith::BitcastOp>(op)) {
        op->emitOpError("reinterprets half-precision bits; it cannot be "
                        "widened to f32");
        return WalkResult::interrupt();
      }
      return WalkResult::advance();
    });
    if (walk.wasInterrupted())
      return signalPassFailure();
    if (!any)
      return;

    OpBuilder b(f.getContext());
    // Every op's half-precision results and block arguments become f32;
    // constants are converted.
    SmallVector<Operation *> ops;
    f.getBody().walk([&](Operation *op) { ops.push_back(op); });
    for (Operation *op : ops) {
      if (auto c = dyn_cast<arith::ConstantOp>(op);
          c && widened(c.getType()) != c.getType()) {
        auto attr = widenedConstant(c);
        if (failed(attr)) {
          c.emitOpError("constant of type ")
              << c.getType() << " cannot be widened";
          return signalPassFailure();
        }
        b.setInsertionPoint(c);
        auto wide = arith::ConstantOp::create(b, c.getLoc(), *attr);
        c.getResult().replaceAllUsesWith(wide.getResult());
        c->erase();
        continue;
      }
      if (op->getParentOp() == f && isa<func::ReturnOp>(op))
        continue;
      for (OpResult r : op->getResults())
        r.setType(widened(r.getType()));
      for (Region &region : op->getRegions())
        for (Block &block : region)
          for (BlockArgument a : block.getArguments())
            a.setType(widened(a.getType()));
    }
    // Half-precision arguments are widened on entry (after the walk, which
    // must not widen the conversion itself).
    Block &entry = f.getBody().front();
    b.setInsertionPointToStart(&entry);
    for (BlockArgument arg : entry.getArguments()) {
      if (widened(arg.getType()) == arg.getType())
        continue;
      if (!isa<RankedTensorType>(arg.getType())) {
        f.emitOpError("argument of type ")
            << arg.getType() << " cannot be widened";
        return signalPassFailure();
      }
      Value wide = convertTensor(b, arg.getLoc(), arg, widened(arg.getType()));
      arg.replaceAllUsesExcept(wide, wide.getDefiningOp());
    }
    // Casts between half precision and f32 now convert nothing.
    f.getBody().walk([&](Operation *op) {
      if (isa<arith::ExtFOp, arith::TruncFOp>(op) &&
          op->getOperand(0).getType() == op->getResult(0).getType()) {
        op->getResult(0).replaceAllUsesWith(op->getOperand(0));
        op->erase();
      }
    });
    // Half-precision results are rounded on return.
    f.walk([&](func::ReturnOp ret) {
      b.setInsertionPoint(ret);
      for (auto [i, want] : llvm::enumerate(f.getResultTypes())) {
        Value v = ret.getOperand(i);
        if (v.getType() != want)
          ret.setOperand(i, convertTensor(b, ret.getLoc(), v, want));
      }
    });
  }
};

} // namespace
