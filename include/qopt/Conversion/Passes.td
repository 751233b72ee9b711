//===- Passes.td - qopt conversion passes ---------------------*- tablegen -*-===//
//
// Part of qopt.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_CONVERSION_PASSES_TD
#define QOPT_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// QNNToLinalg
//===----------------------------------------------------------------------===//

def ConvertQNNToLinalgPass
    : Pass<"convert-qnn-to-linalg", "::mlir::func::FuncOp"> {
  let summary = "Lower qnn ops on float tensors to linalg, tensor, arith and math";
  let description = [{
    Convolutions become `linalg.conv_2d_nchw_fchw` (grouped:
    `conv_2d_ngchw_gfchw`, depthwise: `depthwise_conv_2d_nchw_chw`) on a
    `tensor.pad`ded input, followed by one `linalg.generic` epilogue that adds
    the bias and applies the fused activation. fully_connected and matmul are
    `linalg.generic` contractions; pooling uses the linalg pooling ops (average
    pooling divides by a compile-time table of window sizes, so
    `count_include_pad = false` is exact at the borders); elementwise ops are
    broadcasting `linalg.generic`s; data movement uses `tensor` ops.

    A qnn op this pass cannot lower is reported by name and the pass fails.

    Example:

    ```mlir
    %y = qnn.relu %x : (tensor<4xf32>) -> tensor<4xf32>
    ```

    becomes

    ```mlir
    %e = tensor.empty() : tensor<4xf32>
    %y = linalg.generic {...} ins(%x : tensor<4xf32>) outs(%e : tensor<4xf32>) {
      ^bb0(%in: f32, %out: f32):
        %m = arith.maximumf %in, %zero : f32
        linalg.yield %m : f32
    } -> tensor<4xf32>
    ```
  }];
  let dependentDialects = [
    "::mlir::linalg::LinalgDialect", "::mlir::tensor::TensorDialect",
    "::mlir::arith::ArithDialect", "::mlir::math::MathDialect",
    "::mlir::scf::SCFDialect"
  ];
}

//===----------------------------------------------------------------------===//
// Quantized qnn to integer arithmetic
//===----------------------------------------------------------------------===//

def IntegerOnlyPass : Pass<"integer-only", "::mlir::ModuleOp"> {
  let summary = "Lower quantized qnn ops to integer arithmetic and qnn.rescale";
  let description = [{
    Every `!quant.uniform` tensor becomes its storage integer tensor (u8 is
    stored as `i8` and treated as unsigned), and quantized ops become integer
    code:

    * conv2d / fully_connected / matmul: int32 accumulation of
      `(x - zx) * (w - zw)` in `linalg.generic`, the int32 bias added, then
      `qnn.rescale` by `s_x * s_w[c] / s_y` as a fixed-point multiplier and
      shift per output channel, then the fused activation as an integer
      clamp;
    * requantize: `qnn.rescale` by `s_in / s_out`;
    * quantize / dequantize (the float boundary): round half to even and
      saturate / `(q - z) * s`;
    * qconst: the stored integers as an `arith.constant`; `quant.scast`
      disappears;
    * float islands that are functions of one 8-bit tensor (sigmoid, tanh,
      `x * sigmoid(x)`, GELU, exp...) first become `qnn.lookup_table`
      (`--form-lookup-tables`, unless `lookup-tables=false`), lowered as a
      gather from the 256-entry constant.

    Function signatures with quantized tensors take their storage types.
    `rounding` selects the fixed-point rounding of every `qnn.rescale`.

    Example:

    ```mlir
    %y = qnn.requantize %x : (tensor<4x!quant.uniform<i8:f32, 0.1>>) -> tensor<4x!quant.uniform<i8:f32, 0.05:3>>
    ```

    becomes

    ```mlir
    %y = qnn.rescale %x {multiplier = array<i32: 1073741824>, shift = array<i32: 2>, output_zp = 3 : i64} : (tensor<4xi8>) -> tensor<4xi8>
    ```
  }];
  let dependentDialects = ["::mlir::qnn::QNNDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::func::FuncDialect"];
  let options = [
    Option<"lookupTables", "lookup-tables", "bool", /*default=*/"true",
           "First replace float islands that are functions of one 8-bit "
           "tensor by 256-entry tables (--form-lookup-tables)">,
    Option<"rounding", "rounding", "::mlir::qnn::RoundingMode",
           /*default=*/"::mlir::qnn::RoundingMode::SingleRound",
           "Fixed-point rounding of requantization",
           [{::llvm::cl::values(
             clEnumValN(::mlir::qnn::RoundingMode::SingleRound, "single-round",
                        "one rounding (TOSA, TFLITE_SINGLE_ROUNDING; the "
                        "default)"),
             clEnumValN(::mlir::qnn::RoundingMode::DoubleRound, "double-round",
                        "gemmlowp's two roundings (TFLite's default)"))}]>,
    Option<"eightBitDotProducts", "eight-bit-dot-products", "bool",
           /*default=*/"true",
           "The target multiplies 8-bit activations by 8-bit weights in "
           "groups of four (x86 VNNI vpdpbusd, AArch64 usdot). Off (x86 "
           "without VNNI): dense convolutions with 8-bit activations widen "
           "them to 16 bits and use the pair layout of 16-bit activations "
           "(vpmaddwd with AVX2, exact; there is no exact 8-bit form)">,
    Option<"scaleArithmetic", "scale-arithmetic",
           "::mlir::qnn::ScaleArithmetic",
           /*default=*/"::mlir::qnn::ScaleArithmetic::F32",
           "How multipliers like s_x * s_w / s_y are computed from the "
           "scales before they become fixed point",
           [{::llvm::cl::values(
             clEnumValN(::mlir::qnn::ScaleArithmetic::F32, "f32",
                        "in float32, as the ONNX reference and ONNX Runtime "
                        "(the default)"),
             clEnumValN(::mlir::qnn::ScaleArithmetic::F64, "f64",
                        "in double, as TFLite"))}]>,
  ];
}

#endif // QOPT_CONVERSION_PASSES_TD
