// RUN: qopt %s --qopt-lower-strided-copies | FileCheck %s

// CHECK-LABEL: func @copies
// CHECK: linalg.copy ins(%arg0 : memref<?x8xf32>) outs(%{{.*}} : memref<?x8xf32, strided<[10, 1], offset: 1>>)
// CHECK: memref.copy %arg0, %arg1 : memref<?x8xf32> to memref<?x8xf32>
func.func @copies(%a: memref<?x8xf32>, %b: memref<?x8xf32>, %big: memref<?x10xf32>) {
  %c0 = arith.constant 0 : index
  %n = memref.dim %a, %c0 : memref<?x8xf32>
  %sub = memref.subview %big[0, 1] [%n, 8] [1, 1] : memref<?x10xf32> to memref<?x8xf32, strided<[10, 1], offset: 1>>
  memref.copy %a, %sub : memref<?x8xf32> to memref<?x8xf32, strided<[10, 1], offset: 1>>
  memref.copy %a, %b : memref<?x8xf32> to memref<?x8xf32>
  return
}
