//===- QNNBase.td - QNN dialect definition, enums, constraints -*- tablegen -*-===//
//
// Part of qopt. The QNN dialect models float neural-network graphs and their
// quantized forms. Quantized tensors use upstream `!quant.uniform` element
// types (per-tensor and per-axis); integer-level ops use signless integers.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_DIALECT_QNN_IR_QNNBASE_TD
#define QOPT_DIALECT_QNN_IR_QNNBASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"
include "mlir/Dialect/Quant/IR/QuantBase.td"

def QNN_Dialect : Dialect {
  let name = "qnn";
  let cppNamespace = "::mlir::qnn";
  let summary = "Neural-network graph ops, float and quantized";
  let description = [{
    The `qnn` dialect is qopt's graph-level IR. An imported model is a
    `func.func` of `qnn` ops on ranked tensors, weights are `arith.constant`
    (float) or `qnn.qconst` (quantized) values.

    The same compute op (conv2d, fully_connected, add, max_pool2d, ...)
    accepts float tensors and tensors of upstream `!quant.uniform` element
    type, as TFLite's dialect does: quantization changes types, not ops.
    Ops that move between the worlds are explicit: `qnn.quantize`,
    `qnn.dequantize`, `qnn.requantize`, `qnn.fake_quant` and `qnn.observer`.
    Integer-only code uses `qnn.rescale`, a fixed-point multiplier and shift
    on signless integers with an explicit rounding mode.
  }];
  let dependentDialects = ["::mlir::quant::QuantDialect", "::mlir::arith::ArithDialect"];
  let useDefaultAttributePrinterParser = 1;
  let hasConstantMaterializer = 1;
}

//===----------------------------------------------------------------------===//
// Enums
//===----------------------------------------------------------------------===//

def QNN_ActivationNone  : I32EnumAttrCase<"None", 0, "none">;
def QNN_ActivationRelu  : I32EnumAttrCase<"Relu", 1, "relu">;
def QNN_ActivationRelu6 : I32EnumAttrCase<"Relu6", 2, "relu6">;
def QNN_ActivationClip  : I32EnumAttrCase<"Clip", 3, "clip">;

def QNN_Activation : I32EnumAttr<"Activation",
    "activation fused into the producing op",
    [QNN_ActivationNone, QNN_ActivationRelu, QNN_ActivationRelu6,
     QNN_ActivationClip]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::qnn";
}
def QNN_ActivationAttr : EnumAttr<QNN_Dialect, QNN_Activation, "activation"> {
  let assemblyFormat = "`<` $value `>`";
}

def QNN_RoundDouble : I32EnumAttrCase<"DoubleRound", 0, "double_round">;
def QNN_RoundSingle : I32EnumAttrCase<"SingleRound", 1, "single_round">;
def QNN_RoundingMode : I32EnumAttr<"RoundingMode",
    "rounding of a fixed-point requantization",
    [QNN_RoundDouble, QNN_RoundSingle]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::qnn";
}
def QNN_RoundingModeAttr : EnumAttr<QNN_Dialect, QNN_RoundingMode, "rounding"> {
  let assemblyFormat = "`<` $value `>`";
}

def QNN_WeightRoundingNearest : I32EnumAttrCase<"Nearest", 0, "nearest">;
def QNN_WeightRoundingLearned : I32EnumAttrCase<"Learned", 1, "learned">;
def QNN_WeightRounding : I32EnumAttr<"WeightRounding",
    "how --round-weights chooses each weight's integer",
    [QNN_WeightRoundingNearest, QNN_WeightRoundingLearned]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::qnn";
}

def QNN_ScaleF32 : I32EnumAttrCase<"F32", 0, "f32">;
def QNN_ScaleF64 : I32EnumAttrCase<"F64", 1, "f64">;
def QNN_ScaleArithmetic : I32EnumAttr<"ScaleArithmetic",
    "precision in which requantization multipliers are derived from scales",
    [QNN_ScaleF32, QNN_ScaleF64]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::qnn";
}

def QNN_ActInt8  : I32EnumAttrCase<"Int8", 0, "int8">;
def QNN_ActUInt8 : I32EnumAttrCase<"UInt8", 1, "uint8">;
def QNN_ActInt16 : I32EnumAttrCase<"Int16", 2, "int16">;
def QNN_ActivationType : I32EnumAttr<"ActivationType",
    "storage of quantized activations",
    [QNN_ActInt8, QNN_ActUInt8, QNN_ActInt16]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::qnn";
}

def QNN_DynModeDynamic    : I32EnumAttrCase<"Dynamic", 0, "dynamic">;
def QNN_DynModeWeightOnly : I32EnumAttrCase<"WeightOnly", 1, "weight-only">;
def QNN_DynamicQuantMode : I32EnumAttr<"DynamicQuantMode",
    "what --quantize-dynamic quantizes",
    [QNN_DynModeDynamic, QNN_DynModeWeightOnly]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::qnn";
}

def QNN_CalibMinMax     : I32EnumAttrCase<"MinMax", 0, "minmax">;
def QNN_CalibMovingAvg  : I32EnumAttrCase<"MovingAverage", 1, "moving_average">;
def QNN_CalibPercentile : I32EnumAttrCase<"Percentile", 2, "percentile">;
def QNN_CalibEntropy    : I32EnumAttrCase<"Entropy", 3, "entropy">;
def QNN_CalibMSE        : I32EnumAttrCase<"MSE", 4, "mse">;
def QNN_CalibKSigma     : I32EnumAttrCase<"KSigma", 5, "ksigma">;
def QNN_CalibrationMethod : I32EnumAttr<"CalibrationMethod",
    "how an observer turns statistics into a range",
    [QNN_CalibMinMax, QNN_CalibMovingAvg, QNN_CalibPercentile,
     QNN_CalibEntropy, QNN_CalibMSE, QNN_CalibKSigma]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::qnn";
}
def QNN_CalibrationMethodAttr
    : EnumAttr<QNN_Dialect, QNN_CalibrationMethod, "calibration"> {
  let assemblyFormat = "`<` $value `>`";
}

def QNN_PadModeConstant : I32EnumAttrCase<"Constant", 0, "constant">;
def QNN_PadModeReflect  : I32EnumAttrCase<"Reflect", 1, "reflect">;
def QNN_PadModeEdge     : I32EnumAttrCase<"Edge", 2, "edge">;
def QNN_PadMode : I32EnumAttr<"PadMode", "padding mode",
    [QNN_PadModeConstant, QNN_PadModeReflect, QNN_PadModeEdge]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::qnn";
}
def QNN_PadModeAttr : EnumAttr<QNN_Dialect, QNN_PadMode, "pad_mode"> {
  let assemblyFormat = "`<` $value `>`";
}

//===----------------------------------------------------------------------===//
// Type constraints
//===----------------------------------------------------------------------===//

def QNN_UniformQuantized : Type<
    CPred<"::llvm::isa<::mlir::quant::UniformQuantizedType,"
          "::mlir::quant::UniformQuantizedPerAxisType>($_self)">,
    "uniform quantized type (per-tensor or per-axis)">;

/// Element types a quantizable compute op accepts.
def QNN_NumericElement : AnyTypeOf<[AnyFloat, QNN_UniformQuantized]>;

def QNN_Tensor : RankedTensorOf<[QNN_NumericElement]>;
def QNN_FloatTensor : RankedTensorOf<[AnyFloat]>;
def QNN_QuantTensor : RankedTensorOf<[QNN_UniformQuantized]>;
def QNN_IntTensor : RankedTensorOf<[AnySignlessInteger]>;
/// Elementwise arithmetic also runs on plain integers (ONNX integer Add,
/// the int32 bias add after ConvInteger); they wrap like ONNX's.
def QNN_ArithTensor : RankedTensorOf<[QNN_NumericElement, AnyInteger]>;
/// Plain numbers, the domain of qnn.cast.
def QNN_PlainTensor : RankedTensorOf<[AnyFloat, AnyInteger]>;
/// Anything a data-movement op (reshape, transpose, concat...) can carry.
def QNN_AnyTensor : RankedTensorOf<[QNN_NumericElement, AnySignlessInteger]>;

//===----------------------------------------------------------------------===//
// Base op class
//===----------------------------------------------------------------------===//

class QNN_Op<string mnemonic, list<Trait> traits = []>
    : Op<QNN_Dialect, mnemonic, traits>;

#endif // QOPT_DIALECT_QNN_IR_QNNBASE_TD
