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

def QNN_WeightedOpInterface : OpInterface<"WeightedOpInterface"> {
  let description = [{
    An op that multiplies its input by a weight operand (usually a constant)
    and may add a bias: conv2d, fully_connected, matmul. Batch-norm folding,
    static and dynamic quantization, QAT preparation and the size report
    find the weight, the bias and the axis of output channels through it,
    so a new weighted op needs no change in those passes.
  }];
  let cppNamespace = "::mlir::qnn";
  let methods = [
    InterfaceMethod<"The weight operand.",
      "::mlir::OpOperand &", "getWeightOperand", (ins)>,
    InterfaceMethod<"The bias, or null when the op has none (or cannot "
      "have one).", "::mlir::Value", "getBiasValue", (ins)>,
    InterfaceMethod<"The weight's axis of output channels (per-channel "
      "quantization, batch-norm folding), or nullopt when the weight has no "
      "single such axis (a matmul with a batched right operand).",
      "std::optional<int64_t>", "getWeightChannelAxis", (ins)>,
    InterfaceMethod<"The result's axis of output channels (1 for NCHW "
      "convolutions, the last for fully_connected and matmul).",
      "int64_t", "getResultChannelAxis", (ins)>,
  ];
}

def QNN_ScalarFunctionOpInterface : OpInterface<"ScalarFunctionOpInterface"> {
  let description = [{
    An elementwise op whose value at each element is a function of its
    operands' real values at that element (relu, clip, sigmoid, add...).
    `--integer-only` evaluates chains of such ops at compile time to build
    lookup tables, so a new elementwise op becomes table-able by
    implementing this interface.
  }];
  let cppNamespace = "::mlir::qnn";
  let methods = [
    InterfaceMethod<"The op's real result for real `operands` (one per "
      "operand, in order), or nullopt when it has no scalar form.",
      "std::optional<double>", "evaluateScalar",
      (ins "::llvm::ArrayRef<double>":$operands)>,
  ];
}

//===----------------------------------------------------------------------===//
// Op categories of the quantization passes
//===----------------------------------------------------------------------===//

// The result has a value range of its own (computation, not data
// movement): `--insert-observers` puts an observer on it.
def QNN_ObservedResult : NativeOpTrait<"ObservedResult"> {
  let cppNamespace = "::mlir::qnn::OpTrait";
}

def QNN_DataMovementOpInterface : OpInterface<"DataMovementOpInterface"> {
  let description = [{
    An op that moves or selects the elements of one operand without
    computing on them (reshapes, transposes, slices, max pooling): quantized,
    it works on the stored integers and keeps the operand's parameters, so
    quantization moves a dequantize from its operand to its result, and
    `--integer-only` only retypes it. qnn ops declare it; upstream ops
    (tensor.extract_slice, tensor.expand_shape, tensor.collapse_shape) get it
    as external models (qnn::registerDataMovementExternalModels).
  }];
  let cppNamespace = "::mlir::qnn";
  let methods = [
    InterfaceMethod<"The operand whose elements move.",
      "::mlir::OpOperand &", "getMovedOperand", (ins), [{}],
      [{ return $_op->getOpOperand(0); }]>,
  ];
}

// The op has an integer implementation that `--quantize-static` uses; the
// per-layer configuration (keep_float, weight_bits...) applies to it.
def QNN_Quantizable : NativeOpTrait<"Quantizable"> {
  let cppNamespace = "::mlir::qnn::OpTrait";
}

#endif // QOPT_DIALECT_QNN_IR_QNNINTERFACES_TD
