// RUN: qopt %s --integer-only --split-input-file --verify-diagnostics

// 16-bit activations times 1024 weights of 127: |acc| can reach
// 32768 * 127 * 1024 = 4261412864 > 2^31 - 1. An error, not a wrapped sum.
!qx = !quant.uniform<i16:f32, 0.001>
!qw = !quant.uniform<i8<-127:127>:f32, 0.25>
!qy = !quant.uniform<i16:f32, 0.01>
func.func @fc16_overflow(%x: tensor<1x1024x!qx>) -> tensor<1x1x!qy> {
  %w = qnn.qconst dense<127> : tensor<1x1024xi8> -> tensor<1x1024x!qw>
  // (Products with constant weights run as 1x1 convolutions.)
  // expected-error @+2 {{failed to legalize operation 'qnn.conv2d'}}
  // expected-error @+1 {{the i32 accumulator of output channel 0 can overflow (|acc| up to 4261412864 with 16-bit activations); keep this layer at 8-bit activations or float (per-layer config)}}
  %y = qnn.fully_connected %x, %w : (tensor<1x1024x!qx>, tensor<1x1024x!qw>) -> tensor<1x1x!qy>
  return %y : tensor<1x1x!qy>
}

// -----

// The same layer with 8-bit activations is far from the bound.
!qx = !quant.uniform<i8:f32, 0.001>
!qw = !quant.uniform<i8<-127:127>:f32, 0.25>
!qy = !quant.uniform<i8:f32, 0.01>
func.func @fc8(%x: tensor<1x1024x!qx>) -> tensor<1x1x!qy> {
  %w = qnn.qconst dense<127> : tensor<1x1024xi8> -> tensor<1x1024x!qw>
  %y = qnn.fully_connected %x, %w : (tensor<1x1024x!qx>, tensor<1x1024x!qw>) -> tensor<1x1x!qy>
  return %y : tensor<1x1x!qy>
}

// -----

// Weights that are not constants are bounded by their shape: 2^45 products
// per output bound |acc| by 2^45 * 32768 * 127 (about 1.5e20), beyond what an i64 holds. The
// message prints the bound, it does not convert it to an integer (fuzzer).
!qx = !quant.uniform<i16:f32, 0.001>
!qw = !quant.uniform<i8<-127:127>:f32, 0.25>
!qy = !quant.uniform<i16:f32, 0.01>
func.func @fc16_huge_runtime_weights(%x: tensor<1x35184372088832x!qx>, %w: tensor<1x35184372088832x!qw>) -> tensor<1x1x!qy> {
  // expected-error @+2 {{failed to legalize operation 'qnn.fully_connected'}}
  // expected-error @+1 {{the i32 accumulator of output channel 0 can overflow (|acc| up to 146421031085069565952 with 16-bit activations)}}
  %y = qnn.fully_connected %x, %w : (tensor<1x35184372088832x!qx>, tensor<1x35184372088832x!qw>) -> tensor<1x1x!qy>
  return %y : tensor<1x1x!qy>
}
