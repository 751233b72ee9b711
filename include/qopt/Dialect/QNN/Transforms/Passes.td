//===- Passes.td - QNN graph transformation passes ------------*- tablegen -*-===//
//
// Part of qopt.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_DIALECT_QNN_TRANSFORMS_PASSES_TD
#define QOPT_DIALECT_QNN_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def FoldBatchNormPass : Pass<"fold-bn", "::mlir::func::FuncOp"> {
  let summary = "Fold inference batch-norm into the producing conv, gemm or matmul";
  let description = [{
    With `a[c] = gamma[c] / sqrt(var[c] + eps)` (seed 004 §8.2):

    * `batch_norm(conv2d(x, W, b))` becomes `conv2d(x, W', b')` with
      `W'[f] = W[f] * a[f]` and `b'[f] = (b[f] - mean[f]) * a[f] + beta[f]`
      (grouped and depthwise convolutions too; a missing bias counts as 0);
    * `batch_norm(fully_connected(x, W, b))` likewise along the output
      features;
    * `batch_norm(matmul(x, W))` with a constant 2-D `W` scales W's columns and
      adds `b'` after the matmul.

    The producer must have no fused activation and no other user, and W, b
    and the four batch-norm parameters must be constants; the new weights are
    computed by the pass (in double precision, stored in the weight's type).

    A batch-norm that cannot be folded is never dropped: it becomes an
    equivalent per-channel `mul` by `a` and `add` of `beta - mean * a`
    (constants when the parameters are; computed in the graph otherwise).

    Before:

    ```mlir
    %c = qnn.conv2d %x, %w, %b : (...) -> tensor<1x16x8x8xf32>
    %y = qnn.batch_norm %c, %g, %beta, %m, %v {epsilon = 1.0e-05 : f32} : (...) -> tensor<1x16x8x8xf32>
    ```

    After:

    ```mlir
    %y = qnn.conv2d %x, %w_folded, %b_folded : (...) -> tensor<1x16x8x8xf32>
    ```
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect"];
  let options = [
    Option<"scaleShiftFallback", "scale-shift-fallback", "bool",
           /*default=*/"true",
           "Rewrite a batch-norm that cannot be folded into mul + add; when "
           "false, leave it and emit a remark saying why">,
  ];
}

def WidenFloat16Pass : Pass<"widen-float16", "::mlir::func::FuncOp"> {
  let summary = "Compute fp16 and bf16 parts of a model in f32";
  let description = [{
    Every f16/bf16 tensor and scalar inside the function becomes f32:
    constants are converted exactly, `arith.truncf`/`arith.extf` that no
    longer change the type disappear, and the signature keeps its types (a
    half-precision argument is widened on entry, a half-precision result
    rounded on return). Quantization runs on the widened model, so fp16
    weights are quantized like fp32 ones (from their exact values) and the
    observers see f32 activations. The model computes without the roundings
    to half precision between ops: closer to real arithmetic, not bit-equal
    to a half-precision run. An op that reinterprets half-precision bits
    (`arith.bitcast`) is an error.

    Before:

    ```mlir
    %h = arith.constant dense<0.5> : tensor<4xf16>
    %y = qnn.add %x, %h : (tensor<4xf16>, tensor<4xf16>) -> tensor<4xf16>
    ```

    After:

    ```mlir
    %h = arith.constant dense<0.5> : tensor<4xf32>
    %y = qnn.add %x, %h : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    ```
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

def FuseOpsPass : Pass<"fuse-ops", "::mlir::func::FuncOp"> {
  let summary = "Fuse activations into conv, fully_connected, matmul and add";
  let description = [{
    Patterns (the producer's result must have this activation as its only
    user):

    | producer | activation | fused activation |
    |---|---|---|
    | conv2d, fully_connected, matmul, add | relu | `relu` |
    | same | clip(0, 6) | `relu6` |
    | same | clip(min, max) | `clip` with `clip_min`/`clip_max` |

    A producer that already has an activation composes with the new one
    (clamps compose into the intersection of their ranges). The fused op takes
    the activation's result type, so quantized graphs keep the activation's
    output parameters.

    Before:

    ```mlir
    %c = qnn.conv2d %x, %w : (...) -> tensor<1x8x4x4xf32>
    %r = qnn.clip %c {min = 0.0 : f32, max = 6.0 : f32} : (...) -> tensor<1x8x4x4xf32>
    ```

    After:

    ```mlir
    %r = qnn.conv2d %x, %w {fused_activation = #qnn.activation<relu6>} : (...) -> tensor<1x8x4x4xf32>
    ```
  }];
  let options = [
    Option<"fuseAdd", "fuse-add", "bool", /*default=*/"true",
           "Also fuse activations into qnn.add">,
  ];
}

def EqualizeCrossLayerPass : Pass<"equalize", "::mlir::func::FuncOp"> {
  let summary = "Cross-layer equalization of consecutive conv / fully_connected layers";
  let description = [{
    Data-free cross-layer equalization (Nagel et al., "Data-Free
    Quantization Through Weight Equalization and Bias Correction", ICCV
    2019). For a producer `y = act(W1 x + b1)` whose only user is a consumer
    `z = W2 y + b2`, and a positive-homogeneous `act` (none or ReLU:
    `act(x / s) = act(x) / s` for `s > 0`), scaling output channel `i` of the
    producer by `1 / s_i` and input channel `i` of the consumer by `s_i`
    leaves the function unchanged. With `r1_i` the range (max |w|) of the
    producer's channel `i` and `r2_i` that of the consumer's input channel
    `i`, `s_i = sqrt(r1_i / r2_i)` makes both ranges `sqrt(r1_i * r2_i)`,
    which maximizes the precision of per-tensor weight scales, and evens out
    the producer's activation channels (what per-tensor activation scales
    need). Chains (conv -> conv -> conv) are equalized pair by pair until no
    scale moves by more than `tolerance` (a fixed point) or
    `max-iterations`.

    Pairs: conv2d (grouped and depthwise too) and fully_connected with
    constant weights and biases, the producer's result used only by the
    consumer's input (no residual branch). A ReLU6 or clip between them is
    not positive-homogeneous (the bound would have to move per channel): the
    pair is skipped, unless `relu6-as-relu` replaces the ReLU6 by a ReLU
    first (the paper's recipe; it changes the function where activations
    exceed 6).

    Example (ReLU between two 1x1 convolutions):

    ```mlir
    %0 = qnn.conv2d %x, %w1, %b1 {fused_activation = #qnn.activation<relu>} : ...
    %1 = qnn.conv2d %0, %w2, %b2 : ...
    ```

    keeps its form; `%w1`'s rows and `%b1` are divided by `s` and `%w2`'s
    input channels multiplied by it.
  }];
  let options = [
    Option<"maxIterations", "max-iterations", "unsigned", /*default=*/"100",
           "Sweeps over all pairs at most">,
    Option<"tolerance", "tolerance", "double", /*default=*/"1e-4",
           "Stop when no scale of a sweep differs from 1 by more than this">,
    Option<"relu6AsRelu", "relu6-as-relu", "bool", /*default=*/"false",
           "Replace a fused ReLU6 between a pair by ReLU and equalize it "
           "(changes the function where activations exceed 6)">,
  ];
  let statistics = [
    Statistic<"numPairs", "pairs", "Layer pairs equalized">,
    Statistic<"numSkippedClip", "skipped-clip",
              "Pairs skipped for a ReLU6 or clip between them">,
  ];
}

def RoundWeightsPass : Pass<"round-weights", "::mlir::ModuleOp"> {
  let summary = "Choose quantized weights from calibration data (learned rounding, bias correction)";
  let description = [{
    Quantizes the constant float weights of conv2d (grouped and depthwise
    too), fully_connected and matmul (a constant 2-D right operand) before
    `quantize-static`, which keeps weights that arrive as
    `qnn.dequantize(qnn.qconst)`. Each weight becomes symmetric
    `weight-bits` integers (per output channel or per tensor; per layer as
    the `config` says) by one of two roundings:

    * `nearest`: round to nearest at scale `max|w| / (2^(b-1) - 1)` (what
      `quantize-static` does by itself);
    * `learned`: GPTQ (Frantar et al., "GPTQ: Accurate Post-Training
      Quantization for Generative Pre-trained Transformers", ICLR 2023; the
      OBQ update of Frantar & Alistarh 2022). With `X` the layer's input
      (im2col patches for convolutions) on the calibration data and
      `H = X^T X / n`, the weights of each row are quantized one input
      column at a time, in order of decreasing `H[k][k]`; the error of each
      is spread over the columns not yet quantized through the Cholesky
      factor of `H^-1`, which minimizes the layer's output error
      `||W X - Q X||^2` given the earlier choices. The scale of each row (or
      of the tensor) is first chosen among clipping ratios 1.0 ... 0.5 by
      the input-weighted error `sum_k H[k][k] (w_k - q_k)^2`. `damping` (a
      fraction of the mean of `H`'s diagonal added to it) keeps `H`
      invertible.

    GPTQ rather than AdaRound: it needs no gradient descent, no learning
    rate, annealing schedule or iteration count, is deterministic, and
    costs one Cholesky factorization per layer; its statistics (`H`) stream
    batch by batch, so memory is flat in the number of samples (layers are
    processed in groups whose `H` fit in 512 MiB, one pass over the data per
    group).

    With `bias-correction` (Nagel et al. 2019, §4.2), the expected output
    error each weight change causes, `(Q - W) E[x]` with `E[x]` the mean of
    the layer's input on the calibration data (per im2col column, so zero
    padding is accounted for), is subtracted from the bias (a conv2d or
    fully_connected without one gets one).

    Statistics come from the float model through the JIT: a driver that can
    compile (qopt, qopt-run, qopt-compile, Python) hands the pass its
    layer-input streamer. Layers inside If/Loop bodies and layers kept float
    by the config are left to `quantize-static`.

    Example: `qnn.conv2d %x, %w, %b` with float `%w` becomes
    `qnn.conv2d %x, %wq, %b2` with
    `%wq = qnn.dequantize(qnn.qconst<!quant.uniform<i8<-7:7>:f32:0, {...}>>)`.
  }];
  let options = [
    Option<"rounding", "rounding", "::mlir::qnn::WeightRounding",
           /*default=*/"::mlir::qnn::WeightRounding::Learned",
           "How each weight's integer is chosen", [{::llvm::cl::values(
             clEnumValN(::mlir::qnn::WeightRounding::Nearest, "nearest",
                        "round to nearest"),
             clEnumValN(::mlir::qnn::WeightRounding::Learned, "learned",
                        "GPTQ from calibration data"))}]>,
    Option<"biasCorrection", "bias-correction", "bool", /*default=*/"true",
           "Subtract the expected output error of the quantized weights "
           "from the bias">,
    Option<"perChannel", "per-channel", "bool", /*default=*/"true",
           "Per-channel weight scales (per-tensor when false)">,
    Option<"weightBits", "weight-bits", "unsigned", /*default=*/"8",
           "Weight bits: 8 or 4">,
    Option<"damping", "damping", "double", /*default=*/"0.01",
           "GPTQ: added to H's diagonal, as a fraction of its mean">,
    ListOption<"calibrationData", "calibration-data", "std::string",
               "The calibration data: one .npy per model input, one .npz, "
               "or a directory of per-sample .npz files">,
    Option<"config", "config", "std::string", /*default=*/"\"\"",
           "Per-layer overrides as quantize-static reads them (keep_float, "
           "weight_bits, activation_bits, per_channel)">,
  ];
  let statistics = [
    Statistic<"numLayers", "layers", "Layers whose weights were chosen">,
  ];
  let dependentDialects = ["::mlir::qnn::QNNDialect",
                           "::mlir::quant::QuantDialect"];
}

def SmoothQuantPass : Pass<"smooth-quant", "::mlir::ModuleOp"> {
  let summary = "Migrate activation outliers into the weights (SmoothQuant)";
  let description = [{
    SmoothQuant (Xiao, Lin, Seznec, Wu, Demouth, Han, "SmoothQuant: Accurate
    and Efficient Post-Training Quantization for Large Language Models",
    ICML 2023). For a layer `Y = X W` whose input `X` has a few channels far
    larger than the rest (what per-tensor activation scales handle worst),
    `Y = (X diag(1/s)) (diag(s) W)`: dividing input channel `j` by `s_j` and
    multiplying the weights of that channel by it keeps the function and
    moves range from the activation to the weights, which are quantized per
    output channel and have range to spare. With `a_j = max |X_j|` on the
    calibration data and `w_j = max |W_j|` (over every layer reading `X`),

        s_j = a_j^alpha / w_j^(1 - alpha)

    (`alpha`, the migration strength: 0.5 by default). With
    `search-alpha`, each input picks the `alpha` in 0.1 ... 0.9 -- or no
    smoothing -- with the least output error `||X W - q(X/s) q(sW)||^2` on
    up to 4096 rows of its calibration data (8-bit per-tensor activations,
    `weight-bits` per-channel weights), so smoothing never makes a layer's
    own error worse.

    Layers: fully_connected and matmul with a constant 2-D weight, at the
    top level of `main`, reading `X` along its last axis; every user of `X`
    must be such a layer (they share `s`, as Q/K/V projections do). The
    division by `s` is folded into what produces `X`, which must be linear
    per channel and used only on that path: a `qnn.layer_norm` with a
    constant per-channel scale (and shift); the same decomposed, as
    paddle2onnx and older exporters write it: `qnn.mul(y, gamma)` with a
    constant per-channel (or scalar) `gamma`, optionally followed by
    `qnn.add(., beta)` with a constant `beta`; or a fully_connected / matmul
    with constant weights and no activation (its output channels). Layers whose
    input has no such producer are skipped (counted); the config's
    keep_float layers are left alone.

    Statistics come from the float model through the JIT (a driver's
    layer-input streamer, as for `round-weights`).

    Example: `%n = qnn.mul %x, %gamma`, `%y = qnn.add %n, %beta`,
    `%z = qnn.matmul %y, %w` becomes the same ops with `%gamma / s`,
    `%beta / s` and `diag(s) %w`.
  }];
  let options = [
    Option<"alpha", "alpha", "double", /*default=*/"0.5",
           "Migration strength: 0 keeps the activations' range, 1 moves "
           "all of it into the weights">,
    Option<"searchAlpha", "search-alpha", "bool", /*default=*/"false",
           "Choose alpha per input (0.1 ... 0.9 or none) by the layer's "
           "output error on the calibration data">,
    Option<"weightBits", "weight-bits", "unsigned", /*default=*/"8",
           "Weight bits the search's error model assumes: 8 or 4">,
    ListOption<"calibrationData", "calibration-data", "std::string",
               "The calibration data: one .npy per model input, one .npz, "
               "or a directory of per-sample .npz files">,
    Option<"config", "config", "std::string", /*default=*/"\"\"",
           "Per-layer overrides as quantize-static reads them (keep_float "
           "layers are not smoothed)">,
  ];
  let statistics = [
    Statistic<"numSmoothed", "smoothed",
              "Inputs smoothed (each read by one or more layers)">,
    Statistic<"numSkipped", "skipped",
              "Candidate inputs left alone (no producer can absorb the "
              "scale, or the search kept them)">,
  ];
  let dependentDialects = ["::mlir::qnn::QNNDialect",
                           "::mlir::arith::ArithDialect"];
}

def InsertObserversPass : Pass<"insert-observers", "::mlir::ModuleOp"> {
  let summary = "Put a qnn.observer on every activation quantization needs";
  let description = [{
    Observes float function inputs and the outputs of every op whose result
    gets its own quantization parameters (trait `ObservedResult`: conv2d,
    fully_connected, matmul, batch_norm, add/sub/mul/div, avg_pool2d,
    global_avg_pool2d, concat, relu/clip/leaky_relu/sigmoid/hard_sigmoid/
    softmax, cast). Data movement (reshape, flatten, transpose, pad,
    max_pool2d) keeps its input's parameters and is not observed. Observers
    sit after fused activations (they are part of the producer). Ops inside
    If/Loop bodies (scf regions) are observed too. An activation that
    reaches an op with an integer form (`Quantizable`) from an op without
    parameters (a gather, a layer norm, any linalg.generic, an If result, a
    loop-carried value) is observed where it is made, so that op gets
    quantized operands; constants are never observed.

    Each observer gets an `id` unique in the module (in walk order, so stable
    for the same input) and the producer's location (the ONNX node name), and
    the calibration method: `method` for all, overridden per layer by
    `method-overrides=NAME_REGEX:METHOD,...` matched against the location
    name. Running the pass twice does not observe a value twice.

    Example:

    ```mlir
    %c = qnn.conv2d %x, %w : (...) -> tensor<1x8x4x4xf32>
    ```

    becomes

    ```mlir
    %o0 = qnn.observer %x {id = 0 : i64} : tensor<1x3x8x8xf32>
    %c = qnn.conv2d %o0, %w : (...) -> tensor<1x8x4x4xf32>
    %o1 = qnn.observer %c {id = 1 : i64} : tensor<1x8x4x4xf32>
    ```
  }];
  let options = [
    Option<"method", "method", "::mlir::qnn::CalibrationMethod",
           /*default=*/"::mlir::qnn::CalibrationMethod::MSE",
           "Calibration method", [{::llvm::cl::values(
             clEnumValN(::mlir::qnn::CalibrationMethod::MinMax, "minmax",
                        "observed min and max"),
             clEnumValN(::mlir::qnn::CalibrationMethod::MovingAverage,
                        "moving_average", "moving average of batch ranges"),
             clEnumValN(::mlir::qnn::CalibrationMethod::Percentile,
                        "percentile", "histogram percentile"),
             clEnumValN(::mlir::qnn::CalibrationMethod::Entropy, "entropy",
                        "KL-divergence threshold (TensorRT)"),
             clEnumValN(::mlir::qnn::CalibrationMethod::MSE, "mse",
                        "least expected quantization error"),
             clEnumValN(::mlir::qnn::CalibrationMethod::KSigma, "ksigma",
                        "mean +- k standard deviations"))}]>,
    Option<"methodOverrides", "method-overrides", "std::string",
           /*default=*/"\"\"",
           "Comma-separated NAME_REGEX:METHOD pairs, matched against the "
           "producer's location name">,
  ];
  let dependentDialects = ["::mlir::qnn::QNNDialect",
                           "::mlir::quant::QuantDialect"];
}

def QuantizeStaticPass : Pass<"quantize-static", "::mlir::ModuleOp"> {
  let summary = "Turn calibrated observers into quantized ops";
  let description = [{
    Every `qnn.observer` must carry calibrated `min`/`max` (from
    `qopt-run --calibrate`); its range becomes `!quant.uniform` parameters
    (asymmetric int8 by default; the range always includes 0) and the observer
    a `qnn.quantize` / `qnn.dequantize` pair. Then `dequantize -> op ->
    quantize` chains fold into quantized ops (the patterns `--lower-fake-quant`
    uses):

    * conv2d / fully_connected / matmul with constant float weights: weights
      per-channel (axis 0, or the last axis for matmul) symmetric int8 in
      [-127, 127], bias int32 with scale `s_in * s_w[c]` (a bias that would
      exceed 2^30 widens its channel's weight scale, TFLite's guard), fused
      activations kept;
    * max_pool2d, reshape, flatten, transpose: computed on the quantized
      input, keeping its parameters;
    * matmul of two activations (attention's Q*K^T and P*V): both operands
      8-bit per tensor, int32 accumulation;
    * relu / clip / add / global_avg_pool2d: quantized with the output's
      parameters;
    * `quantize(dequantize(q))`: `q`, or `qnn.requantize` when parameters
      differ.

    Any graph quantizes: ops without an integer form (softmax, sigmoid,
    layer norm, the importer's linalg.generic long tail, If/Loop results)
    stay float between the dequantize and quantize the pass places; which
    ops are which is declared on them (`Quantizable`, `DataMovementOpInterface`,
    `ObservedResult`). `--integer-only` turns such islands on one 8-bit
    tensor into lookup tables (`--form-lookup-tables`).

    Two kinds of values stay float on purpose, each with a warning:
    observers inside If/Loop bodies that calibration never reached (a branch
    that did not run: no statistics are invented), and the computation of a
    logarithm's operand when it needs more than 8 bits (a power, or a
    calibrated range over 2^8: log-mel front ends; see
    WideRangeLogarithms.h).

    Example:

    ```mlir
    %i = qnn.observer %x {id = 0 : i64, min = 0.0 : f64, max = 1.0 : f64} : tensor<1x8xf32>
    %y = qnn.fully_connected %i, %w : (tensor<1x8xf32>, tensor<4x8xf32>) -> tensor<1x4xf32>
    %o = qnn.observer %y {id = 1 : i64, min = -2.0 : f64, max = 2.0 : f64} : tensor<1x4xf32>
    ```

    becomes quantize -> quantized fully_connected (qconst weights) ->
    dequantize.
  }];
  let options = [
    Option<"activationType", "activation-type", "::mlir::qnn::ActivationType",
           /*default=*/"::mlir::qnn::ActivationType::Int8",
           "Activation storage", [{::llvm::cl::values(
             clEnumValN(::mlir::qnn::ActivationType::Int8, "int8", "int8"),
             clEnumValN(::mlir::qnn::ActivationType::UInt8, "uint8", "uint8"),
             clEnumValN(::mlir::qnn::ActivationType::Int16, "int16",
                        "symmetric int16 with 8-bit weights (16x8)"))}]>,
    Option<"symmetricActivations", "symmetric-activations", "bool",
           /*default=*/"false", "Symmetric activation ranges (zero point 0, "
           "or 128 for uint8)">,
    Option<"perChannel", "per-channel", "bool", /*default=*/"true",
           "Per-channel weight scales (per-tensor when false)">,
    Option<"weightBits", "weight-bits", "unsigned", /*default=*/"8",
           "Weight bits: 8 ([-127, 127]) or 4 ([-7, 7], stored as i8)">,
    ListOption<"calibrationData", "calibration-data", "std::string",
               "Calibrate in process on these .npy files (one per model "
               "input; or one .npz, or a directory of per-sample .npz "
               "files), inserting observers first when there are none">,
    Option<"config", "config", "std::string", /*default=*/"\"\"",
           "JSON per-layer overrides (mixed precision), a file or the JSON "
           "itself: {\"layers\": "
           "[{\"match\": REGEX, \"keep_float\": true, \"weight_bits\": 4, "
           "\"activation_bits\": 16, \"per_channel\": false}]}, REGEX "
           "searched in the op's location name">,
    Option<"calibrationMethod", "calibration-method",
           "::mlir::qnn::CalibrationMethod",
           /*default=*/"::mlir::qnn::CalibrationMethod::MSE",
           "Method of the observers inserted for calibration-data", [{::llvm::cl::values(
             clEnumValN(::mlir::qnn::CalibrationMethod::MinMax, "minmax",
                        "observed min and max"),
             clEnumValN(::mlir::qnn::CalibrationMethod::MovingAverage,
                        "moving_average", "moving average of batch ranges"),
             clEnumValN(::mlir::qnn::CalibrationMethod::Percentile,
                        "percentile", "histogram percentile"),
             clEnumValN(::mlir::qnn::CalibrationMethod::Entropy, "entropy",
                        "KL-divergence threshold (TensorRT)"),
             clEnumValN(::mlir::qnn::CalibrationMethod::MSE, "mse",
                        "least expected quantization error"),
             clEnumValN(::mlir::qnn::CalibrationMethod::KSigma, "ksigma",
                        "mean +- k standard deviations"))}]>,
  ];
  let dependentDialects = ["::mlir::qnn::QNNDialect",
                           "::mlir::quant::QuantDialect"];
}

def QuantizeDynamicPass : Pass<"quantize-dynamic", "::mlir::func::FuncOp"> {
  let summary = "Int8 weights with activation scales computed at run time, or weight-only";
  let description = [{
    Needs no calibration (seed 004, static vs dynamic quantization). Every
    conv2d / fully_connected / matmul with constant float weights gets
    symmetric int8 (or 4-bit) weights, per channel along the output axis
    (axis 0; the last axis for matmul) or per tensor.

    `mode=dynamic` (default; TFLite's dynamic range quantization): the
    input is quantized at run time to symmetric int8 with scale
    `s_x = max|x| / 127` (`qnn.dynamic_quantize`), the op accumulates
    integers in i32 (a unit-scale quantized op that `--integer-only` lowers
    like ONNX ConvInteger), and the float result is
    `acc * s_x * s_w[c] + bias`, followed by the op's fused activation.

    `mode=weight-only`: weights are stored as int8 `qnn.qconst` and
    dequantized in front of the float op; arithmetic stays float, the model
    file and the compiled object carry 8-bit (or 4-bit) weights.

    `mode=weight-only group-size=G` (32, 64, 128...): the weights of
    fully_connected and matmul are quantized in blocks of G along their
    reduction axis, asymmetrically as ONNX Runtime's MatMulNBits quantizer
    does (per block `s = (max(w, 0) - min(w, 0)) / (2^bits - 1)`,
    `z = round(-min(w, 0) / s)`, unsigned 4- or 8-bit values), and
    dequantized by `qnn.block_dequantize`; the CPU lowering unpacks them
    inside the product. Convolutions keep per-channel weights.

    `mode=dynamic group-size=G`: the same block-quantized weights, and the
    product's input replaced by its run-time int8 round trip
    `dequantize(q) * s_x` (`q, s_x = qnn.dynamic_quantize(x)`), so that the
    op is a float product of int8 activations and 4-bit weights (W4A8).
    The CPU lowering computes it as integer dot products per block,
    `y = s_x * sum_g s_w[g] * sum_{k in g} q[k] * (w[k] - z_w[g]) + bias`.
    Products whose weights arrive block-quantized (an imported MatMulNBits
    or blocked DequantizeLinear) get the same activation quantization in
    dynamic mode.

    Example (`mode=dynamic`):

    ```mlir
    %y = qnn.fully_connected %x, %w, %b : (tensor<?x64xf32>, tensor<10x64xf32>, tensor<10xf32>) -> tensor<?x10xf32>
    // becomes
    %q, %sx = qnn.dynamic_quantize %x : (tensor<?x64xf32>) -> (tensor<?x64x!quant.uniform<i8<-127:127>:f32, 1.0>>, tensor<f32>)
    %wq = qnn.qconst dense<...> : tensor<10x64xi8> -> tensor<10x64x!quant.uniform<i8<-127:127>:f32, 1.0>>
    %acc = qnn.fully_connected %q, %wq : (...) -> tensor<?x10x!quant.uniform<i32:f32, 1.0>>
    %a = qnn.dequantize %acc : (...) -> tensor<?x10xf32>
    %t = qnn.mul %a, %sw : (tensor<?x10xf32>, tensor<10xf32>) -> tensor<?x10xf32>
    %u = qnn.mul %t, %sx : (tensor<?x10xf32>, tensor<f32>) -> tensor<?x10xf32>
    %y = qnn.add %u, %b : (tensor<?x10xf32>, tensor<10xf32>) -> tensor<?x10xf32>
    ```
  }];
  let dependentDialects = ["::mlir::quant::QuantDialect",
                           "::mlir::arith::ArithDialect"];
  let options = [
    Option<"mode", "mode", "::mlir::qnn::DynamicQuantMode",
           /*default=*/"::mlir::qnn::DynamicQuantMode::Dynamic",
           "What to quantize",
           [{::llvm::cl::values(
             clEnumValN(::mlir::qnn::DynamicQuantMode::Dynamic, "dynamic",
                        "int8 arithmetic, run-time activation scales"),
             clEnumValN(::mlir::qnn::DynamicQuantMode::WeightOnly,
                        "weight-only", "int8 storage, float arithmetic"))}]>,
    Option<"perChannel", "per-channel", "bool", /*default=*/"true",
           "One weight scale per output channel (else per tensor)">,
    Option<"weightBits", "weight-bits", "unsigned", /*default=*/"8",
           "Weight bits: 8 or 4 (4-bit values are stored in i8)">,
    Option<"groupSize", "group-size", "unsigned", /*default=*/"0",
           "One scale and zero point per this many weights along the "
           "reduction axis of fully_connected / matmul (0: per channel or "
           "per tensor); with mode=dynamic the activations are int8 (W4A8)">,
  ];
}

def PrepareQATPass : Pass<"prepare-qat", "::mlir::ModuleOp"> {
  let summary = "Insert fake-quant ops for quantization-aware training";
  let description = [{
    Turns a float model into its fake-quant simulation, the graph a training
    framework fine-tunes with the straight-through estimator (seed 004 §5):

    * every `qnn.observer` (from `--insert-observers`) becomes a
      `qnn.fake_quant` with per-tensor parameters from its calibrated
      min / max, or from `activation-range` when it has no statistics;
    * the constant weights of conv2d / fully_connected / matmul get a
      `qnn.fake_quant` with symmetric narrow-range parameters (per output
      channel by default), computed from the weights themselves.

    Biases stay float: `--lower-fake-quant` quantizes them to int32 at scale
    `s_x * s_w`. `qopt-run` executes the result in float (the simulation);
    `--lower-fake-quant` turns it into quantized ops with exactly these
    parameters, so the integer model computes what training simulated.

    Example:

    ```mlir
    %i = qnn.observer %x {id = 0 : i64, min = -1.0 : f64, max = 1.0 : f64} : tensor<1x8xf32>
    %y = qnn.fully_connected %i, %w : (tensor<1x8xf32>, tensor<4x8xf32>) -> tensor<1x4xf32>
    ```

    becomes

    ```mlir
    %i = qnn.fake_quant %x {qtype = !quant.uniform<i8:f32, 0.0078431372549019607:-1>} : tensor<1x8xf32>
    %wq = qnn.fake_quant %w {qtype = !quant.uniform<i8<-127:127>:f32:0, {...}>} : tensor<4x8xf32>
    %y = qnn.fully_connected %i, %wq : (tensor<1x8xf32>, tensor<4x8xf32>) -> tensor<1x4xf32>
    ```
  }];
  let options = [
    Option<"activationType", "activation-type", "::mlir::qnn::ActivationType",
           /*default=*/"::mlir::qnn::ActivationType::Int8",
           "Activation storage", [{::llvm::cl::values(
             clEnumValN(::mlir::qnn::ActivationType::Int8, "int8", "int8"),
             clEnumValN(::mlir::qnn::ActivationType::UInt8, "uint8", "uint8"))}]>,
    Option<"symmetricActivations", "symmetric-activations", "bool",
           /*default=*/"false", "Symmetric activation ranges">,
    Option<"perChannel", "per-channel", "bool", /*default=*/"true",
           "Per-channel weight scales (per-tensor when false)">,
    Option<"weightBits", "weight-bits", "unsigned", /*default=*/"8",
           "Weight bits: 8 ([-127, 127]) or 4 ([-7, 7])">,
    ListOption<"activationRange", "activation-range", "double",
               "LO,HI: the range of every observer without statistics">,
  ];
  let dependentDialects = ["::mlir::qnn::QNNDialect",
                           "::mlir::quant::QuantDialect"];
}

def LowerFakeQuantPass : Pass<"lower-fake-quant", "::mlir::ModuleOp"> {
  let summary = "Turn fake-quant simulation (qnn.fake_quant, QDQ pairs) into quantized ops";
  let description = [{
    `qnn.fake_quant` becomes a `qnn.quantize` / `qnn.dequantize` pair with
    exactly its parameters; then the QDQ patterns of `--quantize-static` fold
    `dequantize -> op -> quantize` into quantized ops, taking weights and
    biases given as `dequantize(qconst)` as they are. Parameters are never
    recalibrated: where two disagree a `qnn.requantize` is inserted.

    QAT graphs keep a batch-norm simulation after the convolution (PyTorch
    exports conv -> div -> add -> batch_norm) and unfused activations; the
    pass folds both (the `--fold-bn` and `--fuse-ops` patterns): per-channel
    factors go into the quantized weights' scales, never into their
    integers, so the integer model computes what training simulated.

    Example:

    ```mlir
    %q = qnn.quantize %x : (tensor<4xf32>) -> tensor<4x!quant.uniform<i8:f32, 0.1>>
    %d = qnn.dequantize %q : (tensor<4x!quant.uniform<i8:f32, 0.1>>) -> tensor<4xf32>
    %r = qnn.relu %d : (tensor<4xf32>) -> tensor<4xf32>
    %q2 = qnn.quantize %r : (tensor<4xf32>) -> tensor<4x!quant.uniform<i8:f32, 0.1>>
    ```

    becomes `qnn.relu` on the quantized `%q`.
  }];
  let dependentDialects = ["::mlir::qnn::QNNDialect",
                           "::mlir::quant::QuantDialect"];
}

def VerifyIntegerOnlyPass : Pass<"verify-integer-only", "::mlir::ModuleOp"> {
  let summary = "Fail if float arithmetic remains inside the quantized region";
  let description = [{
    Checks a quantized graph (after `--quantize-static` or
    `--lower-fake-quant`, before `--integer-only`): every op that is reached
    from a `qnn.quantize` and reaches a `qnn.dequantize` must work on
    quantized or integer tensors. A float op there (an op without an integer
    kernel left between dequantize and quantize) is reported by name and
    location, and the pass fails.

    Example: in `quantize -> dequantize -> softmax -> quantize -> dequantize`,
    the softmax is reported.
  }];
}

def QuantizationReportPass
    : Pass<"quantization-report", "::mlir::ModuleOp"> {
  let summary = "Report float vs quantized weight bytes per layer (text and JSON)";
  let description = [{
    The size report of seed 004 §11: for every convolution, fully-connected
    and matmul op, the number of weight and bias elements, their bytes as
    float32, and their bytes as stored after quantization (weights at their
    effective bit width, so 4-bit weights in [-7, 7] count half a byte;
    int32 biases 4 bytes); then totals and the compression ratio. Layers
    kept in float count the same bytes on both sides. The text table goes to
    stderr; `json=FILE` also writes it as JSON. The module is not changed.

    Example output:
    ```
    layer                 weights  bits   float B  quant B
    /conv1/Conv               144     8       640      208
    total                                    ...      ...   (3.9x smaller)
    ```
  }];
  let options = [
    Option<"jsonFile", "json", "std::string", /*default=*/"\"\"",
           "Also write the report as JSON to this file">,
    Option<"printTable", "print", "bool", /*default=*/"true",
           "Print the text table on stderr (print=false with json= for "
           "libraries that must not print)">,
  ];
}

def FormLookupTablesPass : Pass<"form-lookup-tables", "::mlir::ModuleOp"> {
  let summary = "Replace float islands on 8-bit tensors by 256-entry tables";
  let description = [{
    A float island is what quantization leaves between the dequantize of a
    quantized tensor and the next quantize when the ops in between have no
    integer form: sigmoid, tanh, hard-swish, SiLU written `x * sigmoid(x)`,
    GELU in its Erf or tanh form, exp, log, softplus, elu... When the island
    is a function of one 8-bit per-tensor tensor (through elementwise ops,
    scalar constants and intermediate quantize/dequantize pairs), it has only
    256 possible inputs: this pass evaluates it for each of them at compile
    time, in double precision, rounding where the graph rounds, and
    replaces the island by `qnn.lookup_table`. The table is exact by
    construction: for every input it holds the stored value the float
    island rounds to (ties of the float island's own f32 arithmetic aside).

    Ops with an integer form of their own (relu, clip, requantize) are not
    made tables; an island needs at least one float op. `--integer-only`
    runs these patterns first.

    Example: `x * sigmoid(x)` on an int8 tensor

    ```mlir
    %d = qnn.dequantize %x : (tensor<8x!quant.uniform<i8:f32, 0.05>>) -> tensor<8xf32>
    %s = qnn.sigmoid %d : (tensor<8xf32>) -> tensor<8xf32>
    %m = qnn.mul %d, %s : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
    %y = qnn.quantize %m : (tensor<8xf32>) -> tensor<8x!quant.uniform<i8:f32, 0.025:-117>>
    ```

    becomes

    ```mlir
    %y = qnn.lookup_table %x {table = dense<[...]> : tensor<256xi8>} : (...) -> ...
    ```
  }];
  let dependentDialects = ["::mlir::qnn::QNNDialect"];
}

#endif // QOPT_DIALECT_QNN_TRANSFORMS_PASSES_TD
