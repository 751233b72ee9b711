//===- QNNInterfaces.td - QNN op interfaces -------------------*- tablegen -*-===//
//
// Part of qopt.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_DIALECT_QNN_IR_QNNINTERFACES_TD
#define QOPT_DIALECT_QNN_IR_QNNINTERFACES_TD

include "mlir/IR/OpBase.td"

def QNN_FusedActivationOpInterface : OpInterface<"FusedActivationOpInterface"> {
  let description = [{
    An op whose result passes through an activation (relu, relu6 or
    clip(min, max)) before it is stored. `--fuse-ops` sets it, quantization
    uses the activation's range to tighten the output range, and lowering
    applies it as a clamp in the op's epilogue.
  }];
  let cppNamespace = "::mlir::qnn";
  let methods = [
    InterfaceMethod<"The fused activation kind.",
      "::mlir::qnn::Activation", "getActivation", (ins), [{}],
      [{ return $_op.getFusedActivation(); }]>,
    InterfaceMethod<"Lower clip bound, set only for `clip`.",
      "std::optional<::llvm::APFloat>", "getActivationMin", (ins), [{}],
      [{ return $_op.getClipMin(); }]>,
    InterfaceMethod<"Upper clip bound, set only for `clip`.",
      "std::optional<::llvm::APFloat>", "getActivationMax", (ins), [{}],
      [{ return $_op.getClipMax(); }]>,
    InterfaceMethod<"Sets the fused activation (bounds only for `clip`).",
      "void", "setActivation",
      (ins "::mlir::qnn::Activation":$kind,
           "std::optional<float>":$minValue,
           "std::optional<float>":$maxValue), [{}],
      [{
        ::mlir::Builder b($_op->getContext());
        $_op.setFusedActivation(kind);
        if (minValue) $_op.setClipMinAttr(b.getF32FloatAttr(*minValue));
        else $_op.removeClipMinAttr();
        if (maxValue) $_op.setClipMaxAttr(b.getF32FloatAttr(*maxValue));
        else $_op.removeClipMaxAttr();
      }]>,
  ];
  let extraSharedClassDeclaration = [{
    /// The real-valued interval the activation clamps to: relu is
    /// [0, +inf), relu6 [0, 6], clip [min, max]; none is (-inf, +inf).
    std::pair<double, double> getActivationRange() {
      return ::mlir::qnn::getActivationRange($_op.getActivation(),
          $_op.getActivationMin(), $_op.getActivationMax());
    }
  }];
  let verify = [{ return ::mlir::qnn::verifyFusedActivation($_op); }];
}

#endif // QOPT_DIALECT_QNN_IR_QNNINTERFACES_TD
