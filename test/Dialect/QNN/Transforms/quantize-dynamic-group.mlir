// RUN: qopt %s --quantize-dynamic="mode=weight-only weight-bits=4 group-size=2" --split-input-file | FileCheck %s
// RUN: qopt %s --quantize-dynamic="mode=weight-only weight-bits=8 group-size=4" --split-input-file | FileCheck %s --check-prefix=W8
// RUN: qopt %s --quantize-dynamic="weight-bits=4 group-size=2" --split-input-file | FileCheck %s --check-prefix=DYN

// mode=dynamic (W4A8): the same block weights, and the product's input
// replaced by its run-time int8 round trip dequantize(q) * s; a bias stays
// on the float product, convolutions take the per-channel integer path.
// DYN-LABEL: func @matmul
// DYN: %[[W:.*]] = qnn.block_dequantize %{{.*}} {axis = 0 : i64, block_size = 2 : i64} : (tensor<4x2xui4>, tensor<2x2xf32>, tensor<2x2xui4>) -> tensor<4x2xf32>
// DYN: %[[Q:.*]], %[[S:.*]] = qnn.dynamic_quantize %arg0 : (tensor<3x4xf32>) -> (tensor<3x4x!quant.uniform<i8<-127:127>:f32, 1.000000e+00>>, tensor<f32>)
// DYN: %[[D:.*]] = qnn.dequantize %[[Q]]
// DYN: %[[X:.*]] = qnn.mul %[[D]], %[[S]] : (tensor<3x4xf32>, tensor<f32>) -> tensor<3x4xf32>
// DYN: qnn.matmul %[[X]], %[[W]] : (tensor<3x4xf32>, tensor<4x2xf32>) -> tensor<3x2xf32>
// DYN-LABEL: func @fully_connected
// DYN: qnn.dynamic_quantize %arg0 : (tensor<?x4xf32>)
// DYN: %[[X:.*]] = qnn.mul
// DYN: qnn.fully_connected %[[X]], %{{.*}}, %{{.*}} : (tensor<?x4xf32>, tensor<2x4xf32>, tensor<2xf32>) -> tensor<?x2xf32>
// DYN-LABEL: func @conv
// DYN-NOT: block_dequantize
// DYN: qnn.conv2d %{{.*}} -> tensor<1x2x4x4x!quant.uniform<i32:f32, 1.000000e+00>>

// matmul weights [K = 4, N = 2], blocks of 2 along K (axis 0), values
// rounded with the f32 scale. Column 0, block 0 holds [0.6, 0.3]: the range
// widened to hold 0 is [0, 0.6], so s = f32(0.6 / 15) = 0.0400000028, z = 0
// and q = [15, round(7.4999998) = 7]; block 1 holds [-0.6, 0.0]: s = 0.04,
// z = 15, q = [0, 15]. Column 1, block 0 [-0.3, 0.9]: s = 1.2 / 15 = 0.08,
// z = round(3.75) = 4, q = [0, 15]; block 1 [0.3, 0.15]: s = 0.02, z = 0,
// q = [15, 7].
// CHECK-LABEL: func @matmul
// CHECK-DAG: %[[Q:.*]] = arith.constant dense<{{\[\[}}15, 0], [7, 15], [0, 15], [15, 7]]> : tensor<4x2xui4>
// CHECK-DAG: %[[Z:.*]] = arith.constant dense<{{\[\[}}0, 4], [15, 0]]> : tensor<2x2xui4>
// CHECK-DAG: %[[S:.*]] = arith.constant dense<{{\[\[}}0.0400000028, 8.000000e-02], [0.0400000028, 0.0200000014]]> : tensor<2x2xf32>
// CHECK: %[[W:.*]] = qnn.block_dequantize %[[Q]], %[[S]], %[[Z]] {axis = 0 : i64, block_size = 2 : i64} : (tensor<4x2xui4>, tensor<2x2xf32>, tensor<2x2xui4>) -> tensor<4x2xf32>
// CHECK: qnn.matmul %arg0, %[[W]] : (tensor<3x4xf32>, tensor<4x2xf32>) -> tensor<3x2xf32>
// 8-bit blocks of 4 (one per column): column 0 [0.6, 0.3, -0.6, 0] has
// range [-0.6, 0.6], s = 1.2 / 255, z = round(127.4999) = 127; -0.6 / s =
// -127.5 rounds to -128 and saturates at 0. Column 1 [-0.3, 0.9, 0.3, 0.15]:
// z = round(63.75) = 64, q = [0, 255, 128, 96].
// W8-LABEL: func @matmul
// W8: arith.constant dense<{{\[\[}}254, 0], [191, 255], [0, 128], [127, 96]]> : tensor<4x2xui8>
// W8: arith.constant dense<{{\[\[}}127, 64]]> : tensor<1x2xui8>
// W8: qnn.block_dequantize %{{.*}} {axis = 0 : i64, block_size = 4 : i64} : (tensor<4x2xui8>, tensor<1x2xf32>, tensor<1x2xui8>) -> tensor<4x2xf32>
func.func @matmul(%x: tensor<3x4xf32>) -> tensor<3x2xf32> {
  %w = arith.constant dense<[[0.6, -0.3], [0.3, 0.9], [-0.6, 0.3], [0.0, 0.15]]> : tensor<4x2xf32>
  %y = qnn.matmul %x, %w : (tensor<3x4xf32>, tensor<4x2xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

// fully_connected weights are [N, K]: the blocks run along axis 1, and the
// bias stays a float operand of the product.
// CHECK-LABEL: func @fully_connected
// CHECK: %[[W:.*]] = qnn.block_dequantize %{{.*}} {axis = 1 : i64, block_size = 2 : i64} : (tensor<2x4xui4>, tensor<2x2xf32>, tensor<2x2xui4>) -> tensor<2x4xf32>
// CHECK: qnn.fully_connected %arg0, %[[W]], %{{.*}} : (tensor<?x4xf32>, tensor<2x4xf32>, tensor<2xf32>) -> tensor<?x2xf32>
func.func @fully_connected(%x: tensor<?x4xf32>) -> tensor<?x2xf32> {
  %w = arith.constant dense<[[0.6, 0.3, -0.6, 0.0], [-0.3, 0.9, 0.3, 0.15]]> : tensor<2x4xf32>
  %b = arith.constant dense<[0.1, -0.1]> : tensor<2xf32>
  %y = qnn.fully_connected %x, %w, %b : (tensor<?x4xf32>, tensor<2x4xf32>, tensor<2xf32>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}

// -----

// Convolutions keep per-channel weights.
// CHECK-LABEL: func @conv
// CHECK-NOT: block_dequantize
// CHECK: qnn.qconst
func.func @conv(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = arith.constant dense<[[[[0.5]]], [[[-0.25]]]]> : tensor<2x1x1x1xf32>
  %y = qnn.conv2d %x, %w : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32>
  return %y : tensor<1x2x4x4xf32>
}

// -----

// Weights that arrive block-quantized (an imported MatMulNBits): dynamic
// mode quantizes the activations only; weight-only leaves the product as it
// is.
// CHECK-LABEL: func @imported_blocks
// CHECK-NOT: dynamic_quantize
// CHECK: qnn.matmul %arg0, %{{.*}} : (tensor<1x16xf32>, tensor<16x4xf32>)
// W8-LABEL: func @imported_blocks
// W8-NOT: dynamic_quantize
// DYN-LABEL: func @imported_blocks
// DYN: %[[W:.*]] = qnn.block_dequantize %{{.*}} {axis = 0 : i64, block_size = 8 : i64}
// DYN: %[[Q:.*]], %[[S:.*]] = qnn.dynamic_quantize %arg0
// DYN: %[[D:.*]] = qnn.dequantize %[[Q]]
// DYN: %[[X:.*]] = qnn.mul %[[D]], %[[S]]
// DYN: qnn.matmul %[[X]], %[[W]] : (tensor<1x16xf32>, tensor<16x4xf32>) -> tensor<1x4xf32>
func.func @imported_blocks(%x: tensor<1x16xf32>) -> tensor<1x4xf32> {
  %q = arith.constant dense<5> : tensor<16x4xui4>
  %s = arith.constant dense<0.25> : tensor<2x4xf32>
  %w = qnn.block_dequantize %q, %s {axis = 0 : i64, block_size = 8 : i64} : (tensor<16x4xui4>, tensor<2x4xf32>) -> tensor<16x4xf32>
  %y = qnn.matmul %x, %w : (tensor<1x16xf32>, tensor<16x4xf32>) -> tensor<1x4xf32>
  return %y : tensor<1x4xf32>
}
