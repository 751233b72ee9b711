// The registered pipeline lowers float qnn to the LLVM dialect only, with
// results passed back through caller-allocated buffers.
// RUN: qopt %s --qopt-lower-to-llvm | FileCheck %s
// RUN: qopt %s --qopt-lower-to-llvm | mlir-translate --mlir-to-llvmir | FileCheck %s --check-prefix=LLVMIR
// compile-to stops after a phase.
// RUN: qopt %s --qopt-lower-to-llvm=compile-to=integer | FileCheck %s --check-prefix=INTEGER
// RUN: qopt %s --qopt-lower-to-llvm=compile-to=linalg | FileCheck %s --check-prefix=LINALG
// RUN: qopt %s --qopt-lower-to-llvm=compile-to=vectorized | FileCheck %s --check-prefix=VECTOR
// RUN: qopt %s --qopt-lower-to-llvm=compile-to=bufferized | FileCheck %s --check-prefix=BUFFER
// RUN: not qopt %s --qopt-lower-to-llvm=compile-to=assembly 2>&1 | FileCheck %s --check-prefix=BADPHASE

// INTEGER: qnn.conv2d
// LINALG-NOT: qnn.
// LINALG: linalg.
// LINALG-NOT: vector.
// VECTOR: vector.
// VECTOR-NOT: memref.alloc
// BUFFER: func.func @main({{.*}}memref<?x1x4x4xf32>{{.*}}memref<?x2x2x2xf32>)
// BUFFER-NOT: llvm.func
// BADPHASE: Cannot find option named 'assembly'

// CHECK-LABEL: llvm.func @main(
// CHECK-NOT: qnn.
// CHECK-NOT: linalg.
// CHECK-NOT: memref.
// CHECK-NOT: llvm.call @memrefCopy
// Input descriptor (2 pointers, offset, 4 sizes, 4 strides), then the output's.
// LLVMIR: define void @main(ptr %0, ptr %1, i64 %2, i64 %3, i64 %4, i64 %5, i64 %6, i64 %7, i64 %8, i64 %9, i64 %10, ptr %11, ptr %12, i64
func.func @main(%x: tensor<?x1x4x4xf32>) -> tensor<?x2x2x2xf32> {
  %w = arith.constant dense<1.0> : tensor<2x1x3x3xf32>
  %c = qnn.conv2d %x, %w {pads = array<i64: 1, 1, 1, 1>, fused_activation = #qnn.activation<relu>} : (tensor<?x1x4x4xf32>, tensor<2x1x3x3xf32>) -> tensor<?x2x4x4xf32>
  %p = qnn.max_pool2d %c {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<?x2x4x4xf32>) -> tensor<?x2x2x2xf32>
  return %p : tensor<?x2x2x2xf32>
}
