// integer-only's options are enums: a value outside them is an error that
// names the option and the value.
// RUN: not qopt %s --integer-only=rounding=nearest 2>&1 | FileCheck %s --check-prefix=ROUND
// ROUND: for the --rounding option: Cannot find option named 'nearest'!
// RUN: not qopt %s --integer-only=scale-arithmetic=f16 2>&1 | FileCheck %s --check-prefix=SCALE
// SCALE: for the --scale-arithmetic option: Cannot find option named 'f16'!

func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}
