// RUN: qopt %s --split-input-file --round-weights --verify-diagnostics
// RUN: not qopt %s --round-weights="rounding=nearest bias-correction=false weight-bits=3" 2>&1 | FileCheck %s --check-prefix=BITS
// BITS: error: round-weights: weight-bits must be 8 or 4, got 3

// expected-error @+1 {{round-weights: rounding=learned and bias-correction learn from calibration data}}
module {
  func.func @main(%x: tensor<?x2xf32>) -> tensor<?x1xf32> {
    %w = arith.constant dense<[[0.3, 0.1]]> : tensor<1x2xf32>
    %y = qnn.fully_connected %x, %w : (tensor<?x2xf32>, tensor<1x2xf32>) -> tensor<?x1xf32>
    return %y : tensor<?x1xf32>
  }
}
