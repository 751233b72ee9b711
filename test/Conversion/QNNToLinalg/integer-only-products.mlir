// RUN: qopt %s --integer-only --split-input-file | FileCheck %s

// A quantized matmul with constant weights and at least four rows runs as a
// 1x1 convolution in the dot-product layout (8 loops, weight panels).
// CHECK-LABEL: func @rows8
// CHECK: linalg.generic {{.*}}"parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "reduction"]} ins({{.*}} : tensor<1x1x8x16xi8>, tensor<1x1x1x4x16x4xi8>)
func.func @rows8(%x: tensor<8x16x!quant.uniform<u8:f32, 0.5:128>>) -> tensor<8x16x!quant.uniform<u8:f32, 1.0:128>> {
  %w = qnn.qconst dense<1> : tensor<16x16xi8> -> tensor<16x16x!quant.uniform<i8<-127:127>:f32, 0.25>>
  %y = qnn.matmul %x, %w : (tensor<8x16x!quant.uniform<u8:f32, 0.5:128>>, tensor<16x16x!quant.uniform<i8<-127:127>:f32, 0.25>>) -> tensor<8x16x!quant.uniform<u8:f32, 1.0:128>>
  return %y : tensor<8x16x!quant.uniform<u8:f32, 1.0:128>>
}

// -----

// Fewer rows (a matrix-vector product) stay a generic contraction: a
// convolution tile would have nothing to block.
// CHECK-LABEL: func @rows2
// CHECK-NOT: "reduction", "reduction", "reduction", "reduction"
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]
func.func @rows2(%x: tensor<2x16x!quant.uniform<u8:f32, 0.5:128>>) -> tensor<2x16x!quant.uniform<u8:f32, 1.0:128>> {
  %w = qnn.qconst dense<1> : tensor<16x16xi8> -> tensor<16x16x!quant.uniform<i8<-127:127>:f32, 0.25>>
  %y = qnn.matmul %x, %w : (tensor<2x16x!quant.uniform<u8:f32, 0.5:128>>, tensor<16x16x!quant.uniform<i8<-127:127>:f32, 0.25>>) -> tensor<2x16x!quant.uniform<u8:f32, 1.0:128>>
  return %y : tensor<2x16x!quant.uniform<u8:f32, 1.0:128>>
}
