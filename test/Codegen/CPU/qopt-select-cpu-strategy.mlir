// RUN: qopt %s --qopt-select-cpu-strategy --split-input-file | FileCheck %s
// RUN: qopt %s --qopt-select-cpu-strategy="vector-width=8 vector-registers=16" --split-input-file | FileCheck %s --check-prefix=AVX2

// A dense NHWC convolution: one output row, 8 columns, 16 channels per
// register tile; kernel rows and input channels one at a time, the kernel
// width whole. Its elementwise consumer gets a generic config (it is tiled
// with the convolution).
// CHECK-LABEL: func @conv
// CHECK: linalg.conv_2d_nhwc_hwcf {{.*}}qcpu.lowering_config = #qcpu.lowering_config<tile_sizes = [1, 1, 8, 16, 1, 0, 1], kernel = conv_nhwc>
// CHECK: linalg.generic {{.*}}qcpu.lowering_config = #qcpu.lowering_config<tile_sizes = [1, 1, 1, 16], kernel = generic>
#id4 = affine_map<(n, h, w, c) -> (n, h, w, c)>
func.func @conv(%x: tensor<1x10x10x8xf32>, %w: tensor<3x3x8x16xf32>, %init: tensor<1x8x8x16xf32>) -> tensor<1x8x8x16xf32> {
  %c = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : tensor<1x10x10x8xf32>, tensor<3x3x8x16xf32>) outs(%init : tensor<1x8x8x16xf32>) -> tensor<1x8x8x16xf32>
  %e = tensor.empty() : tensor<1x8x8x16xf32>
  %r = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%c : tensor<1x8x8x16xf32>) outs(%e : tensor<1x8x8x16xf32>) {
    ^bb0(%a: f32, %o: f32):
      %z = arith.constant 0.0 : f32
      %m = arith.maximumf %a, %z : f32
      linalg.yield %m : f32
  } -> tensor<1x8x8x16xf32>
  return %r : tensor<1x8x8x16xf32>
}

// -----

// An integer convolution in the dot-product layout is recognized by its
// structure (no marker attribute): u8 activations in groups of 4 channels,
// weight panels [f / 32, kh, kw, c/4, f % 32, 4], an i32 accumulator; a
// register tile takes one panel's channels.
// CHECK-LABEL: func @dot_product_conv
// CHECK: linalg.generic {{.*}}qcpu.lowering_config = #qcpu.lowering_config<tile_sizes = [1, 2, 4, 32, 1, 1, 1, 0], kernel = dot_product_conv>
#xmap = affine_map<(n, oh, ow, f, kh, kw, c, k) -> (n, oh + kh, ow + kw, c * 4 + k)>
#wmap = affine_map<(n, oh, ow, f, kh, kw, c, k) -> (f floordiv 32, kh, kw, c, f mod 32, k)>
#omap = affine_map<(n, oh, ow, f, kh, kw, c, k) -> (n, oh, ow, f)>
func.func @dot_product_conv(%x: tensor<1x6x6x8xi8>, %w: tensor<1x3x3x2x32x4xi8>, %init: tensor<1x4x4x32xi32>) -> tensor<1x4x4x32xi32> {
  %y = linalg.generic {indexing_maps = [#xmap, #wmap, #omap], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "reduction"]}
      ins(%x, %w : tensor<1x6x6x8xi8>, tensor<1x3x3x2x32x4xi8>) outs(%init : tensor<1x4x4x32xi32>) {
    ^bb0(%a: i8, %b: i8, %c: i32):
      %a32 = arith.extui %a : i8 to i32
      %b32 = arith.extsi %b : i8 to i32
      %m = arith.muli %a32, %b32 : i32
      %s = arith.addi %c, %m : i32
      linalg.yield %s : i32
  } -> tensor<1x4x4x32xi32>
  return %y : tensor<1x4x4x32xi32>
}

// -----

// Panels of 16 channels (as --integer-only packs 48 output channels): tiles
// of 16 channels, one panel each.
// CHECK-LABEL: func @dot_product_conv_panel16
// CHECK: tile_sizes = [1, 2, 4, 16, 1, 1, 1, 0], kernel = dot_product_conv
#xmap16 = affine_map<(n, oh, ow, f, kh, kw, c, k) -> (n, oh + kh, ow + kw, c * 4 + k)>
#wmap16 = affine_map<(n, oh, ow, f, kh, kw, c, k) -> (f floordiv 16, kh, kw, c, f mod 16, k)>
#omap16 = affine_map<(n, oh, ow, f, kh, kw, c, k) -> (n, oh, ow, f)>
func.func @dot_product_conv_panel16(%x: tensor<1x6x6x8xi8>, %w: tensor<3x3x3x2x16x4xi8>, %init: tensor<1x4x4x48xi32>) -> tensor<1x4x4x48xi32> {
  %y = linalg.generic {indexing_maps = [#xmap16, #wmap16, #omap16], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "reduction"]}
      ins(%x, %w : tensor<1x6x6x8xi8>, tensor<3x3x3x2x16x4xi8>) outs(%init : tensor<1x4x4x48xi32>) {
    ^bb0(%a: i8, %b: i8, %c: i32):
      %a32 = arith.extui %a : i8 to i32
      %b32 = arith.extsi %b : i8 to i32
      %m = arith.muli %a32, %b32 : i32
      %s = arith.addi %c, %m : i32
      linalg.yield %s : i32
  } -> tensor<1x4x4x48xi32>
  return %y : tensor<1x4x4x48xi32>
}

// -----

// The same loops with weights in another order are not the dot-product
// layout: a generic kernel.
// CHECK-LABEL: func @not_dot_product
// CHECK-NOT: dot_product_conv
// CHECK: kernel = generic
#xmap2 = affine_map<(n, oh, ow, f, kh, kw, c, k) -> (n, oh + kh, ow + kw, c * 4 + k)>
#wmap2 = affine_map<(n, oh, ow, f, kh, kw, c, k) -> (f, kh, kw, c, k)>
#omap2 = affine_map<(n, oh, ow, f, kh, kw, c, k) -> (n, oh, ow, f)>
func.func @not_dot_product(%x: tensor<1x6x6x8xi8>, %w: tensor<32x3x3x2x4xi8>, %init: tensor<1x4x4x32xi32>) -> tensor<1x4x4x32xi32> {
  %y = linalg.generic {indexing_maps = [#xmap2, #wmap2, #omap2], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "reduction"]}
      ins(%x, %w : tensor<1x6x6x8xi8>, tensor<32x3x3x2x4xi8>) outs(%init : tensor<1x4x4x32xi32>) {
    ^bb0(%a: i8, %b: i8, %c: i32):
      %a32 = arith.extui %a : i8 to i32
      %b32 = arith.extsi %b : i8 to i32
      %m = arith.muli %a32, %b32 : i32
      %s = arith.addi %c, %m : i32
      linalg.yield %s : i32
  } -> tensor<1x4x4x32xi32>
  return %y : tensor<1x4x4x32xi32>
}

// -----

// A config chosen by hand is kept.
// CHECK-LABEL: func @kept
// CHECK: qcpu.lowering_config = #qcpu.lowering_config<tile_sizes = [2, 4], kernel = generic>
#id2 = affine_map<(i, j) -> (i, j)>
func.func @kept(%a: tensor<8x32xf32>) -> tensor<8x32xf32> {
  %r = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"], qcpu.lowering_config = #qcpu.lowering_config<tile_sizes = [2, 4], kernel = generic>}
      ins(%a : tensor<8x32xf32>) outs(%a : tensor<8x32xf32>) {
    ^bb0(%x: f32, %o: f32):
      %y = arith.negf %x : f32
      linalg.yield %y : f32
  } -> tensor<8x32xf32>
  return %r : tensor<8x32xf32>
}

// -----

// An fp32 convolution with weight panels [f / 32, kh, kw, c, f % 32] and a
// multiply-add body: the panel_conv kernel, one panel per tile. With
// AVX2's sixteen 8-lane registers a tile takes half a panel (two vectors)
// and 4 columns (of at most 6: 6 x 2 accumulators, 2 weights, 1 broadcast).
// CHECK-LABEL: func @panel_conv
// AVX2-LABEL: func @panel_conv
// AVX2: tile_sizes = [1, 1, 4, 16, 1, 1, 1], kernel = panel_conv
// CHECK: linalg.generic {{.*}}qcpu.lowering_config = #qcpu.lowering_config<tile_sizes = [1, 2, 4, 32, 1, 1, 1], kernel = panel_conv>
#pxmap = affine_map<(n, oh, ow, f, kh, kw, c) -> (n, oh + kh, ow + kw, c)>
#pwmap = affine_map<(n, oh, ow, f, kh, kw, c) -> (f floordiv 32, kh, kw, c, f mod 32)>
#pomap = affine_map<(n, oh, ow, f, kh, kw, c) -> (n, oh, ow, f)>
func.func @panel_conv(%x: tensor<1x6x6x8xf32>, %w: tensor<2x3x3x8x32xf32>, %init: tensor<1x4x4x64xf32>) -> tensor<1x4x4x64xf32> {
  %y = linalg.generic {indexing_maps = [#pxmap, #pwmap, #pomap], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%x, %w : tensor<1x6x6x8xf32>, tensor<2x3x3x8x32xf32>) outs(%init : tensor<1x4x4x64xf32>) {
    ^bb0(%a: f32, %b: f32, %c: f32):
      %m = arith.mulf %a, %b : f32
      %s = arith.addf %c, %m : f32
      linalg.yield %s : f32
  } -> tensor<1x4x4x64xf32>
  return %y : tensor<1x4x4x64xf32>
}

// -----

// A global pool after reshapes were folded by expansion: the output's last
// dimensions are unit ones, so the lanes go to the channels (d1), and 144
// channels take 48-lane tiles (no scalar remainder of 144 mod 64).
// CHECK-LABEL: func @pool_trailing_unit_dims
// CHECK: linalg.generic {{.*}}qcpu.lowering_config = #qcpu.lowering_config<tile_sizes = [1, 48, 1, 1, 1, 1], kernel = generic>
#in = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d4, d5, d1, d2, d3)>
#out = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3)>
func.func @pool_trailing_unit_dims(%x: tensor<1x56x56x144x1x1xi8>, %init: tensor<1x144x1x1xi32>) -> tensor<1x144x1x1xi32> {
  %r = linalg.generic {indexing_maps = [#in, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%x : tensor<1x56x56x144x1x1xi8>) outs(%init : tensor<1x144x1x1xi32>) {
    ^bb0(%v: i8, %acc: i32):
      %e = arith.extsi %v : i8 to i32
      %s = arith.addi %acc, %e : i32
      linalg.yield %s : i32
  } -> tensor<1x144x1x1xi32>
  return %r : tensor<1x144x1x1xi32>
}

// -----

// An NCHW image quantized into NHWC with three channels: the lanes go along
// the width, which the input is contiguous in (32 of 224 bytes), not along
// the three output channels.
// CHECK-LABEL: func @image_into_nhwc
// CHECK: linalg.generic {{.*}}qcpu.lowering_config = #qcpu.lowering_config<tile_sizes = [1, 1, 32, 1], kernel = generic>
#nchw = affine_map<(n, h, w, c) -> (n, c, h, w)>
#nhwc = affine_map<(n, h, w, c) -> (n, h, w, c)>
func.func @image_into_nhwc(%x: tensor<1x3x224x224xf32>, %init: tensor<1x224x224x3xi8>) -> tensor<1x224x224x3xi8> {
  %r = linalg.generic {indexing_maps = [#nchw, #nhwc], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : tensor<1x3x224x224xf32>) outs(%init : tensor<1x224x224x3xi8>) {
    ^bb0(%v: f32, %o: i8):
      %i = arith.fptosi %v : f32 to i8
      linalg.yield %i : i8
  } -> tensor<1x224x224x3xi8>
  return %r : tensor<1x224x224x3xi8>
}

// -----

// Extents that no tile divides keep full tiles (tile-and-vectorize splits
// the remainder off): 37 frames (prime) get 16 columns, not one; 257
// filters in panels of 16 get 16 channels; with AVX2, 6 columns.
// CHECK-LABEL: func @stft_panel_conv
// CHECK: tile_sizes = [1, 1, 16, 16, 1, 1, 1], kernel = panel_conv
// AVX2-LABEL: func @stft_panel_conv
// AVX2: tile_sizes = [1, 1, 6, 16, 1, 1, 1], kernel = panel_conv
#sxmap = affine_map<(n, oh, ow, f, kh, kw, c) -> (n, oh + kh, ow * 160 + kw, c)>
#swmap = affine_map<(n, oh, ow, f, kh, kw, c) -> (f floordiv 16, kh, kw, c, f mod 16)>
#somap = affine_map<(n, oh, ow, f, kh, kw, c) -> (n, oh, ow, f)>
func.func @stft_panel_conv(%x: tensor<1x1x6272x1xf32>, %w: tensor<17x1x512x1x16xf32>, %init: tensor<1x1x37x257xf32>) -> tensor<1x1x37x257xf32> {
  %y = linalg.generic {indexing_maps = [#sxmap, #swmap, #somap], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%x, %w : tensor<1x1x6272x1xf32>, tensor<17x1x512x1x16xf32>) outs(%init : tensor<1x1x37x257xf32>) {
    ^bb0(%a: f32, %b: f32, %c: f32):
      %m = arith.mulf %a, %b : f32
      %s = arith.addf %c, %m : f32
      linalg.yield %s : f32
  } -> tensor<1x1x37x257xf32>
  return %y : tensor<1x1x37x257xf32>
}

// -----

// An all-parallel generic with two results written alike (a GRU step's two
// gate sigmoids fused into one op) is tiled like a single-result one; with
// no config it stayed scalar.
// CHECK-LABEL: func @two_results
// CHECK: linalg.generic {{.*}}qcpu.lowering_config = #qcpu.lowering_config<tile_sizes = [1, 16], kernel = generic>
#id2 = affine_map<(i, j) -> (i, j)>
func.func @two_results(%a: tensor<1x128xf32>, %b: tensor<1x128xf32>) -> (tensor<1x128xf32>, tensor<1x128xf32>) {
  %e = tensor.empty() : tensor<1x128xf32>
  %r:2 = linalg.generic {indexing_maps = [#id2, #id2, #id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%a, %b : tensor<1x128xf32>, tensor<1x128xf32>) outs(%e, %e : tensor<1x128xf32>, tensor<1x128xf32>) {
    ^bb0(%x: f32, %y: f32, %o1: f32, %o2: f32):
      %nx = arith.negf %x : f32
      %ny = arith.negf %y : f32
      linalg.yield %nx, %ny : f32, f32
  } -> (tensor<1x128xf32>, tensor<1x128xf32>)
  return %r#0, %r#1 : tensor<1x128xf32>, tensor<1x128xf32>
}

// -----

// A W4A8 block product (m, t, i, g, c, h, j) of int8 activations and packed
// 4-bit weights: one row and four 16-lane output tiles (eight independent
// dot-product chains), one block per tile with its groups whole; with more
// rows, four rows by two tiles (two by two with AVX2's registers).
// CHECK-LABEL: func @block_dot_rows1
// CHECK: #qcpu.lowering_config<tile_sizes = [1, 4, 16, 1, 0, 0, 0], kernel = block_dot>
// AVX2-LABEL: func @block_dot_rows1
// AVX2: #qcpu.lowering_config<tile_sizes = [1, 4, 16, 1, 0, 0, 0], kernel = block_dot>
#bd_x = affine_map<(m, t, i, g, c, h, j) -> (m, g, c, h, j)>
#bd_w = affine_map<(m, t, i, g, c, h, j) -> (t, g, c, i, j)>
#bd_s = affine_map<(m, t, i, g, c, h, j) -> (t, g, i)>
#bd_b = affine_map<(m, t, i, g, c, h, j) -> (m, g)>
#bd_o = affine_map<(m, t, i, g, c, h, j) -> (m, t, i)>
func.func @block_dot_rows1(%x: tensor<1x4x4x2x4xi8>, %w: tensor<8x4x4x16x4xi8>, %s: tensor<8x4x16xf32>, %z: tensor<8x4x16xi8>, %sums: tensor<1x4xi32>, %init: tensor<1x8x16xf32>) -> tensor<1x8x16xf32> {
  %r = linalg.generic {indexing_maps = [#bd_x, #bd_w, #bd_s, #bd_s, #bd_b, #bd_o], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "reduction"]} ins(%x, %w, %s, %z, %sums : tensor<1x4x4x2x4xi8>, tensor<8x4x4x16x4xi8>, tensor<8x4x16xf32>, tensor<8x4x16xi8>, tensor<1x4xi32>) outs(%init : tensor<1x8x16xf32>) {
  ^bb0(%a: i8, %b: i8, %sc: f32, %zp: i8, %bs: i32, %acc: f32):
    %h = linalg.index 5 : index
    %c = linalg.index 4 : index
    %j = linalg.index 6 : index
    %c0 = arith.constant 0 : index
    %low = arith.cmpi eq, %h, %c0 : index
    %c15 = arith.constant 15 : i8
    %c4 = arith.constant 4 : i8
    %lo = arith.andi %b, %c15 : i8
    %hi = arith.shrui %b, %c4 : i8
    %n8 = arith.select %low, %lo, %hi : i8
    %n = arith.extui %n8 : i8 to i32
    %xi = arith.extsi %a : i8 to i32
    %p0 = arith.muli %n, %xi : i32
    %c_first = arith.cmpi eq, %c, %c0 : index
    %j_first = arith.cmpi eq, %j, %c0 : index
    %f0 = arith.andi %low, %c_first : i1
    %first = arith.andi %f0, %j_first : i1
    %z32 = arith.extui %zp : i8 to i32
    %zs = arith.muli %z32, %bs : i32
    %i0 = arith.constant 0 : i32
    %corr = arith.select %first, %zs, %i0 : i32
    %p = arith.subi %p0, %corr : i32
    %pf = arith.sitofp %p : i32 to f32
    %t = arith.mulf %sc, %pf : f32
    %sum = arith.addf %acc, %t : f32
    linalg.yield %sum : f32
  } -> tensor<1x8x16xf32>
  return %r : tensor<1x8x16xf32>
}

// -----

// CHECK-LABEL: func @block_dot_rows8
// CHECK: #qcpu.lowering_config<tile_sizes = [4, 2, 16, 1, 0, 0, 0], kernel = block_dot>
// AVX2-LABEL: func @block_dot_rows8
// AVX2: #qcpu.lowering_config<tile_sizes = [2, 2, 16, 1, 0, 0, 0], kernel = block_dot>
#bd_x = affine_map<(m, t, i, g, c, h, j) -> (m, g, c, h, j)>
#bd_w = affine_map<(m, t, i, g, c, h, j) -> (t, g, c, i, j)>
#bd_s = affine_map<(m, t, i, g, c, h, j) -> (t, g, i)>
#bd_b = affine_map<(m, t, i, g, c, h, j) -> (m, g)>
#bd_o = affine_map<(m, t, i, g, c, h, j) -> (m, t, i)>
func.func @block_dot_rows8(%x: tensor<8x4x4x2x4xi8>, %w: tensor<8x4x4x16x4xi8>, %s: tensor<8x4x16xf32>, %z: tensor<8x4x16xi8>, %sums: tensor<8x4xi32>, %init: tensor<8x8x16xf32>) -> tensor<8x8x16xf32> {
  %r = linalg.generic {indexing_maps = [#bd_x, #bd_w, #bd_s, #bd_s, #bd_b, #bd_o], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "reduction"]} ins(%x, %w, %s, %z, %sums : tensor<8x4x4x2x4xi8>, tensor<8x4x4x16x4xi8>, tensor<8x4x16xf32>, tensor<8x4x16xi8>, tensor<8x4xi32>) outs(%init : tensor<8x8x16xf32>) {
  ^bb0(%a: i8, %b: i8, %sc: f32, %zp: i8, %bs: i32, %acc: f32):
    %h = linalg.index 5 : index
    %c = linalg.index 4 : index
    %j = linalg.index 6 : index
    %c0 = arith.constant 0 : index
    %low = arith.cmpi eq, %h, %c0 : index
    %c15 = arith.constant 15 : i8
    %c4 = arith.constant 4 : i8
    %lo = arith.andi %b, %c15 : i8
    %hi = arith.shrui %b, %c4 : i8
    %n8 = arith.select %low, %lo, %hi : i8
    %n = arith.extui %n8 : i8 to i32
    %xi = arith.extsi %a : i8 to i32
    %p0 = arith.muli %n, %xi : i32
    %c_first = arith.cmpi eq, %c, %c0 : index
    %j_first = arith.cmpi eq, %j, %c0 : index
    %f0 = arith.andi %low, %c_first : i1
    %first = arith.andi %f0, %j_first : i1
    %z32 = arith.extui %zp : i8 to i32
    %zs = arith.muli %z32, %bs : i32
    %i0 = arith.constant 0 : i32
    %corr = arith.select %first, %zs, %i0 : i32
    %p = arith.subi %p0, %corr : i32
    %pf = arith.sitofp %p : i32 to f32
    %t = arith.mulf %sc, %pf : f32
    %sum = arith.addf %acc, %t : f32
    linalg.yield %sum : f32
  } -> tensor<8x8x16xf32>
  return %r : tensor<8x8x16xf32>
}

// -----

// A product of two run-time 8-bit operands in the dot-product layout
// (attention: batch dimensions b0, b1, then m, t, i, c, j): one batch per
// tile, 4 rows x 4 16-lane output tiles of i32 accumulators (2 x 2 with
// AVX2's registers), 8 groups of four reduction steps per tile.
// CHECK-LABEL: func @dot_matmul
// CHECK: #qcpu.lowering_config<tile_sizes = [1, 1, 4, 4, 16, 8, 0], kernel = dot_matmul>
// AVX2-LABEL: func @dot_matmul
// AVX2: #qcpu.lowering_config<tile_sizes = [1, 1, 2, 2, 16, 8, 0], kernel = dot_matmul>
#dm_a = affine_map<(b0, b1, m, t, i, c, j) -> (b0, b1, m, c, j)>
#dm_b = affine_map<(b0, b1, m, t, i, c, j) -> (b0, b1, t, c, i, j)>
#dm_o = affine_map<(b0, b1, m, t, i, c, j) -> (b0, b1, m, t, i)>
func.func @dot_matmul(%a: tensor<1x4x128x16x4xi8>, %b: tensor<1x4x8x16x16x4xi8>, %init: tensor<1x4x128x8x16xi32>) -> tensor<1x4x128x8x16xi32> {
  %r = linalg.generic {indexing_maps = [#dm_a, #dm_b, #dm_o], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]} ins(%a, %b : tensor<1x4x128x16x4xi8>, tensor<1x4x8x16x16x4xi8>) outs(%init : tensor<1x4x128x8x16xi32>) {
  ^bb0(%x: i8, %w: i8, %acc: i32):
    %xi = arith.extui %x : i8 to i32
    %wi = arith.extsi %w : i8 to i32
    %p = arith.muli %xi, %wi : i32
    %s = arith.addi %acc, %p : i32
    linalg.yield %s : i32
  } -> tensor<1x4x128x8x16xi32>
  return %r : tensor<1x4x128x8x16xi32>
}
