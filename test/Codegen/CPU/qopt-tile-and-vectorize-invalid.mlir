// RUN: qopt %s --qopt-tile-and-vectorize --split-input-file --verify-diagnostics

// A config whose tile sizes do not match the op's loops is reported and the
// op is left as it is.
#id2 = affine_map<(i, j) -> (i, j)>
func.func @generic_sizes(%a: tensor<8x32xf32>) -> tensor<8x32xf32> {
  // expected-warning @+1 {{lowering_config has 3 tile sizes for 2 loops; not tiled}}
  %r = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"], qcpu.lowering_config = #qcpu.lowering_config<tile_sizes = [1, 4, 4], kernel = generic>}
      ins(%a : tensor<8x32xf32>) outs(%a : tensor<8x32xf32>) {
    ^bb0(%x: f32, %o: f32):
      %y = arith.negf %x : f32
      linalg.yield %y : f32
  } -> tensor<8x32xf32>
  return %r : tensor<8x32xf32>
}

// -----

func.func @conv_sizes(%x: tensor<1x10x10x8xf32>, %w: tensor<3x3x8x16xf32>, %init: tensor<1x8x8x16xf32>) -> tensor<1x8x8x16xf32> {
  // expected-warning @+1 {{lowering_config does not fit the convolution; not tiled}}
  %c = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>, qcpu.lowering_config = #qcpu.lowering_config<tile_sizes = [1, 1, 8, 16, 1, 0], kernel = conv_nhwc>}
      ins(%x, %w : tensor<1x10x10x8xf32>, tensor<3x3x8x16xf32>) outs(%init : tensor<1x8x8x16xf32>) -> tensor<1x8x8x16xf32>
  return %c : tensor<1x8x8x16xf32>
}
