// RUN: qopt %s --integer-only=rounding=nearest -verify-diagnostics -split-input-file

// expected-error @below {{integer-only: unknown rounding 'nearest' (expected double-round or single-round)}}
module {
  func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
    return %x : tensor<4xf32>
  }
}
