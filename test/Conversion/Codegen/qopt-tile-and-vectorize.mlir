// RUN: qopt %s --qopt-tile-and-vectorize --split-input-file | FileCheck %s

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

// Depthwise 3x3 stride 2: channels are the vector (16 lanes), 8 output
// columns per tile; kernel rows are a reduction loop and the 3 kernel
// columns x 8 output columns are unrolled FMAs on strided input columns.
// CHECK-LABEL: func @depthwise_stride2
// CHECK: vector.transfer_write %{{.*}} : vector<8x16xf32>, tensor<1x1x8x16xf32>
// CHECK: scf.for {{.*}} to %c3 step %c1 iter_args({{.*}}) -> ({{.*}}vector<1x8x16xf32>)
// CHECK-COUNT-24: vector.fma {{.*}} : vector<16xf32>
// CHECK: scf.yield
func.func @depthwise_stride2(%x: tensor<1x17x17x32xf32>, %w: tensor<3x3x32xf32>) -> tensor<1x8x8x32xf32> {
  %e = tensor.empty() : tensor<1x8x8x32xf32>
  %zero = arith.constant 0.0 : f32
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<1x8x8x32xf32>) -> tensor<1x8x8x32xf32>
  %y = linalg.depthwise_conv_2d_nhwc_hwc {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
      ins(%x, %w : tensor<1x17x17x32xf32>, tensor<3x3x32xf32>) outs(%init : tensor<1x8x8x32xf32>) -> tensor<1x8x8x32xf32>
  return %y : tensor<1x8x8x32xf32>
}
