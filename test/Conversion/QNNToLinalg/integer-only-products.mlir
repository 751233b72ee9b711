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

// -----

// W4A8: a float matmul of int8 activations (dequantize(q) * s, as
// --quantize-dynamic group-size=G writes it) and 4-bit block weights is an
// integer contraction over (m, t, i, g, c, h, j): the activations [M, G, C,
// 2, 4] i8 (K = 40 padded to 48: blocks of 16, C = 2 groups of 8), the
// weight nibbles packed [T, G, C, 16, 4] (N = 20 -> T = 2 tiles of 16),
// f32 scales and i8 zero points per (t, g, lane), and the activations'
// block sums [M, G] (reduced first) that the zero points meet once per
// block; the result times s.
// CHECK-LABEL: func @w4a8_matmul
// CHECK-NOT: qnn.matmul
// CHECK: tensor.pad %{{.*}} low[0, 0] high[0, 8]
// CHECK: %[[XB:.*]] = tensor.expand_shape %{{.*}} {{\[\[}}0], [1, 2]] output_shape [3, 3, 16] : tensor<3x48xi8> into tensor<3x3x16xi8>
// CHECK: %[[X:.*]] = tensor.expand_shape %[[XB]] {{\[\[}}0], [1], [2, 3, 4]] output_shape [3, 3, 2, 2, 4] : tensor<3x3x16xi8> into tensor<3x3x2x2x4xi8>
// CHECK: %[[SUMS:.*]] = linalg.generic {{.*}} ins(%[[XB]] : tensor<3x3x16xi8>) outs(%{{.*}} : tensor<3x3xi32>)
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "reduction"]} ins(%[[X]], %{{.*}}, %{{.*}}, %{{.*}}, %[[SUMS]] : tensor<3x3x2x2x4xi8>, tensor<2x3x2x16x4xi8>, tensor<2x3x16xf32>, tensor<2x3x16xi8>, tensor<3x3xi32>) outs(%{{.*}} : tensor<3x2x16xf32>)
// CHECK: linalg.index 5
// CHECK: arith.shrui
// CHECK: linalg.index 4
// CHECK: linalg.index 6
// CHECK: arith.subi
// CHECK: arith.sitofp
// CHECK: tensor.extract_slice %{{.*}}[0, 0] [3, 20] [1, 1] : tensor<3x32xf32> to tensor<3x20xf32>
func.func @w4a8_matmul(%x: tensor<3x40xf32>) -> tensor<3x20xf32> {
  %q, %s = qnn.dynamic_quantize %x : (tensor<3x40xf32>) -> (tensor<3x40x!quant.uniform<i8<-127:127>:f32, 1.0>>, tensor<f32>)
  %d = qnn.dequantize %q : (tensor<3x40x!quant.uniform<i8<-127:127>:f32, 1.0>>) -> tensor<3x40xf32>
  %a = qnn.mul %d, %s : (tensor<3x40xf32>, tensor<f32>) -> tensor<3x40xf32>
  %wq = arith.constant dense<3> : tensor<40x20xui4>
  %ws = arith.constant dense<0.5> : tensor<3x20xf32>
  %wz = arith.constant dense<8> : tensor<3x20xui4>
  %w = qnn.block_dequantize %wq, %ws, %wz {axis = 0 : i64, block_size = 16 : i64} : (tensor<40x20xui4>, tensor<3x20xf32>, tensor<3x20xui4>) -> tensor<40x20xf32>
  %y = qnn.matmul %a, %w : (tensor<3x40xf32>, tensor<40x20xf32>) -> tensor<3x20xf32>
  return %y : tensor<3x20xf32>
}

// -----

// Blocks that are not a multiple of 8 (or 8-bit blocks) stay a float
// product on the int8 values: the packed kernel needs whole groups of 8.
// CHECK-LABEL: func @w4a8_block12
// CHECK: qnn.matmul
func.func @w4a8_block12(%x: tensor<1x24xf32>) -> tensor<1x16xf32> {
  %q, %s = qnn.dynamic_quantize %x : (tensor<1x24xf32>) -> (tensor<1x24x!quant.uniform<i8<-127:127>:f32, 1.0>>, tensor<f32>)
  %d = qnn.dequantize %q : (tensor<1x24x!quant.uniform<i8<-127:127>:f32, 1.0>>) -> tensor<1x24xf32>
  %a = qnn.mul %s, %d : (tensor<f32>, tensor<1x24xf32>) -> tensor<1x24xf32>
  %wq = arith.constant dense<3> : tensor<24x16xui4>
  %ws = arith.constant dense<0.5> : tensor<2x16xf32>
  %w = qnn.block_dequantize %wq, %ws {axis = 0 : i64, block_size = 12 : i64} : (tensor<24x16xui4>, tensor<2x16xf32>) -> tensor<24x16xf32>
  %y = qnn.matmul %a, %w : (tensor<1x24xf32>, tensor<24x16xf32>) -> tensor<1x16xf32>
  return %y : tensor<1x16xf32>
}

// -----

// Two run-time operands (attention): u8 x i8 roles by the sign bit (the
// i8 left operand flipped to unsigned, zero point 3 + 128), K = 7 padded
// to 8 and N = 19 to 32, the right operand packed [B, T, C, 16, 4] by a
// permutation at run time, the zero-point terms from the row sums of a'
// (times zb = -5) and the column sums of b' (times za' = 131) in the
// accumulator's initial value (with K za' zb = -4585), then the dot-product contraction over
// (b, m, t, i, c, j).
// CHECK-LABEL: func @activation_product
// CHECK: arith.xori %{{.*}}, %{{.*}} : i8
// CHECK: tensor.pad %{{.*}} low[0, 0, 0] high[0, 0, 1]
// CHECK: tensor.pad %{{.*}} low[0, 0, 0] high[0, 1, 13]
// CHECK: %[[PACKED:.*]] = linalg.generic {{.*}} ins(%{{.*}} : tensor<2x2x4x2x16xi8>) outs(%{{.*}} : tensor<2x2x2x16x4xi8>)
// CHECK: %[[A:.*]] = tensor.expand_shape %{{.*}} output_shape [2, 5, 2, 4] : tensor<2x5x8xi8> into tensor<2x5x2x4xi8>
// CHECK: arith.extui %{{.*}} : i8 to i32
// CHECK: arith.extsi %{{.*}} : i8 to i32
// CHECK: %[[INIT:.*]] = linalg.generic
// CHECK: arith.constant -4585 : i32
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]} ins(%[[A]], %[[PACKED]] : tensor<2x5x2x4xi8>, tensor<2x2x2x16x4xi8>) outs(%[[INIT]] : tensor<2x5x2x16xi32>)
// CHECK: tensor.extract_slice %{{.*}}[0, 0, 0] [2, 5, 19] [1, 1, 1] : tensor<2x5x32xi32> to tensor<2x5x19xi32>
func.func @activation_product(%a: tensor<1x2x5x7x!quant.uniform<i8:f32, 0.02:3>>, %b: tensor<1x2x7x19x!quant.uniform<i8:f32, 0.03:-5>>) -> tensor<1x2x5x19x!quant.uniform<i8:f32, 0.05:3>> {
  %y = qnn.matmul %a, %b : (tensor<1x2x5x7x!quant.uniform<i8:f32, 0.02:3>>, tensor<1x2x7x19x!quant.uniform<i8:f32, 0.03:-5>>) -> tensor<1x2x5x19x!quant.uniform<i8:f32, 0.05:3>>
  return %y : tensor<1x2x5x19x!quant.uniform<i8:f32, 0.05:3>>
}
