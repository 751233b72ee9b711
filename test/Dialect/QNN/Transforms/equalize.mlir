// RUN: qopt %s --split-input-file --equalize | FileCheck %s
// RUN: qopt %s --split-input-file --equalize=relu6-as-relu | FileCheck %s --check-prefix=RELU6

// Two channels with ranges (r1, r2) = (4, 1) and (1, 4): s = sqrt(r1 / r2)
// = 2 and 1/2, so both sides of both channels end at range 2. The
// producer's bias follows its rows; the consumer's bias is unchanged.
// CHECK-LABEL: func.func @relu_pair
// CHECK-DAG: %[[B2:.*]] = arith.constant dense<[3.000000e+00, 4.000000e+00]> : tensor<2xf32>
// CHECK-DAG: %[[W1:.*]] = arith.constant dense<{{\[}}[2.000000e+00, -1.000000e+00], [5.000000e-01, 2.000000e+00]]> : tensor<2x2xf32>
// CHECK-DAG: %[[B1:.*]] = arith.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK: %[[Y:.*]] = qnn.fully_connected %arg0, %[[W1]], %[[B1]] {fused_activation = #qnn.activation<relu>}
// CHECK: %[[W2:.*]] = arith.constant dense<{{\[}}[2.000000e+00, 2.000000e+00], [1.000000e+00, -1.000000e+00]]> : tensor<2x2xf32>
// CHECK: qnn.fully_connected %[[Y]], %[[W2]], %[[B2]]
func.func @relu_pair(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %w1 = arith.constant dense<[[4.0, -2.0], [0.25, 1.0]]> : tensor<2x2xf32>
  %b1 = arith.constant dense<[2.0, 1.0]> : tensor<2xf32>
  %w2 = arith.constant dense<[[1.0, 4.0], [0.5, -2.0]]> : tensor<2x2xf32>
  %b2 = arith.constant dense<[3.0, 4.0]> : tensor<2xf32>
  %y = qnn.fully_connected %x, %w1, %b1 {fused_activation = #qnn.activation<relu>} : (tensor<1x2xf32>, tensor<2x2xf32>, tensor<2xf32>) -> tensor<1x2xf32>
  %z = qnn.fully_connected %y, %w2, %b2 : (tensor<1x2xf32>, tensor<2x2xf32>, tensor<2xf32>) -> tensor<1x2xf32>
  return %z : tensor<1x2xf32>
}

// -----

// A chain of three 1x1 convolutions (the middle one depthwise): equalized
// to a fixed point where each channel's three ranges are equal. Pair
// scaling keeps their product (8 * 2 * 1 = 2 * 8 * 1 = 16), so all end at
// 16^(1/3) = 2.5198.
// CHECK-LABEL: func.func @chain
// CHECK-COUNT-2: arith.constant dense<2.5{{[12][0-9]*}}> : tensor<2x1x1x1xf32>
// CHECK: arith.constant dense<2.5{{[12][0-9]*}}> : tensor<2x2x1x1xf32>
func.func @chain(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w1 = arith.constant dense<[[[[8.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>
  %b1 = arith.constant dense<[0.0, 0.0]> : tensor<2xf32>
  %w2 = arith.constant dense<[[[[2.0]]], [[[8.0]]]]> : tensor<2x1x1x1xf32>
  %b2 = arith.constant dense<[0.0, 0.0]> : tensor<2xf32>
  %w3 = arith.constant dense<[[[[1.0]], [[1.0]]], [[[1.0]], [[1.0]]]]> : tensor<2x2x1x1xf32>
  %b3 = arith.constant dense<[0.0, 0.0]> : tensor<2xf32>
  %a = qnn.conv2d %x, %w1, %b1 : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %b = qnn.conv2d %a, %w2, %b2 {group = 2 : i64} : (tensor<1x2x4x4xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %c = qnn.conv2d %b, %w3, %b3 : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  return %c : tensor<1x2x4x4xf32>
}

// -----

// A producer with a second user (a residual branch) and a ReLU6 between
// layers are left alone; relu6-as-relu turns the ReLU6 into a ReLU and
// equalizes that pair (the other constant user of %w1 keeps it).
// CHECK-LABEL: func.func @not_equalized
// CHECK-DAG: arith.constant dense<{{\[}}[4.000000e+00, -2.000000e+00], [2.500000e-01, 1.000000e+00]]>
// CHECK-DAG: arith.constant dense<{{\[}}[1.000000e+00, 4.000000e+00], [5.000000e-01, -2.000000e+00]]>
// CHECK: fused_activation = #qnn.activation<relu6>
// CHECK-NOT: arith.constant
// RELU6-LABEL: func.func @not_equalized
// RELU6: arith.constant dense<{{\[}}[2.000000e+00, -1.000000e+00], [5.000000e-01, 2.000000e+00]]>
// RELU6: fused_activation = #qnn.activation<relu>
// RELU6: qnn.add
func.func @not_equalized(%x: tensor<1x2xf32>) -> (tensor<1x2xf32>, tensor<1x2xf32>) {
  %w1 = arith.constant dense<[[4.0, -2.0], [0.25, 1.0]]> : tensor<2x2xf32>
  %w2 = arith.constant dense<[[1.0, 4.0], [0.5, -2.0]]> : tensor<2x2xf32>
  %y = qnn.fully_connected %x, %w1 {fused_activation = #qnn.activation<relu6>} : (tensor<1x2xf32>, tensor<2x2xf32>) -> tensor<1x2xf32>
  %z = qnn.fully_connected %y, %w2 : (tensor<1x2xf32>, tensor<2x2xf32>) -> tensor<1x2xf32>
  %r = qnn.fully_connected %x, %w2 : (tensor<1x2xf32>, tensor<2x2xf32>) -> tensor<1x2xf32>
  %s = qnn.fully_connected %r, %w1 : (tensor<1x2xf32>, tensor<2x2xf32>) -> tensor<1x2xf32>
  %t = qnn.add %s, %r : (tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<1x2xf32>
  return %z, %t : tensor<1x2xf32>, tensor<1x2xf32>
}
