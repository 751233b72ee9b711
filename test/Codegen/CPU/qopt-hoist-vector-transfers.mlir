// RUN: qopt %s --qopt-hoist-vector-transfers --split-input-file | FileCheck %s
// RUN: qopt %s --qopt-hoist-vector-transfers --canonicalize --split-input-file | FileCheck %s --check-prefix=CANON

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

// -----

// A column broadcast along a new leading dimension, then its unit dimension
// dropped (what flattening the matmul's transposes produces) stays a
// broadcast of the column as a vector: result[i][j] = x[j][0]. LLVM 22's
// canonicalizer would otherwise rewrite shape_cast(broadcast(x)) into a
// broadcast that stretches x's unit dimension (result[i][j] = x[i][0]).
// CHECK-LABEL: func @shape_cast_of_broadcast
// CHECK: %[[COL:.*]] = vector.shape_cast %arg0 : vector<8x1xf32> to vector<8xf32>
// CHECK: %[[B:.*]] = vector.broadcast %[[COL]] : vector<8xf32> to vector<8x8xf32>
// CHECK: return %[[B]]
// CANON-LABEL: func @shape_cast_of_broadcast
// CANON-NOT: vector<8x1xf32> to vector<8x8xf32>
// CANON: vector.broadcast %{{.*}} : vector<8xf32> to vector<8x8xf32>
func.func @shape_cast_of_broadcast(%arg0: vector<8x1xf32>) -> vector<8x8xf32> {
  %0 = vector.broadcast %arg0 : vector<8x1xf32> to vector<8x8x1xf32>
  %1 = vector.shape_cast %0 : vector<8x8x1xf32> to vector<8x8xf32>
  return %1 : vector<8x8xf32>
}
