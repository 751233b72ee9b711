// RUN: qopt %s --quantize-dynamic --split-input-file --verify-diagnostics | FileCheck %s
// RUN: qopt %s --quantize-dynamic=mode=weight-only --split-input-file --verify-diagnostics | FileCheck %s --check-prefix=WO
// RUN: qopt %s --quantize-dynamic="per-channel=false weight-bits=4" --split-input-file --verify-diagnostics | FileCheck %s --check-prefix=W4

// Conv: weights [2, 1, 1, 1] = [0.5, -0.25] -> per-channel scales
// 0.5/127, 0.25/127 and integers [127, -127]; the input is quantized at run
// time; the i32 accumulator is scaled by s_w[c] ([F, 1, 1]) and s_x, the bias
// added, and the fused relu6 moves to that add.
// CHECK-LABEL: func @conv
// CHECK: %[[Q:.*]], %[[SX:.*]] = qnn.dynamic_quantize %arg0 : (tensor<1x1x4x4xf32>) -> (tensor<1x1x4x4x!quant.uniform<i8<-127:127>:f32, 1.000000e+00>>, tensor<f32>)
// CHECK: %[[W:.*]] = qnn.qconst dense<{{\[\[\[\[}}127]]], {{\[\[\[}}-127]]]]> : tensor<2x1x1x1xi8> -> tensor<2x1x1x1x!quant.uniform<i8<-127:127>:f32, 1.000000e+00>>
// CHECK: %[[ACC:.*]] = qnn.conv2d %[[Q]], %[[W]] {strides = array<i64: 2, 2>} : ({{.*}}) -> tensor<1x2x2x2x!quant.uniform<i32:f32, 1.000000e+00>>
// CHECK: %[[A:.*]] = qnn.dequantize %[[ACC]] : (tensor<1x2x2x2x!quant.uniform<i32:f32, 1.000000e+00>>) -> tensor<1x2x2x2xf32>
// CHECK: %[[SW:.*]] = arith.constant dense<{{\[\[\[}}0.00393700786]], {{\[\[}}0.00196850393]]]> : tensor<2x1x1xf32>
// CHECK: %[[M:.*]] = qnn.mul %[[A]], %[[SW]]
// CHECK: %[[M2:.*]] = qnn.mul %[[M]], %[[SX]] : (tensor<1x2x2x2xf32>, tensor<f32>) -> tensor<1x2x2x2xf32>
// CHECK: %[[B:.*]] = arith.constant dense<{{\[\[\[}}1.000000e-01]], {{\[\[}}-1.000000e-01]]]> : tensor<2x1x1xf32>
// CHECK: %[[Y:.*]] = qnn.add %[[M2]], %[[B]] {fused_activation = #qnn.activation<relu6>}
// CHECK: return %[[Y]]
// Weight-only: int8 storage with the real scales, dequantized in front of
// the unchanged float conv.
// WO-LABEL: func @conv
// WO: %[[W:.*]] = qnn.qconst dense<{{\[\[\[\[}}127]]], {{\[\[\[}}-127]]]]> : tensor<2x1x1x1xi8> -> tensor<2x1x1x1x!quant.uniform<i8<-127:127>:f32:0, {0.003937007874015748,0.001968503937007874}>>
// WO: %[[WF:.*]] = qnn.dequantize %[[W]]
// WO: qnn.conv2d %arg0, %[[WF]], %{{.*}} {fused_activation = #qnn.activation<relu6>, strides = array<i64: 2, 2>} : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>)
// WO-NOT: dynamic_quantize
// Per-tensor 4-bit: one scale 0.5/7, integers [7, -4] in [-7, 7].
// W4-LABEL: func @conv
// W4: qnn.qconst dense<{{\[\[\[\[}}7]]], {{\[\[\[}}-4]]]]> : tensor<2x1x1x1xi8> -> tensor<2x1x1x1x!quant.uniform<i8<-7:7>:f32, 1.000000e+00>>
// W4: arith.constant dense<0.0714285746> : tensor<2x1x1xf32>
func.func @conv(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x2x2xf32> {
  %w = arith.constant dense<[[[[0.5]]], [[[-0.25]]]]> : tensor<2x1x1x1xf32>
  %b = arith.constant dense<[0.1, -0.1]> : tensor<2xf32>
  %y = qnn.conv2d %x, %w, %b {strides = array<i64: 2, 2>, fused_activation = #qnn.activation<relu6>} : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  return %y : tensor<1x2x2x2xf32>
}

// -----

// matmul: weights per column (the last axis), scales broadcast as [N]; no
// bias: a zero bias carries the (absent) activation.
// CHECK-LABEL: func @matmul
// CHECK: qnn.dynamic_quantize %arg0
// CHECK: qnn.qconst dense<{{\[\[}}127, -127], [0, 64]]> : tensor<2x2xi8>
// CHECK: qnn.matmul {{.*}} -> tensor<3x2x!quant.uniform<i32:f32, 1.000000e+00>>
// CHECK: arith.constant dense<[0.00787401571, 0.00393700786]> : tensor<2xf32>
// CHECK: arith.constant dense<0.000000e+00> : tensor<2xf32>
// CHECK: qnn.add
func.func @matmul(%a: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %w = arith.constant dense<[[1.0, -0.5], [0.0, 0.25]]> : tensor<2x2xf32>
  %y = qnn.matmul %a, %w : (tensor<3x2xf32>, tensor<2x2xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

// Non-constant weights stay float, with a remark.
// CHECK-LABEL: func @variable_weights
// CHECK: qnn.fully_connected %arg0, %arg1 : (tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<2x3xf32>
func.func @variable_weights(%x: tensor<2x4xf32>, %w: tensor<3x4xf32>) -> tensor<2x3xf32> {
  // expected-remark @+1 {{quantize-dynamic: left in float (weights or bias not constant, or not an f32 op)}}
  %y = qnn.fully_connected %x, %w : (tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}
