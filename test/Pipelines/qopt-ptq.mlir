// The registered front-end pipeline: fold-bn, fuse-ops, quantize-static
// (calibrating in process on calibration-data), integer-only; compile-to
// stops after any phase.
// RUN: qopt %s --qopt-ptq=compile-to=folded | FileCheck %s --check-prefix=FOLDED
// RUN: qopt %s --qopt-ptq="calibration-data=%S/Inputs/calib_4x1x4x4.npy" | FileCheck %s --check-prefix=QUANT
// RUN: qopt %s --qopt-ptq="calibration-data=%S/Inputs/calib_4x1x4x4.npy compile-to=integer" | FileCheck %s --check-prefix=INT
// RUN: qopt %s --qopt-ptq="calibration-data=%S/Inputs/calib_4x1x4x4.npy compile-to=integer" | qopt --verify-integer-only | FileCheck %s --check-prefix=INT
// Without calibration data the module must carry calibrated observers.
// RUN: not qopt %s --qopt-ptq 2>&1 | FileCheck %s --check-prefix=NODATA
// Stock mlir-opt's plugin has no JIT to calibrate with; see test/Plugin.

// FOLDED-LABEL: func @main
// FOLDED-NOT: qnn.batch_norm
// FOLDED: qnn.conv2d {{.*}}fused_activation = #qnn.activation<relu>
// FOLDED-NOT: quant.uniform

// QUANT-LABEL: func @main
// QUANT: qnn.quantize
// QUANT: qnn.conv2d {{.*}}!quant.uniform<i8:f32
// QUANT: qnn.dequantize

// INT-LABEL: func @main
// INT-NOT: qnn.conv2d
// INT: qnn.rescale

// NODATA: error: quantize-static: {{.*}}observer

func.func @main(%x: tensor<?x1x4x4xf32>) -> tensor<?x2x4x4xf32> {
  %w = arith.constant dense<[[[[0.5, -0.25, 0.125], [1.0, 0.5, -1.0], [0.25, 0.75, -0.5]]], [[[-0.5, 0.25, 1.0], [0.0, -1.0, 0.5], [0.5, 0.25, 0.125]]]]> : tensor<2x1x3x3xf32>
  %c = qnn.conv2d %x, %w {pads = array<i64: 1, 1, 1, 1>} : (tensor<?x1x4x4xf32>, tensor<2x1x3x3xf32>) -> tensor<?x2x4x4xf32>
  %scale = arith.constant dense<[1.5, 0.5]> : tensor<2xf32>
  %bias = arith.constant dense<[0.1, -0.2]> : tensor<2xf32>
  %mean = arith.constant dense<[0.0, 0.5]> : tensor<2xf32>
  %var = arith.constant dense<[1.0, 4.0]> : tensor<2xf32>
  %b = qnn.batch_norm %c, %scale, %bias, %mean, %var {epsilon = 1.0e-5 : f32} : (tensor<?x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<?x2x4x4xf32>
  %r = qnn.relu %b : (tensor<?x2x4x4xf32>) -> tensor<?x2x4x4xf32>
  return %r : tensor<?x2x4x4xf32>
}
