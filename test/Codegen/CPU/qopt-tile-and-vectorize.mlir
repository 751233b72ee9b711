// RUN: qopt %s --qopt-select-cpu-strategy --qopt-tile-and-vectorize --split-input-file | FileCheck %s

// A GEMM-like generic (n, f, c, p): 16 lanes along p, a block of 8 output
// channels, the reduction over c innermost with the 8x16 accumulator carried
// in registers (read before the loop, written after it).
// CHECK-LABEL: func @gemm
// CHECK: scf.for {{.*}} to %c16 step %c8
// CHECK: scf.for {{.*}} to %c64 step %c16
// CHECK: vector.transfer_read {{.*}} : tensor<1x16x64xf32>, vector<8x16xf32>
// CHECK: scf.for {{.*}} to %c32 step %c1 iter_args({{.*}}) -> ({{.*}}vector<1x8x16xf32>)
// CHECK: arith.mulf {{.*}} : vector<8x1x16xf32>
// CHECK: arith.addf {{.*}} : vector<8x16xf32>
// CHECK: scf.yield
// CHECK: vector.transfer_write {{.*}} : vector<8x16xf32>, tensor<1x16x64xf32>
// CHECK-NOT: linalg.generic
#x = affine_map<(n, f, c, p) -> (n, c, p)>
#w = affine_map<(n, f, c, p) -> (f, c)>
#o = affine_map<(n, f, c, p) -> (n, f, p)>
func.func @gemm(%x: tensor<1x32x64xf32>, %w: tensor<16x32xf32>, %init: tensor<1x16x64xf32>) -> tensor<1x16x64xf32> {
  %y = linalg.generic {indexing_maps = [#x, #w, #o], iterator_types = ["parallel", "parallel", "reduction", "parallel"]}
      ins(%x, %w : tensor<1x32x64xf32>, tensor<16x32xf32>) outs(%init : tensor<1x16x64xf32>) {
    ^bb0(%a: f32, %b: f32, %c: f32):
      %m = arith.mulf %a, %b : f32
      %s = arith.addf %c, %m : f32
      linalg.yield %s : f32
  } -> tensor<1x16x64xf32>
  return %y : tensor<1x16x64xf32>
}

// -----

// An extent that no full vector divides (20 = 16 + 4): the loop is peeled and
// the remainder tile is vectorized with 4 lanes.
// CHECK-LABEL: func @peeled
// CHECK: arith.addf {{.*}} : vector<16xf32>
// CHECK: arith.addf {{.*}} : vector<4xf32>
// CHECK-NOT: linalg.generic
#id = affine_map<(i) -> (i)>
func.func @peeled(%a: tensor<20xf32>, %init: tensor<20xf32>) -> tensor<20xf32> {
  %y = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%a : tensor<20xf32>) outs(%init : tensor<20xf32>) {
    ^bb0(%x: f32, %o: f32):
      %s = arith.addf %x, %x : f32
      linalg.yield %s : f32
  } -> tensor<20xf32>
  return %y : tensor<20xf32>
}

// -----

// NHWC convolution: the activation consumer is tiled (one output row, 8
// columns, 32 channels) and the convolution and its bias initialisation are
// fused into the tile; input channels are a reduction loop carrying the 8x32
// accumulator; each step is 8 broadcast-times-weight-vector FMAs.
// CHECK-LABEL: func @conv_nhwc
// CHECK: scf.for {{.*}} to %c8 step %c1
// CHECK: scf.for {{.*}} to %c64 step %c32
// CHECK: %[[BIAS:.*]] = vector.transfer_read %arg2{{.*}} : tensor<64xf32>, vector<32xf32>
// CHECK: vector.broadcast %[[BIAS]] : vector<32xf32> to vector<1x1x8x32xf32>
// CHECK: scf.for {{.*}} to %c16 step %c1 iter_args({{.*}}) -> ({{.*}}vector<1x8x32xf32>)
// CHECK-COUNT-8: vector.fma {{.*}} : vector<32xf32>
// CHECK: scf.yield
// CHECK: arith.maximumf {{.*}} : vector<8x32xf32>
// CHECK: vector.transfer_write {{.*}} : vector<8x32xf32>, tensor<1x8x8x64xf32>
// CHECK-NOT: linalg.
#bias = affine_map<(n, h, w, f) -> (f)>
#id4 = affine_map<(n, h, w, f) -> (n, h, w, f)>
func.func @conv_nhwc(%x: tensor<1x8x8x16xf32>, %w: tensor<1x1x16x64xf32>, %b: tensor<64xf32>) -> tensor<1x8x8x64xf32> {
  %e = tensor.empty() : tensor<1x8x8x64xf32>
  %init = linalg.generic {indexing_maps = [#bias, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%b : tensor<64xf32>) outs(%e : tensor<1x8x8x64xf32>) {
    ^bb0(%v: f32, %o: f32):
      linalg.yield %v : f32
  } -> tensor<1x8x8x64xf32>
  %c = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : tensor<1x8x8x16xf32>, tensor<1x1x16x64xf32>) outs(%init : tensor<1x8x8x64xf32>) -> tensor<1x8x8x64xf32>
  %zero = arith.constant 0.0 : f32
  %y = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%c : tensor<1x8x8x64xf32>) outs(%e : tensor<1x8x8x64xf32>) {
    ^bb0(%v: f32, %o: f32):
      %r = arith.maximumf %v, %zero : f32
      linalg.yield %r : f32
  } -> tensor<1x8x8x64xf32>
  return %y : tensor<1x8x8x64xf32>
}

// -----

// Depthwise 3x3 stride 2: channels are the vector (all 32 here: two
// independent 16-lane FMA chains per column), 8 output columns per tile;
// kernel rows are a reduction loop and the 3 kernel columns x 8 output
// columns are unrolled FMAs on strided input columns.
// CHECK-LABEL: func @depthwise_stride2
// CHECK: vector.transfer_write %{{.*}} : vector<8x32xf32>, tensor<1x1x8x32xf32>
// CHECK: scf.for {{.*}} to %c3 step %c1 iter_args({{.*}}) -> ({{.*}}vector<1x8x32xf32>)
// CHECK-COUNT-24: vector.fma {{.*}} : vector<32xf32>
// CHECK: scf.yield
func.func @depthwise_stride2(%x: tensor<1x17x17x32xf32>, %w: tensor<3x3x32xf32>) -> tensor<1x8x8x32xf32> {
  %e = tensor.empty() : tensor<1x8x8x32xf32>
  %zero = arith.constant 0.0 : f32
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<1x8x8x32xf32>) -> tensor<1x8x8x32xf32>
  %y = linalg.depthwise_conv_2d_nhwc_hwc {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
      ins(%x, %w : tensor<1x17x17x32xf32>, tensor<3x3x32xf32>) outs(%init : tensor<1x8x8x32xf32>) -> tensor<1x8x8x32xf32>
  return %y : tensor<1x8x8x32xf32>
}

// -----

// A dot-product convolution (from --integer-only) and its epilogue: two
// output rows x 4 columns x 32 channels per tile (a narrow map: 8 pixels
// per weight load instead of 4); kernel rows, kernel columns and groups of
// four input channels are reduction loops carrying the 2x4x32 accumulators
// in registers. Per iteration: one [32 x 4] weight load from the tile's
// contiguous panel, and per pixel a 4-byte activation load broadcast to 32
// lanes and one qcpu.dot4_u8s8. The epilogue takes the accumulators without
// a memory round trip.
// CHECK-LABEL: func @dot_product_conv
// CHECK: scf.for {{.*}} to %c4 step %c2
// CHECK: %[[ACC:.*]] = vector.transfer_read %arg2{{.*}} : tensor<1x4x4x32xi32>, vector<2x4x32xi32>
// CHECK: scf.for {{.*}} to %c3 step %c1 iter_args({{.*}}, %{{.*}} = %[[ACC]])
// CHECK: scf.for {{.*}} to %c3 step %c1
// CHECK: scf.for {{.*}} to %c2 step %c1
// CHECK: vector.transfer_read %arg1{{.*}} : tensor<1x3x3x2x32x4xi8>, vector<32x4xi8>
// CHECK: vector.transfer_read %arg0{{.*}} : tensor<1x6x6x8xi8>, vector<4xi8>
// CHECK-COUNT-8: qcpu.dot4_u8s8 {{.*}} : vector<128xi8> -> vector<32xi32>
// CHECK: vector.shape_cast {{.*}} : vector<256xi32> to vector<2x4x32xi32>
// CHECK: arith.trunci {{.*}} : vector<2x4x32xi32> to vector<2x4x32xi8>
// CHECK: vector.transfer_write {{.*}} : vector<2x4x32xi8>, tensor<1x4x4x32xi8>
// CHECK-NOT: linalg.generic
#xmap = affine_map<(n, oh, ow, f, kh, kw, c, k) -> (n, oh + kh, ow + kw, c * 4 + k)>
#wmap = affine_map<(n, oh, ow, f, kh, kw, c, k) -> (f floordiv 32, kh, kw, c, f mod 32, k)>
#omap = affine_map<(n, oh, ow, f, kh, kw, c, k) -> (n, oh, ow, f)>
#id4 = affine_map<(n, h, w, c) -> (n, h, w, c)>
func.func @dot_product_conv(%x: tensor<1x6x6x8xi8>, %w: tensor<1x3x3x2x32x4xi8>, %init: tensor<1x4x4x32xi32>) -> tensor<1x4x4x32xi8> {
  %y = linalg.generic {indexing_maps = [#xmap, #wmap, #omap], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "reduction"]}
      ins(%x, %w : tensor<1x6x6x8xi8>, tensor<1x3x3x2x32x4xi8>) outs(%init : tensor<1x4x4x32xi32>) {
    ^bb0(%a: i8, %b: i8, %c: i32):
      %a32 = arith.extui %a : i8 to i32
      %b32 = arith.extsi %b : i8 to i32
      %m = arith.muli %a32, %b32 : i32
      %s = arith.addi %c, %m : i32
      linalg.yield %s : i32
  } -> tensor<1x4x4x32xi32>
  %e = tensor.empty() : tensor<1x4x4x32xi8>
  %t = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%y : tensor<1x4x4x32xi32>) outs(%e : tensor<1x4x4x32xi8>) {
    ^bb0(%a: i32, %o: i8):
      %r = arith.trunci %a : i32 to i8
      linalg.yield %r : i8
  } -> tensor<1x4x4x32xi8>
  return %t : tensor<1x4x4x32xi8>
}

// -----

// An fp32 panel convolution: tiles of two output rows x 4 columns x 32
// channels iterate channel panels outside the pixels; per kernel position
// and input channel, one 32-float load of the panel and per pixel a
// broadcast activation times it (vector.fma), the 2x4x32 accumulators
// carried in registers through the reduction loops.
// CHECK-LABEL: func @panel_conv
// CHECK: scf.for {{.*}} to %c64 step %c32
// CHECK: scf.for {{.*}} to %c4 step %c2
// CHECK: vector.transfer_read {{.*}} : tensor<1x4x4x64xf32>, vector<2x4x32xf32>
// CHECK: scf.for {{.*}} to %c3 step %c1
// CHECK: scf.for {{.*}} to %c3 step %c1
// CHECK: scf.for {{.*}} to %c8 step %c1
// CHECK: vector.transfer_read %arg1{{.*}} : tensor<2x3x3x8x32xf32>, vector<32xf32>
// CHECK-COUNT-8: vector.fma {{.*}} : vector<32xf32>
// CHECK: vector.transfer_write {{.*}} : vector<2x4x32xf32>, tensor<1x2x4x32xf32>
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

// Output columns and channels that the tiles do not divide (37 frames in
// tiles of 16, 257 filters in panels of 16): the remainders are split off
// (linalg::splitOp) as ops of their own, so every register tile is static
// and vectorized: 32 x 256 in 16 x 16 tiles, 32 x 1, 5 x 256 in 5 x 16
// tiles, and 5 x 1.
// CHECK-LABEL: func @split_remainders
// CHECK: scf.for {{.*}} to %c256 step %c16
// CHECK: scf.for {{.*}} to %c32 step %c16
// CHECK-COUNT-16: vector.fma {{.*}} : vector<16xf32>
// CHECK: scf.for {{.*}} to %c32 step %c16
// CHECK-COUNT-16: vector.fma {{.*}} : vector<1xf32>
// CHECK: scf.for {{.*}} to %c256 step %c16
// CHECK-COUNT-5: vector.fma {{.*}} : vector<16xf32>
// CHECK-COUNT-5: vector.fma {{.*}} : vector<1xf32>
// CHECK-NOT: linalg.generic
#sxmap = affine_map<(n, oh, ow, f, kh, kw, c) -> (n, oh + kh, ow * 160 + kw, c)>
#swmap = affine_map<(n, oh, ow, f, kh, kw, c) -> (f floordiv 16, kh, kw, c, f mod 16)>
#somap = affine_map<(n, oh, ow, f, kh, kw, c) -> (n, oh, ow, f)>
func.func @split_remainders(%x: tensor<1x1x6272x1xf32>, %w: tensor<17x1x512x1x16xf32>, %init: tensor<1x1x37x257xf32>) -> tensor<1x1x37x257xf32> {
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

// A W4A8 block product's register tile (one row, four 16-lane output tiles,
// one block of 4 groups of 8): per group and tile one 64-byte weight load,
// its low and high nibbles (AND, shift) dotted with the row's broadcast
// activation groups; per block the zero points times the row's block sum
// taken out, then converted and scaled into the f32 accumulators, which
// stay in registers across the loop over blocks.
// CHECK-LABEL: func @block_dot_rows1
// CHECK: scf.for
// CHECK: vector.transfer_read {{.*}} : tensor<1x8x16xf32>, vector<4x16xf32>
// CHECK: scf.for {{.*}} -> (tensor<1x8x16xf32>, tensor<1x4x16xf32>, vector<1x4x16xf32>)
// CHECK: arith.andi %{{.*}} : vector<64xi8>
// CHECK: arith.shrui %{{.*}} : vector<64xi8>
// CHECK-COUNT-32: qcpu.dot4_u8s8
// CHECK-NOT: qcpu.dot4_u8s8
// CHECK: arith.muli %{{.*}} : vector<16xi32>
// CHECK: arith.sitofp %{{.*}} : vector<16xi32> to vector<16xf32>
// CHECK: vector.fma %{{.*}} : vector<16xf32>
// CHECK: scf.yield {{.*}} vector<1x4x16xf32>
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

// A tile of a product of two run-time 8-bit operands: per group of four
// reduction steps, one 64-byte load per output tile and one broadcast of
// four bytes per row feed 4 x 4 qcpu.dot4_u8s8 (8 groups: 128 of them);
// the 16 i32 accumulators stay in registers across the loop over the
// groups.
// CHECK-LABEL: func @dot_matmul
// CHECK: scf.for {{.*}} -> (tensor<1x4x128x8x16xi32>, tensor<1x1x4x4x16xi32>, vector<1x1x4x4x16xi32>)
// CHECK-COUNT-128: qcpu.dot4_u8s8 %{{.*}} : vector<64xi8> -> vector<16xi32>
// CHECK-NOT: qcpu.dot4_u8s8
// CHECK: scf.yield
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
