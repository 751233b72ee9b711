// RUN: not qopt %s --quantize-dynamic=mode=static 2>&1 | FileCheck %s --check-prefix=MODE
// RUN: not qopt %s --quantize-dynamic=weight-bits=2 2>&1 | FileCheck %s --check-prefix=BITS

// MODE: for the --mode option: Cannot find option named 'static'!
// BITS: error: quantize-dynamic: weight-bits must be 8 or 4, got 2
func.func @f(%x: tensor<2xf32>) -> tensor<2xf32> {
  return %x : tensor<2xf32>
}
