// RUN: qopt %s --fold-bn --split-input-file | FileCheck %s
// RUN: qopt %s --fold-bn=scale-shift-fallback=false --split-input-file --verify-diagnostics > /dev/null

// a = gamma / sqrt(var + eps) = [2/2, 6/3] = [1, 2]
// W' = W * a = [1, 4];  b' = (b - mean) * a + beta = [(0.5-0.5)*1+1, (-1-1)*2+0] = [1, -4]
// CHECK-LABEL: func @conv_bias
// CHECK-DAG: %[[W:.*]] = arith.constant dense<{{\[\[\[\[}}1.000000e+00]]], {{\[\[\[}}4.000000e+00]]]]> : tensor<2x1x1x1xf32>
// CHECK-DAG: %[[B:.*]] = arith.constant dense<[1.000000e+00, -4.000000e+00]> : tensor<2xf32>
// CHECK: %[[Y:.*]] = qnn.conv2d %arg0, %[[W]], %[[B]] {strides = array<i64: 2, 2>}
// CHECK-NOT: qnn.batch_norm
// CHECK: return %[[Y]]
func.func @conv_bias(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x2x2xf32> {
  %w = arith.constant dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>
  %b = arith.constant dense<[0.5, -1.0]> : tensor<2xf32>
  %gamma = arith.constant dense<[2.0, 6.0]> : tensor<2xf32>
  %beta = arith.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %mean = arith.constant dense<[0.5, 1.0]> : tensor<2xf32>
  %var = arith.constant dense<[3.0, 8.0]> : tensor<2xf32>
  %c = qnn.conv2d %x, %w, %b {strides = array<i64: 2, 2>} : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  %y = qnn.batch_norm %c, %gamma, %beta, %mean, %var {epsilon = 1.0 : f32}
      : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  return %y : tensor<1x2x2x2xf32>
}

// -----

// Depthwise, no bias, weights in a dense_resource blob ([1, 2]).
// a = [1, 2]; W' = [1, 4]; b' = -mean * a + beta = [-0.5 + 1, -2 + 0] = [0.5, -2]
// CHECK-LABEL: func @depthwise_no_bias_resource
// CHECK-DAG: %[[W:.*]] = arith.constant dense<{{\[\[\[\[}}1.000000e+00]]], {{\[\[\[}}4.000000e+00]]]]> : tensor<2x1x1x1xf32>
// CHECK-DAG: %[[B:.*]] = arith.constant dense<[5.000000e-01, -2.000000e+00]> : tensor<2xf32>
// CHECK: qnn.conv2d %arg0, %[[W]], %[[B]] {group = 2 : i64}
// CHECK-NOT: qnn.batch_norm
func.func @depthwise_no_bias_resource(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = arith.constant dense_resource<dw_weight> : tensor<2x1x1x1xf32>
  %gamma = arith.constant dense<[2.0, 6.0]> : tensor<2xf32>
  %beta = arith.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %mean = arith.constant dense<[0.5, 1.0]> : tensor<2xf32>
  %var = arith.constant dense<[3.0, 8.0]> : tensor<2xf32>
  %c = qnn.conv2d %x, %w {group = 2 : i64} : (tensor<1x2x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32>
  %y = qnn.batch_norm %c, %gamma, %beta, %mean, %var {epsilon = 1.0 : f32}
      : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  return %y : tensor<1x2x4x4xf32>
}

{-#
  dialect_resources: {
    builtin: {
      dw_weight: "0x040000000000803F00000040"
    }
  }
#-}

// -----

// CHECK-LABEL: func @fully_connected
// CHECK-DAG: %[[W:.*]] = arith.constant dense<{{\[\[}}1.000000e+00, 2.000000e+00], [6.000000e+00, 8.000000e+00]]> : tensor<2x2xf32>
// CHECK-DAG: %[[B:.*]] = arith.constant dense<[1.000000e+00, -2.000000e+00]> : tensor<2xf32>
// CHECK: qnn.fully_connected %arg0, %[[W]], %[[B]] : (tensor<?x2xf32>, tensor<2x2xf32>, tensor<2xf32>) -> tensor<?x2xf32>
func.func @fully_connected(%x: tensor<?x2xf32>) -> tensor<?x2xf32> {
  %w = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %gamma = arith.constant dense<[2.0, 6.0]> : tensor<2xf32>
  %beta = arith.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %mean = arith.constant dense<[0.0, 1.0]> : tensor<2xf32>
  %var = arith.constant dense<[3.0, 8.0]> : tensor<2xf32>
  %c = qnn.fully_connected %x, %w : (tensor<?x2xf32>, tensor<2x2xf32>) -> tensor<?x2xf32>
  %y = qnn.batch_norm %c, %gamma, %beta, %mean, %var {epsilon = 1.0 : f32}
      : (tensor<?x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}

// -----

// matmul scales W's columns and adds the shift: W' = [[1*1, 2*2], [3*1, 4*2]].
// CHECK-LABEL: func @matmul
// CHECK-DAG: %[[W:.*]] = arith.constant dense<{{\[\[}}1.000000e+00, 4.000000e+00], [3.000000e+00, 8.000000e+00]]> : tensor<2x2xf32>
// CHECK-DAG: %[[S:.*]] = arith.constant dense<[1.000000e+00, -2.000000e+00]> : tensor<2xf32>
// CHECK: %[[M:.*]] = qnn.matmul %arg0, %[[W]]
// CHECK: qnn.add %[[M]], %[[S]] : (tensor<3x2xf32>, tensor<2xf32>) -> tensor<3x2xf32>
func.func @matmul(%x: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %w = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %gamma = arith.constant dense<[2.0, 6.0]> : tensor<2xf32>
  %beta = arith.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %mean = arith.constant dense<[0.0, 1.0]> : tensor<2xf32>
  %var = arith.constant dense<[3.0, 8.0]> : tensor<2xf32>
  %c = qnn.matmul %x, %w : (tensor<3x2xf32>, tensor<2x2xf32>) -> tensor<3x2xf32>
  %y = qnn.batch_norm %c, %gamma, %beta, %mean, %var {epsilon = 1.0 : f32}
      : (tensor<3x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

// The conv has a second user: it cannot change, so the batch-norm becomes a
// per-channel mul + add with [C, 1, 1] constants.
// CHECK-LABEL: func @producer_with_other_users
// CHECK-DAG: %[[A:.*]] = arith.constant dense<{{\[\[\[}}1.000000e+00]], {{\[\[}}2.000000e+00]]]> : tensor<2x1x1xf32>
// CHECK-DAG: %[[S:.*]] = arith.constant dense<{{\[\[\[}}1.000000e+00]], {{\[\[}}-2.000000e+00]]]> : tensor<2x1x1xf32>
// CHECK: %[[C:.*]] = qnn.conv2d
// CHECK: %[[M:.*]] = qnn.mul %[[C]], %[[A]]
// CHECK: %[[Y:.*]] = qnn.add %[[M]], %[[S]]
// CHECK: return %[[Y]], %[[C]]
func.func @producer_with_other_users(%x: tensor<1x1x4x4xf32>) -> (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) {
  %w = arith.constant dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>
  %gamma = arith.constant dense<[2.0, 6.0]> : tensor<2xf32>
  %beta = arith.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %mean = arith.constant dense<[0.0, 1.0]> : tensor<2xf32>
  %var = arith.constant dense<[3.0, 8.0]> : tensor<2xf32>
  %c = qnn.conv2d %x, %w : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32>
  // expected-remark @+1 {{batch_norm not folded: its producer has other users}}
  %y = qnn.batch_norm %c, %gamma, %beta, %mean, %var {epsilon = 1.0 : f32}
      : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  return %y, %c : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>
}

// -----

// CHECK-LABEL: func @fused_activation_blocks_folding
// CHECK: qnn.conv2d {{.*}}fused_activation = #qnn.activation<relu>
// CHECK: qnn.mul
// CHECK: qnn.add
func.func @fused_activation_blocks_folding(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = arith.constant dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>
  %p = arith.constant dense<[2.0, 6.0]> : tensor<2xf32>
  %c = qnn.conv2d %x, %w {fused_activation = #qnn.activation<relu>} : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32>
  // expected-remark @+1 {{batch_norm not folded: its producer has a fused activation}}
  %y = qnn.batch_norm %c, %p, %p, %p, %p : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  return %y : tensor<1x2x4x4xf32>
}

// -----

// A batch-norm directly on a 2-D graph input: constants of shape [C].
// CHECK-LABEL: func @no_producer
// CHECK-DAG: %[[A:.*]] = arith.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK: qnn.mul %arg0, %[[A]] : (tensor<5x2xf32>, tensor<2xf32>) -> tensor<5x2xf32>
func.func @no_producer(%x: tensor<5x2xf32>) -> tensor<5x2xf32> {
  %gamma = arith.constant dense<[2.0, 6.0]> : tensor<2xf32>
  %beta = arith.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %mean = arith.constant dense<[0.0, 1.0]> : tensor<2xf32>
  %var = arith.constant dense<[3.0, 8.0]> : tensor<2xf32>
  // expected-remark @+1 {{batch_norm not folded: its input is not produced by conv2d, fully_connected or matmul}}
  %y = qnn.batch_norm %x, %gamma, %beta, %mean, %var {epsilon = 1.0 : f32}
      : (tensor<5x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<5x2xf32>
  return %y : tensor<5x2xf32>
}

// -----

// Parameters known only at run time: the scale and shift are computed.
// CHECK-LABEL: func @runtime_parameters
// CHECK: %[[EPS:.*]] = arith.constant dense<1.000000e-01> : tensor<1xf32>
// CHECK: %[[VE:.*]] = qnn.add %arg4, %[[EPS]]
// CHECK: %[[SD:.*]] = math.sqrt %[[VE]] : tensor<3xf32>
// CHECK: %[[A:.*]] = qnn.div %arg1, %[[SD]]
// CHECK: %[[MA:.*]] = qnn.mul %arg3, %[[A]]
// CHECK: %[[S:.*]] = qnn.sub %arg2, %[[MA]]
// CHECK: %[[AR:.*]] = qnn.reshape %[[A]] : (tensor<3xf32>) -> tensor<3x1x1xf32>
// CHECK: %[[SR:.*]] = qnn.reshape %[[S]] : (tensor<3xf32>) -> tensor<3x1x1xf32>
// CHECK: %[[M:.*]] = qnn.mul %arg0, %[[AR]]
// CHECK: qnn.add %[[M]], %[[SR]]
func.func @runtime_parameters(%x: tensor<1x3x2x2xf32>, %g: tensor<3xf32>, %b: tensor<3xf32>, %m: tensor<3xf32>, %v: tensor<3xf32>) -> tensor<1x3x2x2xf32> {
  // expected-remark @+1 {{batch_norm not folded: its parameters are not constants}}
  %y = qnn.batch_norm %x, %g, %b, %m, %v {epsilon = 0.1 : f32}
      : (tensor<1x3x2x2xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<1x3x2x2xf32>
  return %y : tensor<1x3x2x2xf32>
}

// -----

// A per-channel mul and add after a conv fold into it (QAT exports write
// their batch-norm simulation this way): W' = W * [2, 3], b' = b * s + [1, -1].
// CHECK-LABEL: func @channel_mul_add
// CHECK-DAG: arith.constant dense<{{\[\[\[\[}}2.000000e+00]]], {{\[\[\[}}6.000000e+00]]]]> : tensor<2x1x1x1xf32>
// CHECK-DAG: arith.constant dense<[2.000000e+00, -4.000000e+00]> : tensor<2xf32>
// CHECK-NOT: qnn.mul
// CHECK-NOT: qnn.add
func.func @channel_mul_add(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = arith.constant dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>
  %b = arith.constant dense<[0.5, -1.0]> : tensor<2xf32>
  %s = arith.constant dense<[[[2.0]], [[3.0]]]> : tensor<2x1x1xf32>
  %t = arith.constant dense<[[[[1.0]], [[-1.0]]]]> : tensor<1x2x1x1xf32>
  %c = qnn.conv2d %x, %w, %b : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %m = qnn.mul %c, %s : (tensor<1x2x4x4xf32>, tensor<2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %y = qnn.add %m, %t : (tensor<1x2x4x4xf32>, tensor<1x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  return %y : tensor<1x2x4x4xf32>
}

// -----

// Quantized weights (dequantize(qconst)) keep their integers: the divisor
// [2, -4] divides the per-channel scales (0.1 / 2, 0.2 / 4) and flips the sign
// of channel 1's integers.
// CHECK-LABEL: func @quantized_weights
// CHECK: qnn.qconst dense<{{\[\[\[\[}}10]]], {{\[\[\[}}-20]]]]> : tensor<2x1x1x1xi8> -> tensor<2x1x1x1x!quant.uniform<i8<-127:127>:f32:0, {5.000000e-02,5.000000e-02}>>
// CHECK: qnn.dequantize
// CHECK: qnn.conv2d
// CHECK-NOT: qnn.div
func.func @quantized_weights(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %wq = qnn.qconst dense<[[[[10]]], [[[20]]]]> : tensor<2x1x1x1xi8> -> tensor<2x1x1x1x!quant.uniform<i8<-127:127>:f32:0, {0.1, 0.2}>>
  %w = qnn.dequantize %wq : (tensor<2x1x1x1x!quant.uniform<i8<-127:127>:f32:0, {0.1, 0.2}>>) -> tensor<2x1x1x1xf32>
  %d = arith.constant dense<[[[[2.0]], [[-4.0]]]]> : tensor<1x2x1x1xf32>
  %c = qnn.conv2d %x, %w : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32>
  %y = qnn.div %c, %d : (tensor<1x2x4x4xf32>, tensor<1x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  return %y : tensor<1x2x4x4xf32>
}
