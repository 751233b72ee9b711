// Debian's stock mlir-opt runs qopt's dialect and passes from the plugin.
// Stock mlir-opt is not built with ASan, so it cannot load an ASan plugin.
// UNSUPPORTED: asan
// RUN: %stock_mlir_opt %s --load-dialect-plugin=%qopt_libs/libQOptPlugin.so \
// RUN:   --load-pass-plugin=%qopt_libs/libQOptPlugin.so \
// RUN:   --pass-pipeline="builtin.module(func.func(fold-bn,fuse-ops))" | FileCheck %s

// CHECK-LABEL: func @conv_bn_relu
// CHECK-DAG: %[[W:.*]] = arith.constant dense<{{\[\[\[\[}}1.000000e+00]]], {{\[\[\[}}4.000000e+00]]]]> : tensor<2x1x1x1xf32>
// CHECK-DAG: %[[B:.*]] = arith.constant dense<[1.000000e+00, -4.000000e+00]> : tensor<2xf32>
// CHECK: qnn.conv2d %arg0, %[[W]], %[[B]] {fused_activation = #qnn.activation<relu>}
// CHECK-NOT: qnn.batch_norm
// CHECK-NOT: qnn.relu
func.func @conv_bn_relu(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = arith.constant dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>
  %b = arith.constant dense<[0.5, -1.0]> : tensor<2xf32>
  %gamma = arith.constant dense<[2.0, 6.0]> : tensor<2xf32>
  %beta = arith.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %mean = arith.constant dense<[0.5, 1.0]> : tensor<2xf32>
  %var = arith.constant dense<[3.0, 8.0]> : tensor<2xf32>
  %c = qnn.conv2d %x, %w, %b : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %y = qnn.batch_norm %c, %gamma, %beta, %mean, %var {epsilon = 1.0 : f32}
      : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %r = qnn.relu %y : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  return %r : tensor<1x2x4x4xf32>
}
