// RUN: qopt %s --canonicalize --split-input-file | FileCheck %s

// A reshape of a constant folds to a constant of the new shape; weights in
// a resource blob (every large ONNX initializer) share the blob, so that
// the lowering sees constant weights (an STFT's [257, 1, 512] filters
// reshaped for a 2-D convolution were transposed at run time and missed
// the packed-weight kernels).
// CHECK-LABEL: func @reshape_of_resource
// CHECK: %[[C:.*]] = arith.constant dense_resource<w> : tensor<2x1x1x3xf32>
// CHECK-NOT: qnn.reshape
// CHECK: return %[[C]]
func.func @reshape_of_resource() -> tensor<2x1x1x3xf32> {
  %w = arith.constant dense_resource<w> : tensor<2x1x3xf32>
  %r = qnn.reshape %w : (tensor<2x1x3xf32>) -> tensor<2x1x1x3xf32>
  return %r : tensor<2x1x1x3xf32>
}

{-#
  dialect_resources: {
    builtin: {
      w: "0x04000000000080BF0000003F000000400000803F000040C00000803E"
    }
  }
#-}

// -----

// CHECK-LABEL: func @reshape_of_dense
// CHECK: arith.constant dense<{{\[\[}}1.000000e+00, 2.000000e+00]]> : tensor<1x2xf32>
func.func @reshape_of_dense() -> tensor<1x2xf32> {
  %w = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %r = qnn.reshape %w : (tensor<2xf32>) -> tensor<1x2xf32>
  return %r : tensor<1x2xf32>
}
