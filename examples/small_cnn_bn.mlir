// A small CNN block as the ONNX importer produces it: conv -> batch-norm ->
// relu6 (clip), twice (the second depthwise), then a residual add + relu.
func.func @small_cnn_bn(%x: tensor<?x2x6x6xf32>) -> tensor<?x2x6x6xf32> {
  %w0 = arith.constant dense<[[[[0.5]], [[-1.0]]], [[[2.0]], [[0.25]]]]> : tensor<2x2x1x1xf32>
  %b0 = arith.constant dense<[0.1, -0.2]> : tensor<2xf32>
  %w1 = arith.constant dense<[[[[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]]],
                              [[[0.1, 0.2, 0.1], [0.2, 0.4, 0.2], [0.1, 0.2, 0.1]]]]> : tensor<2x1x3x3xf32>
  %gamma = arith.constant dense<[1.5, 0.5]> : tensor<2xf32>
  %beta = arith.constant dense<[0.2, -0.1]> : tensor<2xf32>
  %mean = arith.constant dense<[0.3, 0.05]> : tensor<2xf32>
  %var = arith.constant dense<[2.0, 0.5]> : tensor<2xf32>
  %c0 = qnn.conv2d %x, %w0, %b0 : (tensor<?x2x6x6xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<?x2x6x6xf32>
  %n0 = qnn.batch_norm %c0, %gamma, %beta, %mean, %var {epsilon = 1.0e-5 : f32}
      : (tensor<?x2x6x6xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<?x2x6x6xf32>
  %r0 = qnn.clip %n0 {min = 0.0 : f32, max = 6.0 : f32} : (tensor<?x2x6x6xf32>) -> tensor<?x2x6x6xf32>
  %c1 = qnn.conv2d %r0, %w1 {group = 2 : i64, pads = array<i64: 1, 1, 1, 1>} : (tensor<?x2x6x6xf32>, tensor<2x1x3x3xf32>) -> tensor<?x2x6x6xf32>
  %n1 = qnn.batch_norm %c1, %gamma, %beta, %mean, %var {epsilon = 1.0e-5 : f32}
      : (tensor<?x2x6x6xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<?x2x6x6xf32>
  %s = qnn.add %n1, %x : (tensor<?x2x6x6xf32>, tensor<?x2x6x6xf32>) -> tensor<?x2x6x6xf32>
  %r1 = qnn.relu %s : (tensor<?x2x6x6xf32>) -> tensor<?x2x6x6xf32>
  return %r1 : tensor<?x2x6x6xf32>
}
