// RUN: qopt %s --qopt-tile-and-vectorize --split-input-file | FileCheck %s

// A 1x1 convolution GEMM (n, f, c, p): 16 lanes along p, a block of 8 output
// channels, the reduction over c innermost.
// CHECK-LABEL: func @gemm
// CHECK: scf.for {{.*}} to %c16 step %c8
// CHECK: scf.for {{.*}} to %c64 step %c16
// CHECK: scf.for {{.*}} to %c32 step %c1
// CHECK: vector.transfer_read {{.*}} : tensor<1x1x16xf32>, vector<1x8x1x16xf32>
// CHECK: vector.transfer_read {{.*}} : tensor<8x1xf32>, vector<1x8x1x16xf32>
// CHECK: vector.transfer_read {{.*}} : tensor<1x8x16xf32>, vector<1x8x16xf32>
// CHECK: vector.multi_reduction <add>, {{.*}} [2] : vector<1x8x1x16xf32> to vector<1x8x16xf32>
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
