// RUN: qopt %s --quantize-static -verify-diagnostics -split-input-file
// RUN: not qopt %s --quantize-static=activation-type=int4 -split-input-file 2>&1 | FileCheck %s --check-prefix=TYPE
// RUN: not qopt %s --quantize-static=calibration-data=%t.missing.npy -split-input-file 2>&1 | FileCheck %s --check-prefix=DATA
// RUN: not qopt %s --quantize-static="calibration-data=%t.missing.npy calibration-method=bogus" -split-input-file 2>&1 | FileCheck %s --check-prefix=METHOD
// RUN: not qopt %s --quantize-static=weight-bits=3 -split-input-file 2>&1 | FileCheck %s --check-prefix=BITS
// BITS: quantize-static: weight-bits must be 8 or 4, got 3
// An error about the whole module does not print the whole module.
// RUN: not qopt %s --quantize-static -split-input-file 2>&1 | FileCheck %s --check-prefix=NODUMP
// NODUMP: error: quantize-static: no qnn.observer ops
// NODUMP-NOT: see current operation
// DATA: error: quantize-static: calibration-data: '{{.*}}missing.npy': cannot read
// METHOD: for the --calibration-method option: Cannot find option named 'bogus'!

func.func @uncalibrated(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{observer 0 ('conv1') has no calibration statistics; calibrate with `qopt-run FILE --calibrate --input calib.npy -o calibrated.mlir` (or apply saved ones with --stats-in stats.json)}}
  %o = qnn.observer %x {id = 0 : i64, name = "conv1"} : tensor<4xf32>
  return %o : tensor<4xf32>
}

// -----

// expected-error @+1 {{quantize-static: no qnn.observer ops; calibrate in process with --quantize-static=calibration-data=calib.npy, or run qopt --insert-observers, then qopt-run --calibrate --input calib.npy -o calibrated.mlir}}
module {
  func.func @none(%x: tensor<4xf32>) -> tensor<4xf32> {
    return %x : tensor<4xf32>
  }
}
// TYPE: for the --activation-type option: Cannot find option named 'int4'!
