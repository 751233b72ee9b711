// RUN: qopt %s --split-input-file | qopt --split-input-file | FileCheck %s
// RUN: qopt %s --split-input-file --mlir-print-op-generic | qopt --split-input-file | FileCheck %s

// CHECK-LABEL: func @conv2d_float
func.func @conv2d_float(%x: tensor<?x3x8x8xf32>, %w: tensor<16x3x3x3xf32>, %b: tensor<16xf32>) -> tensor<?x16x4x4xf32> {
  // CHECK: qnn.conv2d %{{.*}}, %{{.*}}, %{{.*}} {fused_activation = #qnn.activation<relu>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<?x3x8x8xf32>, tensor<16x3x3x3xf32>, tensor<16xf32>) -> tensor<?x16x4x4xf32>
  %y = qnn.conv2d %x, %w, %b {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, fused_activation = #qnn.activation<relu>}
      : (tensor<?x3x8x8xf32>, tensor<16x3x3x3xf32>, tensor<16xf32>) -> tensor<?x16x4x4xf32>
  return %y : tensor<?x16x4x4xf32>
}

// -----

// CHECK-LABEL: func @conv2d_depthwise_no_bias
func.func @conv2d_depthwise_no_bias(%x: tensor<1x8x5x5xf32>, %w: tensor<8x1x3x3xf32>) -> tensor<1x8x1x1xf32> {
  // CHECK: qnn.conv2d %{{.*}}, %{{.*}} {clip_max = 1.000000e+00 : f32, clip_min = -1.000000e+00 : f32, dilations = array<i64: 2, 2>, fused_activation = #qnn.activation<clip>, group = 8 : i64}
  %y = qnn.conv2d %x, %w {group = 8 : i64, dilations = array<i64: 2, 2>, fused_activation = #qnn.activation<clip>, clip_min = -1.0 : f32, clip_max = 1.0 : f32}
      : (tensor<1x8x5x5xf32>, tensor<8x1x3x3xf32>) -> tensor<1x8x1x1xf32>
  return %y : tensor<1x8x1x1xf32>
}

// -----

!qi = !quant.uniform<i8:f32, 0.05:-3>
!qw = !quant.uniform<i8<-127:127>:f32:0, {0.1, 0.2}>
!qb = !quant.uniform<i32:f32:0, {0.005, 0.01}>
!qo = !quant.uniform<i8:f32, 0.25:10>
// CHECK-LABEL: func @conv2d_quantized_per_axis
func.func @conv2d_quantized_per_axis(%x: tensor<1x1x4x4x!qi>) -> tensor<1x2x4x4x!qo> {
  // CHECK: qnn.qconst dense<{{.*}}> : tensor<2x1x1x1xi8> -> tensor<2x1x1x1x!quant.uniform<i8<-127:127>:f32:0, {1.000000e-01,2.000000e-01}>>
  %w = qnn.qconst dense<[[[[1]]], [[[-127]]]]> : tensor<2x1x1x1xi8> -> tensor<2x1x1x1x!qw>
  %b = qnn.qconst dense<[100, -7]> : tensor<2xi32> -> tensor<2x!qb>
  // CHECK: qnn.conv2d {{.*}} -> tensor<1x2x4x4x!quant.uniform<i8:f32, 2.500000e-01:10>>
  %y = qnn.conv2d %x, %w, %b : (tensor<1x1x4x4x!qi>, tensor<2x1x1x1x!qw>, tensor<2x!qb>) -> tensor<1x2x4x4x!qo>
  return %y : tensor<1x2x4x4x!qo>
}

// -----

// CHECK-LABEL: func @dense_ops
func.func @dense_ops(%x: tensor<?x64xf32>, %w: tensor<10x64xf32>, %b: tensor<10xf32>,
                     %a3: tensor<2x3x4xf32>, %m: tensor<4x5xf32>) -> (tensor<?x10xf32>, tensor<2x3x5xf32>) {
  // CHECK: qnn.fully_connected %{{.*}}, %{{.*}}, %{{.*}} {fused_activation = #qnn.activation<relu6>} : (tensor<?x64xf32>, tensor<10x64xf32>, tensor<10xf32>) -> tensor<?x10xf32>
  %y = qnn.fully_connected %x, %w, %b {fused_activation = #qnn.activation<relu6>} : (tensor<?x64xf32>, tensor<10x64xf32>, tensor<10xf32>) -> tensor<?x10xf32>
  // CHECK: qnn.matmul %{{.*}}, %{{.*}} : (tensor<2x3x4xf32>, tensor<4x5xf32>) -> tensor<2x3x5xf32>
  %z = qnn.matmul %a3, %m : (tensor<2x3x4xf32>, tensor<4x5xf32>) -> tensor<2x3x5xf32>
  return %y, %z : tensor<?x10xf32>, tensor<2x3x5xf32>
}

// -----

// CHECK-LABEL: func @batch_norm
func.func @batch_norm(%x: tensor<1x4x2x2xf32>, %s: tensor<4xf32>) -> tensor<1x4x2x2xf32> {
  // CHECK: qnn.batch_norm %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {epsilon = 1.000000e-03 : f32}
  %y = qnn.batch_norm %x, %s, %s, %s, %s {epsilon = 1.0e-3 : f32}
      : (tensor<1x4x2x2xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x2x2xf32>
  return %y : tensor<1x4x2x2xf32>
}

// -----

// CHECK-LABEL: func @unary
func.func @unary(%x: tensor<2x5xf32>) -> tensor<2x5xf32> {
  // CHECK: qnn.relu
  %0 = qnn.relu %x : (tensor<2x5xf32>) -> tensor<2x5xf32>
  // CHECK: qnn.clip %{{.*}} {max = 6.000000e+00 : f32, min = 0.000000e+00 : f32}
  %1 = qnn.clip %0 {min = 0.0 : f32, max = 6.0 : f32} : (tensor<2x5xf32>) -> tensor<2x5xf32>
  // CHECK: qnn.leaky_relu %{{.*}} {alpha = 1.000000e-01 : f32}
  %2 = qnn.leaky_relu %1 {alpha = 0.1 : f32} : (tensor<2x5xf32>) -> tensor<2x5xf32>
  // CHECK: qnn.sigmoid
  %3 = qnn.sigmoid %2 : (tensor<2x5xf32>) -> tensor<2x5xf32>
  // CHECK: qnn.hard_sigmoid %{{.*}} {alpha = 1.666600e-01 : f32}
  %4 = qnn.hard_sigmoid %3 {alpha = 0.16666 : f32} : (tensor<2x5xf32>) -> tensor<2x5xf32>
  // CHECK: qnn.softmax %{{.*}} {axis = 1 : i64}
  %5 = qnn.softmax %4 {axis = 1 : i64} : (tensor<2x5xf32>) -> tensor<2x5xf32>
  return %5 : tensor<2x5xf32>
}

// -----

// CHECK-LABEL: func @binary
func.func @binary(%a: tensor<1x8x4x4xf32>, %b: tensor<8x1x1xf32>) -> tensor<1x8x4x4xf32> {
  // CHECK: qnn.add %{{.*}}, %{{.*}} {fused_activation = #qnn.activation<relu>}
  %0 = qnn.add %a, %b {fused_activation = #qnn.activation<relu>} : (tensor<1x8x4x4xf32>, tensor<8x1x1xf32>) -> tensor<1x8x4x4xf32>
  // CHECK: qnn.sub
  %1 = qnn.sub %0, %b : (tensor<1x8x4x4xf32>, tensor<8x1x1xf32>) -> tensor<1x8x4x4xf32>
  // CHECK: qnn.mul
  %2 = qnn.mul %1, %b : (tensor<1x8x4x4xf32>, tensor<8x1x1xf32>) -> tensor<1x8x4x4xf32>
  // CHECK: qnn.div
  %3 = qnn.div %2, %a : (tensor<1x8x4x4xf32>, tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  return %3 : tensor<1x8x4x4xf32>
}

// -----

!q = !quant.uniform<u8:f32, 0.1:128>
!q2 = !quant.uniform<u8:f32, 0.2:120>
// CHECK-LABEL: func @quantized_elementwise
func.func @quantized_elementwise(%a: tensor<4x!q>, %b: tensor<4x!q2>) -> tensor<4x!q2> {
  // CHECK: qnn.add %{{.*}}, %{{.*}} : (tensor<4x!quant.uniform<u8:f32, 1.000000e-01:128>>, tensor<4x!quant.uniform<u8:f32, 2.000000e-01:120>>) -> tensor<4x!quant.uniform<u8:f32, 2.000000e-01:120>>
  %0 = qnn.add %a, %b : (tensor<4x!q>, tensor<4x!q2>) -> tensor<4x!q2>
  // CHECK: qnn.relu
  %1 = qnn.relu %0 : (tensor<4x!q2>) -> tensor<4x!q2>
  return %1 : tensor<4x!q2>
}

// -----

// CHECK-LABEL: func @pooling
func.func @pooling(%x: tensor<1x8x8x8xf32>) -> (tensor<1x8x4x4xf32>, tensor<1x8x8x8xf32>, tensor<1x8x1x1xf32>, tensor<1x8x3x3xf32>) {
  // CHECK: qnn.max_pool2d %{{.*}} {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>}
  %0 = qnn.max_pool2d %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x8x8x8xf32>) -> tensor<1x8x4x4xf32>
  // CHECK: qnn.avg_pool2d %{{.*}} {count_include_pad = true, kernel = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>}
  %1 = qnn.avg_pool2d %x {kernel = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, count_include_pad = true} : (tensor<1x8x8x8xf32>) -> tensor<1x8x8x8xf32>
  // CHECK: qnn.global_avg_pool2d
  %2 = qnn.global_avg_pool2d %x : (tensor<1x8x8x8xf32>) -> tensor<1x8x1x1xf32>
  // Windows of 3 with stride 3 over 8: floor mode gives 2, ceil mode 3.
  // CHECK: qnn.max_pool2d %{{.*}} {ceil_mode = true, kernel = array<i64: 3, 3>, strides = array<i64: 3, 3>}
  %3 = qnn.max_pool2d %x {kernel = array<i64: 3, 3>, strides = array<i64: 3, 3>, ceil_mode = true} : (tensor<1x8x8x8xf32>) -> tensor<1x8x3x3xf32>
  return %0, %1, %2, %3 : tensor<1x8x4x4xf32>, tensor<1x8x8x8xf32>, tensor<1x8x1x1xf32>, tensor<1x8x3x3xf32>
}

// -----

// CHECK-LABEL: func @data_movement
func.func @data_movement(%x: tensor<?x16x2x2xf32>, %y: tensor<1x3x4x5xf32>, %z: tensor<1x2x4x5xf32>)
    -> (tensor<?x64xf32>, tensor<?x64xf32>, tensor<1x4x5x3xf32>, tensor<1x5x4x5xf32>, tensor<1x3x6x7xf32>) {
  // CHECK: qnn.reshape %{{.*}} : (tensor<?x16x2x2xf32>) -> tensor<?x64xf32>
  %0 = qnn.reshape %x : (tensor<?x16x2x2xf32>) -> tensor<?x64xf32>
  // CHECK: qnn.flatten %{{.*}} : (tensor<?x16x2x2xf32>) -> tensor<?x64xf32>
  %1 = qnn.flatten %x {axis = 1 : i64} : (tensor<?x16x2x2xf32>) -> tensor<?x64xf32>
  // CHECK: qnn.transpose %{{.*}} {perm = array<i64: 0, 2, 3, 1>}
  %2 = qnn.transpose %y {perm = array<i64: 0, 2, 3, 1>} : (tensor<1x3x4x5xf32>) -> tensor<1x4x5x3xf32>
  // CHECK: qnn.concat %{{.*}}, %{{.*}} {axis = 1 : i64}
  %3 = qnn.concat %y, %z {axis = 1 : i64} : (tensor<1x3x4x5xf32>, tensor<1x2x4x5xf32>) -> tensor<1x5x4x5xf32>
  // CHECK: qnn.pad %{{.*}} {mode = #qnn.pad_mode<reflect>, pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>}
  %4 = qnn.pad %y {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>, mode = #qnn.pad_mode<reflect>} : (tensor<1x3x4x5xf32>) -> tensor<1x3x6x7xf32>
  return %0, %1, %2, %3, %4 : tensor<?x64xf32>, tensor<?x64xf32>, tensor<1x4x5x3xf32>, tensor<1x5x4x5xf32>, tensor<1x3x6x7xf32>
}

// -----

!q = !quant.uniform<i8:f32, 0.05:-3>
!qa = !quant.uniform<i8:f32:1, {0.1:1, 0.2:2}>
// CHECK-LABEL: func @quantization_ops
func.func @quantization_ops(%x: tensor<3x2xf32>, %acc: tensor<3x2xi32>) -> (tensor<3x2xf32>, tensor<3x2xf32>, tensor<3x2xf32>, tensor<3x2xi8>) {
  // CHECK: qnn.observer %{{.*}} {id = 0 : i64} : tensor<3x2xf32>
  %o = qnn.observer %x {id = 0 : i64} : tensor<3x2xf32>
  // CHECK: qnn.observer %{{.*}} {id = 1 : i64, max = 4.000000e+00 : f64, method = #qnn.calibration<entropy>, min = -1.500000e+00 : f64}
  %o2 = qnn.observer %o {id = 1 : i64, method = #qnn.calibration<entropy>, min = -1.5 : f64, max = 4.0 : f64} : tensor<3x2xf32>
  // CHECK: qnn.fake_quant %{{.*}} {qtype = !quant.uniform<i8:f32:1, {1.000000e-01:1,2.000000e-01:2}>} : tensor<3x2xf32>
  %f = qnn.fake_quant %o2 {qtype = !qa} : tensor<3x2xf32>
  // CHECK: qnn.quantize %{{.*}} : (tensor<3x2xf32>) -> tensor<3x2x!quant.uniform<i8:f32, 5.000000e-02:-3>>
  %q = qnn.quantize %f : (tensor<3x2xf32>) -> tensor<3x2x!q>
  // CHECK: qnn.requantize
  %r = qnn.requantize %q : (tensor<3x2x!q>) -> tensor<3x2x!qa>
  // CHECK: qnn.dequantize
  %d = qnn.dequantize %r : (tensor<3x2x!qa>) -> tensor<3x2xf32>
  // CHECK: qnn.rescale %{{.*}} {axis = 1 : i64, multiplier = array<i32: 1073741824, 1717986918>, output_zp = -3 : i64, rounding = #qnn.rounding<double_round>, shift = array<i32: -4, 0>} : (tensor<3x2xi32>) -> tensor<3x2xi8>
  %s = qnn.rescale %acc {multiplier = array<i32: 1073741824, 1717986918>, shift = array<i32: -4, 0>, axis = 1 : i64,
                         output_zp = -3 : i64, rounding = #qnn.rounding<double_round>} : (tensor<3x2xi32>) -> tensor<3x2xi8>
  return %o2, %f, %d, %s : tensor<3x2xf32>, tensor<3x2xf32>, tensor<3x2xf32>, tensor<3x2xi8>
}

// -----

// CHECK-LABEL: func @integer_arith_and_cast
func.func @integer_arith_and_cast(%a: tensor<2x8xi32>, %b: tensor<8xi32>, %u: tensor<4xui8>) -> (tensor<2x8xf32>, tensor<4xf32>) {
  // CHECK: qnn.add %{{.*}}, %{{.*}} : (tensor<2x8xi32>, tensor<8xi32>) -> tensor<2x8xi32>
  %s = qnn.add %a, %b : (tensor<2x8xi32>, tensor<8xi32>) -> tensor<2x8xi32>
  // CHECK: qnn.sub
  %d = qnn.sub %s, %b : (tensor<2x8xi32>, tensor<8xi32>) -> tensor<2x8xi32>
  // CHECK: qnn.mul
  %m = qnn.mul %d, %b : (tensor<2x8xi32>, tensor<8xi32>) -> tensor<2x8xi32>
  // CHECK: qnn.cast %{{.*}} : (tensor<2x8xi32>) -> tensor<2x8xf32>
  %f = qnn.cast %m : (tensor<2x8xi32>) -> tensor<2x8xf32>
  // CHECK: qnn.cast %{{.*}} : (tensor<4xui8>) -> tensor<4xf32>
  %g = qnn.cast %u : (tensor<4xui8>) -> tensor<4xf32>
  return %f, %g : tensor<2x8xf32>, tensor<4xf32>
}

// -----

// CHECK-LABEL: func @dynamic_quantize
// CHECK: qnn.dynamic_quantize %arg0 : (tensor<?x8xf32>) -> (tensor<?x8x!quant.uniform<i8<-127:127>:f32, 1.000000e+00>>, tensor<f32>)
func.func @dynamic_quantize(%x: tensor<?x8xf32>) -> tensor<f32> {
  %q, %s = qnn.dynamic_quantize %x : (tensor<?x8xf32>) -> (tensor<?x8x!quant.uniform<i8<-127:127>:f32, 1.0>>, tensor<f32>)
  return %s : tensor<f32>
}

// -----

// CHECK-LABEL: func @dynamic_quantize_linear
// CHECK: qnn.dynamic_quantize_linear %arg0 : (tensor<2x8xf32>) -> (tensor<2x8xui8>, tensor<f32>, tensor<ui8>)
func.func @dynamic_quantize_linear(%x: tensor<2x8xf32>) -> tensor<ui8> {
  %q, %s, %z = qnn.dynamic_quantize_linear %x : (tensor<2x8xf32>) -> (tensor<2x8xui8>, tensor<f32>, tensor<ui8>)
  return %z : tensor<ui8>
}

// -----

// CHECK-LABEL: func @block_dequantize
// CHECK: qnn.block_dequantize %arg0, %arg1, %arg2 {axis = 0 : i64, block_size = 32 : i64} : (tensor<70x16xui4>, tensor<3x16xf32>, tensor<3x16xui4>) -> tensor<70x16xf32>
// CHECK: qnn.block_dequantize %arg3, %arg4 {axis = 1 : i64, block_size = 16 : i64} : (tensor<8x64xsi8>, tensor<8x4xf32>) -> tensor<8x64xf32>
func.func @block_dequantize(%q: tensor<70x16xui4>, %s: tensor<3x16xf32>, %z: tensor<3x16xui4>,
                            %q8: tensor<8x64xsi8>, %s8: tensor<8x4xf32>) -> (tensor<70x16xf32>, tensor<8x64xf32>) {
  // The last of the three blocks along axis 0 holds 6 rows.
  %w = qnn.block_dequantize %q, %s, %z {axis = 0 : i64, block_size = 32 : i64} : (tensor<70x16xui4>, tensor<3x16xf32>, tensor<3x16xui4>) -> tensor<70x16xf32>
  %w8 = qnn.block_dequantize %q8, %s8 {axis = 1 : i64, block_size = 16 : i64} : (tensor<8x64xsi8>, tensor<8x4xf32>) -> tensor<8x64xf32>
  return %w, %w8 : tensor<70x16xf32>, tensor<8x64xf32>
}

// -----

// CHECK-LABEL: func @layer_norm
func.func @layer_norm(%x: tensor<?x17x32xf32>, %g: tensor<32xf32>, %b: tensor<32xf32>, %g2: tensor<17x1xf32>) -> (tensor<?x17x32xf32>, tensor<?x17x32xf32>) {
  // Default axis and epsilon are not printed.
  // CHECK: qnn.layer_norm %{{.*}}, %{{.*}}, %{{.*}} : (tensor<?x17x32xf32>
  %0 = qnn.layer_norm %x, %g, %b {axis = -1 : i64, epsilon = 1.0e-05 : f32} : (tensor<?x17x32xf32>, tensor<32xf32>, tensor<32xf32>) -> tensor<?x17x32xf32>
  // Over the last two axes, a scale broadcast along the last, no bias.
  // CHECK: qnn.layer_norm %{{.*}}, %{{.*}} {axis = 1 : i64, epsilon = 9.99999997E-7 : f32}
  %1 = qnn.layer_norm %x, %g2 {axis = 1 : i64, epsilon = 1.0e-06 : f32} : (tensor<?x17x32xf32>, tensor<17x1xf32>) -> tensor<?x17x32xf32>
  return %0, %1 : tensor<?x17x32xf32>, tensor<?x17x32xf32>
}

// -----

// CHECK-LABEL: func @non_max_suppression
func.func @non_max_suppression(%b: tensor<1x6x4xf32>, %s: tensor<1x2x6xf32>, %k: tensor<i64>, %iou: tensor<f32>, %thr: tensor<1xf32>) -> (tensor<3x3xi64>, tensor<i64>) {
  // CHECK: qnn.non_max_suppression %{{.*}}, %{{.*}} max %{{.*}} iou %{{.*}} score %{{.*}} {center_point_box = 1 : i64}
  %sel, %n = qnn.non_max_suppression %b, %s max %k iou %iou score %thr {center_point_box = 1 : i64} : (tensor<1x6x4xf32>, tensor<1x2x6xf32>, tensor<i64>, tensor<f32>, tensor<1xf32>) -> (tensor<3x3xi64>, tensor<i64>)
  return %sel, %n : tensor<3x3xi64>, tensor<i64>
}

// -----

// CHECK-LABEL: func @non_zero
func.func @non_zero(%x: tensor<2x3xi1>) -> (tensor<2x6xi64>, tensor<i64>) {
  // CHECK: qnn.non_zero %{{.*}} : (tensor<2x3xi1>) -> (tensor<2x6xi64>, tensor<i64>)
  %i, %n = qnn.non_zero %x : (tensor<2x3xi1>) -> (tensor<2x6xi64>, tensor<i64>)
  return %i, %n : tensor<2x6xi64>, tensor<i64>
}
