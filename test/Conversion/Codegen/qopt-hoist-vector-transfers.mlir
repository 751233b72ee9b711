// RUN: qopt %s --qopt-hoist-vector-transfers | FileCheck %s

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
