// threads=N (N != 1) distributes the parallel tile loops over OpenMP
// threads: scf.forall after tiling, omp.parallel + omp.wsloop after
// bufferization, and calls into LLVM's OpenMP runtime in LLVM IR; the
// default (threads=1) stays sequential and free of the runtime.
// RUN: qopt %s --qopt-lower-to-llvm=compile-to=vectorized | FileCheck %s --check-prefix=SEQ
// RUN: qopt %s --qopt-lower-to-llvm="threads=2 compile-to=vectorized" | FileCheck %s --check-prefix=FORALL
// RUN: qopt %s --qopt-lower-to-llvm="threads=2 compile-to=bufferized" | FileCheck %s --check-prefix=OMP
// RUN: qopt %s --qopt-lower-to-llvm="threads=2" | mlir-translate --mlir-to-llvmir | FileCheck %s --check-prefix=LLVMIR
// RUN: qopt %s --qopt-lower-to-llvm="threads=0" | mlir-translate --mlir-to-llvmir | FileCheck %s --check-prefix=DEFAULT
// RUN: qopt %s --qopt-lower-to-llvm | mlir-translate --mlir-to-llvmir | FileCheck %s --check-prefix=NORUNTIME

// SEQ-NOT: scf.forall
// The convolution's register tiles (with its epilogue) are one forall; the
// max pool's rows another.
// FORALL-LABEL: func @main
// FORALL: scf.forall
// FORALL: qcpu.dot4_u8s8
// FORALL: scf.forall
// FORALL: arith.maxsi {{.*}} : vector<32xi8>
// OMP: omp.parallel num_threads(
// OMP: omp.wsloop
// OMP-NOT: scf.forall
// LLVMIR: call void (ptr, i32, ptr, ...) @__kmpc_fork_call
// LLVMIR: call void @__kmpc_push_num_threads(ptr {{.*}}, i32 {{.*}}, i32 2)
// DEFAULT: @__kmpc_fork_call
// DEFAULT-NOT: __kmpc_push_num_threads
// NORUNTIME-NOT: __kmpc
!qx = !quant.uniform<i8:f32, 0.05>
!qw = !quant.uniform<i8<-127:127>:f32:0, {0.01, 0.02, 0.01, 0.02, 0.01, 0.02, 0.01, 0.02, 0.01, 0.02, 0.01, 0.02, 0.01, 0.02, 0.01, 0.02, 0.01, 0.02, 0.01, 0.02, 0.01, 0.02, 0.01, 0.02, 0.01, 0.02, 0.01, 0.02, 0.01, 0.02, 0.01, 0.02}>
!qy = !quant.uniform<i8:f32, 0.1>
func.func @main(%x: tensor<1x16x32x32x!qx>) -> tensor<1x32x16x16x!qy> {
  %w = qnn.qconst dense<3> : tensor<32x16x3x3xi8> -> tensor<32x16x3x3x!qw>
  %c = qnn.conv2d %x, %w {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x16x32x32x!qx>, tensor<32x16x3x3x!qw>) -> tensor<1x32x32x32x!qy>
  %p = qnn.max_pool2d %c {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x32x32x32x!qy>) -> tensor<1x32x16x16x!qy>
  return %p : tensor<1x32x16x16x!qy>
}
