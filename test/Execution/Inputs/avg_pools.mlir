// Average pools with calibrated observers: one with a uniform window
// (quantized), one whose windows count padding differently (float).
func.func @pool(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xf32> {
  %ox = qnn.observer %x {id = 0 : i64, min = -1.0 : f64, max = 1.0 : f64} : tensor<1x2x4x4xf32>
  %p = qnn.avg_pool2d %ox {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xf32>
  %op = qnn.observer %p {id = 1 : i64, min = -1.0 : f64, max = 1.0 : f64} : tensor<1x2x2x2xf32>
  return %op : tensor<1x2x2x2xf32>
}
func.func @padded(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %ox = qnn.observer %x {id = 2 : i64, min = -1.0 : f64, max = 1.0 : f64} : tensor<1x2x4x4xf32>
  %p = qnn.avg_pool2d %ox {kernel = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %op = qnn.observer %p {id = 3 : i64, min = -1.0 : f64, max = 1.0 : f64} : tensor<1x2x4x4xf32>
  return %op : tensor<1x2x4x4xf32>
}
