// RUN: qopt %s --verify-integer-only -verify-diagnostics -split-input-file

// A fully quantized graph passes.
func.func @integer(%x: tensor<4xf32>) -> tensor<4xf32> {
  %q = qnn.quantize %x : (tensor<4xf32>) -> tensor<4x!quant.uniform<i8:f32, 0.1>>
  %r = qnn.relu %q : (tensor<4x!quant.uniform<i8:f32, 0.1>>) -> tensor<4x!quant.uniform<i8:f32, 0.1>>
  %d = qnn.dequantize %r : (tensor<4x!quant.uniform<i8:f32, 0.1>>) -> tensor<4xf32>
  %s = qnn.softmax %d : (tensor<4xf32>) -> tensor<4xf32>
  return %s : tensor<4xf32>
}

// -----

// A float island between dequantize and quantize is reported.
func.func @island(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %q = qnn.quantize %x : (tensor<1x4xf32>) -> tensor<1x4x!quant.uniform<i8:f32, 0.1>>
  %d = qnn.dequantize %q : (tensor<1x4x!quant.uniform<i8:f32, 0.1>>) -> tensor<1x4xf32>
  // expected-error @+1 {{float arithmetic inside the quantized region: 'qnn.softmax' has no integer form here; it runs between a qnn.dequantize and a qnn.quantize}}
  %s = qnn.softmax %d : (tensor<1x4xf32>) -> tensor<1x4xf32>
  %q2 = qnn.quantize %s : (tensor<1x4xf32>) -> tensor<1x4x!quant.uniform<i8:f32, 0.004:-128>>
  %d2 = qnn.dequantize %q2 : (tensor<1x4x!quant.uniform<i8:f32, 0.004:-128>>) -> tensor<1x4xf32>
  return %d2 : tensor<1x4xf32>
}
