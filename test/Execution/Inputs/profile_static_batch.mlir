// A batch-1 model with static shapes: profiling it on several samples runs
// it once per sample, each run computing 3 x 2 x 2 outputs of 2 x 3 x 3
// multiply-accumulates (216).
func.func @main(%x: tensor<1x2x4x4xf32>) -> tensor<1x3x2x2xf32> {
  %w = arith.constant dense<0.5> : tensor<3x2x3x3xf32>
  %y = qnn.conv2d %x, %w : (tensor<1x2x4x4xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x2x2xf32> loc("conv")
  return %y : tensor<1x3x2x2xf32>
}
