// RUN: %python -c "import numpy as np; np.save('%t.npy', np.array([[1., 0.5], [-1., -0.5]], np.float32))"
// RUN: qopt %s --split-input-file --smooth-quant="calibration-data=%t.npy" | FileCheck %s
// RUN: qopt %s --split-input-file --smooth-quant="calibration-data=%t.npy alpha=0" | FileCheck %s --check-prefix=ALPHA0

// A layer norm's affine part, decomposed (paddle2onnx's form). On the two
// calibration rows X = x * [1, 16] + [0, 8] = [[1, 16], [-1, 0]]: channel
// maxima a = [1, 16]; the weight's w = [4, 1]. alpha 0.5:
// s = sqrt(a / w) = [0.5, 4], so gamma / s = [2, 4], beta / s = [0, 2] and
// the weight's input channels times s: [[2, 4]].
// CHECK-LABEL: func.func @main(%arg0: tensor<?x2xf32>) -> tensor<?x1xf32>
// CHECK: %[[G:.*]] = arith.constant dense<[2.000000e+00, 4.000000e+00]> : tensor<2xf32>
// CHECK: qnn.mul %arg0, %[[G]]
// CHECK: %[[B:.*]] = arith.constant dense<[0.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK: qnn.add %{{.*}}, %[[B]] {qnn.smooth_quant_alpha = 5.000000e-01 : f32}
// CHECK: %[[W:.*]] = arith.constant dense<{{\[\[}}2.000000e+00, 4.000000e+00]]> : tensor<1x2xf32>
// CHECK: qnn.fully_connected %{{.*}}, %[[W]]
func.func @main(%x: tensor<?x2xf32>) -> tensor<?x1xf32> {
  %g = arith.constant dense<[1.0, 16.0]> : tensor<2xf32>
  %b = arith.constant dense<[0.0, 8.0]> : tensor<2xf32>
  %w = arith.constant dense<[[4.0, 1.0]]> : tensor<1x2xf32>
  %0 = qnn.mul %x, %g : (tensor<?x2xf32>, tensor<2xf32>) -> tensor<?x2xf32>
  %1 = qnn.add %0, %b : (tensor<?x2xf32>, tensor<2xf32>) -> tensor<?x2xf32>
  %2 = qnn.fully_connected %1, %w : (tensor<?x2xf32>, tensor<1x2xf32>) -> tensor<?x1xf32>
  return %2 : tensor<?x1xf32>
}

// -----

// qnn.layer_norm read by two matmuls (as Q, K, V projections are): one s
// from both weights' maxima w = max(|[2, 0.5]|, |[4, 0.25]|) = [4, 0.5].
// alpha 0 leaves the activations' ranges out: s = 1 / w = [0.25, 2]; the
// scale [1, 2] / s = [4, 1], the shift [0.5, 1] / s = [2, 0.5]; the weights'
// rows times s.
// ALPHA0-LABEL: func.func @main(%arg0: tensor<?x2xf32>) -> (tensor<?x1xf32>, tensor<?x1xf32>)
// ALPHA0: %[[S:.*]] = arith.constant dense<[4.000000e+00, 1.000000e+00]>
// ALPHA0: %[[T:.*]] = arith.constant dense<[2.000000e+00, 5.000000e-01]>
// ALPHA0: %[[N:.*]] = qnn.layer_norm %arg0, %[[S]], %[[T]] {qnn.smooth_quant_alpha = 0.000000e+00 : f32}
// ALPHA0: %[[W1:.*]] = arith.constant dense<{{\[\[}}5.000000e-01], [1.000000e+00]]>
// ALPHA0: qnn.matmul %[[N]], %[[W1]]
// ALPHA0: %[[W2:.*]] = arith.constant dense<{{\[\[}}1.000000e+00], [5.000000e-01]]>
// ALPHA0: qnn.matmul %[[N]], %[[W2]]
func.func @main(%x: tensor<?x2xf32>) -> (tensor<?x1xf32>, tensor<?x1xf32>) {
  %g = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %b = arith.constant dense<[0.5, 1.0]> : tensor<2xf32>
  %w1 = arith.constant dense<[[2.0], [0.5]]> : tensor<2x1xf32>
  %w2 = arith.constant dense<[[4.0], [0.25]]> : tensor<2x1xf32>
  %n = qnn.layer_norm %x, %g, %b : (tensor<?x2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<?x2xf32>
  %q = qnn.matmul %n, %w1 : (tensor<?x2xf32>, tensor<2x1xf32>) -> tensor<?x1xf32>
  %k = qnn.matmul %n, %w2 : (tensor<?x2xf32>, tensor<2x1xf32>) -> tensor<?x1xf32>
  return %q, %k : tensor<?x1xf32>, tensor<?x1xf32>
}

// -----

// A fully_connected without activation absorbs 1 / s in its output
// channels. alpha 0: s = 1 / [2, 0.5] = [0.5, 2]; the producer's rows
// [[1, 2], [3, 4]] / s = [[2, 4], [1.5, 2]], its bias [1, 1] / s = [2, 0.5];
// the consumer's [[2, 0.5], [1, 0.25]] * s = [[1, 1], [0.5, 0.5]].
// ALPHA0-LABEL: func.func @main(%arg0: tensor<?x2xf32>) -> tensor<?x2xf32>
// ALPHA0: %[[W1:.*]] = arith.constant dense<{{\[\[}}2.000000e+00, 4.000000e+00], [1.500000e+00, 2.000000e+00]]>
// ALPHA0: %[[B1:.*]] = arith.constant dense<[2.000000e+00, 5.000000e-01]>
// ALPHA0: %[[Y:.*]] = qnn.fully_connected %arg0, %[[W1]], %[[B1]]
// ALPHA0: %[[W2:.*]] = arith.constant dense<{{\[\[}}1.000000e+00, 1.000000e+00], [5.000000e-01, 5.000000e-01]]> : tensor<2x2xf32>
// ALPHA0: qnn.fully_connected %[[Y]], %[[W2]]
func.func @main(%x: tensor<?x2xf32>) -> tensor<?x2xf32> {
  %w1 = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %b1 = arith.constant dense<[1.0, 1.0]> : tensor<2xf32>
  %w2 = arith.constant dense<[[2.0, 0.5], [1.0, 0.25]]> : tensor<2x2xf32>
  %0 = qnn.fully_connected %x, %w1, %b1 : (tensor<?x2xf32>, tensor<2x2xf32>, tensor<2xf32>) -> tensor<?x2xf32>
  %1 = qnn.fully_connected %0, %w2 : (tensor<?x2xf32>, tensor<2x2xf32>) -> tensor<?x2xf32>
  return %1 : tensor<?x2xf32>
}

// -----

// Left alone: a ReLU between the layers (not linear), and an input that is
// also returned (its other user would see the scaled values).
// CHECK-LABEL: func.func @main(%arg0: tensor<?x2xf32>) -> (tensor<?x1xf32>, tensor<?x1xf32>, tensor<?x2xf32>)
// CHECK-NOT: smooth_quant_alpha
// CHECK: arith.constant dense<{{\[\[}}1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00]]>
// CHECK: arith.constant dense<{{\[\[}}2.000000e+00, 5.000000e-01]]>
// CHECK: arith.constant dense<[1.000000e+00, 1.600000e+01]>
// CHECK-NOT: smooth_quant_alpha
// CHECK: return
func.func @main(%x: tensor<?x2xf32>) -> (tensor<?x1xf32>, tensor<?x1xf32>, tensor<?x2xf32>) {
  %w1 = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %w2 = arith.constant dense<[[2.0, 0.5]]> : tensor<1x2xf32>
  %0 = qnn.fully_connected %x, %w1 {fused_activation = #qnn.activation<relu>} : (tensor<?x2xf32>, tensor<2x2xf32>) -> tensor<?x2xf32>
  %1 = qnn.fully_connected %0, %w2 : (tensor<?x2xf32>, tensor<1x2xf32>) -> tensor<?x1xf32>
  %g = arith.constant dense<[1.0, 16.0]> : tensor<2xf32>
  %2 = qnn.mul %x, %g : (tensor<?x2xf32>, tensor<2xf32>) -> tensor<?x2xf32>
  %3 = qnn.fully_connected %2, %w2 : (tensor<?x2xf32>, tensor<1x2xf32>) -> tensor<?x1xf32>
  return %1, %3, %2 : tensor<?x1xf32>, tensor<?x1xf32>, tensor<?x2xf32>
}

// -----

// A chain: the middle layer reads one smoothed input and produces the next,
// so its input channels are multiplied by the first s and its output rows
// divided by the second. alpha 0: s1 = 1 / max over W2's columns
// = 1 / [2, 4], s2 = 1 / [4, 0.5]. W1 / s1 = [[2, 0], [0, 4]];
// W2[o][j] s1[j] / s2[o] = [[4, 4], [0.25, 0.0625]]; W3 s2 = [[1, 1]].
// ALPHA0-LABEL: func.func @main(%arg0: tensor<?x2xf32>) -> tensor<?x1xf32>
// ALPHA0: %[[W1:.*]] = arith.constant dense<{{\[\[}}2.000000e+00, 0.000000e+00], [0.000000e+00, 4.000000e+00]]>
// ALPHA0: qnn.fully_connected %arg0, %[[W1]]
// ALPHA0: %[[W2:.*]] = arith.constant dense<{{\[\[}}4.000000e+00, 4.000000e+00], [2.500000e-01, 6.250000e-02]]>
// ALPHA0: qnn.fully_connected %{{.*}}, %[[W2]]
// ALPHA0: %[[W3:.*]] = arith.constant dense<1.000000e+00> : tensor<1x2xf32>
// ALPHA0: qnn.fully_connected %{{.*}}, %[[W3]]
func.func @main(%x: tensor<?x2xf32>) -> tensor<?x1xf32> {
  %w1 = arith.constant dense<[[1.0, 0.0], [0.0, 1.0]]> : tensor<2x2xf32>
  %w2 = arith.constant dense<[[2.0, 4.0], [1.0, 0.5]]> : tensor<2x2xf32>
  %w3 = arith.constant dense<[[4.0, 0.5]]> : tensor<1x2xf32>
  %0 = qnn.fully_connected %x, %w1 : (tensor<?x2xf32>, tensor<2x2xf32>) -> tensor<?x2xf32>
  %1 = qnn.fully_connected %0, %w2 : (tensor<?x2xf32>, tensor<2x2xf32>) -> tensor<?x2xf32>
  %2 = qnn.fully_connected %1, %w3 : (tensor<?x2xf32>, tensor<1x2xf32>) -> tensor<?x1xf32>
  return %2 : tensor<?x1xf32>
}
