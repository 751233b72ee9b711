// RUN: qopt %s --qopt-hoist-vector-transfers --split-input-file | FileCheck %s

// The accumulator read and write leave the reduction loop.
// CHECK-LABEL: func @hoist
// CHECK: %[[ACC:.*]] = vector.transfer_read %arg1
// CHECK: %[[R:.*]] = scf.for {{.*}} iter_args(%[[A:.*]] = %[[ACC]])
// CHECK:   vector.transfer_read %arg0
// CHECK:   arith.addf
// CHECK-NOT: vector.transfer_write
// CHECK: scf.yield
// CHECK: vector.transfer_write %[[R]], %arg1
func.func @hoist(%in: memref<8x16xf32>, %acc: memref<16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %f0 = arith.constant 0.0 : f32
  scf.for %i = %c0 to %c8 step %c1 {
    %a = vector.transfer_read %acc[%c0], %f0 {in_bounds = [true]} : memref<16xf32>, vector<16xf32>
    %x = vector.transfer_read %in[%i, %c0], %f0 {in_bounds = [true]} : memref<8x16xf32>, vector<16xf32>
    %s = arith.addf %a, %x : vector<16xf32>
    vector.transfer_write %s, %acc[%c0] {in_bounds = [true]} : vector<16xf32>, memref<16xf32>
  }
  return
}

// -----

// A [32 x 4] weight tile of a dot-product convolution is contiguous in
// memory: it is read as one 128-byte vector (rows would be 4-byte loads that
// LLVM stitches together).
// CHECK-LABEL: func @flatten_weight_tile
// CHECK: %[[C:.*]] = memref.collapse_shape
// CHECK: %[[V:.*]] = vector.transfer_read %[[C]]{{.*}} : memref<{{.*}}xi8{{.*}}>, vector<128xi8>
// CHECK: vector.shape_cast %[[V]] : vector<128xi8> to vector<32x4xi8>
func.func @flatten_weight_tile(%w: memref<3x3x8x32x4xi8>, %i: index) -> vector<32x4xi8> {
  %c0 = arith.constant 0 : index
  %z = arith.constant 0 : i8
  %v = vector.transfer_read %w[%i, %c0, %c0, %c0, %c0], %z {in_bounds = [true, true]} : memref<3x3x8x32x4xi8>, vector<32x4xi8>
  return %v : vector<32x4xi8>
}
