//===- QNNOps.td - QNN dialect operations ---------------------*- tablegen -*-===//
//
// Part of qopt. Layout conventions follow ONNX: activations are NCHW,
// convolution weights are FCHW (F = output channels, C = input channels per
// group), fully-connected weights are NxK (output features first, so
// per-channel quantization is along axis 0 for both).
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_DIALECT_QNN_IR_QNNOPS_TD
#define QOPT_DIALECT_QNN_IR_QNNOPS_TD

include "qopt/Dialect/QNN/IR/QNNBase.td"
include "qopt/Dialect/QNN/IR/QNNInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"

/// Attributes shared by every op that implements FusedActivationOpInterface.
defvar FusedActivationArgs = (ins
  DefaultValuedAttr<QNN_ActivationAttr, "::mlir::qnn::Activation::None">
    :$fused_activation,
  OptionalAttr<F32Attr>:$clip_min,
  OptionalAttr<F32Attr>:$clip_max);

//===----------------------------------------------------------------------===//
// Compute ops
//===----------------------------------------------------------------------===//

def QNN_Conv2DOp : QNN_Op<"conv2d", [Pure, QNN_ObservedResult, QNN_Quantizable,
    DeclareOpInterfaceMethods<QNN_WeightedOpInterface>,
    DeclareOpInterfaceMethods<QNN_FusedActivationOpInterface>]> {
  let summary = "2-D convolution (grouped and depthwise), NCHW x FCHW";
  let description = [{
    `output[n, f, y, x] = bias[f] + sum_{c, ky, kx} input[n, g*C + c,
    y*sy + ky*dy - pad_top, x*sx + kx*dx - pad_left] * weight[f, c, ky, kx]`
    where `g = f / (F / group)` and `C = Cin / group`. Depthwise convolution is
    `group = Cin` with `F` a multiple of `Cin`. `pads` is `[top, left, bottom,
    right]`. Padded positions contribute zero (the zero point when quantized).

    Float form: all operands share one float element type. Quantized form:
    input and result are per-tensor `!quant.uniform`; the weight is per-tensor
    or per-axis along axis 0; the optional bias is 32-bit with zero point 0 and
    scale `s_input * s_weight[f]`.

    Example:

    ```mlir
    %y = qnn.conv2d %x, %w, %b {strides = array<i64: 2, 2>,
            pads = array<i64: 1, 1, 1, 1>, fused_activation = #qnn.activation<relu>}
        : (tensor<1x3x8x8xf32>, tensor<16x3x3x3xf32>, tensor<16xf32>) -> tensor<1x16x4x4xf32>
    ```
  }];
  let arguments = !con((ins
    QNN_Tensor:$input,
    QNN_Tensor:$weight,
    Optional<QNN_Tensor>:$bias,
    DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$strides,
    DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$dilations,
    DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0, 0, 0}">:$pads,
    DefaultValuedAttr<I64Attr, "1">:$group), FusedActivationArgs);
  let results = (outs QNN_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def QNN_FullyConnectedOp : QNN_Op<"fully_connected", [Pure,
    QNN_ObservedResult, QNN_Quantizable, DeclareOpInterfaceMethods<QNN_WeightedOpInterface>,
    DeclareOpInterfaceMethods<QNN_FusedActivationOpInterface>]> {
  let summary = "Fully-connected layer: input[M,K] x weight[N,K]^T + bias[N]";
  let description = [{
    `output[m, n] = bias[n] + sum_k input[m, k] * weight[n, k]`. This is ONNX
    `Gemm` with `transB = 1`, `alpha = beta = 1`; the importer normalizes other
    Gemm forms into it. Weights are stored output-feature-major so that
    per-channel quantization is along axis 0 and K is contiguous (the layout
    dot-product instructions want).

    Type rules are those of `qnn.conv2d`.

    Example:

    ```mlir
    %y = qnn.fully_connected %x, %w, %b
        : (tensor<?x64xf32>, tensor<10x64xf32>, tensor<10xf32>) -> tensor<?x10xf32>
    ```
  }];
  let arguments = !con((ins
    QNN_Tensor:$input,
    QNN_Tensor:$weight,
    Optional<QNN_Tensor>:$bias), FusedActivationArgs);
  let results = (outs QNN_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def QNN_MatMulOp : QNN_Op<"matmul", [Pure, QNN_ObservedResult, QNN_Quantizable,
    DeclareOpInterfaceMethods<QNN_WeightedOpInterface>,
    DeclareOpInterfaceMethods<QNN_FusedActivationOpInterface>]> {
  let summary = "Matrix product with numpy broadcasting (ONNX MatMul)";
  let description = [{
    Multiplies the last two dimensions and broadcasts the leading (batch)
    dimensions, as `numpy.matmul`. A rank-1 operand is promoted by inserting a
    unit dimension that is removed from the result.

    Example:

    ```mlir
    %y = qnn.matmul %a, %b : (tensor<2x3x4xf32>, tensor<4x5xf32>) -> tensor<2x3x5xf32>
    ```
  }];
  let arguments = !con((ins QNN_Tensor:$lhs, QNN_Tensor:$rhs),
                       FusedActivationArgs);
  let results = (outs QNN_Tensor:$output);
  let builders = [
    OpBuilder<(ins "::mlir::Type":$resultType, "::mlir::Value":$lhs,
                   "::mlir::Value":$rhs), [{
      $_state.addOperands({lhs, rhs});
      $_state.addTypes(resultType);
    }]>
  ];

  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def QNN_BatchNormOp : QNN_Op<"batch_norm", [Pure, QNN_ObservedResult]> {
  let summary = "Inference batch normalization over axis 1";
  let description = [{
    `output = (input - mean[c]) * scale[c] / sqrt(variance[c] + epsilon) + bias[c]`
    with `c` the index along axis 1. `--fold-bn` folds it into the producer.

    Example:

    ```mlir
    %y = qnn.batch_norm %x, %scale, %bias, %mean, %var {epsilon = 1.0e-05 : f32}
        : (tensor<1x16x8x8xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>,
           tensor<16xf32>) -> tensor<1x16x8x8xf32>
    ```
  }];
  let arguments = (ins QNN_FloatTensor:$input, QNN_FloatTensor:$scale,
                   QNN_FloatTensor:$bias, QNN_FloatTensor:$mean,
                   QNN_FloatTensor:$variance,
                   DefaultValuedAttr<F32Attr, "1.0e-5">:$epsilon);
  let results = (outs QNN_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $scale `,` $bias `,` $mean `,` $variance attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise unary ops
//===----------------------------------------------------------------------===//

class QNN_UnaryOp<string mnemonic, list<Trait> traits = [],
                  Type operandType = QNN_Tensor>
    : QNN_Op<mnemonic, !listconcat([Pure, SameOperandsAndResultShape], traits)> {
  let results = (outs operandType:$output);
  let assemblyFormat = [{
    $input attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def QNN_ReluOp : QNN_UnaryOp<"relu", [
    DeclareOpInterfaceMethods<QNN_ScalarFunctionOpInterface>, QNN_ObservedResult, QNN_Quantizable]> {
  let summary = "Rectified linear unit: max(x, 0)";
  let description = [{
    Float or quantized. Quantized input and result may differ in parameters.

    Example:

    ```mlir
    %y = qnn.relu %x : (tensor<1x8xf32>) -> tensor<1x8xf32>
    ```
  }];
  let arguments = (ins QNN_Tensor:$input);
}

def QNN_ClipOp : QNN_UnaryOp<"clip", [
    DeclareOpInterfaceMethods<QNN_ScalarFunctionOpInterface>, QNN_ObservedResult, QNN_Quantizable]> {
  let summary = "Clamp to [min, max] (relu6 is clip 0, 6)";
  let description = [{
    Example:

    ```mlir
    %y = qnn.clip %x {min = 0.0 : f32, max = 6.0 : f32} : (tensor<4xf32>) -> tensor<4xf32>
    ```
  }];
  let arguments = (ins QNN_Tensor:$input, F32Attr:$min, F32Attr:$max);
}

def QNN_LeakyReluOp : QNN_UnaryOp<"leaky_relu", [
    DeclareOpInterfaceMethods<QNN_ScalarFunctionOpInterface>, QNN_ObservedResult],
                                  QNN_FloatTensor> {
  let summary = "x if x >= 0 else alpha * x";
  let description = [{
    Example:

    ```mlir
    %y = qnn.leaky_relu %x {alpha = 0.01 : f32} : (tensor<4xf32>) -> tensor<4xf32>
    ```
  }];
  let arguments = (ins QNN_FloatTensor:$input,
                   DefaultValuedAttr<F32Attr, "0.01">:$alpha);
}

def QNN_SigmoidOp : QNN_UnaryOp<"sigmoid", [
    DeclareOpInterfaceMethods<QNN_ScalarFunctionOpInterface>, QNN_ObservedResult],
                                QNN_FloatTensor> {
  let summary = "Logistic function 1 / (1 + exp(-x))";
  let description = [{
    Float only: quantized models keep it between dequantize and quantize.

    Example:

    ```mlir
    %y = qnn.sigmoid %x : (tensor<4xf32>) -> tensor<4xf32>
    ```
  }];
  let arguments = (ins QNN_FloatTensor:$input);
}

def QNN_HardSigmoidOp : QNN_UnaryOp<"hard_sigmoid", [
    DeclareOpInterfaceMethods<QNN_ScalarFunctionOpInterface>, QNN_ObservedResult],
                                    QNN_FloatTensor> {
  let summary = "max(0, min(1, alpha * x + beta))";
  let description = [{
    Example:

    ```mlir
    %y = qnn.hard_sigmoid %x {alpha = 0.2 : f32, beta = 0.5 : f32}
        : (tensor<4xf32>) -> tensor<4xf32>
    ```
  }];
  let arguments = (ins QNN_FloatTensor:$input,
                   DefaultValuedAttr<F32Attr, "0.2">:$alpha,
                   DefaultValuedAttr<F32Attr, "0.5">:$beta);
}

def QNN_SoftmaxOp : QNN_UnaryOp<"softmax", [QNN_ObservedResult],
                                QNN_FloatTensor> {
  let summary = "exp(x) / sum(exp(x)) along one axis";
  let description = [{
    Negative `axis` counts from the end.

    Example:

    ```mlir
    %y = qnn.softmax %x {axis = -1 : i64} : (tensor<1x10xf32>) -> tensor<1x10xf32>
    ```
  }];
  let arguments = (ins QNN_FloatTensor:$input,
                   DefaultValuedAttr<I64Attr, "-1">:$axis);
}

def QNN_LayerNormOp : QNN_Op<"layer_norm", [Pure]> {
  let summary = "Layer normalization over the trailing axes (ONNX LayerNormalization)";
  let description = [{
    Normalizes `input` over the axes `axis ... rank-1` and applies a
    per-element affine transform:

        output = (input - mean) / sqrt(variance + epsilon) * scale + bias

    with the mean and the (biased) variance over those axes. `scale` and the
    optional `bias` broadcast (numpy rules, aligned to the right) to the
    normalized shape `input.shape[axis:]`. A negative `axis` counts from the
    end. Float only: quantization leaves it a float island between its
    quantized neighbours, and passes that rescale channels (SmoothQuant)
    fold per-channel factors into `scale` and `bias`.

    Example:

    ```mlir
    %y = qnn.layer_norm %x, %gamma, %beta {axis = -1 : i64, epsilon = 1.0e-05 : f32}
        : (tensor<?x17x32xf32>, tensor<32xf32>, tensor<32xf32>) -> tensor<?x17x32xf32>
    ```
  }];
  let arguments = (ins QNN_FloatTensor:$input, QNN_FloatTensor:$scale,
                   Optional<QNN_FloatTensor>:$bias,
                   DefaultValuedAttr<I64Attr, "-1">:$axis,
                   DefaultValuedAttr<F32Attr, "1.0e-5">:$epsilon);
  let results = (outs QNN_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $scale (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def QNN_NonMaxSuppressionOp : QNN_Op<"non_max_suppression",
                                     [Pure, AttrSizedOperandSegments]> {
  let summary = "Greedy non-maximum suppression with a run-time row count (ONNX NonMaxSuppression)";
  let description = [{
    For each batch `b` and class `c`, visits the boxes in decreasing score
    order (equal scores: lower box index first), skips those whose score is
    not above `score_threshold` (when given), and selects a box unless its
    intersection over union with a box already selected for `(b, c)` is
    above `iou_threshold` (default 0), until `max_output_boxes_per_class`
    (default 0: none) are selected. IoU is computed as ONNX Runtime does:
    corners `[y1, x1, y2, x2]` in any diagonal order (`center_point_box` 0)
    or `[x_center, y_center, width, height]` (1); empty intersections and
    boxes of zero area never suppress.

    The number of selected boxes depends on the data, so the op has two
    results: `selected`, a static `[M, 3]` tensor whose first `count` rows
    are `[b, c, box]` in selection order (batch-major, then class) and whose
    remaining rows are zero, and `count` (0-d). `M` is an upper bound chosen
    by the producer (the importer: batches x classes x min(max per class,
    boxes)); a count that would exceed it stops the selection.

    Example:

    ```mlir
    %sel, %n = qnn.non_max_suppression %boxes, %scores max %k iou %iou
        score %thr {center_point_box = 0 : i64}
        : (tensor<1x6x4xf32>, tensor<1x1x6xf32>, tensor<i64>, tensor<f32>,
           tensor<f32>) -> (tensor<3x3xi64>, tensor<i64>)
    ```
  }];
  let arguments = (ins RankedTensorOf<[F32]>:$boxes,
                   RankedTensorOf<[F32]>:$scores,
                   Optional<RankedTensorOf<[I64]>>:$max_output_boxes_per_class,
                   Optional<RankedTensorOf<[F32]>>:$iou_threshold,
                   Optional<RankedTensorOf<[F32]>>:$score_threshold,
                   DefaultValuedAttr<I64Attr, "0">:$center_point_box);
  let results = (outs RankedTensorOf<[I64]>:$selected,
                  0DTensorOf<[I64]>:$count);
  let assemblyFormat = [{
    $boxes `,` $scores (`max` $max_output_boxes_per_class^)?
    (`iou` $iou_threshold^)? (`score` $score_threshold^)?
    attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def QNN_NonZeroOp : QNN_Op<"non_zero", [Pure]> {
  let summary = "Coordinates of the non-zero elements, with a run-time count (ONNX NonZero)";
  let description = [{
    The coordinates of the elements of `input` that are not zero (NaN is
    not zero), in row-major order: column `j` of `indices` holds the `rank`
    coordinates of the j-th such element. How many there are depends on the
    data, so `indices` is padded to `[rank, M]` (M = the number of elements,
    the most there can be) with zero columns after the first `count`.

    Example:

    ```mlir
    %idx, %n = qnn.non_zero %x : (tensor<2x3xf32>) -> (tensor<2x6xi64>, tensor<i64>)
    ```
  }];
  let arguments = (ins RankedTensorOf<[AnyFloat, AnySignlessInteger]>:$input);
  let results = (outs RankedTensorOf<[I64]>:$indices, 0DTensorOf<[I64]>:$count);
  let assemblyFormat = [{
    $input attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def QNN_CastOp : QNN_Op<"cast", [Pure, SameOperandsAndResultShape,
                                  QNN_ObservedResult]> {
  let summary = "Elementwise numeric conversion (ONNX Cast)";
  let description = [{
    Converts between float and integer element types, rounding float to
    integer toward zero (ONNX Cast). Unsigned integer types convert as
    unsigned. Quantized tensors are not numbers: use qnn.dequantize.

    Example:

    ```mlir
    %y = qnn.cast %x : (tensor<4xi32>) -> tensor<4xf32>
    ```
  }];
  let arguments = (ins QNN_PlainTensor:$input);
  let results = (outs QNN_PlainTensor:$output);
  let assemblyFormat = [{
    $input attr-dict `:` functional-type(operands, results)
  }];
}

//===----------------------------------------------------------------------===//
// Elementwise binary ops (numpy broadcasting)
//===----------------------------------------------------------------------===//

class QNN_BinaryOp<string mnemonic, list<Trait> traits = [],
                   Type operandType = QNN_Tensor>
    : QNN_Op<mnemonic, !listconcat([Pure, ResultsBroadcastableShape], traits)> {
  let results = (outs operandType:$output);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def QNN_AddOp : QNN_BinaryOp<"add", [
    DeclareOpInterfaceMethods<QNN_ScalarFunctionOpInterface>, Commutative, QNN_ObservedResult,
    QNN_Quantizable,
    DeclareOpInterfaceMethods<QNN_FusedActivationOpInterface>]> {
  let summary = "Elementwise sum with broadcasting and fused activation";
  let description = [{
    Quantized operands may have different parameters from each other and
    from the result (the lowering rescales both to the output).

    Example:

    ```mlir
    %y = qnn.add %a, %b {fused_activation = #qnn.activation<relu>}
        : (tensor<1x8x4x4xf32>, tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
    ```
  }];
  let arguments = !con((ins QNN_ArithTensor:$lhs, QNN_ArithTensor:$rhs),
                       FusedActivationArgs);
  let results = (outs QNN_ArithTensor:$output);
  let builders = [
    OpBuilder<(ins "::mlir::Type":$resultType, "::mlir::Value":$lhs,
                   "::mlir::Value":$rhs), [{
      $_state.addOperands({lhs, rhs});
      $_state.addTypes(resultType);
    }]>
  ];
}

def QNN_SubOp : QNN_BinaryOp<"sub", [
    DeclareOpInterfaceMethods<QNN_ScalarFunctionOpInterface>, QNN_ObservedResult], QNN_ArithTensor> {
  let summary = "Elementwise difference with broadcasting";
  let description = [{
    Example:

    ```mlir
    %y = qnn.sub %a, %b : (tensor<4xf32>, tensor<1xf32>) -> tensor<4xf32>
    ```
  }];
  let arguments = (ins QNN_ArithTensor:$lhs, QNN_ArithTensor:$rhs);
}

def QNN_MulOp : QNN_BinaryOp<"mul", [
    DeclareOpInterfaceMethods<QNN_ScalarFunctionOpInterface>, Commutative, QNN_ObservedResult,
    QNN_Quantizable],
                              QNN_ArithTensor> {
  let summary = "Elementwise product with broadcasting";
  let description = [{
    Example:

    ```mlir
    %y = qnn.mul %a, %s : (tensor<1x8x4x4xf32>, tensor<8x1x1xf32>) -> tensor<1x8x4x4xf32>
    ```
  }];
  let arguments = (ins QNN_ArithTensor:$lhs, QNN_ArithTensor:$rhs);
}

def QNN_DivOp : QNN_BinaryOp<"div", [
    DeclareOpInterfaceMethods<QNN_ScalarFunctionOpInterface>, QNN_ObservedResult], QNN_FloatTensor> {
  let summary = "Elementwise quotient with broadcasting (float only)";
  let description = [{
    Example:

    ```mlir
    %y = qnn.div %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    ```
  }];
  let arguments = (ins QNN_FloatTensor:$lhs, QNN_FloatTensor:$rhs);
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

def QNN_MaxPool2DOp : QNN_Op<"max_pool2d", [Pure, QNN_DataMovementOpInterface,
                                            QNN_Quantizable]> {
  let summary = "2-D max pooling over NCHW";
  let description = [{
    `pads` is `[top, left, bottom, right]`; padded positions never win.
    `ceil_mode` rounds the output size up. A quantized max pool keeps its
    input's quantization parameters.

    Example:

    ```mlir
    %y = qnn.max_pool2d %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>}
        : (tensor<1x8x8x8xf32>) -> tensor<1x8x4x4xf32>
    ```
  }];
  let arguments = (ins QNN_Tensor:$input,
                   DenseI64ArrayAttr:$kernel,
                   DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$strides,
                   DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0, 0, 0}">:$pads,
                   DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$dilations,
                   DefaultValuedAttr<BoolAttr, "false">:$ceil_mode);
  let results = (outs QNN_Tensor:$output);
  let assemblyFormat = [{
    $input attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def QNN_AvgPool2DOp : QNN_Op<"avg_pool2d", [Pure, QNN_ObservedResult,
                                            QNN_Quantizable]> {
  let summary = "2-D average pooling over NCHW";
  let description = [{
    With `count_include_pad = false` (ONNX's default) padded positions are
    excluded from the divisor. Quantized (per tensor) when every window
    counts the same number of positions (no padding, or padding counted and
    no ceil-mode overhang): an int32 sum and one rescale.

    Example:

    ```mlir
    %y = qnn.avg_pool2d %x {kernel = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>}
        : (tensor<1x8x8x8xf32>) -> tensor<1x8x8x8xf32>
    ```
  }];
  let arguments = (ins QNN_Tensor:$input,
                   DenseI64ArrayAttr:$kernel,
                   DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$strides,
                   DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0, 0, 0}">:$pads,
                   DefaultValuedAttr<BoolAttr, "false">:$count_include_pad,
                   DefaultValuedAttr<BoolAttr, "false">:$ceil_mode);
  let results = (outs QNN_Tensor:$output);
  let assemblyFormat = [{
    $input attr-dict `:` functional-type(operands, results)
  }];
  let extraClassDeclaration = [{
    /// The divisor shared by every output position, or nullopt when windows
    /// count different numbers of positions (excluded padding, ceil-mode
    /// overhang) or the spatial sizes are dynamic.
    std::optional<int64_t> getUniformWindowCount();
  }];
  let hasVerifier = 1;
}

def QNN_GlobalAvgPool2DOp : QNN_Op<"global_avg_pool2d", [Pure,
    QNN_ObservedResult, QNN_Quantizable]> {
  let summary = "Mean over H and W of NCHW, keeping them as 1x1";
  let description = [{
    Example:

    ```mlir
    %y = qnn.global_avg_pool2d %x : (tensor<1x32x7x7xf32>) -> tensor<1x32x1x1xf32>
    ```
  }];
  let arguments = (ins QNN_Tensor:$input);
  let results = (outs QNN_Tensor:$output);
  let assemblyFormat = [{
    $input attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

def QNN_ReshapeOp : QNN_Op<"reshape", [Pure, QNN_DataMovementOpInterface,
                                      QNN_Quantizable]> {
  let summary = "Reinterpret the shape; the result type is the new shape";
  let description = [{
    Element count is preserved. At most one result dimension may be dynamic,
    and only when the input has a dynamic dimension. Quantized reshape keeps
    the input's parameters.

    Example:

    ```mlir
    %y = qnn.reshape %x : (tensor<1x16x2x2xf32>) -> tensor<1x64xf32>
    ```
  }];
  let arguments = (ins QNN_AnyTensor:$input);
  let results = (outs QNN_AnyTensor:$output);
  let assemblyFormat = [{
    $input attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

def QNN_FlattenOp : QNN_Op<"flatten", [Pure, QNN_DataMovementOpInterface,
                                      QNN_Quantizable]> {
  let summary = "Collapse to 2-D: dims before `axis` and dims from `axis`";
  let description = [{
    Example:

    ```mlir
    %y = qnn.flatten %x {axis = 1 : i64} : (tensor<?x16x2x2xf32>) -> tensor<?x64xf32>
    ```
  }];
  let arguments = (ins QNN_AnyTensor:$input,
                   DefaultValuedAttr<I64Attr, "1">:$axis);
  let results = (outs QNN_AnyTensor:$output);
  let assemblyFormat = [{
    $input attr-dict `:` functional-type(operands, results)
  }];
  let extraClassDeclaration = [{
    /// The 2-D shape `shape` collapses to at `axis` (in [0, rank]); a half
    /// with a dynamic dim is dynamic.
    static ::llvm::SmallVector<int64_t, 2>
    inferShape(::llvm::ArrayRef<int64_t> shape, int64_t axis);
  }];
  let hasVerifier = 1;
}

def QNN_TransposeOp : QNN_Op<"transpose", [Pure, QNN_DataMovementOpInterface,
                                          QNN_Quantizable]> {
  let summary = "Permute dimensions: output dim i is input dim perm[i]";
  let description = [{
    Example:

    ```mlir
    %y = qnn.transpose %x {perm = array<i64: 0, 2, 3, 1>}
        : (tensor<1x3x4x5xf32>) -> tensor<1x4x5x3xf32>
    ```
  }];
  let arguments = (ins QNN_AnyTensor:$input, DenseI64ArrayAttr:$perm);
  let results = (outs QNN_AnyTensor:$output);
  let assemblyFormat = [{
    $input attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def QNN_ConcatOp : QNN_Op<"concat", [Pure, QNN_ObservedResult,
                                        QNN_Quantizable]> {
  let summary = "Concatenate along one axis";
  let description = [{
    Quantized inputs may differ in parameters; the lowering requantizes each
    to the result's parameters.

    Example:

    ```mlir
    %y = qnn.concat %a, %b {axis = 1 : i64}
        : (tensor<1x2x4x4xf32>, tensor<1x3x4x4xf32>) -> tensor<1x5x4x4xf32>
    ```
  }];
  let arguments = (ins Variadic<QNN_AnyTensor>:$inputs, I64Attr:$axis);
  let results = (outs QNN_AnyTensor:$output);
  let assemblyFormat = [{
    $inputs attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def QNN_PadOp : QNN_Op<"pad", [Pure]> {
  let summary = "Pad with a constant, reflected or edge values";
  let description = [{
    `pads` has `2 * rank` entries: all the leading pads, then all the trailing
    pads (ONNX order). Negative pads are not accepted. A quantized pad keeps
    its input's parameters and pads with the quantized `value`.

    Example:

    ```mlir
    %y = qnn.pad %x {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>, value = 0.0 : f32}
        : (tensor<1x3x4x4xf32>) -> tensor<1x3x6x6xf32>
    ```
  }];
  let arguments = (ins QNN_AnyTensor:$input, DenseI64ArrayAttr:$pads,
                   DefaultValuedAttr<F32Attr, "0.0">:$value,
                   DefaultValuedAttr<QNN_PadModeAttr,
                                     "::mlir::qnn::PadMode::Constant">:$mode);
  let results = (outs QNN_AnyTensor:$output);
  let assemblyFormat = [{
    $input attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Quantization ops
//===----------------------------------------------------------------------===//

def QNN_QConstOp : QNN_Op<"qconst", [Pure, ConstantLike]> {
  let summary = "Constant of a quantized tensor type, given by its storage values";
  let description = [{
    `value` holds the stored integers (signless, the storage width of the
    result's `!quant.uniform` type); the result carries the quantization
    parameters. Values must lie within the type's storage range.

    Example:

    ```mlir
    %w = qnn.qconst dense<[[1, -2], [127, 0]]> : tensor<2x2xi8>
        -> tensor<2x2x!quant.uniform<i8:f32:0, {0.1, 0.2}>>
    ```
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs QNN_QuantTensor:$output);
  let assemblyFormat = "$value attr-dict `->` type($output)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def QNN_ObserverOp : QNN_Op<"observer", [SameOperandsAndResultType]> {
  let summary = "Identity that records the statistics of a float activation";
  let description = [{
    Inserted by `--insert-observers`. `id` is unique in the module and stable
    across runs; the op's location is the producer's and `name` keeps the
    producer's name (the ONNX node) where textual IR would drop locations, so
    statistics can be matched by either. Calibration fills `min`/`max` (the
    range chosen by `method`); until then they are absent. Where `method`
    clipped the range, calibration also keeps the whole range it saw in
    `observed_min`/`observed_max`: a layer that a per-layer config raises to
    16-bit activations uses it (16 bits hold the whole range with less error
    than an 8-bit clipping choice leaves).

    Example:

    ```mlir
    %y = qnn.observer %x {id = 3 : i64, method = #qnn.calibration<minmax>,
                          min = -1.5 : f64, max = 4.0 : f64} : tensor<1x8xf32>
    ```
  }];
  let arguments = (ins QNN_FloatTensor:$input, I64Attr:$id,
                   DefaultValuedAttr<QNN_CalibrationMethodAttr,
                       "::mlir::qnn::CalibrationMethod::MinMax">:$method,
                   OptionalAttr<F64Attr>:$min,
                   OptionalAttr<F64Attr>:$max,
                   OptionalAttr<StrAttr>:$name,
                   OptionalAttr<F64Attr>:$observed_min,
                   OptionalAttr<F64Attr>:$observed_max);
  let results = (outs QNN_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($output)";
  let hasVerifier = 1;
}

def QNN_FakeQuantOp : QNN_Op<"fake_quant", [Pure, SameOperandsAndResultType]> {
  let summary = "Quantize then dequantize, in float (QAT simulation)";
  let description = [{
    `output = (clamp(round_half_even(x / s) + z, qmin, qmax) - z) * s` with the
    parameters of `qtype`, a `!quant.uniform` type (per-tensor, or per-axis
    along a dimension of the input) whose expressed type is the input's
    element type. The storage range of `qtype` gives `qmin`/`qmax`, so
    narrow-range weights are `i8<-127:127>`.

    Example:

    ```mlir
    %y = qnn.fake_quant %x {qtype = !quant.uniform<i8:f32, 0.2>} : tensor<2xf32>
    ```
  }];
  let arguments = (ins QNN_FloatTensor:$input, TypeAttr:$qtype);
  let results = (outs QNN_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($output)";
  let hasVerifier = 1;
}

def QNN_QuantizeOp : QNN_Op<"quantize", [Pure, SameOperandsAndResultShape]> {
  let summary = "Float to quantized: round half to even, then saturate";
  let description = [{
    `q = clamp(round_half_even(x / s) + z, qmin, qmax)` (ONNX QuantizeLinear).
    The result's expressed type must be the input's element type.

    Example:

    ```mlir
    %q = qnn.quantize %x : (tensor<4xf32>) -> tensor<4x!quant.uniform<i8:f32, 0.05:-3>>
    ```
  }];
  let arguments = (ins QNN_FloatTensor:$input);
  let results = (outs QNN_QuantTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def QNN_DynamicQuantizeOp : QNN_Op<"dynamic_quantize", [Pure]> {
  let summary = "Float to symmetric integers with a scale chosen at run time";
  let description = [{
    Dynamic (run-time) quantization of an activation, per call over the
    whole tensor, as TFLite's hybrid kernels do:

    `s = max|x| / qmax` (1 when x is all zeros), `q = clamp(round_half_even(x / s), -qmax, qmax)`

    where `qmax` is the storage maximum of the result type. The result type
    has scale 1 and zero point 0: its integers are in units of `s`, which is
    returned as a 0-d tensor so that consumers can rescale their
    accumulators (`--quantize-dynamic`).

    Example:

    ```mlir
    %q, %s = qnn.dynamic_quantize %x
        : (tensor<?x64xf32>) -> (tensor<?x64x!quant.uniform<i8<-127:127>:f32, 1.0>>, tensor<f32>)
    ```
  }];
  let arguments = (ins QNN_FloatTensor:$input);
  let results = (outs QNN_QuantTensor:$output, 0DTensorOf<[F32]>:$scale);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def QNN_DynamicQuantizeLinearOp : QNN_Op<"dynamic_quantize_linear", [Pure]> {
  let summary = "ONNX DynamicQuantizeLinear: uint8 with a run-time scale and zero point";
  let description = [{
    Asymmetric run-time quantization as ONNX defines it (and ONNX Runtime's
    `quantize_dynamic` emits in front of every ConvInteger / MatMulInteger):
    over the whole tensor, with `lo = min(0, min x)` and `hi = max(0, max x)`,

    `scale = (hi - lo) / 255`, `zero_point = saturate(round(-lo / scale))`,
    `output = saturate(round(x / scale) + zero_point)`

    rounding half to even, saturating to [0, 255]; an all-zero input gives
    scale 0, zero point 0 and zeros. The zero point is a value, not part of
    the output type, so the output is a plain `ui8` tensor; consumers
    subtract the zero point themselves (see the ONNX importer's integer
    ConvInteger / MatMulInteger). The lowering reduces the input for its
    maximum and minimum, then quantizes it in one elementwise map.

    Example:

    ```mlir
    %q, %s, %z = qnn.dynamic_quantize_linear %x
        : (tensor<1x64xf32>) -> (tensor<1x64xui8>, tensor<f32>, tensor<ui8>)
    ```
  }];
  let arguments = (ins QNN_FloatTensor:$input);
  let results = (outs RankedTensorOf<[UI8]>:$output, 0DTensorOf<[F32]>:$scale,
                      0DTensorOf<[UI8]>:$zero_point);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def QNN_DequantizeOp : QNN_Op<"dequantize", [Pure, SameOperandsAndResultShape]> {
  let summary = "Quantized to float: (q - z) * s";
  let description = [{
    Example:

    ```mlir
    %x = qnn.dequantize %q : (tensor<4x!quant.uniform<i8:f32, 0.05:-3>>) -> tensor<4xf32>
    ```
  }];
  let arguments = (ins QNN_QuantTensor:$input);
  let results = (outs QNN_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

/// Storage of block-quantized weights: signed or unsigned 4- or 8-bit.
def QNN_BlockStorage : AnyTypeOf<[SI<4>, UI<4>, SI<8>, UI<8>]>;

def QNN_BlockDequantizeOp : QNN_Op<"block_dequantize", [Pure]> {
  let summary = "Block-wise (group-wise) dequantization: (q - z[b]) * s[b]";
  let description = [{
    Dequantizes integer weights whose scale (and zero point) change every
    `block_size` elements along `axis`: with `b` the index of `i` with its
    `axis` coordinate divided by `block_size`,

    `output[i] = (input[i] - zero_point[b]) * scale[b]`

    (zero point 0 when absent). This is ONNX's blocked DequantizeLinear
    (opset 21) and the weight half of ONNX Runtime's MatMulNBits; qopt's
    `--quantize-dynamic=mode=weight-only group-size=...` emits it for
    products with constant weights. `scale` and `zero_point` have the
    input's shape with the `axis` dimension `ceil(d / block_size)`; the last
    block may be partial.

    Scales and zero points are tensor operands rather than parameters of a
    `!quant.uniform` sub-channel type: a 4096 x 4096 layer in blocks of 32
    has 524,288 of them, which a type would print inline at every use. The
    storage is plain signed or unsigned 4- or 8-bit integers; the CPU
    lowering of a product whose weights this op produces packs 4-bit values
    two per byte and unpacks them inside the product's loop (the float
    weights are never materialized).

    Example:

    ```mlir
    %w = qnn.block_dequantize %q, %s, %z {axis = 0 : i64, block_size = 32 : i64}
        : (tensor<64x16xui4>, tensor<2x16xf32>, tensor<2x16xui4>) -> tensor<64x16xf32>
    ```
  }];
  let arguments = (ins RankedTensorOf<[QNN_BlockStorage]>:$input,
                       RankedTensorOf<[F32]>:$scale,
                       Optional<RankedTensorOf<[QNN_BlockStorage]>>:$zero_point,
                       I64Attr:$axis, I64Attr:$block_size);
  let results = (outs RankedTensorOf<[F32]>:$output);
  let assemblyFormat = [{
    $input `,` $scale (`,` $zero_point^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def QNN_RequantizeOp : QNN_Op<"requantize", [Pure, SameOperandsAndResultShape]> {
  let summary = "Change quantization parameters of a quantized tensor";
  let description = [{
    `q_out = clamp(round((q_in - z_in) * s_in / s_out) + z_out)`. Inserted
    where propagation meets conflicting parameters; `--integer-only` turns it
    into `qnn.rescale`.

    Example:

    ```mlir
    %r = qnn.requantize %q : (tensor<4x!quant.uniform<i8:f32, 0.1>>)
        -> tensor<4x!quant.uniform<i8:f32, 0.05:3>>
    ```
  }];
  let arguments = (ins QNN_QuantTensor:$input);
  let results = (outs QNN_QuantTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def QNN_RescaleOp : QNN_Op<"rescale", [Pure, SameOperandsAndResultShape]> {
  let summary = "Integer requantization by fixed-point multiplier and shift";
  let description = [{
    For every element (per-channel along `axis` when `multiplier` has more
    than one entry):

    `out = saturate(round((x - input_zp) * multiplier * 2^(shift - 31)) + output_zp)`

    `multiplier` is a non-negative Q0.31 value (a real multiplier `m` is
    `multiplier * 2^(shift - 31)`, `multiplier` in [2^30, 2^31) when
    normalized); `shift` is in [-31, 30] (positive shifts left).
    `rounding = single_round` (the default) is TOSA's `apply_scale_32`: one
    round-half-up on the 64-bit product, within half a step of the exact
    result. `double_round` is gemmlowp/TFLite's
    `RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(x * 2^left, M), right)`,
    whose two roundings are off by one step for about 2^-|shift| of the
    inputs (results of `acc * M` that land just below a tie). The result is saturated to the result integer type
    (signed, or unsigned when `output_unsigned`).

    Example:

    ```mlir
    %y = qnn.rescale %acc {multiplier = array<i32: 1717986918>, shift = array<i32: -4>,
                           input_zp = 0 : i64, output_zp = -3 : i64,
                           rounding = #qnn.rounding<single_round>}
        : (tensor<1x16xi32>) -> tensor<1x16xi8>
    ```
  }];
  let arguments = (ins QNN_IntTensor:$input,
                   DenseI32ArrayAttr:$multiplier,
                   DenseI32ArrayAttr:$shift,
                   DefaultValuedAttr<I64Attr, "0">:$input_zp,
                   DefaultValuedAttr<I64Attr, "0">:$output_zp,
                   DefaultValuedAttr<QNN_RoundingModeAttr,
                       "::mlir::qnn::RoundingMode::SingleRound">:$rounding,
                   OptionalAttr<I64Attr>:$axis,
                   DefaultValuedAttr<BoolAttr, "false">:$input_unsigned,
                   DefaultValuedAttr<BoolAttr, "false">:$output_unsigned);
  let results = (outs QNN_IntTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}


def QNN_LookupTableOp : QNN_Op<"lookup_table", [Pure,
                                                SameOperandsAndResultShape]> {
  let summary = "Elementwise function of an 8-bit tensor as a 256-entry table";
  let description = [{
    `--integer-only` replaces a float island that is a function of one 8-bit
    quantized tensor (sigmoid, tanh, x * sigmoid(x), GELU, exp...) between
    its dequantize and the next quantize by the table of its 256 possible
    results, computed at compile time from the float function and both
    quantization parameter sets. `table[i]` is the stored result for the
    stored input value `i + min` (`min` is -128 for i8, 0 for u8).

    Example:

    ```mlir
    %y = qnn.lookup_table %x {table = dense<...> : tensor<256xi8>}
        : (tensor<4x!quant.uniform<i8:f32, 0.05>>)
        -> tensor<4x!quant.uniform<i8:f32, 0.0039:-128>>
    ```
  }];
  let arguments = (ins QNN_Tensor:$input, AnyIntElementsAttr:$table);
  let results = (outs QNN_Tensor:$output);
  let assemblyFormat = [{
    $input attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

#endif // QOPT_DIALECT_QNN_IR_QNNOPS_TD
