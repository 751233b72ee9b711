// RUN: qopt %s --integer-only --split-input-file | FileCheck %s

// A quantized matmul with constant weights runs as a 1x1 convolution in the
// dot-product layout (8 loops, weight panels).
// CHECK-LABEL: func @rows8
// CHECK: linalg.generic {{.*}}"parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "reduction"]} ins({{.*}} : tensor<1x1x8x16xi8>, tensor<1x1x1x4x16x4xi8>)
func.func @rows8(%x: tensor<8x16x!quant.uniform<u8:f32, 0.5:128>>) -> tensor<8x16x!quant.uniform<u8:f32, 1.0:128>> {
  %w = qnn.qconst dense<1> : tensor<16x16xi8> -> tensor<16x16x!quant.uniform<i8<-127:127>:f32, 0.25>>
  %y = qnn.matmul %x, %w : (tensor<8x16x!quant.uniform<u8:f32, 0.5:128>>, tensor<16x16x!quant.uniform<i8<-127:127>:f32, 0.25>>) -> tensor<8x16x!quant.uniform<u8:f32, 1.0:128>>
  return %y : tensor<8x16x!quant.uniform<u8:f32, 1.0:128>>
}

// -----

// So does a matrix-vector product: its weights stream from one contiguous
// panel per 32 outputs through the dot-product instructions (a generic
// contraction read them in rows 4 KiB apart and multiplied in 32 bits:
// 1 x 4096 x 4096 at 2.3 ms, as a convolution 0.67 ms).
// CHECK-LABEL: func @rows2
// CHECK: linalg.generic {{.*}}"parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "reduction"]} ins({{.*}} : tensor<1x1x2x16xi8>, tensor<1x1x1x4x16x4xi8>)
func.func @rows2(%x: tensor<2x16x!quant.uniform<u8:f32, 0.5:128>>) -> tensor<2x16x!quant.uniform<u8:f32, 1.0:128>> {
  %w = qnn.qconst dense<1> : tensor<16x16xi8> -> tensor<16x16x!quant.uniform<i8<-127:127>:f32, 0.25>>
  %y = qnn.matmul %x, %w : (tensor<2x16x!quant.uniform<u8:f32, 0.5:128>>, tensor<16x16x!quant.uniform<i8<-127:127>:f32, 0.25>>) -> tensor<2x16x!quant.uniform<u8:f32, 1.0:128>>
  return %y : tensor<2x16x!quant.uniform<u8:f32, 1.0:128>>
}
