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
    "::mlir::arith::ArithDialect", "::mlir::math::MathDialect"
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
      disappears.

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
    Option<"rounding", "rounding", "::mlir::qnn::RoundingMode",
           /*default=*/"::mlir::qnn::RoundingMode::SingleRound",
           "Fixed-point rounding of requantization",
           [{::llvm::cl::values(
             clEnumValN(::mlir::qnn::RoundingMode::SingleRound, "single-round",
                        "one rounding (TOSA, TFLITE_SINGLE_ROUNDING; the "
                        "default)"),
             clEnumValN(::mlir::qnn::RoundingMode::DoubleRound, "double-round",
                        "gemmlowp's two roundings (TFLite's default)"))}]>,
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

//===----------------------------------------------------------------------===//
// Strided copies
//===----------------------------------------------------------------------===//

def LowerStridedCopiesPass
    : Pass<"qopt-lower-strided-copies", "::mlir::func::FuncOp"> {
  let summary = "Turn memref.copy between non-contiguous buffers into block copies";
  let description = [{
    `finalize-memref-to-llvm` lowers a `memref.copy` between identity-layout
    buffers to a `memcpy`, but any other copy (bufferized `tensor.pad` and
    `tensor.insert_slice` write into strided subviews) becomes a call to
    `memrefCopy` from MLIR's C runner utils. qopt's objects must not need
    that library, and element-by-element loops are slow (a padded NHWC
    activation copied one byte at a time cost 10% of an int8 mobilenet_v2).
    So this pass finds the trailing dimensions over which both buffers are
    contiguous and copies those blocks with `memref.copy` inside `scf.for`
    loops over the leading dimensions (each block copy becomes a `memcpy`
    intrinsic, expanded inline by LLVM); copies with no contiguous inner
    block become `linalg.copy` loops.

    Example (the interior of a padded NHWC buffer: rows of W x C elements
    are contiguous in both):

    ```mlir
    memref.copy %a, %sub : memref<?x8x8x16xi8> to memref<?x8x8x16xi8, strided<[1600, 160, 16, 1], offset: 176>>
    ```

    becomes loops over n and h around

    ```mlir
    memref.copy %rowA, %rowSub : memref<8x16xi8, strided<[16, 1], offset: ?>> to memref<8x16xi8, strided<[16, 1], offset: ?>>
    ```
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect"];
}

def DistinctResultBuffersPass
    : Pass<"qopt-distinct-result-buffers", "::mlir::func::FuncOp"> {
  let summary = "Copy a buffer that a function returns more than once";
  let description = [{
    A function may return the same SSA value twice: a model that lists one
    tensor as two graph outputs, or a calibration clone that returns an
    observed tensor which is also an output (every batch-1 model, where
    reshapes fold away). Upstream `buffer-results-to-out-params` with
    `hoist-static-allocs` replaces a returned allocation by its out-parameter
    and erases it at the first occurrence, then reads the erased op at the
    second (a use-after-free in LLVM 22.1). This pass runs after
    bufferization and before that pass: every repeated returned memref gets a
    fresh buffer and a `memref.copy`, so returned buffers are distinct.

    Example:

    ```mlir
    return %a, %a : memref<1x4xf32>, memref<1x4xf32>
    ```

    becomes

    ```mlir
    %copy = memref.alloc() : memref<1x4xf32>
    memref.copy %a, %copy : memref<1x4xf32> to memref<1x4xf32>
    return %a, %copy : memref<1x4xf32>, memref<1x4xf32>
    ```
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect"];
}

//===----------------------------------------------------------------------===//
// CPU code generation
//===----------------------------------------------------------------------===//

def TileAndVectorizePass
    : Pass<"qopt-tile-and-vectorize", "::mlir::func::FuncOp"> {
  let summary = "Tile linalg ops on tensors and vectorize the tiles";
  let description = [{
    NHWC convolutions (`linalg.conv_2d_nhwc_hwcf`,
    `linalg.depthwise_conv_2d_nhwc_hwc` and the integer convolutions in the
    dot-product layout that `--integer-only` marks `qopt.dot_product_conv`)
    are register-tiled first: their
    elementwise consumer (the activation) is tiled to one output row, a few
    output columns and 8-32 channels, and the convolution and its
    accumulator initialisation (bias broadcast or fill) are fused into that
    tile. Kernel rows and input channels become reduction loops around a 1-D
    convolution that upstream decomposes and vectorizes into broadcast x
    weight-vector FMAs; the accumulators become loop-carried vectors
    (loop-invariant subset hoisting) so they never leave registers.

    A dot-product convolution tile (one output row, `ow` columns, `ch`
    channels, one group of four u8 or two s16 input channels) becomes, per
    output column, a broadcast of the column's group (32 bits) and one
    `qnn.dot4_u8s8` / `qnn.dot2_s16s16` over the `ch` channels (see
    qopt-lower-dot-products). Tiles iterate channel blocks outside the
    pixels, so a block's weights stay in L1.

    Every other linalg op is tiled with `scf.for` (parallel loops outside,
    reduction loops inside) and its tile is vectorized; the innermost
    contiguous output dimension gets `vector-width` lanes, partial tiles are
    peeled, and an op may ask for other tile sizes with a `qopt.tile_sizes`
    attribute. Ops the vectorizer rejects stay as tiled scalar code.

    Example: a `linalg.generic` with dims (n, f, c, p), `qopt.tile_sizes =
    array<i64: 1, 8, 1, 16>` becomes loops over n, f/8, p/16 and c around
    FMAs on an 8x16 accumulator carried in registers.
  }];
  let dependentDialects = ["::mlir::scf::SCFDialect",
                           "::mlir::vector::VectorDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::affine::AffineDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::qnn::QNNDialect"];
  let options = [
    Option<"vectorWidth", "vector-width", "int64_t", /*default=*/"16",
           "Lanes along the innermost contiguous dimension">,
  ];
}

def FuseElementwisePass
    : Pass<"qopt-fuse-elementwise", "::mlir::func::FuncOp"> {
  let summary = "Upstream elementwise fusion that keeps layouts of dot-product convolutions";
  let description = [{
    The patterns of upstream `linalg-fuse-elementwise-ops` (producer into
    consumer fusion, reshape propagation by expansion, constant folding)
    with one restriction: nothing is fused into an integer convolution
    marked `qopt.dot_product_conv`. Its activations must arrive
    materialised in NHWC, where each dot product loads four adjacent
    channels; fused, the NCHW -> NHWC permutation would run inside the
    reduction loop, once per output channel.

    Example: `%x = linalg.generic (permute NCHW -> NHWC, flip the sign bit)`
    feeding the marked convolution stays a separate generic (and still
    fuses with its own producers, e.g. the previous layer's epilogue).
  }];
  let dependentDialects = ["::mlir::affine::AffineDialect",
                           "::mlir::tensor::TensorDialect"];
}

def LowerDotProductsPass
    : Pass<"qopt-lower-dot-products", "::mlir::func::FuncOp"> {
  let summary = "Lower qnn.dot4_u8s8 and qnn.dot2_s16s16 to the target's dot-product instructions";
  let description = [{
    Runs after bufferization (LLVM intrinsic calls have no declared memory
    effects, which buffer deallocation rejects). With
    `dot-product=avx512vnni` every `qnn.dot4_u8s8` is split into 16-, 8-
    and 4-lane pieces, each a call of `llvm.x86.avx512.vpdpbusd.{512,256,128}`
    (one instruction per 16 x 4 multiply-adds); with `dot-product=i8mm`
    (AArch64 FEAT_I8MM) into 4-lane pieces, each an
    `llvm.aarch64.neon.usdot.v4i32.v16i8` (u8 x s8, like vpdpbusd).
    `qnn.dot2_s16s16` (16-bit activations) becomes
    `llvm.x86.avx512.vpdpwssd.{512,256,128}` with avx512vnni. Lanes beyond a
    multiple of four and every op without a matching instruction become
    portable vector code: for each k in the group, the k-th elements (a
    strided shuffle) widened to i32, multiplied and added. All forms
    compute the same wrapping i32 sums, so results are bit-identical across
    targets.

    Example (`dot-product=avx512vnni`):

    ```mlir
    %r = qnn.dot4_u8s8 %acc, %x, %w : vector<64xi8> -> vector<16xi32>
    // becomes
    %r = llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"(%acc, %x, %w)
        : (vector<16xi32>, vector<64xi8>, vector<64xi8>) -> vector<16xi32>
    ```
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect",
                           "::mlir::vector::VectorDialect",
                           "::mlir::arith::ArithDialect"];
  let options = [
    Option<"dotProduct", "dot-product", "std::string", /*default=*/"\"none\"",
           "Instructions for 4-way u8 x s8 dot products: 'none' (portable "
           "vector code), 'avx512vnni' (x86 vpdpbusd) or 'i8mm' (AArch64 "
           "usdot)">,
  ];
}

def HoistVectorTransfersPass
    : Pass<"qopt-hoist-vector-transfers", "::mlir::func::FuncOp"> {
  let summary = "Hoist loop-invariant vector transfers (accumulators) out of loops";
  let description = [{
    After bufferization, the accumulator tile that a reduction loop reads and
    writes back every iteration is read once before the loop and written once
    after it (upstream `linalg::hoistRedundantVectorTransfers`).

    Example: an `scf.for` over c whose body does `vector.transfer_read %acc`,
    an FMA and `vector.transfer_write %acc` keeps the accumulator in a
    register across all iterations instead.

    Then n-D transfers of contiguous memory are flattened to one 1-D
    transfer (upstream `populateFlattenVectorTransferPatterns`): the
    [channels x 4] weight tile of a dot-product convolution becomes one
    128-byte load instead of rows that LLVM stitches from 4-byte pieces
    (which had cost int8 mobilenet_v2 a fifth of its time).
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect",
                           "::mlir::vector::VectorDialect"];
}

#endif // QOPT_CONVERSION_PASSES_TD
