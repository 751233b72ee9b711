// The worked example of seed 004 (fake quantization): x = [1.5, -2.3],
// W = [[0.8, -0.5], [1.2, 0.3]], b = [0.1, -0.2], s = 0.2, z = 0.
// @fake_quant is the simulation a training framework runs; @accumulators
// keeps the int32 accumulators (scale s * s = 0.04) visible; @quantized adds
// an output fake-quant (s = 0.2) so the whole layer can run integer-only.
func.func @fake_quant(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %w = arith.constant dense<[[0.8, -0.5], [1.2, 0.3]]> : tensor<2x2xf32>
  %b = arith.constant dense<[0.1, -0.2]> : tensor<2xf32>
  %xq = qnn.fake_quant %x {qtype = !quant.uniform<i8:f32, 0.2>} : tensor<1x2xf32>
  %wq = qnn.fake_quant %w {qtype = !quant.uniform<i8:f32, 0.2>} : tensor<2x2xf32>
  %y = qnn.fully_connected %xq, %wq, %b : (tensor<1x2xf32>, tensor<2x2xf32>, tensor<2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

func.func @accumulators(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %w = arith.constant dense<[[0.8, -0.5], [1.2, 0.3]]> : tensor<2x2xf32>
  %xq = qnn.quantize %x : (tensor<1x2xf32>) -> tensor<1x2x!quant.uniform<i8:f32, 0.2>>
  %wq = qnn.quantize %w : (tensor<2x2xf32>) -> tensor<2x2x!quant.uniform<i8:f32, 0.2>>
  %acc = qnn.fully_connected %xq, %wq : (tensor<1x2x!quant.uniform<i8:f32, 0.2>>, tensor<2x2x!quant.uniform<i8:f32, 0.2>>) -> tensor<1x2x!quant.uniform<i32:f32, 0.04>>
  %y = qnn.dequantize %acc : (tensor<1x2x!quant.uniform<i32:f32, 0.04>>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

func.func @quantized(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %w = arith.constant dense<[[0.8, -0.5], [1.2, 0.3]]> : tensor<2x2xf32>
  %b = arith.constant dense<[0.1, -0.2]> : tensor<2xf32>
  %xq = qnn.fake_quant %x {qtype = !quant.uniform<i8:f32, 0.2>} : tensor<1x2xf32>
  %wq = qnn.fake_quant %w {qtype = !quant.uniform<i8:f32, 0.2>} : tensor<2x2xf32>
  %y = qnn.fully_connected %xq, %wq, %b : (tensor<1x2xf32>, tensor<2x2xf32>, tensor<2xf32>) -> tensor<1x2xf32>
  %yq = qnn.fake_quant %y {qtype = !quant.uniform<i8:f32, 0.2>} : tensor<1x2xf32>
  return %yq : tensor<1x2xf32>
}
