// RUN: qopt %s --round-weights="rounding=nearest bias-correction=false weight-bits=4" --quantize-static="weight-bits=4" | FileCheck %s --check-prefix=GUARD

// Weights chosen before quantize-static cannot know the input scale: a
// channel whose bias would not fit in 2^30 at s_x * s_w is re-rounded there
// at the wider scale (TFLite's guard), the other channel keeps its integers.
// Input range [0, 1] (s_x = 1/255); channel 0's bias 1e6 needs
// s_w >= 1e6 / (2^30 / 255) = 0.2375 instead of 0.3 / 7 = 0.0429.
// GUARD-LABEL: func.func @guard
// GUARD: qnn.fully_connected {{.*}}!quant.uniform<i8<-7:7>:f32:0, {0.2374{{[0-9]*}},0.01428{{[0-9]*}}}>
func.func @guard(%x: tensor<4x2xf32>) -> tensor<4x2xf32> {
  %w = arith.constant dense<[[0.3, 0.1], [0.1, 0.05]]> : tensor<2x2xf32>
  %b = arith.constant dense<[1.0e6, 0.5]> : tensor<2xf32>
  %xi = qnn.observer %x {id = 0 : i64, min = 0.0 : f64, max = 1.0 : f64} : tensor<4x2xf32>
  %y = qnn.fully_connected %xi, %w, %b : (tensor<4x2xf32>, tensor<2x2xf32>, tensor<2xf32>) -> tensor<4x2xf32>
  %o = qnn.observer %y {id = 1 : i64, min = -1.0 : f64, max = 1.0e6 : f64} : tensor<4x2xf32>
  return %o : tensor<4x2xf32>
}
