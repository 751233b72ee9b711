// A function whose ops together iterate fewer than 2^22 times gets no
// parallel region even with threads=2 (a voice-activity step of 0.02 ms ran
// slower on two threads than on one); the same convolution at a larger
// size (qopt-lower-to-llvm-threads.mlir) is distributed.
// RUN: qopt %s --qopt-lower-to-llvm="threads=2 compile-to=vectorized" | FileCheck %s
// CHECK-LABEL: func @main
// CHECK-NOT: scf.forall
// CHECK: qcpu.dot4_u8s8
// CHECK-NOT: scf.forall
!qx = !quant.uniform<i8:f32, 0.05>
!qw = !quant.uniform<i8<-127:127>:f32, 0.01>
!qy = !quant.uniform<i8:f32, 0.1>
func.func @main(%x: tensor<1x16x8x8x!qx>) -> tensor<1x32x8x8x!qy> {
  %w = qnn.qconst dense<3> : tensor<32x16x3x3xi8> -> tensor<32x16x3x3x!qw>
  %c = qnn.conv2d %x, %w {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x16x8x8x!qx>, tensor<32x16x3x3x!qw>) -> tensor<1x32x8x8x!qy>
  return %c : tensor<1x32x8x8x!qy>
}
