// RUN: qopt %s --qopt-lower-strided-copies --split-input-file | FileCheck %s

// Rows of 8 are contiguous in both buffers: a loop over the rows copies
// each as one block (a memcpy after finalize-memref-to-llvm); the copy
// between identity layouts is left alone.
// CHECK-LABEL: func @copies
// CHECK: %[[SUB:.*]] = memref.subview %arg2
// CHECK: %[[N:.*]] = memref.dim %arg0
// CHECK: scf.for %[[I:.*]] = %{{.*}} to %[[N]] step %{{.*}}
// CHECK:   %[[S:.*]] = memref.subview %arg0[%[[I]], 0] [1, 8] [1, 1] : memref<?x8xf32> to memref<8xf32, strided<[1], offset: ?>>
// CHECK:   %[[D:.*]] = memref.subview %[[SUB]][%[[I]], 0] [1, 8] [1, 1] : memref<?x8xf32, strided<[10, 1], offset: 1>> to memref<8xf32, strided<[1], offset: ?>>
// CHECK:   memref.copy %[[S]], %[[D]]
// CHECK: memref.copy %arg0, %arg1 : memref<?x8xf32> to memref<?x8xf32>
// CHECK-NOT: linalg.copy
func.func @copies(%a: memref<?x8xf32>, %b: memref<?x8xf32>, %big: memref<?x10xf32>) {
  %c0 = arith.constant 0 : index
  %n = memref.dim %a, %c0 : memref<?x8xf32>
  %sub = memref.subview %big[0, 1] [%n, 8] [1, 1] : memref<?x10xf32> to memref<?x8xf32, strided<[10, 1], offset: 1>>
  memref.copy %a, %sub : memref<?x8xf32> to memref<?x8xf32, strided<[10, 1], offset: 1>>
  memref.copy %a, %b : memref<?x8xf32> to memref<?x8xf32>
  return
}

// -----

// The interior of a padded NHWC buffer: W x C rows are contiguous in both,
// so the blocks are 2-D (8 x 16 bytes) inside loops over N and H.
// CHECK-LABEL: func @padded_nhwc
// CHECK: scf.for
// CHECK: scf.for
// CHECK: memref.copy {{.*}} : memref<8x16xi8, strided<[16, 1], offset: ?>> to memref<8x16xi8, strided<[16, 1], offset: ?>>
func.func @padded_nhwc(%a: memref<?x8x8x16xi8>, %p: memref<?x10x10x16xi8>) {
  %c0 = arith.constant 0 : index
  %n = memref.dim %a, %c0 : memref<?x8x8x16xi8>
  %sub = memref.subview %p[0, 1, 1, 0] [%n, 8, 8, 16] [1, 1, 1, 1] : memref<?x10x10x16xi8> to memref<?x8x8x16xi8, strided<[1600, 160, 16, 1], offset: 176>>
  memref.copy %a, %sub : memref<?x8x8x16xi8> to memref<?x8x8x16xi8, strided<[1600, 160, 16, 1], offset: 176>>
  return
}

// -----

// No contiguous inner block (a column of a matrix): plain linalg.copy loops.
// CHECK-LABEL: func @column
// CHECK: linalg.copy ins(%{{.*}} : memref<4xf32, strided<[4]>>) outs(%{{.*}} : memref<4xf32, strided<[4], offset: 1>>)
func.func @column(%a: memref<4x4xf32>, %b: memref<4x4xf32>) {
  %s = memref.subview %a[0, 0] [4, 1] [1, 1] : memref<4x4xf32> to memref<4xf32, strided<[4]>>
  %d = memref.subview %b[0, 1] [4, 1] [1, 1] : memref<4x4xf32> to memref<4xf32, strided<[4], offset: 1>>
  memref.copy %s, %d : memref<4xf32, strided<[4]>> to memref<4xf32, strided<[4], offset: 1>>
  return
}

// -----

// A bufferized pad fills the whole buffer, then copies the source into its
// interior: the fill is narrowed to the border slabs (rows 0 and 5, then
// columns 0 and 5 of rows 1-4), so the interior is written once.
// CHECK-LABEL: func @pad_border_only
// CHECK: %[[BUF:.*]] = memref.alloc() : memref<1x6x6x8xi8>
// CHECK: %[[TOP:.*]] = memref.subview %[[BUF]][0, 0, 0, 0] [1, 1, 6, 8] [1, 1, 1, 1]
// CHECK: linalg.map outs(%[[TOP]]
// CHECK: %[[BOT:.*]] = memref.subview %[[BUF]][0, 5, 0, 0] [1, 1, 6, 8] [1, 1, 1, 1]
// CHECK: linalg.map outs(%[[BOT]]
// CHECK: %[[LEFT:.*]] = memref.subview %[[BUF]][0, 1, 0, 0] [1, 4, 1, 8] [1, 1, 1, 1]
// CHECK: linalg.map outs(%[[LEFT]]
// CHECK: %[[RIGHT:.*]] = memref.subview %[[BUF]][0, 1, 5, 0] [1, 4, 1, 8] [1, 1, 1, 1]
// CHECK: linalg.map outs(%[[RIGHT]]
// CHECK-NOT: linalg.map
// CHECK: memref.subview %[[BUF]][0, 1, 1, 0] [1, 4, 4, 8]
func.func @pad_border_only(%src: memref<1x4x4x8xi8>) -> memref<1x6x6x8xi8> {
  %zp = arith.constant -128 : i8
  %buf = memref.alloc() : memref<1x6x6x8xi8>
  linalg.map outs(%buf : memref<1x6x6x8xi8>)
    (%init: i8) {
      linalg.yield %zp : i8
    }
  %in = memref.subview %buf[0, 1, 1, 0] [1, 4, 4, 8] [1, 1, 1, 1] : memref<1x6x6x8xi8> to memref<1x4x4x8xi8, strided<[288, 48, 8, 1], offset: 56>>
  memref.copy %src, %in : memref<1x4x4x8xi8> to memref<1x4x4x8xi8, strided<[288, 48, 8, 1], offset: 56>>
  return %buf : memref<1x6x6x8xi8>
}

// -----

// The same pad with a dynamic batch (models are imported with one): the
// batch is not padded, so every slab spans all of it.
// CHECK-LABEL: func @pad_border_only_dynamic_batch
// CHECK: %[[BUF:.*]] = memref.alloc(%[[N:.*]]) : memref<?x6x6x8xf32>
// CHECK: %[[TOP:.*]] = memref.subview %[[BUF]][0, 0, 0, 0] [%[[N]], 1, 6, 8] [1, 1, 1, 1]
// CHECK: linalg.map outs(%[[TOP]]
// CHECK: memref.subview %[[BUF]][0, 5, 0, 0] [%[[N]], 1, 6, 8]
// CHECK: linalg.map
// CHECK: memref.subview %[[BUF]][0, 1, 0, 0] [%[[N]], 4, 1, 8]
// CHECK: linalg.map
// CHECK: memref.subview %[[BUF]][0, 1, 5, 0] [%[[N]], 4, 1, 8]
// CHECK: linalg.map
// CHECK-NOT: linalg.map
func.func @pad_border_only_dynamic_batch(%src: memref<?x4x4x8xf32>) -> memref<?x6x6x8xf32> {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %n = memref.dim %src, %c0 : memref<?x4x4x8xf32>
  %buf = memref.alloc(%n) : memref<?x6x6x8xf32>
  linalg.map outs(%buf : memref<?x6x6x8xf32>)
    (%init: f32) {
      linalg.yield %zero : f32
    }
  %in = memref.subview %buf[0, 1, 1, 0] [%n, 4, 4, 8] [1, 1, 1, 1] : memref<?x6x6x8xf32> to memref<?x4x4x8xf32, strided<[288, 48, 8, 1], offset: 56>>
  memref.copy %src, %in : memref<?x4x4x8xf32> to memref<?x4x4x8xf32, strided<[288, 48, 8, 1], offset: 56>>
  return %buf : memref<?x6x6x8xf32>
}
