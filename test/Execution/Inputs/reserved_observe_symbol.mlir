// A module that defines qopt_observe, the calibration runtime's reserved
// name (calibrate-errors.test).
func.func @qopt_observe(%x: tensor<2xf32>) -> tensor<2xf32> {
  return %x : tensor<2xf32>
}
func.func @main(%x: tensor<2xf32>) -> tensor<2xf32> {
  %o = qnn.observer %x {id = 0 : i64} : tensor<2xf32>
  %y = func.call @qopt_observe(%o) : (tensor<2xf32>) -> tensor<2xf32>
  return %y : tensor<2xf32>
}
