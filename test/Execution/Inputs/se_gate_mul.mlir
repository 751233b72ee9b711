// A squeeze-and-excitation gate: features times a per-channel gate,
// calibrated observers (quantized-mul.test).
func.func @se(%x: tensor<1x4x2x2xf32>, %g: tensor<1x4x1x1xf32>) -> tensor<1x4x2x2xf32> {
  %ox = qnn.observer %x {id = 0 : i64, min = -1.0 : f64, max = 1.0 : f64} : tensor<1x4x2x2xf32>
  %og = qnn.observer %g {id = 1 : i64, min = 0.0 : f64, max = 1.0 : f64} : tensor<1x4x1x1xf32>
  %m = qnn.mul %ox, %og : (tensor<1x4x2x2xf32>, tensor<1x4x1x1xf32>) -> tensor<1x4x2x2xf32>
  %om = qnn.observer %m {id = 2 : i64, min = -1.0 : f64, max = 1.0 : f64} : tensor<1x4x2x2xf32>
  return %om : tensor<1x4x2x2xf32>
}
