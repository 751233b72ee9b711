// RUN: qopt %s --lower-fake-quant --split-input-file | FileCheck %s

// fake_quant ops keep exactly their parameters: the relu runs on the
// quantized tensor and the two parameter sets meet in a requantize.
// CHECK-LABEL: func @chain
// CHECK: %[[Q:.*]] = qnn.quantize %arg0 : (tensor<4xf32>) -> tensor<4x!quant.uniform<i8:f32, 1.000000e-01>>
// CHECK: %[[R:.*]] = qnn.relu %[[Q]] : (tensor<4x!quant.uniform<i8:f32, 1.000000e-01>>) -> tensor<4x!quant.uniform<i8:f32, 5.000000e-02:-128>>
// CHECK: qnn.dequantize %[[R]]
func.func @chain(%x: tensor<4xf32>) -> tensor<4xf32> {
  %a = qnn.fake_quant %x {qtype = !quant.uniform<i8:f32, 0.1>} : tensor<4xf32>
  %r = qnn.relu %a : (tensor<4xf32>) -> tensor<4xf32>
  %b = qnn.fake_quant %r {qtype = !quant.uniform<i8:f32, 0.05:-128>} : tensor<4xf32>
  return %b : tensor<4xf32>
}

// -----

// An imported QDQ layer: the weight is dequantize(qconst) and is used as is.
// CHECK-LABEL: func @qdq_layer
// CHECK: %[[W:.*]] = qnn.qconst dense<{{\[\[}}10, -20]]> : tensor<1x2xi8> -> tensor<1x2x!quant.uniform<i8:f32:0, {5.000000e-02}>>
// CHECK: qnn.fully_connected %{{.*}}, %[[W]]
func.func @qdq_layer(%x: tensor<1x2xf32>) -> tensor<1x1xf32> {
  %wq = qnn.qconst dense<[[10, -20]]> : tensor<1x2xi8> -> tensor<1x2x!quant.uniform<i8:f32:0, {0.05}>>
  %w = qnn.dequantize %wq : (tensor<1x2x!quant.uniform<i8:f32:0, {0.05}>>) -> tensor<1x2xf32>
  %xq = qnn.quantize %x : (tensor<1x2xf32>) -> tensor<1x2x!quant.uniform<u8:f32, 0.01:128>>
  %xd = qnn.dequantize %xq : (tensor<1x2x!quant.uniform<u8:f32, 0.01:128>>) -> tensor<1x2xf32>
  %y = qnn.fully_connected %xd, %w : (tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<1x1xf32>
  %yq = qnn.quantize %y : (tensor<1x1xf32>) -> tensor<1x1x!quant.uniform<u8:f32, 0.02:100>>
  %yd = qnn.dequantize %yq : (tensor<1x1x!quant.uniform<u8:f32, 0.02:100>>) -> tensor<1x1xf32>
  return %yd : tensor<1x1xf32>
}
