// RUN: qopt %s --convert-qnn-to-linalg --split-input-file --verify-diagnostics | FileCheck %s

// Dense and depthwise convolutions are the named NHWC ops between NCHW <->
// NHWC permutations (all-parallel generics that elementwise fusion cancels
// between layers); the bias initialises the accumulator and the activation
// is a separate elementwise op.
// CHECK-LABEL: func @conv_bias_relu
// CHECK: %[[XT:.*]] = linalg.generic {{.*}} ins(%arg0 : tensor<?x3x8x8xf32>) outs({{.*}} : tensor<?x8x8x3xf32>)
// CHECK: %[[PAD:.*]] = tensor.pad %[[XT]] low[0, 1, 1, 0] high[0, 1, 1, 0]
// CHECK: %[[INIT:.*]] = linalg.generic {{.*}} ins(%arg2 : tensor<8xf32>) outs({{.*}} : tensor<?x4x4x8xf32>)
// CHECK: %[[WT:.*]] = linalg.generic {{.*}} ins(%arg1 : tensor<8x3x3x3xf32>) outs({{.*}} : tensor<3x3x3x8xf32>)
// CHECK: %[[CONV:.*]] = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%[[PAD]], %[[WT]] : tensor<?x10x10x3xf32>, tensor<3x3x3x8xf32>) outs(%[[INIT]] : tensor<?x4x4x8xf32>)
// CHECK: %[[ACT:.*]] = linalg.generic {{.*}} ins(%[[CONV]] : tensor<?x4x4x8xf32>)
// CHECK:   arith.maximumf
// CHECK-NOT: arith.minimumf
// CHECK: linalg.generic {{.*}} ins(%[[ACT]] : tensor<?x4x4x8xf32>) outs({{.*}} : tensor<?x8x4x4xf32>)
func.func @conv_bias_relu(%x: tensor<?x3x8x8xf32>, %w: tensor<8x3x3x3xf32>, %b: tensor<8xf32>) -> tensor<?x8x4x4xf32> {
  %y = qnn.conv2d %x, %w, %b {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, fused_activation = #qnn.activation<relu>}
      : (tensor<?x3x8x8xf32>, tensor<8x3x3x3xf32>, tensor<8xf32>) -> tensor<?x8x4x4xf32>
  return %y : tensor<?x8x4x4xf32>
}

// -----

// Constant fp32 weights are packed at compile time in panels
// [F/P, KH, KW, C, P] (P = 2 output channels here: the panel width is the
// widest of 32, 16, 8 dividing F, else F): w[f][c] = [[1, 2], [3, 4]]
// becomes [[1, 3], [2, 4]] (c major, f minor), read by a convolution
// generic indexing the weights [f floordiv P, kh, kw, c, f mod P].
// CHECK-DAG: #[[$PANEL:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d3 floordiv 2, d4, d5, d6, d3 mod 2)>
// CHECK-LABEL: func @conv_constant_weights
// CHECK: linalg.fill
// CHECK: %[[W:.*]] = arith.constant dense<{{\[\[\[\[\[}}1.000000e+00, 3.000000e+00], [2.000000e+00, 4.000000e+00]]]]]> : tensor<1x1x1x2x2xf32>
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[$PANEL]], #{{.*}}], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%{{.*}}, %[[W]] : tensor<1x3x3x2xf32>, tensor<1x1x1x2x2xf32>)
// CHECK:   arith.mulf
// CHECK:   arith.addf
func.func @conv_constant_weights(%x: tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %w = arith.constant dense<[[[[1.0]], [[2.0]]], [[[3.0]], [[4.0]]]]> : tensor<2x2x1x1xf32>
  %y = qnn.conv2d %x, %w : (tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x3x3xf32>
  return %y : tensor<1x2x3x3xf32>
}

// -----

// Depthwise (group = C = F): weights [C, 1, KH, KW] become [KH, KW, C].
// CHECK-LABEL: func @depthwise
// CHECK: %[[W:.*]] = tensor.collapse_shape {{.*}} : tensor<3x3x1x4xf32> into tensor<3x3x4xf32>
// CHECK: linalg.depthwise_conv_2d_nhwc_hwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%{{.*}}, %[[W]] : tensor<1x5x5x4xf32>, tensor<3x3x4xf32>) outs(%{{.*}} : tensor<1x3x3x4xf32>)
func.func @depthwise(%x: tensor<1x4x5x5xf32>, %w: tensor<4x1x3x3xf32>) -> tensor<1x4x3x3xf32> {
  %y = qnn.conv2d %x, %w {group = 4 : i64} : (tensor<1x4x5x5xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x3x3xf32>
  return %y : tensor<1x4x3x3xf32>
}

// -----

// Grouped: output channel f of group f floordiv (F/G) reads channels
// (f floordiv 3) * 2 + c.
// CHECK-DAG: #[[$GIN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, (d1 floordiv 3) * 2 + d2, d3 + d5, d4 + d6)>
// CHECK-LABEL: func @grouped
// CHECK: linalg.generic {indexing_maps = [#[[$GIN]],
func.func @grouped(%x: tensor<1x4x5x5xf32>, %w: tensor<6x2x3x3xf32>) -> tensor<1x6x3x3xf32> {
  %y = qnn.conv2d %x, %w {group = 2 : i64} : (tensor<1x4x5x5xf32>, tensor<6x2x3x3xf32>) -> tensor<1x6x3x3xf32>
  return %y : tensor<1x6x3x3xf32>
}

// -----

// CHECK-DAG: #[[$MK:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[$NK:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-LABEL: func @fully_connected_relu6
// CHECK: linalg.generic {indexing_maps = [#[[$MK]], #[[$NK]], {{.*}}], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK: arith.maximumf
// CHECK: arith.minimumf
func.func @fully_connected_relu6(%x: tensor<?x4xf32>, %w: tensor<3x4xf32>) -> tensor<?x3xf32> {
  %y = qnn.fully_connected %x, %w {fused_activation = #qnn.activation<relu6>} : (tensor<?x4xf32>, tensor<3x4xf32>) -> tensor<?x3xf32>
  return %y : tensor<?x3xf32>
}

// -----

// Broadcasting: the [C, 1, 1] operand reads index 0 in its unit dims.
// CHECK-DAG: #[[$BC:.*]] = affine_map<(d0, d1, d2, d3) -> (d1, 0, 0)>
// CHECK-LABEL: func @broadcast_mul
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[$BC]], #{{.*}}]
// CHECK: arith.mulf
func.func @broadcast_mul(%a: tensor<1x8x4x4xf32>, %b: tensor<8x1x1xf32>) -> tensor<1x8x4x4xf32> {
  %y = qnn.mul %a, %b : (tensor<1x8x4x4xf32>, tensor<8x1x1xf32>) -> tensor<1x8x4x4xf32>
  return %y : tensor<1x8x4x4xf32>
}

// -----

// Pools run channels-last between two permutations (which cancel against
// their neighbours' in qopt-fuse-elementwise): max is an ordered compare and
// select (one maxps), the ceil-mode overhang is padding.
// CHECK-DAG: = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1 * 2 + d4, d2 * 2 + d5, d3)>
// CHECK-DAG: = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1 + d4, d2 + d5, d3)>
// CHECK-LABEL: func @pools
// CHECK: tensor.pad {{.*}} low[0, 0, 0, 0] high[0, 1, 1, 0]
// CHECK: linalg.generic {indexing_maps = [{{.*}}], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]} ins({{.*}} : tensor<1x4x4x2xf32>, tensor<2x2xf32>) outs({{.*}} : tensor<1x2x2x2xf32>)
// CHECK: arith.cmpf ogt
// CHECK: arith.select
// CHECK: tensor.pad {{.*}} low[0, 1, 1, 0] high[0, 1, 1, 0]
// CHECK: linalg.generic {{.*}} ins({{.*}} : tensor<1x5x5x2xf32>, tensor<3x3xf32>) outs({{.*}} : tensor<1x3x3x2xf32>)
// CHECK: arith.addf
// Divisors of a 3x3 window with pad 1, count_include_pad = false: 4 in the corners.
// CHECK: arith.constant dense<{{\[\[}}2.500000e-01, 0.166666672, 2.500000e-01], [0.166666672, 0.111111112, 0.166666672], [2.500000e-01, 0.166666672, 2.500000e-01]]>
func.func @pools(%x: tensor<1x2x3x3xf32>) -> (tensor<1x2x2x2xf32>, tensor<1x2x3x3xf32>) {
  %0 = qnn.max_pool2d %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, ceil_mode = true} : (tensor<1x2x3x3xf32>) -> tensor<1x2x2x2xf32>
  %1 = qnn.avg_pool2d %x {kernel = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  return %0, %1 : tensor<1x2x2x2xf32>, tensor<1x2x3x3xf32>
}

// -----

// CHECK-LABEL: func @data_movement
// CHECK: tensor.reshape
// CHECK: linalg.transpose
// CHECK: tensor.insert_slice
// CHECK: tensor.insert_slice
func.func @data_movement(%x: tensor<?x2x2x2xf32>, %y: tensor<1x3x4xf32>) -> (tensor<?x8xf32>, tensor<1x4x3xf32>, tensor<2x3x4xf32>) {
  %0 = qnn.flatten %x : (tensor<?x2x2x2xf32>) -> tensor<?x8xf32>
  %1 = qnn.transpose %y {perm = array<i64: 0, 2, 1>} : (tensor<1x3x4xf32>) -> tensor<1x4x3xf32>
  %2 = qnn.concat %y, %y {axis = 0 : i64} : (tensor<1x3x4xf32>, tensor<1x3x4xf32>) -> tensor<2x3x4xf32>
  return %0, %1, %2 : tensor<?x8xf32>, tensor<1x4x3xf32>, tensor<2x3x4xf32>
}

// -----

// Quantized compute ops are lowered after --integer-only; until then the
// conversion reports them.
!q = !quant.uniform<i8:f32, 0.1>
func.func @quantized_not_lowered(%x: tensor<4x!q>) -> tensor<4x!q> {
  // expected-error @+1 {{failed to legalize operation 'qnn.relu'}}
  %y = qnn.relu %x : (tensor<4x!q>) -> tensor<4x!q>
  return %y : tensor<4x!q>
}

// -----

// An identity permutation (a rank-0 tensor's empty one included, which
// linalg.transpose cannot express) moves nothing.
// CHECK-LABEL: func @transpose_rank0
// CHECK-NEXT: return %arg0
func.func @transpose_rank0(%x: tensor<i1>) -> tensor<i1> {
  %t = qnn.transpose %x {perm = array<i64>} : (tensor<i1>) -> tensor<i1>
  return %t : tensor<i1>
}

// -----

// Reflection padding of a dynamic batch: the batch's size is read from the
// input, and a dynamic dimension's mirrored index is clamped into it.
// CHECK-LABEL: func @reflect_pad_dynamic
// CHECK: %[[N:.*]] = tensor.dim %arg0, %c0
// CHECK: tensor.empty(%[[N]]) : tensor<?x1x8xf32>
// CHECK: linalg.generic
// CHECK: arith.maxsi
// CHECK: arith.minsi
// CHECK: tensor.extract %arg0
func.func @reflect_pad_dynamic(%x: tensor<?x1x4xf32>) -> tensor<?x1x8xf32> {
  %y = qnn.pad %x {pads = array<i64: 0, 0, 2, 0, 0, 2>, mode = #qnn.pad_mode<reflect>} : (tensor<?x1x4xf32>) -> tensor<?x1x8xf32>
  return %y : tensor<?x1x8xf32>
}

// -----

// Non-maximum suppression is a loop nest on tensors: per (batch, class), a
// scan for the best unvisited candidate, a scan over the kept boxes, and
// inserts into the padded [M, 3] result; the count becomes a 0-d tensor.
// CHECK-LABEL: func @non_max_suppression
// CHECK: linalg.fill {{.*}} -> tensor<4x3xi64>
// CHECK: scf.for {{.*}} -> (tensor<4x3xi64>, index)
// CHECK: scf.for {{.*}} -> (tensor<4x3xi64>, index, tensor<6xi1>, tensor<6xindex>, index, i1)
// CHECK: arith.cmpf ogt
// CHECK: tensor.insert
// CHECK: tensor.from_elements {{.*}} : tensor<i64>
// CHECK-NOT: qnn.non_max_suppression
func.func @non_max_suppression(%b: tensor<1x6x4xf32>, %s: tensor<1x2x6xf32>, %k: tensor<1xi64>) -> (tensor<4x3xi64>, tensor<i64>) {
  %sel, %n = qnn.non_max_suppression %b, %s max %k : (tensor<1x6x4xf32>, tensor<1x2x6xf32>, tensor<1xi64>) -> (tensor<4x3xi64>, tensor<i64>)
  return %sel, %n : tensor<4x3xi64>, tensor<i64>
}

// -----

// A product with block-quantized constant weights is one contraction over
// the packed weights (BlockwiseOps.cpp): K = 70 is padded to three blocks of
// 32 (x padded with zeros), N = 2 to one tile of 32 features; bytes
// [T, G, B, 16] hold two nibbles (features i and 16 + i) and the body picks
// one by the index of the 2-wide dimension, then (u - z) * s * x. ui4 3
// with zero point 8 packs as 0x03 in both nibbles' features 0 and 1.
// CHECK-DAG: #[[$X:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d4, d5)>
// CHECK-DAG: #[[$P:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d1, d4, d5, d3)>
// CHECK-DAG: #[[$S:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d1, d4, d2, d3)>
// CHECK-DAG: #[[$Y:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func @block_matmul
// CHECK-NOT: qnn.block_dequantize
// CHECK-DAG: %[[PK:.*]] = arith.constant dense<"0x03030000{{.*}}"> : tensor<1x3x32x16xi8>
// CHECK: %[[PAD:.*]] = tensor.pad %arg0 low[0, 0] high[0, 26]
// CHECK: %[[XB:.*]] = tensor.expand_shape %[[PAD]] {{\[\[}}0], [1, 2]] output_shape [3, 3, 32]
// CHECK: linalg.generic {indexing_maps = [#[[$X]], #[[$P]], #[[$S]], #[[$S]], #[[$Y]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]} ins(%[[XB]], %[[PK]], %{{.*}}, %{{.*}} : tensor<3x3x32xf32>, tensor<1x3x32x16xi8>, tensor<1x3x2x16xf32>, tensor<1x3x2x16xf32>)
// CHECK: linalg.index 2
// CHECK: arith.andi
// CHECK: arith.shrui
// CHECK: arith.select
// CHECK: arith.uitofp
// CHECK: arith.subf
// CHECK: arith.mulf
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0], [1, 2, 3]] : tensor<3x1x2x16xf32> into tensor<3x32xf32>
// CHECK: tensor.extract_slice %{{.*}}[0, 0] [3, 2] [1, 1] : tensor<3x32xf32> to tensor<3x2xf32>
func.func @block_matmul(%x: tensor<3x70xf32>) -> tensor<3x2xf32> {
  %q = arith.constant dense<3> : tensor<70x2xui4>
  %s = arith.constant dense<0.5> : tensor<3x2xf32>
  %z = arith.constant dense<8> : tensor<3x2xui4>
  %w = qnn.block_dequantize %q, %s, %z {axis = 0 : i64, block_size = 32 : i64} : (tensor<70x2xui4>, tensor<3x2xf32>, tensor<3x2xui4>) -> tensor<70x2xf32>
  %y = qnn.matmul %x, %w : (tensor<3x70xf32>, tensor<70x2xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

// Any other use of block-quantized weights dequantizes them elementwise,
// reading the block's scale and zero point through floordiv maps.
// CHECK-DAG: #[[$B:.*]] = affine_map<(d0, d1) -> (d0, d1 floordiv 16)>
// CHECK-LABEL: func @block_dequantize
// CHECK: %[[Q:.*]] = tensor.bitcast %arg0 : tensor<4x64xsi8> to tensor<4x64xi8>
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[$B]], #{{.*}}]
// CHECK: arith.extsi
// CHECK: arith.sitofp
// CHECK: arith.mulf
func.func @block_dequantize(%q: tensor<4x64xsi8>, %s: tensor<4x4xf32>) -> tensor<4x64xf32> {
  %w = qnn.block_dequantize %q, %s {axis = 1 : i64, block_size = 16 : i64} : (tensor<4x64xsi8>, tensor<4x4xf32>) -> tensor<4x64xf32>
  return %w : tensor<4x64xf32>
}

// -----

// A matrix-vector product whose weights leave the caches (512 x 512 f32,
// 1 MiB) runs as a 1x1 panel convolution (its panels stream contiguously);
// a small one keeps the generic contraction's tiles.
// CHECK-LABEL: func @matvec_large
// CHECK: tensor.expand_shape %arg0 {{\[\[}}0, 1, 2], [3]] output_shape [1, 1, 1, 512]
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%{{.*}}, %{{.*}} : tensor<1x1x1x512xf32>, tensor<16x1x1x512x32xf32>)
// CHECK-LABEL: func @matvec_small
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg0, %{{.*}} : tensor<1x64xf32>, tensor<64x64xf32>)
func.func @matvec_large(%x: tensor<1x512xf32>) -> tensor<1x512xf32> {
  %w = arith.constant dense<0.5> : tensor<512x512xf32>
  %y = qnn.matmul %x, %w : (tensor<1x512xf32>, tensor<512x512xf32>) -> tensor<1x512xf32>
  return %y : tensor<1x512xf32>
}
func.func @matvec_small(%x: tensor<1x64xf32>) -> tensor<1x64xf32> {
  %w = arith.constant dense<0.5> : tensor<64x64xf32>
  %y = qnn.matmul %x, %w : (tensor<1x64xf32>, tensor<64x64xf32>) -> tensor<1x64xf32>
  return %y : tensor<1x64xf32>
}
