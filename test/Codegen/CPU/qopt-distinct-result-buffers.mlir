// RUN: qopt %s --qopt-distinct-result-buffers --split-input-file | FileCheck %s

// A buffer returned twice gets a copy for its second occurrence, so that
// buffer-results-to-out-params{hoist-static-allocs} sees distinct buffers.
// CHECK-LABEL: func @repeated
// CHECK: %[[A:.*]] = memref.alloc() : memref<1x4xf32>
// CHECK: %[[COPY:.*]] = memref.alloc() : memref<1x4xf32>
// CHECK: memref.copy %[[A]], %[[COPY]] : memref<1x4xf32> to memref<1x4xf32>
// CHECK: return %[[A]], %[[COPY]], %arg0
func.func @repeated(%x: memref<1x4xf32>) -> (memref<1x4xf32>, memref<1x4xf32>, memref<1x4xf32>) {
  %a = memref.alloc() : memref<1x4xf32>
  memref.copy %x, %a : memref<1x4xf32> to memref<1x4xf32>
  return %a, %a, %x : memref<1x4xf32>, memref<1x4xf32>, memref<1x4xf32>
}

// -----

// Dynamic sizes are read from the buffer; three occurrences give two copies.
// CHECK-LABEL: func @dynamic
// CHECK: %[[N:.*]] = memref.dim %arg0, %{{.*}} : memref<?x4xf32>
// CHECK: %[[C1:.*]] = memref.alloc(%[[N]]) : memref<?x4xf32>
// CHECK: memref.copy %arg0, %[[C1]]
// CHECK: %[[C2:.*]] = memref.alloc(%{{.*}}) : memref<?x4xf32>
// CHECK: memref.copy %arg0, %[[C2]]
// CHECK: return %arg0, %[[C1]], %[[C2]]
func.func @dynamic(%x: memref<?x4xf32>) -> (memref<?x4xf32>, memref<?x4xf32>, memref<?x4xf32>) {
  return %x, %x, %x : memref<?x4xf32>, memref<?x4xf32>, memref<?x4xf32>
}

// -----

// Distinct buffers are left alone.
// CHECK-LABEL: func @distinct
// CHECK-NOT: memref.alloc
// CHECK: return %arg0, %arg1
func.func @distinct(%x: memref<4xf32>, %y: memref<4xf32>) -> (memref<4xf32>, memref<4xf32>) {
  return %x, %y : memref<4xf32>, memref<4xf32>
}
