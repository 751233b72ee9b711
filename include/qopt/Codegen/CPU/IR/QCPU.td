//===- QCPU.td - qopt's CPU code-generation dialect ------------*- tablegen -*-===//
//
// Part of qopt. Ops and attributes below the graph level: the vector
// dot-product instructions of x86 and AArch64 as target-neutral ops, and the
// lowering configuration that the strategy-selection pass attaches to linalg
// ops for the tiling and vectorization passes (as IREE's LLVMCPU lowering
// config). Kept apart from the graph dialect, as upstream keeps
// `arm_neon.sdot` apart from `vector`.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_CODEGEN_CPU_IR_QCPU_TD
#define QOPT_CODEGEN_CPU_IR_QCPU_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def QCPU_Dialect : Dialect {
  let name = "qcpu";
  let cppNamespace = "::mlir::qcpu";
  let summary = "qopt's CPU code generation: dot-product ops, lowering configs";
  let description = [{
    `qcpu` sits between linalg and LLVM in qopt's CPU back end. Its ops are
    the grouped integer dot products that x86 (VNNI) and AArch64 (I8MM)
    provide, which `qopt-lower-dot-products` maps to the target's
    instructions; its `lowering_config` attribute carries the tiling and
    kernel choice that `qopt-select-cpu-strategy` makes and
    `qopt-tile-and-vectorize` follows.
  }];
  let useDefaultAttributePrinterParser = 1;
}

class QCPU_Op<string mnemonic, list<Trait> traits = []>
    : Op<QCPU_Dialect, mnemonic, traits>;

//===----------------------------------------------------------------------===//
// Lowering configuration
//===----------------------------------------------------------------------===//

def QCPU_KernelGeneric : I32EnumAttrCase<"Generic", 0, "generic">;
def QCPU_KernelConvNHWC : I32EnumAttrCase<"ConvNHWC", 1, "conv_nhwc">;
def QCPU_KernelDotProductConv
    : I32EnumAttrCase<"DotProductConv", 2, "dot_product_conv">;
def QCPU_KernelPanelConv : I32EnumAttrCase<"PanelConv", 3, "panel_conv">;
def QCPU_KernelBlockDot : I32EnumAttrCase<"BlockDot", 4, "block_dot">;
def QCPU_KernelDotMatMul : I32EnumAttrCase<"DotMatMul", 5, "dot_matmul">;
def QCPU_KernelKind : I32EnumAttr<"KernelKind",
    "how a tile of a linalg op becomes vector code",
    [QCPU_KernelGeneric, QCPU_KernelConvNHWC, QCPU_KernelDotProductConv,
     QCPU_KernelPanelConv, QCPU_KernelBlockDot, QCPU_KernelDotMatMul]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::qcpu";
}
def QCPU_KernelKindAttr : EnumAttr<QCPU_Dialect, QCPU_KernelKind, "kernel">;

def QCPU_ISANone : I32EnumAttrCase<"None", 0, "none">;
def QCPU_ISAAVX512VNNI : I32EnumAttrCase<"AVX512VNNI", 1, "avx512vnni">;
def QCPU_ISAI8MM : I32EnumAttrCase<"I8MM", 2, "i8mm">;
def QCPU_ISAAVX2 : I32EnumAttrCase<"AVX2", 3, "avx2">;
def QCPU_DotProductISA : I32EnumAttr<"DotProductISA",
    "instructions for the grouped dot products: none (portable vector code), "
    "avx512vnni (x86 vpdpbusd / vpdpwssd), i8mm (AArch64 usdot), avx2 (x86 "
    "vpmaddwd for pairs of 16-bit values; 8-bit activations are widened)",
    [QCPU_ISANone, QCPU_ISAAVX512VNNI, QCPU_ISAI8MM, QCPU_ISAAVX2]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::qcpu";
}

def QCPU_LookupNone : I32EnumAttrCase<"None", 0, "none">;
def QCPU_LookupAVX512VBMI : I32EnumAttrCase<"AVX512VBMI", 1, "avx512vbmi">;
def QCPU_LookupNEON : I32EnumAttrCase<"NEON", 2, "neon">;
def QCPU_ByteLookupISA : I32EnumAttr<"ByteLookupISA",
    "instructions for 256-entry byte table lookups: none (a gather, one "
    "scalar load per byte), avx512vbmi (x86 vpermi2b, 64 bytes at a time), "
    "neon (AArch64 tbl/tbx on four registers, 16 bytes at a time)",
    [QCPU_LookupNone, QCPU_LookupAVX512VBMI, QCPU_LookupNEON]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::qcpu";
}

def QCPU_LoweringConfigAttr : AttrDef<QCPU_Dialect, "LoweringConfig"> {
  let mnemonic = "lowering_config";
  let summary = "Tile sizes and kernel of a linalg op on the CPU";
  let description = [{
    Set on a linalg op by `qopt-select-cpu-strategy` (or by hand, in tests)
    and read by `qopt-tile-and-vectorize`: `tile_sizes` has one entry per
    loop of the op (0: not tiled), `kernel` says how the op is tiled and a
    tile becomes vector code:

    * `generic`: tiled by `tile_sizes` (parallel loops outside), each tile
      vectorized upstream;
    * `conv_nhwc`: a named NHWC convolution (dense or depthwise) register
      tiled with its elementwise consumer by the first four sizes (n, oh,
      ow, channels), then its reduction loops by the rest; the tile becomes
      a 1-D convolution that upstream vectorizes;
    * `dot_product_conv`: the same for an integer convolution in the
      dot-product layout, whose tile is written with `qcpu.dot4_u8s8` /
      `qcpu.dot2_s16s16`;
    * `panel_conv`: the same for a float convolution with weight panels
      `[F/P, KH, KW, C, P]`, whose tile is written as broadcast-times-panel
      `vector.fma`s;
    * `block_dot`: a product of int8 activations and packed 4-bit block
      weights (loops m, t, i, g, c, h, j), tiled like `generic` with one
      block per tile; the tile sums each block with `qcpu.dot4_u8s8` in i32
      and scales it once;
    * `dot_matmul`: a product of two run-time 8-bit operands in the
      dot-product layout (loops b, m, t, i, c, j), tiled like `generic`;
      the tile is written with `qcpu.dot4_u8s8`.

    Empty `tile_sizes` mark an op that is already a register tile: it is
    only vectorized. `qopt-tile-and-vectorize` consumes the attribute.

    Example:

    ```mlir
    %r = linalg.generic {..., qcpu.lowering_config =
        #qcpu.lowering_config<tile_sizes = [1, 1, 8, 16, 1, 1, 1, 0],
                              kernel = dot_product_conv>} ...
    ```
  }];
  let parameters = (ins "::mlir::DenseI64ArrayAttr":$tileSizes,
                        "::mlir::qcpu::KernelKind":$kernel);
  let assemblyFormat =
      "`<` `tile_sizes` `=` $tileSizes `,` `kernel` `=` $kernel `>`";
  let builders = [
    AttrBuilder<(ins "::llvm::ArrayRef<int64_t>":$sizes,
                     "::mlir::qcpu::KernelKind":$kernel), [{
      return $_get($_ctxt, ::mlir::DenseI64ArrayAttr::get($_ctxt, sizes),
                   kernel);
    }]>,
  ];
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// The attribute's name on the ops that carry it.
    static constexpr ::llvm::StringLiteral getAttrName() {
      return ::llvm::StringLiteral("qcpu.lowering_config");
    }
    /// One tile size per loop (0: untiled); empty for a register tile.
    ::llvm::ArrayRef<int64_t> getSizes() const {
      return getTileSizes().asArrayRef();
    }
  }];
}

//===----------------------------------------------------------------------===//
// Dot-product ops
//===----------------------------------------------------------------------===//

def QCPU_Dot4U8S8Op : QCPU_Op<"dot4_u8s8", [Pure,
    AllTypesMatch<["acc", "result"]>, AllTypesMatch<["x", "w"]>]> {
  let summary = "Vector of 4-way u8 x s8 dot products accumulated in i32";
  let description = [{
    For every lane i of `acc` (wrapping i32 arithmetic):

    `result[i] = acc[i] + sum_{k<4} zext(x[4i + k]) * sext(w[4i + k])`

    The operation of x86 `vpdpbusd` and AArch64 `usdot`, on vectors of any
    length. `qopt-tile-and-vectorize` emits it for the integer convolutions
    in the dot-product layout; `qopt-lower-dot-products` lowers it, after
    bufferization, to the target's instruction (through its LLVM intrinsic)
    or to portable widening multiply-adds.

    Example:

    ```mlir
    %r = qcpu.dot4_u8s8 %acc, %x, %w : vector<128xi8> -> vector<32xi32>
    ```
  }];
  let arguments = (ins VectorOfRankAndType<[1], [I32]>:$acc,
                   VectorOfRankAndType<[1], [I8]>:$x,
                   VectorOfRankAndType<[1], [I8]>:$w);
  let results = (outs VectorOfRankAndType<[1], [I32]>:$result);
  let assemblyFormat =
      "$acc `,` $x `,` $w attr-dict `:` type($x) `->` type($result)";
  let hasVerifier = 1;
}

def QCPU_Dot2S16S16Op : QCPU_Op<"dot2_s16s16", [Pure,
    AllTypesMatch<["acc", "result"]>, AllTypesMatch<["x", "w"]>]> {
  let summary = "Vector of 2-way s16 x s16 dot products accumulated in i32";
  let description = [{
    For every lane i of `acc` (wrapping i32 arithmetic):

    `result[i] = acc[i] + sum_{k<2} sext(x[2i + k]) * sext(w[2i + k])`

    The operation of x86 `vpdpwssd`: the dot-product convolutions of 16-bit
    activations (16x8 models) use it as 8-bit ones use `qcpu.dot4_u8s8`.

    Example:

    ```mlir
    %r = qcpu.dot2_s16s16 %acc, %x, %w : vector<32xi16> -> vector<16xi32>
    ```
  }];
  let arguments = (ins VectorOfRankAndType<[1], [I32]>:$acc,
                   VectorOfRankAndType<[1], [I16]>:$x,
                   VectorOfRankAndType<[1], [I16]>:$w);
  let results = (outs VectorOfRankAndType<[1], [I32]>:$result);
  let assemblyFormat =
      "$acc `,` $x `,` $w attr-dict `:` type($x) `->` type($result)";
  let hasVerifier = 1;
}

#endif // QOPT_CODEGEN_CPU_IR_QCPU_TD
