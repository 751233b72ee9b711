// RUN: qopt %s --prepare-qat=activation-range=-2,6 --split-input-file | FileCheck %s
// RUN: qopt %s --prepare-qat="weight-bits=4 per-channel=false activation-range=-2,6" --split-input-file | FileCheck %s --check-prefix=W4
// RUN: qopt %s --prepare-qat="activation-type=uint8 activation-range=-2,6" --split-input-file | FileCheck %s --check-prefix=RANGE

// Observers become fake_quant with their calibrated range ([-1, 2]: scale
// 3/255, zero point -128 + 1/scale = -43); the weights get symmetric
// narrow-range per-output-channel parameters (max|w| / 127 per row).
// CHECK-LABEL: func @fully_connected
// CHECK: %[[X:.*]] = qnn.fake_quant %arg0 {qtype = !quant.uniform<i8:f32, 0.011764705882352941:-43>} : tensor<1x2xf32>
// CHECK: %[[W:.*]] = qnn.fake_quant %{{.*}} {qtype = !quant.uniform<i8<-127:127>:f32:0, {0.003937007874015748,0.0078740157480314959}>} : tensor<2x2xf32>
// CHECK: %[[Y:.*]] = qnn.fully_connected %[[X]], %[[W]], %{{.*}}
// CHECK: qnn.fake_quant %[[Y]] {qtype = !quant.uniform<i8:f32, 0.015686274509803921:-128>}
// CHECK-NOT: qnn.observer
// 4-bit per-tensor weights: max|w| / 7 for the whole tensor.
// W4: qnn.fake_quant %{{.*}} {qtype = !quant.uniform<i8<-7:7>:f32, 0.14285714285714285>} : tensor<2x2xf32>
// activation-range (in every run) does not override calibrated statistics.
// RANGE: qnn.fake_quant %arg0 {qtype = !quant.uniform<u8:f32, 0.011764705882352941:85>}
func.func @fully_connected(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %w = arith.constant dense<[[0.5, -0.25], [1.0, 0.0]]> : tensor<2x2xf32>
  %b = arith.constant dense<[0.1, -0.2]> : tensor<2xf32>
  %i = qnn.observer %x {id = 0 : i64, min = -1.0 : f64, max = 2.0 : f64} : tensor<1x2xf32>
  %y = qnn.fully_connected %i, %w, %b : (tensor<1x2xf32>, tensor<2x2xf32>, tensor<2xf32>) -> tensor<1x2xf32>
  %o = qnn.observer %y {id = 1 : i64, min = 0.0 : f64, max = 4.0 : f64} : tensor<1x2xf32>
  return %o : tensor<1x2xf32>
}

// -----

// Observers without statistics take activation-range; conv weights are
// quantized per output channel (axis 0), matmul weights along their last axis.
// RANGE-LABEL: func @uncalibrated
// RANGE: qnn.fake_quant %arg0 {qtype = !quant.uniform<u8:f32, 0.031372549019607843:64>}
// RANGE: qnn.fake_quant %{{.*}} {qtype = !quant.uniform<i8<-127:127>:f32:0, {0.015748031496062992,0.023622047244094488}>} : tensor<2x1x1x1xf32>
// RANGE: qnn.conv2d
// RANGE: qnn.fake_quant %{{.*}} {qtype = !quant.uniform<i8<-127:127>:f32:1, {0.0078740157480314959,0.031496062992125984}>} : tensor<2x2xf32>
// RANGE: qnn.matmul
func.func @uncalibrated(%x: tensor<1x1x1x2xf32>) -> tensor<1x2x1x2xf32> {
  %w = arith.constant dense<[[[[2.0]]], [[[-3.0]]]]> : tensor<2x1x1x1xf32>
  %m = arith.constant dense<[[1.0, -4.0], [0.5, 2.0]]> : tensor<2x2xf32>
  %i = qnn.observer %x {id = 0 : i64} : tensor<1x1x1x2xf32>
  %c = qnn.conv2d %i, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64} : (tensor<1x1x1x2xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x1x2xf32>
  %y = qnn.matmul %c, %m : (tensor<1x2x1x2xf32>, tensor<2x2xf32>) -> tensor<1x2x1x2xf32>
  return %y : tensor<1x2x1x2xf32>
}
