// RUN: qopt %s --integer-only=rounding=nearest -verify-diagnostics -split-input-file
// RUN: not qopt %s --integer-only=scale-arithmetic=f16 -split-input-file 2>&1 | FileCheck %s --check-prefix=SCALE
// SCALE: integer-only: unknown scale-arithmetic 'f16' (expected f32 or f64)

// expected-error @below {{integer-only: unknown rounding 'nearest' (expected double-round or single-round)}}
module {
  func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
    return %x : tensor<4xf32>
  }
}
