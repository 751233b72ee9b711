// RUN: qopt %s --split-input-file --smooth-quant -verify-diagnostics
// RUN: not qopt %s --split-input-file --smooth-quant="alpha=1.5 calibration-data=x.npy" 2>&1 | FileCheck %s --check-prefix=ALPHA
// RUN: not qopt %s --split-input-file --smooth-quant="weight-bits=3 calibration-data=x.npy" 2>&1 | FileCheck %s --check-prefix=BITS

// ALPHA: error: smooth-quant: alpha must be in [0, 1], got 1.5
// BITS: error: smooth-quant: weight-bits must be 8 or 4, got 3

// The channel maxima come from data.
// expected-error @+1 {{smooth-quant: the activations' channel ranges come from calibration data: give calibration-data=x.npy}}
module {
func.func @main(%x: tensor<?x2xf32>) -> tensor<?x1xf32> {
  %g = arith.constant dense<[1.0, 16.0]> : tensor<2xf32>
  %w = arith.constant dense<[[4.0, 1.0]]> : tensor<1x2xf32>
  %0 = qnn.mul %x, %g : (tensor<?x2xf32>, tensor<2xf32>) -> tensor<?x2xf32>
  %1 = qnn.fully_connected %0, %w : (tensor<?x2xf32>, tensor<1x2xf32>) -> tensor<?x1xf32>
  return %1 : tensor<?x1xf32>
}
}
