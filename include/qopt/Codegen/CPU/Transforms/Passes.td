//===- Passes.td - qopt CPU code-generation passes -------------*- tablegen -*-===//
//
// Part of qopt. Below the graph level: strategy selection, fusion, tiling
// and vectorization, dot-product instructions, buffer passes.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_CODEGEN_CPU_TRANSFORMS_PASSES_TD
#define QOPT_CODEGEN_CPU_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// Strategy selection
//===----------------------------------------------------------------------===//

def SelectCPUStrategyPass
    : Pass<"qopt-select-cpu-strategy", "::mlir::func::FuncOp"> {
  let summary = "Choose tile sizes and the kernel of every linalg op";
  let description = [{
    Attaches a `#qcpu.lowering_config` to every linalg op on tensors that
    `qopt-tile-and-vectorize` should tile and vectorize: the register-tile
    sizes for the op's shape and element types (channels in vector lanes,
    output columns in registers), and the kernel: `dot_product_conv` for
    integer convolutions in the dot-product layout (recognized by their
    structure: eight loops, u8 or s16 activations read in groups of four or
    two channels, weight panels `[F/P, KH, KW, C/g, P, g]`, i32
    accumulators; a tile takes one panel's P channels), `generic`
    otherwise. Lanes of `generic` tiles count 32-bit elements: byte-wide
    results take four times as many. An op that already carries a config keeps it, so tests and
    users can choose by hand.

    Example:

    ```mlir
    %0 = linalg.conv_2d_nhwc_hwcf ins(...) outs(...) -> tensor<1x8x8x32xf32>
    ```

    gets `{qcpu.lowering_config = #qcpu.lowering_config<tile_sizes =
    [1, 1, 8, 16, 1, 0, 1], kernel = conv_nhwc>}`.
  }];
  let options = [
    Option<"vectorWidth", "vector-width", "int64_t", /*default=*/"16",
           "Lanes of the widest vector register for 32-bit elements">,
    Option<"vectorRegisters", "vector-registers", "int64_t", /*default=*/"32",
           "Vector registers of the target (32 with AVX-512 or on AArch64, "
           "16 with AVX2): a convolution's register tile of accumulators, "
           "weights and a broadcast must fit them">,
  ];
  let dependentDialects = ["::mlir::qcpu::QCPUDialect"];
}

//===----------------------------------------------------------------------===//
// Vector math
//===----------------------------------------------------------------------===//

def ApproximateVectorMathPass
    : Pass<"qopt-approximate-vector-math", "::mlir::func::FuncOp"> {
  let summary = "Vector exp, log, tanh, erf, sin, cos as polynomial approximations";
  let description = [{
    LLVM has no vector forms of the libm functions: a `math.exp` on a
    vector<16xf32> becomes sixteen calls to `expf` (an fp32 EfficientNet-B0,
    whose SiLU is `x * sigmoid(x)`, spent three times ONNX Runtime's time
    on them). This pass rewrites the math ops on vectors with upstream's
    polynomial approximations (`populateMathPolynomialApproximationPatterns`,
    within a few ulp of libm, the same on every target); scalar math keeps
    its libm call.

    Example: `math.exp %v : vector<16xf32>` becomes range reduction, a
    polynomial and an exponent insertion on vector<16xf32>.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::vector::VectorDialect"];
}

//===----------------------------------------------------------------------===//
// Profiling
//===----------------------------------------------------------------------===//

def InsertProfileMarksPass
    : Pass<"qopt-insert-profile-marks", "::mlir::ModuleOp"> {
  let summary = "Time the compiled kernels: a mark call after each one";
  let description = [{
    For `qopt-run --profile`: after tiling, fusion and bufferization, every
    top-level piece of work of the entry function (a loop nest, a linalg op,
    a copy, a parallel region) is followed by a call to
    `qopt_profile_mark(i64 id)`, and the function starts with mark 0. The
    time between consecutive marks is that kernel's. The module gets a
    `qopt.profile_marks` array naming the work before each mark by its
    location (the ONNX node the kernel was made from; fused kernels carry
    their consumer's name). Marking after code generation leaves fusion and
    layouts as they are without the profiler.

    Example: `scf.for ... { conv tiles }` gets
    `func.call @qopt_profile_mark(%c3) : (i64) -> ()` after it.
  }];
  let options = [
    Option<"entry", "entry", "std::string", /*default=*/"\"main\"",
           "Function to instrument">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::func::FuncDialect"];
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

    A bufferized pad also fills its whole buffer with the padding value
    before copying the source into the interior; when the fill (a
    `linalg.map` without inputs) is directly followed by the interior's
    subview and its copy, only the border slabs are filled (on an fp32
    mobilenet_v2 the memset was 13% of the time).

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

def PadInPlacePass
    : Pass<"qopt-pad-in-place", "::mlir::func::FuncOp"> {
  let summary = "Compute a padded tensor's source directly into the padded buffer";
  let description = [{
    Bufferized, a `tensor.pad` is a new buffer filled with the padding value
    and a copy of its source into the interior: for the padded inputs of a
    mobilenet_v2's depthwise convolutions those copies were 12% of the fp32
    run time. When the source is computed into a `tensor.empty` (through
    tile loops, `scf.forall`, linalg ops, `vector.transfer_write` or
    `tensor.insert_slice`), this pass allocates the padded tensor there
    instead, fills only its border slabs (`linalg.fill` on slices) and gives
    the producer the interior slice as its destination. The pad becomes a
    `tensor.insert_slice` of the source into that same interior, which
    one-shot bufferization recognizes as writing a buffer into itself: no
    copy remains. Pads with dynamic amounts, a non-constant padding value,
    padding of a dynamic dimension, or a source from anywhere else (a
    function argument) are left to bufferization.

    Example:

    ```mlir
    %e = tensor.empty() : tensor<1x4x4x8xf32>
    %r = scf.for ... iter_args(%acc = %e) -> (tensor<1x4x4x8xf32>) { ... }
    %p = tensor.pad %r low[0, 1, 1, 0] high[0, 1, 1, 0] { ... tensor.yield %zero }
    ```

    becomes

    ```mlir
    %b = tensor.empty() : tensor<1x6x6x8xf32>
    // four slabs: extract_slice, linalg.fill %zero, insert_slice
    %in = tensor.extract_slice %b4[0, 1, 1, 0] [1, 4, 4, 8] [1, 1, 1, 1]
    %r = scf.for ... iter_args(%acc = %in) -> (tensor<1x4x4x8xf32>) { ... }
    %p = tensor.insert_slice %r into %b4[0, 1, 1, 0] [1, 4, 4, 8] [1, 1, 1, 1]
    ```
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
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

def PlanBuffersPass : Pass<"qopt-plan-buffers", "::mlir::func::FuncOp"> {
  let summary = "Place a function's static intermediate buffers in one arena";
  let description = [{
    After bufferization and deallocation, every intermediate tensor of a
    model is a `memref.alloc` with a matching `memref.dealloc`. A call then
    makes dozens of allocations of up to megabytes, and glibc serves each
    large one with a fresh `mmap` whose pages the kernel zeroes on first
    touch: a BERT-style encoder's object spent 10% of its time in page
    faults (11.0 ms per call; 8.8 ms with the allocator told to keep its
    memory). This pass gives the buffers of the entry block (static shape,
    identity layout, freed by a `memref.dealloc` in the same block) offsets
    in one 64-byte-aligned `i8` arena by their lifetimes (alloc to dealloc):
    buffers whose lifetimes overlap get disjoint ranges, the others share,
    largest first. Each becomes a `memref.view` of the arena, which is
    allocated at the function's start and freed before its return: one
    allocation per call, reused by the allocator from call to call, and a
    peak no larger than the sum of the buffers live at once. Buffers of
    nested regions (loops, branches) and dynamic ones keep their own.

    Example:

    ```mlir
    %a = memref.alloc() {alignment = 64 : i64} : memref<16xf32>
    ...
    memref.dealloc %a : memref<16xf32>
    ```

    becomes

    ```mlir
    %arena = memref.alloc() {alignment = 64 : i64} : memref<64xi8>
    %a = memref.view %arena[%c0][] : memref<64xi8> to memref<16xf32>
    ...
    memref.dealloc %arena : memref<64xi8>
    ```
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect"];
}

//===----------------------------------------------------------------------===//
// CPU code generation
//===----------------------------------------------------------------------===//

def TileAndVectorizePass
    : Pass<"qopt-tile-and-vectorize", "::mlir::func::FuncOp"> {
  let summary = "Tile linalg ops on tensors and vectorize the tiles";
  let description = [{
    Follows the `#qcpu.lowering_config` of each linalg op (chosen by
    `qopt-select-cpu-strategy`; ops without one are left alone) and consumes
    it. Convolutions with a `conv_nhwc` or `dot_product_conv` kernel
    (`linalg.conv_2d_nhwc_hwcf`, `linalg.depthwise_conv_2d_nhwc_hwc` and the
    integer convolutions in the dot-product layout) are register-tiled
    first: their
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
    `qcpu.dot4_u8s8` / `qcpu.dot2_s16s16` over the `ch` channels (see
    qopt-lower-dot-products). Tiles iterate channel blocks outside the
    pixels, so a block's weights stay in L1.

    Every other linalg op (`generic` kernel) is tiled with `scf.for` by its
    config's tile sizes (parallel loops outside, reduction loops inside) and
    its tile is vectorized; partial tiles are peeled. Ops the vectorizer
    rejects stay as tiled scalar code.

    Example: a `linalg.generic` with dims (n, f, c, p) and
    `#qcpu.lowering_config<tile_sizes = [1, 8, 1, 16], kernel = generic>`
    becomes loops over n, f/8, p/16 and c around FMAs on an 8x16 accumulator
    carried in registers.

    With `parallel`, the parallel tile loops of a convolution become one
    `scf.forall`, and every other op with enough work gets an `scf.forall`
    over its outermost parallel dimension (other than the vector one)
    around its tiles; the pipeline lowers them to OpenMP. Each output
    element is still computed by one iteration in the same order, so
    results do not depend on the thread count. A function whose linalg ops
    together iterate fewer than 2^22 times (a voice-activity detector's
    0.02 ms step) gets no parallel region at all: entering one per op costs
    more than it saves.
  }];
  let options = [
    Option<"parallel", "parallel", "bool", /*default=*/"false",
           "Distribute the outer parallel tile loops as scf.forall">,
  ];
  let dependentDialects = ["::mlir::scf::SCFDialect",
                           "::mlir::vector::VectorDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::affine::AffineDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::qcpu::QCPUDialect"];
}

def FuseElementwisePass
    : Pass<"qopt-fuse-elementwise", "::mlir::func::FuncOp"> {
  let summary = "Upstream elementwise fusion that keeps layouts of dot-product convolutions";
  let description = [{
    The patterns of upstream `linalg-fuse-elementwise-ops` (producer into
    consumer fusion, reshape propagation by expansion, constant folding)
    with one restriction: nothing is fused into an integer convolution in
    the dot-product layout (`qcpu::isDotProductConv`). Its activations must
    arrive
    materialised in NHWC, where each dot product loads four adjacent
    channels; fused, the NCHW -> NHWC permutation would run inside the
    reduction loop, once per output channel.

    Example: `%x = linalg.generic (permute NCHW -> NHWC, flip the sign bit)`
    feeding such a convolution stays a separate generic (and still
    fuses with its own producers, e.g. the previous layer's epilogue).

    Two more rules keep activations channels-last and work linear:
    - nothing is fused into a window reduction (pooling) through a
      non-permutation map, which would recompute the producer once per
      window covering an element;
    - an elementwise generic with several users, one of them a permutation
      to channels-last, is computed channels-last (the permutation
      disappears; the other users read it through the inverse permutation,
      which fusion folds into their maps). Residual additions, read by the
      next block and the skip connection, stay NHWC this way.
  }];
  let dependentDialects = ["::mlir::affine::AffineDialect",
                           "::mlir::tensor::TensorDialect"];
}

def LowerDotProductsPass
    : Pass<"qopt-lower-dot-products", "::mlir::func::FuncOp"> {
  let summary = "Lower qcpu.dot4_u8s8 and qcpu.dot2_s16s16 to the target's dot-product instructions";
  let description = [{
    Runs after bufferization (LLVM intrinsic calls have no declared memory
    effects, which buffer deallocation rejects). With
    `dot-product=avx512vnni` every `qcpu.dot4_u8s8` is split into 16-, 8-
    and 4-lane pieces, each a call of `llvm.x86.avx512.vpdpbusd.{512,256,128}`
    (one instruction per 16 x 4 multiply-adds); with `dot-product=i8mm`
    (AArch64 FEAT_I8MM) into 4-lane pieces, each an
    `llvm.aarch64.neon.usdot.v4i32.v16i8` (u8 x s8, like vpdpbusd).
    `qcpu.dot2_s16s16` (16-bit activations) becomes
    `llvm.x86.avx512.vpdpwssd.{512,256,128}` with avx512vnni. Lanes beyond a
    multiple of four and every op without a matching instruction become
    portable vector code: for each k in the group, the k-th elements (a
    strided shuffle) widened to i32, multiplied and added. All forms
    compute the same wrapping i32 sums, so results are bit-identical across
    targets.

    Example (`dot-product=avx512vnni`):

    ```mlir
    %r = qcpu.dot4_u8s8 %acc, %x, %w : vector<64xi8> -> vector<16xi32>
    // becomes
    %r = llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"(%acc, %x, %w)
        : (vector<16xi32>, vector<64xi8>, vector<64xi8>) -> vector<16xi32>
    ```
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect",
                           "::mlir::vector::VectorDialect",
                           "::mlir::arith::ArithDialect"];
  let options = [
    Option<"dotProduct", "dot-product", "::mlir::qcpu::DotProductISA",
           /*default=*/"::mlir::qcpu::DotProductISA::None",
           "Instructions for the grouped dot products",
           [{::llvm::cl::values(
             clEnumValN(::mlir::qcpu::DotProductISA::None, "none",
                        "portable vector code"),
             clEnumValN(::mlir::qcpu::DotProductISA::AVX512VNNI,
                        "avx512vnni", "x86 vpdpbusd / vpdpwssd"),
             clEnumValN(::mlir::qcpu::DotProductISA::I8MM, "i8mm",
                        "AArch64 usdot"),
             clEnumValN(::mlir::qcpu::DotProductISA::AVX2, "avx2",
                        "x86 vpmaddwd for 16-bit pairs"))}]>,
  ];
}

def LowerByteLookupsPass
    : Pass<"qopt-lower-byte-lookups", "::mlir::func::FuncOp"> {
  let summary = "Lower gathers from 256-entry byte tables to the target's table-lookup instructions";
  let description = [{
    `--integer-only` turns activations such as SiLU, sigmoid, hard-swish or
    GELU into 256-entry byte tables, which vectorize into a `vector.gather`
    from the table indexed by the 8-bit activation (zero-extended, or
    sign-extended plus 128). x86 has no byte gather, so LLVM loads every
    byte separately: on EfficientNet-B0 one such table after a 112x112x32
    depthwise convolution took 10% of the int8 run time.

    With `isa=avx512vbmi` such gathers (constant table, all-true mask) are
    computed 64 bytes at a time in registers: the table is four 64-byte
    vectors, two `llvm.x86.avx512.vpermi2var.qi.512` (vpermi2b) calls look
    the low seven index bits up in each half, and the index's top bit
    selects between them. With `isa=neon` (AArch64) the pieces are 16
    lanes: `llvm.aarch64.neon.tbl4` looks up entries 0-63 (zero out of
    range) and three `tbx4` the next quarters with the index moved down by
    64 each (keeping the lanes they cannot find). Gathers of other sizes
    are padded to a multiple of the piece. Results are identical to the
    gather; with `isa=none` the pass does nothing. Runs after bufferization (the table is then a
    constant `memref.global`).

    Example (`isa=avx512vbmi`):

    ```mlir
    %i = arith.index_cast %x32 : vector<64xi32> to vector<64xindex>  // %x32 = extui %x
    %y = vector.gather %table[%c0] [%i], %true, %zero
        : memref<256xi8>, vector<64xindex>, vector<64xi1>, vector<64xi8> into vector<64xi8>
    // becomes
    %lo = llvm.call_intrinsic "llvm.x86.avx512.vpermi2var.qi.512"(%t0, %x, %t1) : ...
    %hi = llvm.call_intrinsic "llvm.x86.avx512.vpermi2var.qi.512"(%t2, %x, %t3) : ...
    %y = arith.select (%x < 0), %hi, %lo
    ```
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect",
                           "::mlir::vector::VectorDialect",
                           "::mlir::arith::ArithDialect"];
  let options = [
    Option<"isa", "isa", "::mlir::qcpu::ByteLookupISA",
           /*default=*/"::mlir::qcpu::ByteLookupISA::None",
           "Instructions for the table lookups",
           [{::llvm::cl::values(
             clEnumValN(::mlir::qcpu::ByteLookupISA::None, "none",
                        "leave the gathers"),
             clEnumValN(::mlir::qcpu::ByteLookupISA::AVX512VBMI,
                        "avx512vbmi", "x86 vpermi2b"),
             clEnumValN(::mlir::qcpu::ByteLookupISA::NEON, "neon",
                        "AArch64 tbl/tbx"))}]>,
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

#endif // QOPT_CODEGEN_CPU_TRANSFORMS_PASSES_TD
