// RUN: qopt %s --fuse-ops --split-input-file | FileCheck %s
// RUN: qopt %s --fuse-ops=fuse-add=false --split-input-file | FileCheck %s --check-prefix=NOADD

// CHECK-LABEL: func @conv_relu
// CHECK: %[[Y:.*]] = qnn.conv2d %arg0, %arg1 {fused_activation = #qnn.activation<relu>}
// CHECK-NOT: qnn.relu
// CHECK: return %[[Y]]
func.func @conv_relu(%x: tensor<1x3x4x4xf32>, %w: tensor<8x3x1x1xf32>) -> tensor<1x8x4x4xf32> {
  %c = qnn.conv2d %x, %w : (tensor<1x3x4x4xf32>, tensor<8x3x1x1xf32>) -> tensor<1x8x4x4xf32>
  %r = qnn.relu %c : (tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  return %r : tensor<1x8x4x4xf32>
}

// -----

// CHECK-LABEL: func @fc_relu6
// CHECK: qnn.fully_connected %arg0, %arg1 {fused_activation = #qnn.activation<relu6>}
// CHECK-NOT: qnn.clip
func.func @fc_relu6(%x: tensor<2x4xf32>, %w: tensor<3x4xf32>) -> tensor<2x3xf32> {
  %c = qnn.fully_connected %x, %w : (tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<2x3xf32>
  %r = qnn.clip %c {min = 0.0 : f32, max = 6.0 : f32} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %r : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func @matmul_clip
// CHECK: qnn.matmul %arg0, %arg1 {clip_max = 1.000000e+00 : f32, clip_min = -1.000000e+00 : f32, fused_activation = #qnn.activation<clip>}
// CHECK-NOT: qnn.clip
func.func @matmul_clip(%x: tensor<2x4xf32>, %w: tensor<4x3xf32>) -> tensor<2x3xf32> {
  %c = qnn.matmul %x, %w : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
  %r = qnn.clip %c {min = -1.0 : f32, max = 1.0 : f32} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %r : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func @add_relu
// CHECK: qnn.add %arg0, %arg1 {fused_activation = #qnn.activation<relu>}
// NOADD-LABEL: func @add_relu
// NOADD: qnn.add %arg0, %arg1 :
// NOADD: qnn.relu
func.func @add_relu(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  %s = qnn.add %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %r = qnn.relu %s : (tensor<4xf32>) -> tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

// A producer with another user keeps its unclamped result.
// CHECK-LABEL: func @multi_use_not_fused
// CHECK: %[[C:.*]] = qnn.conv2d %arg0, %arg1 :
// CHECK: %[[R:.*]] = qnn.relu %[[C]]
// CHECK: return %[[R]], %[[C]]
func.func @multi_use_not_fused(%x: tensor<1x3x4x4xf32>, %w: tensor<8x3x1x1xf32>) -> (tensor<1x8x4x4xf32>, tensor<1x8x4x4xf32>) {
  %c = qnn.conv2d %x, %w : (tensor<1x3x4x4xf32>, tensor<8x3x1x1xf32>) -> tensor<1x8x4x4xf32>
  %r = qnn.relu %c : (tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  return %r, %c : tensor<1x8x4x4xf32>, tensor<1x8x4x4xf32>
}

// -----

// Clamps compose: relu then clip(-1, 3) is clip(0, 3); relu6 then relu stays relu6.
// CHECK-LABEL: func @compose
// CHECK: qnn.fully_connected %arg0, %arg1 {clip_max = 3.000000e+00 : f32, clip_min = 0.000000e+00 : f32, fused_activation = #qnn.activation<clip>}
// CHECK: qnn.fully_connected %arg0, %arg1 {fused_activation = #qnn.activation<relu6>}
// CHECK-NOT: qnn.relu
// CHECK-NOT: qnn.clip
func.func @compose(%x: tensor<2x4xf32>, %w: tensor<3x4xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>) {
  %c = qnn.fully_connected %x, %w : (tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<2x3xf32>
  %r = qnn.relu %c : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %k = qnn.clip %r {min = -1.0 : f32, max = 3.0 : f32} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %d = qnn.fully_connected %x, %w {fused_activation = #qnn.activation<relu6>} : (tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<2x3xf32>
  %e = qnn.relu %d : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %k, %e : tensor<2x3xf32>, tensor<2x3xf32>
}

// -----

// Quantized: the fused conv takes the activation's output parameters.
!qi = !quant.uniform<i8:f32, 0.1>
!qc = !quant.uniform<i8:f32, 0.2:-5>
!qr = !quant.uniform<i8:f32, 0.05:-128>
// CHECK-LABEL: func @quantized
// CHECK: qnn.conv2d %arg0, %arg1 {fused_activation = #qnn.activation<relu>} : {{.*}} -> tensor<1x2x2x2x!quant.uniform<i8:f32, 5.000000e-02:-128>>
func.func @quantized(%x: tensor<1x1x2x2x!qi>, %w: tensor<2x1x1x1x!qi>) -> tensor<1x2x2x2x!qr> {
  %c = qnn.conv2d %x, %w : (tensor<1x1x2x2x!qi>, tensor<2x1x1x1x!qi>) -> tensor<1x2x2x2x!qc>
  %r = qnn.relu %c : (tensor<1x2x2x2x!qc>) -> tensor<1x2x2x2x!qr>
  return %r : tensor<1x2x2x2x!qr>
}

// -----

// Nothing to fuse into: sigmoid, pooling and graph inputs keep their relu.
// CHECK-LABEL: func @not_fusable
// CHECK: qnn.relu %arg0
// CHECK: qnn.sigmoid
// CHECK: qnn.relu
func.func @not_fusable(%x: tensor<4xf32>) -> tensor<4xf32> {
  %a = qnn.relu %x : (tensor<4xf32>) -> tensor<4xf32>
  %s = qnn.sigmoid %a : (tensor<4xf32>) -> tensor<4xf32>
  %r = qnn.relu %s : (tensor<4xf32>) -> tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

// A Conv1d is a conv2d followed by a squeeze (qnn.reshape); its ReLU comes
// after the squeeze. ReLU commutes with data movement, so it moves above the
// reshape and fuses into the convolution (whose output is then quantized
// over [0, max] instead of [min, max]).
// CHECK-LABEL: func @conv1d_relu
// CHECK: %[[C:.*]] = qnn.conv2d {{.*}} {fused_activation = #qnn.activation<relu>}
// CHECK-NEXT: %[[R:.*]] = qnn.reshape %[[C]] : (tensor<1x4x1x6xf32>) -> tensor<1x4x6xf32>
// CHECK-NEXT: return %[[R]]
func.func @conv1d_relu(%x: tensor<1x2x1x8xf32>) -> tensor<1x4x6xf32> {
  %w = arith.constant dense<0.5> : tensor<4x2x1x3xf32>
  %c = qnn.conv2d %x, %w : (tensor<1x2x1x8xf32>, tensor<4x2x1x3xf32>) -> tensor<1x4x1x6xf32>
  %s = qnn.reshape %c : (tensor<1x4x1x6xf32>) -> tensor<1x4x6xf32>
  %r = qnn.relu %s : (tensor<1x4x6xf32>) -> tensor<1x4x6xf32>
  return %r : tensor<1x4x6xf32>
}
