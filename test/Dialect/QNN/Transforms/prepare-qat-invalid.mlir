// RUN: qopt %s --prepare-qat -verify-diagnostics -split-input-file
// RUN: not qopt %s --prepare-qat=activation-type=int4 -split-input-file 2>&1 | FileCheck %s --check-prefix=TYPE
// RUN: not qopt %s --prepare-qat=weight-bits=2 -split-input-file 2>&1 | FileCheck %s --check-prefix=BITS
// RUN: not qopt %s --prepare-qat=activation-range=3,1 -split-input-file 2>&1 | FileCheck %s --check-prefix=RANGE
// RUN: not qopt %s --prepare-qat=activation-range=1 -split-input-file 2>&1 | FileCheck %s --check-prefix=RANGE

func.func @uncalibrated(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{observer 0 ('conv1') has no calibration statistics and no activation-range was given; calibrate with `qopt-run FILE --calibrate --input calib.npy -o calibrated.mlir` or pass --prepare-qat=activation-range=LO,HI}}
  %o = qnn.observer %x {id = 0 : i64, name = "conv1"} : tensor<4xf32>
  return %o : tensor<4xf32>
}

// -----

// expected-error @+1 {{prepare-qat: no qnn.observer ops; run qopt --insert-observers first, then calibrate (qopt-run --calibrate) or give activation-range=LO,HI}}
module {
  func.func @none(%x: tensor<4xf32>) -> tensor<4xf32> {
    return %x : tensor<4xf32>
  }
}
// TYPE: for the --activation-type option: Cannot find option named 'int4'!
// BITS: prepare-qat: weight-bits must be 8 or 4, got 2
// RANGE: prepare-qat: activation-range must be LO,HI with finite LO < HI
