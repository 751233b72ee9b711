// RUN: qopt %s --split-input-file --verify-diagnostics

func.func @conv_in_rank(%x: tensor<3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{expects a 4-D NCHW input, got rank 3}}
  %y = qnn.conv2d %x, %w : (tensor<3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_w_rank(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3xf32>) {
  // expected-error @+1 {{expects a 4-D FCHW weight, got rank 3}}
  %y = qnn.conv2d %x, %w : (tensor<1x3x8x8xf32>, tensor<4x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_strides(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{expects 2 strides, got 1}}
  %y = qnn.conv2d %x, %w {strides = array<i64: 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_dilations(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{expects 2 dilations, got 3}}
  %y = qnn.conv2d %x, %w {dilations = array<i64: 1, 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_pads(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{expects 4 pads [top, left, bottom, right], got 2}}
  %y = qnn.conv2d %x, %w {pads = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_stride_pos(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{strides must be positive}}
  %y = qnn.conv2d %x, %w {strides = array<i64: 0, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_dil_pos(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{dilations must be positive}}
  %y = qnn.conv2d %x, %w {dilations = array<i64: 1, 0>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_pad_neg(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{pads must be non-negative}}
  %y = qnn.conv2d %x, %w {pads = array<i64: -1, 0, 0, 0>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_group(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{group must be positive, got 0}}
  %y = qnn.conv2d %x, %w {group = 0 : i64} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_group_div(%x: tensor<1x3x8x8xf32>, %w: tensor<4x1x3x3xf32>) {
  // expected-error @+1 {{output channels (4) must be a multiple of group (3)}}
  %y = qnn.conv2d %x, %w {group = 3 : i64} : (tensor<1x3x8x8xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_cin(%x: tensor<1x3x8x8xf32>, %w: tensor<4x2x3x3xf32>) {
  // expected-error @+1 {{input channels (3) must equal weight channels per group (2) times group (1)}}
  %y = qnn.conv2d %x, %w : (tensor<1x3x8x8xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_fit(%x: tensor<1x3x2x2xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{kernel 3x3 does not fit the padded input 2x2}}
  %y = qnn.conv2d %x, %w : (tensor<1x3x2x2xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x1x1xf32>
  return
}

// -----

func.func @conv_result(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{result shape 1x4x8x8 does not match the expected 1x4x6x6}}
  %y = qnn.conv2d %x, %w : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32>
  return
}

// -----

func.func @conv_bias(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{bias must be 1-D with one value per output channel (4), got 3}}
  %y = qnn.conv2d %x, %w, %b : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_float_types(%x: tensor<1x3x8x8xf16>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{float operands and results must share one element type, got 'f16' and 'f32'}}
  %y = qnn.conv2d %x, %w : (tensor<1x3x8x8xf16>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_mix(%x: tensor<1x3x8x8x!quant.uniform<i8:f32, 0.1>>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{mixes float and quantized operands; insert qnn.quantize or qnn.dequantize at the boundary}}
  %y = qnn.conv2d %x, %w : (tensor<1x3x8x8x!quant.uniform<i8:f32, 0.1>>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_q_in_per_axis(%x: tensor<1x4x8x8x!quant.uniform<i8:f32:0, {0.1, 0.2, 0.3, 0.4}>>, %w: tensor<4x4x3x3x!quant.uniform<i8:f32, 0.1>>) {
  // expected-error @+1 {{quantized input must be per-tensor}}
  %y = qnn.conv2d %x, %w : (tensor<1x4x8x8x!quant.uniform<i8:f32:0, {0.1, 0.2, 0.3, 0.4}>>, tensor<4x4x3x3x!quant.uniform<i8:f32, 0.1>>) -> tensor<1x4x6x6x!quant.uniform<i8:f32, 0.1>>
  return
}

// -----

func.func @conv_q_out_per_axis(%x: tensor<1x4x8x8x!quant.uniform<i8:f32, 0.1>>, %w: tensor<4x4x3x3x!quant.uniform<i8:f32, 0.1>>) {
  // expected-error @+1 {{quantized result must be per-tensor}}
  %y = qnn.conv2d %x, %w : (tensor<1x4x8x8x!quant.uniform<i8:f32, 0.1>>, tensor<4x4x3x3x!quant.uniform<i8:f32, 0.1>>) -> tensor<1x4x6x6x!quant.uniform<i8:f32:1, {0.1, 0.2, 0.3, 0.4}>>
  return
}

// -----

func.func @conv_w_axis(%x: tensor<1x3x8x8x!quant.uniform<i8:f32, 0.1>>, %w: tensor<4x3x3x3x!quant.uniform<i8:f32:1, {0.1, 0.2, 0.3}>>) {
  // expected-error @+1 {{per-axis weight must be quantized along axis 0 (output channels), got axis 1}}
  %y = qnn.conv2d %x, %w : (tensor<1x3x8x8x!quant.uniform<i8:f32, 0.1>>, tensor<4x3x3x3x!quant.uniform<i8:f32:1, {0.1, 0.2, 0.3}>>) -> tensor<1x4x6x6x!quant.uniform<i8:f32, 0.1>>
  return
}

// -----

func.func @conv_w_scales(%x: tensor<1x3x8x8x!quant.uniform<i8:f32, 0.1>>, %w: tensor<4x3x3x3x!quant.uniform<i8:f32:0, {0.1, 0.2, 0.3}>>) {
  // expected-error @+1 {{per-axis weight has 3 scales for 4 output channels}}
  %y = qnn.conv2d %x, %w : (tensor<1x3x8x8x!quant.uniform<i8:f32, 0.1>>, tensor<4x3x3x3x!quant.uniform<i8:f32:0, {0.1, 0.2, 0.3}>>) -> tensor<1x4x6x6x!quant.uniform<i8:f32, 0.1>>
  return
}

// -----

func.func @conv_bias_bits(%x: tensor<1x3x8x8x!quant.uniform<i8:f32, 0.1>>, %w: tensor<4x3x3x3x!quant.uniform<i8:f32, 0.1>>, %b: tensor<4x!quant.uniform<i16:f32, 0.01>>) {
  // expected-error @+1 {{quantized bias must be 32-bit quantized}}
  %y = qnn.conv2d %x, %w, %b : (tensor<1x3x8x8x!quant.uniform<i8:f32, 0.1>>, tensor<4x3x3x3x!quant.uniform<i8:f32, 0.1>>, tensor<4x!quant.uniform<i16:f32, 0.01>>) -> tensor<1x4x6x6x!quant.uniform<i8:f32, 0.1>>
  return
}

// -----

func.func @conv_bias_zp(%x: tensor<1x3x8x8x!quant.uniform<i8:f32, 0.1>>, %w: tensor<4x3x3x3x!quant.uniform<i8:f32, 0.1>>, %b: tensor<4x!quant.uniform<i32:f32, 0.01:5>>) {
  // expected-error @+1 {{quantized bias must have zero point 0}}
  %y = qnn.conv2d %x, %w, %b : (tensor<1x3x8x8x!quant.uniform<i8:f32, 0.1>>, tensor<4x3x3x3x!quant.uniform<i8:f32, 0.1>>, tensor<4x!quant.uniform<i32:f32, 0.01:5>>) -> tensor<1x4x6x6x!quant.uniform<i8:f32, 0.1>>
  return
}

// -----

func.func @conv_bias_count(%x: tensor<1x3x8x8x!quant.uniform<i8:f32, 0.1>>, %w: tensor<4x3x3x3x!quant.uniform<i8:f32, 0.1>>, %b: tensor<4x!quant.uniform<i32:f32:0, {0.01, 0.01, 0.01, 0.01}>>) {
  // expected-error @+1 {{bias has 4 scales but the weight has 1}}
  %y = qnn.conv2d %x, %w, %b : (tensor<1x3x8x8x!quant.uniform<i8:f32, 0.1>>, tensor<4x3x3x3x!quant.uniform<i8:f32, 0.1>>, tensor<4x!quant.uniform<i32:f32:0, {0.01, 0.01, 0.01, 0.01}>>) -> tensor<1x4x6x6x!quant.uniform<i8:f32, 0.1>>
  return
}

// -----

func.func @conv_bias_scale(%x: tensor<1x3x8x8x!quant.uniform<i8:f32, 0.1>>, %w: tensor<4x3x3x3x!quant.uniform<i8:f32, 0.1>>, %b: tensor<4x!quant.uniform<i32:f32, 0.02>>) {
  // expected-error @+1 {{bias scale 2.000000e-02 at channel 0 must equal input scale * weight scale = 1.000000e-02}}
  %y = qnn.conv2d %x, %w, %b : (tensor<1x3x8x8x!quant.uniform<i8:f32, 0.1>>, tensor<4x3x3x3x!quant.uniform<i8:f32, 0.1>>, tensor<4x!quant.uniform<i32:f32, 0.02>>) -> tensor<1x4x6x6x!quant.uniform<i8:f32, 0.1>>
  return
}

// -----

func.func @conv_expressed(%x: tensor<1x3x8x8x!quant.uniform<i8:f32, 0.1>>, %w: tensor<4x3x3x3x!quant.uniform<i8:f16, 0.1>>) {
  // expected-error @+1 {{quantized expressed types differ: 'f32' and 'f16'}}
  %y = qnn.conv2d %x, %w : (tensor<1x3x8x8x!quant.uniform<i8:f32, 0.1>>, tensor<4x3x3x3x!quant.uniform<i8:f16, 0.1>>) -> tensor<1x4x6x6x!quant.uniform<i8:f32, 0.1>>
  return
}

// -----

func.func @act_bounds_noclip(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{clip_min/clip_max are only allowed with fused_activation = clip}}
  %y = qnn.conv2d %x, %w {clip_min = 0.0 : f32} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @act_clip_missing(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{fused_activation = clip requires both clip_min and clip_max}}
  %y = qnn.conv2d %x, %w {fused_activation = #qnn.activation<clip>, clip_min = 0.0 : f32} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @act_clip_order(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{clip_min (2.000000e+00) is greater than clip_max (1.000000e+00)}}
  %y = qnn.conv2d %x, %w {fused_activation = #qnn.activation<clip>, clip_min = 2.0 : f32, clip_max = 1.0 : f32} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @fc_in_rank(%x: tensor<2x3x4xf32>, %w: tensor<5x4xf32>) {
  // expected-error @+1 {{expects a 2-D [M, K] input, got rank 3}}
  %y = qnn.fully_connected %x, %w : (tensor<2x3x4xf32>, tensor<5x4xf32>) -> tensor<2x5xf32>
  return
}

// -----

func.func @fc_w_rank(%x: tensor<2x4xf32>, %w: tensor<4xf32>) {
  // expected-error @+1 {{expects a 2-D [N, K] weight, got rank 1}}
  %y = qnn.fully_connected %x, %w : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x5xf32>
  return
}

// -----

func.func @fc_k(%x: tensor<2x4xf32>, %w: tensor<5x3xf32>) {
  // expected-error @+1 {{input features (4) must equal weight columns (3)}}
  %y = qnn.fully_connected %x, %w : (tensor<2x4xf32>, tensor<5x3xf32>) -> tensor<2x5xf32>
  return
}

// -----

func.func @fc_result(%x: tensor<2x4xf32>, %w: tensor<5x4xf32>) {
  // expected-error @+1 {{result shape 2x4 does not match the expected 2x5}}
  %y = qnn.fully_connected %x, %w : (tensor<2x4xf32>, tensor<5x4xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @fc_bias(%x: tensor<2x4xf32>, %w: tensor<5x4xf32>, %b: tensor<1x5xf32>) {
  // expected-error @+1 {{bias must be 1-D with one value per output feature (5), got 1x5}}
  %y = qnn.fully_connected %x, %w, %b : (tensor<2x4xf32>, tensor<5x4xf32>, tensor<1x5xf32>) -> tensor<2x5xf32>
  return
}

// -----

func.func @mm_k(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) {
  // expected-error @+1 {{contraction dimensions differ: 3 vs 4}}
  %y = qnn.matmul %a, %b : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<2x5xf32>
  return
}

// -----

func.func @mm_batch(%a: tensor<2x2x3xf32>, %b: tensor<3x3x5xf32>) {
  // expected-error @+1 {{batch dimensions 2 and 3 do not broadcast}}
  %y = qnn.matmul %a, %b : (tensor<2x2x3xf32>, tensor<3x3x5xf32>) -> tensor<2x2x5xf32>
  return
}

// -----

func.func @mm_rank0(%a: tensor<f32>, %b: tensor<3x5xf32>) {
  // expected-error @+1 {{operands must have rank at least 1}}
  %y = qnn.matmul %a, %b : (tensor<f32>, tensor<3x5xf32>) -> tensor<5xf32>
  return
}

// -----

func.func @mm_q_lhs(%a: tensor<2x3x!quant.uniform<i8:f32:1, {0.1, 0.1, 0.1}>>, %b: tensor<3x5x!quant.uniform<i8:f32, 0.1>>) {
  // expected-error @+1 {{quantized lhs and result must be per-tensor}}
  %y = qnn.matmul %a, %b : (tensor<2x3x!quant.uniform<i8:f32:1, {0.1, 0.1, 0.1}>>, tensor<3x5x!quant.uniform<i8:f32, 0.1>>) -> tensor<2x5x!quant.uniform<i8:f32, 0.1>>
  return
}

// -----

func.func @mm_q_rhs(%a: tensor<2x3x!quant.uniform<i8:f32, 0.1>>, %b: tensor<3x5x!quant.uniform<i8:f32:0, {0.1, 0.1, 0.1}>>) {
  // expected-error @+1 {{per-axis rhs must be quantized along its last dimension (output columns)}}
  %y = qnn.matmul %a, %b : (tensor<2x3x!quant.uniform<i8:f32, 0.1>>, tensor<3x5x!quant.uniform<i8:f32:0, {0.1, 0.1, 0.1}>>) -> tensor<2x5x!quant.uniform<i8:f32, 0.1>>
  return
}

// -----

func.func @bn_rank(%x: tensor<4xf32>, %s: tensor<4xf32>) {
  // expected-error @+1 {{expects an input of rank >= 2 with channels on axis 1, got rank 1}}
  %y = qnn.batch_norm %x, %s, %s, %s, %s : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @bn_param(%x: tensor<1x4x2x2xf32>, %s: tensor<4xf32>, %m: tensor<3xf32>) {
  // expected-error @+1 {{mean must be 1-D with 4 channels, got 3}}
  %y = qnn.batch_norm %x, %s, %s, %m, %s : (tensor<1x4x2x2xf32>, tensor<4xf32>, tensor<4xf32>, tensor<3xf32>, tensor<4xf32>) -> tensor<1x4x2x2xf32>
  return
}

// -----

func.func @bn_eps(%x: tensor<1x4x2x2xf32>, %s: tensor<4xf32>) {
  // expected-error @+1 {{epsilon must be non-negative}}
  %y = qnn.batch_norm %x, %s, %s, %s, %s {epsilon = -1.0 : f32} : (tensor<1x4x2x2xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x2x2xf32>
  return
}

// -----

func.func @clip_order(%x: tensor<4xf32>) {
  // expected-error @+1 {{min (1.000000e+00) is greater than max (0.000000e+00)}}
  %y = qnn.clip %x {min = 1.0 : f32, max = 0.0 : f32} : (tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @softmax_axis(%x: tensor<2x4xf32>) {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %y = qnn.softmax %x {axis = 2 : i64} : (tensor<2x4xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @relu_mix(%x: tensor<4xf32>) {
  // expected-error @+1 {{mixes float and quantized operands; insert qnn.quantize or qnn.dequantize at the boundary}}
  %y = qnn.relu %x : (tensor<4xf32>) -> tensor<4x!quant.uniform<i8:f32, 0.1>>
  return
}

// -----

func.func @add_float_types(%a: tensor<4xf32>, %b: tensor<4xf16>) {
  // expected-error @+1 {{float operands and results must share one element type, got 'f32' and 'f16'}}
  %y = qnn.add %a, %b : (tensor<4xf32>, tensor<4xf16>) -> tensor<4xf32>
  return
}

// -----

func.func @pool_rank(%x: tensor<8x8xf32>) {
  // expected-error @+1 {{expects a 4-D NCHW input, got rank 2}}
  %y = qnn.max_pool2d %x {kernel = array<i64: 2, 2>} : (tensor<8x8xf32>) -> tensor<4x4xf32>
  return
}

// -----

func.func @pool_kernel(%x: tensor<1x1x8x8xf32>) {
  // expected-error @+1 {{expects a 2-D kernel, got 1 sizes}}
  %y = qnn.max_pool2d %x {kernel = array<i64: 2>} : (tensor<1x1x8x8xf32>) -> tensor<1x1x4x4xf32>
  return
}

// -----

func.func @pool_kernel_pos(%x: tensor<1x1x8x8xf32>) {
  // expected-error @+1 {{kernel sizes must be positive}}
  %y = qnn.max_pool2d %x {kernel = array<i64: 0, 2>} : (tensor<1x1x8x8xf32>) -> tensor<1x1x4x4xf32>
  return
}

// -----

func.func @pool_pads(%x: tensor<1x1x8x8xf32>) {
  // expected-error @+1 {{pads must be smaller than the kernel}}
  %y = qnn.avg_pool2d %x {kernel = array<i64: 2, 2>, pads = array<i64: 2, 0, 0, 0>} : (tensor<1x1x8x8xf32>) -> tensor<1x1x9x7xf32>
  return
}

// -----

func.func @pool_result(%x: tensor<1x1x8x8xf32>) {
  // expected-error @+1 {{result shape 1x1x4x4 does not match the expected 1x1x7x7}}
  %y = qnn.max_pool2d %x {kernel = array<i64: 2, 2>} : (tensor<1x1x8x8xf32>) -> tensor<1x1x4x4xf32>
  return
}

// -----

func.func @pool_fit(%x: tensor<1x1x2x2xf32>) {
  // expected-error @+1 {{kernel 3x3 does not fit the padded input 2x2}}
  %y = qnn.max_pool2d %x {kernel = array<i64: 3, 3>} : (tensor<1x1x2x2xf32>) -> tensor<1x1x1x1xf32>
  return
}

// -----

func.func @maxpool_q(%x: tensor<1x1x4x4x!quant.uniform<i8:f32, 0.1>>) {
  // expected-error @+1 {{quantized max_pool2d must keep its input's quantization parameters}}
  %y = qnn.max_pool2d %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x1x4x4x!quant.uniform<i8:f32, 0.1>>) -> tensor<1x1x2x2x!quant.uniform<i8:f32, 0.2>>
  return
}

// -----

func.func @gap_rank(%x: tensor<1x8x8xf32>) {
  // expected-error @+1 {{expects a 4-D NCHW input, got rank 3}}
  %y = qnn.global_avg_pool2d %x : (tensor<1x8x8xf32>) -> tensor<1x1x1xf32>
  return
}

// -----

func.func @gap_result(%x: tensor<1x8x8x8xf32>) {
  // expected-error @+1 {{result shape 1x8 does not match the expected 1x8x1x1}}
  %y = qnn.global_avg_pool2d %x : (tensor<1x8x8x8xf32>) -> tensor<1x8xf32>
  return
}

// -----

func.func @reshape_elt(%x: tensor<4xf32>) {
  // expected-error @+1 {{element type must be preserved, got 'f32' -> 'f16'}}
  %y = qnn.reshape %x : (tensor<4xf32>) -> tensor<2x2xf16>
  return
}

// -----

func.func @reshape_count(%x: tensor<4xf32>) {
  // expected-error @+1 {{cannot reshape 4 (4 elements) to 2x3 (6 elements)}}
  %y = qnn.reshape %x : (tensor<4xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @reshape_dyn2(%x: tensor<?x4xf32>) {
  // expected-error @+1 {{result may have at most one dynamic dimension}}
  %y = qnn.reshape %x : (tensor<?x4xf32>) -> tensor<?x?xf32>
  return
}

// -----

func.func @reshape_dyn_static(%x: tensor<4xf32>) {
  // expected-error @+1 {{result has a dynamic dimension but the input shape 4 is static}}
  %y = qnn.reshape %x : (tensor<4xf32>) -> tensor<?x2xf32>
  return
}

// -----

func.func @flatten_axis(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{axis 3 is out of range [-2, 2]}}
  %y = qnn.flatten %x {axis = 3 : i64} : (tensor<2x3xf32>) -> tensor<6x1xf32>
  return
}

// -----

func.func @flatten_result(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{result shape 2x12 does not match the expected 6x4}}
  %y = qnn.flatten %x {axis = 2 : i64} : (tensor<2x3x4xf32>) -> tensor<2x12xf32>
  return
}

// -----

func.func @transpose_size(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{perm has 1 entries for an input of rank 2}}
  %y = qnn.transpose %x {perm = array<i64: 0>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @transpose_perm(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{perm must be a permutation of [0, 2)}}
  %y = qnn.transpose %x {perm = array<i64: 0, 0>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @concat_empty() {
  // expected-error @+1 {{expects at least one input}}
  %y = qnn.concat {axis = 0 : i64} : () -> tensor<2xf32>
  return
}

// -----

func.func @concat_axis(%a: tensor<2xf32>) {
  // expected-error @+1 {{axis 1 is out of range for rank 1}}
  %y = qnn.concat %a, %a {axis = 1 : i64} : (tensor<2xf32>, tensor<2xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @concat_rank(%a: tensor<2xf32>, %b: tensor<2x1xf32>) {
  // expected-error @+1 {{input 1 has rank 2, expected 1}}
  %y = qnn.concat %a, %b {axis = 0 : i64} : (tensor<2xf32>, tensor<2x1xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @concat_dim(%a: tensor<2x3xf32>, %b: tensor<2x4xf32>) {
  // expected-error @+1 {{input 1 has size 4 in dimension 1, expected 3}}
  %y = qnn.concat %a, %b {axis = 0 : i64} : (tensor<2x3xf32>, tensor<2x4xf32>) -> tensor<4x3xf32>
  return
}

// -----

func.func @concat_int(%a: tensor<2xi32>, %b: tensor<2xi64>) {
  // expected-error @+1 {{integer inputs and result must share one type}}
  %y = qnn.concat %a, %b {axis = 0 : i64} : (tensor<2xi32>, tensor<2xi64>) -> tensor<4xi32>
  return
}

// -----

func.func @pad_count(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{pads has 2 entries, expected 2 * rank = 4}}
  %y = qnn.pad %x {pads = array<i64: 1, 1>} : (tensor<2x3xf32>) -> tensor<3x4xf32>
  return
}

// -----

func.func @pad_neg(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{pads must be non-negative}}
  %y = qnn.pad %x {pads = array<i64: -1, 0, 0, 0>} : (tensor<2x3xf32>) -> tensor<1x3xf32>
  return
}

// -----

// Reflection mirrors at most size - 1 elements (a wider pad would read
// outside the input).
func.func @pad_reflect_too_wide(%x: tensor<1x2xf32>) {
  // expected-error @+1 {{reflect pad of 2 on dimension 1 of size 2 (at most 1)}}
  %y = qnn.pad %x {pads = array<i64: 0, 2, 0, 0>, mode = #qnn.pad_mode<reflect>} : (tensor<1x2xf32>) -> tensor<1x4xf32>
  return
}

// -----

func.func @pad_edge_empty(%x: tensor<1x0xf32>) {
  // expected-error @+1 {{edge pad of the empty dimension 1}}
  %y = qnn.pad %x {pads = array<i64: 0, 1, 0, 0>, mode = #qnn.pad_mode<edge>} : (tensor<1x0xf32>) -> tensor<1x1xf32>
  return
}

// -----

func.func @qconst_shape() {
  // expected-error @+1 {{value shape 2 does not match result shape 3}}
  %w = qnn.qconst dense<[1, 2]> : tensor<2xi8> -> tensor<3x!quant.uniform<i8:f32, 0.1>>
  return
}

// -----

func.func @qconst_storage() {
  // expected-error @+1 {{value must hold i8 storage integers, got 'i16'}}
  %w = qnn.qconst dense<[1, 2]> : tensor<2xi16> -> tensor<2x!quant.uniform<i8:f32, 0.1>>
  return
}

// -----

func.func @qconst_range() {
  // expected-error @+1 {{stored value -128 is outside the storage range [-127, 127]}}
  %w = qnn.qconst dense<[1, -128]> : tensor<2xi8> -> tensor<2x!quant.uniform<i8<-127:127>:f32, 0.1>>
  return
}

// -----

func.func @qconst_axis() {
  // expected-error @+1 {{per-axis quantization has 3 scales for dimension 0 of size 2}}
  %w = qnn.qconst dense<[1, 2]> : tensor<2xi8> -> tensor<2x!quant.uniform<i8:f32:0, {0.1, 0.2, 0.3}>>
  return
}

// -----

func.func @observer_id(%x: tensor<4xf32>) {
  // expected-error @+1 {{id must be non-negative}}
  %y = qnn.observer %x {id = -1 : i64} : tensor<4xf32>
  return
}

// -----

func.func @observer_pair(%x: tensor<4xf32>) {
  // expected-error @+1 {{min and max must be given together}}
  %y = qnn.observer %x {id = 1 : i64, min = 0.0 : f64} : tensor<4xf32>
  return
}

// -----

func.func @observer_observed_pair(%x: tensor<4xf32>) {
  // expected-error @+1 {{observed_min and observed_max must be given together}}
  %y = qnn.observer %x {id = 1 : i64, min = 0.0 : f64, max = 1.0 : f64, observed_min = -1.0 : f64} : tensor<4xf32>
  return
}

// -----

func.func @observer_observed_order(%x: tensor<4xf32>) {
  // expected-error @+1 {{observed_min (2.000000e+00) is greater than observed_max (1.000000e+00)}}
  %y = qnn.observer %x {id = 1 : i64, min = 0.0 : f64, max = 1.0 : f64, observed_min = 2.0 : f64, observed_max = 1.0 : f64} : tensor<4xf32>
  return
}

// -----

func.func @observer_observed_alone(%x: tensor<4xf32>) {
  // expected-error @+1 {{observed_min/observed_max without min/max}}
  %y = qnn.observer %x {id = 1 : i64, observed_min = 0.0 : f64, observed_max = 1.0 : f64} : tensor<4xf32>
  return
}

// -----

func.func @observer_finite(%x: tensor<4xf32>) {
  // expected-error @+1 {{statistics must be finite}}
  %y = qnn.observer %x {id = 1 : i64, min = 0.0 : f64, max = 0x7FF0000000000000 : f64} : tensor<4xf32>
  return
}

// -----

func.func @observer_nan(%x: tensor<4xf32>) {
  // expected-error @+1 {{statistics must be finite}}
  %y = qnn.observer %x {id = 1 : i64, min = 0x7FF8000000000000 : f64, max = 1.0 : f64} : tensor<4xf32>
  return
}

// -----

func.func @observer_order(%x: tensor<4xf32>) {
  // expected-error @+1 {{min (2.000000e+00) is greater than max (1.000000e+00)}}
  %y = qnn.observer %x {id = 1 : i64, min = 2.0 : f64, max = 1.0 : f64} : tensor<4xf32>
  return
}

// -----

func.func @fq_type(%x: tensor<4xf32>) {
  // expected-error @+1 {{qtype must be a !quant.uniform type, got 'i8'}}
  %y = qnn.fake_quant %x {qtype = i8} : tensor<4xf32>
  return
}

// -----

func.func @fq_expr(%x: tensor<4xf32>) {
  // expected-error @+1 {{qtype expresses 'f16' but the input holds 'f32'}}
  %y = qnn.fake_quant %x {qtype = !quant.uniform<i8:f16, 0.1>} : tensor<4xf32>
  return
}

// -----

func.func @fq_axis(%x: tensor<4xf32>) {
  // expected-error @+1 {{per-axis quantization axis 1 is out of range for rank 1}}
  %y = qnn.fake_quant %x {qtype = !quant.uniform<i8:f32:1, {0.1, 0.2}>} : tensor<4xf32>
  return
}

// -----

func.func @quantize_expr(%x: tensor<4xf16>) {
  // expected-error @+1 {{result expresses 'f32' but the input holds 'f16'}}
  %y = qnn.quantize %x : (tensor<4xf16>) -> tensor<4x!quant.uniform<i8:f32, 0.1>>
  return
}

// -----

func.func @dequantize_expr(%x: tensor<4x!quant.uniform<i8:f32, 0.1>>) {
  // expected-error @+1 {{input expresses 'f32' but the result holds 'f16'}}
  %y = qnn.dequantize %x : (tensor<4x!quant.uniform<i8:f32, 0.1>>) -> tensor<4xf16>
  return
}

// -----

func.func @requantize_expr(%x: tensor<4x!quant.uniform<i8:f32, 0.1>>) {
  // expected-error @+1 {{expressed types differ: 'f32' and 'f16'}}
  %y = qnn.requantize %x : (tensor<4x!quant.uniform<i8:f32, 0.1>>) -> tensor<4x!quant.uniform<i8:f16, 0.1>>
  return
}

// -----

func.func @rescale_empty(%x: tensor<2x3xi32>) {
  // expected-error @+1 {{multiplier must not be empty}}
  %y = qnn.rescale %x {multiplier = array<i32>, shift = array<i32>} : (tensor<2x3xi32>) -> tensor<2x3xi8>
  return
}

// -----

func.func @rescale_count(%x: tensor<2x3xi32>) {
  // expected-error @+1 {{has 1 multipliers but 2 shifts}}
  %y = qnn.rescale %x {multiplier = array<i32: 1>, shift = array<i32: 1, 2>} : (tensor<2x3xi32>) -> tensor<2x3xi8>
  return
}

// -----

func.func @rescale_neg(%x: tensor<2x3xi32>) {
  // expected-error @+1 {{multiplier -1 must be non-negative}}
  %y = qnn.rescale %x {multiplier = array<i32: -1>, shift = array<i32: 0>} : (tensor<2x3xi32>) -> tensor<2x3xi8>
  return
}

// -----

func.func @rescale_shift(%x: tensor<2x3xi32>) {
  // expected-error @+1 {{shift 31 is out of range [-31, 30]}}
  %y = qnn.rescale %x {multiplier = array<i32: 1>, shift = array<i32: 31>} : (tensor<2x3xi32>) -> tensor<2x3xi8>
  return
}

// -----

func.func @rescale_noaxis(%x: tensor<2x3xi32>) {
  // expected-error @+1 {{per-channel multipliers require an axis}}
  %y = qnn.rescale %x {multiplier = array<i32: 1, 2, 3>, shift = array<i32: 0, 0, 0>} : (tensor<2x3xi32>) -> tensor<2x3xi8>
  return
}

// -----

func.func @rescale_axis(%x: tensor<2x3xi32>) {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %y = qnn.rescale %x {multiplier = array<i32: 1, 2, 3>, shift = array<i32: 0, 0, 0>, axis = 2 : i64} : (tensor<2x3xi32>) -> tensor<2x3xi8>
  return
}

// -----

func.func @rescale_dim(%x: tensor<2x3xi32>) {
  // expected-error @+1 {{has 3 multipliers for axis 0 of size 2}}
  %y = qnn.rescale %x {multiplier = array<i32: 1, 2, 3>, shift = array<i32: 0, 0, 0>, axis = 0 : i64} : (tensor<2x3xi32>) -> tensor<2x3xi8>
  return
}

// -----

func.func @rescale_width(%x: tensor<2x3xi64>) {
  // expected-error @+1 {{operates on integers of at most 32 bits}}
  %y = qnn.rescale %x {multiplier = array<i32: 1>, shift = array<i32: 0>} : (tensor<2x3xi64>) -> tensor<2x3xi8>
  return
}

// -----

func.func @rescale_izp(%x: tensor<2x3xi8>) {
  // expected-error @+1 {{input_zp 200 does not fit the input type}}
  %y = qnn.rescale %x {multiplier = array<i32: 1>, shift = array<i32: 0>, input_zp = 200 : i64} : (tensor<2x3xi8>) -> tensor<2x3xi8>
  return
}

// -----

func.func @rescale_ozp(%x: tensor<2x3xi32>) {
  // expected-error @+1 {{output_zp -1 does not fit the result type}}
  %y = qnn.rescale %x {multiplier = array<i32: 1>, shift = array<i32: 0>, output_zp = -1 : i64, output_unsigned = true} : (tensor<2x3xi32>) -> tensor<2x3xi8>
  return
}

// -----

func.func @add_int_types(%a: tensor<4xi32>, %b: tensor<4xi8>) {
  // expected-error @+1 {{integer operands and result must share one type, got 'i32', 'i8' -> 'i32'}}
  %y = qnn.add %a, %b : (tensor<4xi32>, tensor<4xi8>) -> tensor<4xi32>
  return
}

// -----

func.func @cast_quantized(%a: tensor<4x!quant.uniform<i8:f32, 0.1>>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of floating-point or integer values}}
  %y = qnn.cast %a : (tensor<4x!quant.uniform<i8:f32, 0.1>>) -> tensor<4xf32>
  return
}

// -----

func.func @dynamic_quantize_scale(%x: tensor<4xf32>) {
  // expected-error @+1 {{result must be a signed symmetric per-tensor type with scale 1 and zero point 0}}
  %q, %s = qnn.dynamic_quantize %x : (tensor<4xf32>) -> (tensor<4x!quant.uniform<i8:f32, 0.5>>, tensor<f32>)
  return
}

// -----

func.func @dynamic_quantize_shape(%x: tensor<4xf32>) {
  // expected-error @+1 {{result shape must equal the input shape}}
  %q, %s = qnn.dynamic_quantize %x : (tensor<4xf32>) -> (tensor<2x!quant.uniform<i8<-127:127>:f32, 1.0>>, tensor<f32>)
  return
}

// -----

func.func @dynamic_quantize_f16(%x: tensor<4xf16>) {
  // expected-error @+1 {{input must be f32 (the scale is f32)}}
  %q, %s = qnn.dynamic_quantize %x : (tensor<4xf16>) -> (tensor<4x!quant.uniform<i8<-127:127>:f16, 1.0>>, tensor<f32>)
  return
}

// -----

func.func @dynamic_quantize_linear_shape(%x: tensor<4xf32>) {
  // expected-error @+1 {{result shape must equal the input shape}}
  %q, %s, %z = qnn.dynamic_quantize_linear %x : (tensor<4xf32>) -> (tensor<2xui8>, tensor<f32>, tensor<ui8>)
  return
}

// -----

func.func @dynamic_quantize_linear_f16(%x: tensor<4xf16>) {
  // expected-error @+1 {{input must be f32 (the scale is f32)}}
  %q, %s, %z = qnn.dynamic_quantize_linear %x : (tensor<4xf16>) -> (tensor<4xui8>, tensor<f32>, tensor<ui8>)
  return
}

// -----

func.func @dynamic_quantize_linear_i8(%x: tensor<4xf32>) {
  // expected-error @+1 {{result #0 must be ranked tensor of 8-bit unsigned integer values}}
  %q, %s, %z = qnn.dynamic_quantize_linear %x : (tensor<4xf32>) -> (tensor<4xi8>, tensor<f32>, tensor<ui8>)
  return
}

// -----

func.func @lookup_table_16bit_input(%x: tensor<4x!quant.uniform<i16:f32, 0.1>>) {
  // expected-error @+1 {{input must be an 8-bit per-tensor quantized tensor}}
  %y = qnn.lookup_table %x {table = dense<0> : tensor<256xi8>} : (tensor<4x!quant.uniform<i16:f32, 0.1>>) -> tensor<4x!quant.uniform<i8:f32, 0.1>>
  return
}

// -----

func.func @lookup_table_short(%x: tensor<4x!quant.uniform<i8:f32, 0.1>>) {
  // expected-error @+1 {{table must be tensor<256xi8> (one stored result per stored input)}}
  %y = qnn.lookup_table %x {table = dense<0> : tensor<255xi8>} : (tensor<4x!quant.uniform<i8:f32, 0.1>>) -> tensor<4x!quant.uniform<i8:f32, 0.1>>
  return
}

// -----

func.func @layer_norm_axis(%x: tensor<2x4xf32>, %g: tensor<4xf32>) {
  // expected-error @+1 {{axis -3 is out of range for rank 2}}
  %y = qnn.layer_norm %x, %g {axis = -3 : i64} : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @layer_norm_scale_shape(%x: tensor<2x4xf32>, %g: tensor<3xf32>) {
  // expected-error @+1 {{scale shape (3) does not broadcast to the normalized shape (4)}}
  %y = qnn.layer_norm %x, %g : (tensor<2x4xf32>, tensor<3xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @layer_norm_bias_rank(%x: tensor<2x4xf32>, %g: tensor<4xf32>, %b: tensor<2x4xf32>) {
  // expected-error @+1 {{bias of rank 2 does not broadcast to the normalized shape of rank 1}}
  %y = qnn.layer_norm %x, %g, %b : (tensor<2x4xf32>, tensor<4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @layer_norm_epsilon(%x: tensor<2x4xf32>, %g: tensor<4xf32>) {
  // expected-error @+1 {{epsilon must be finite and >= 0, got -1}}
  %y = qnn.layer_norm %x, %g {epsilon = -1.0 : f32} : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @layer_norm_result(%x: tensor<2x4xf32>, %g: tensor<4xf32>) {
  // expected-error @+1 {{result type 'tensor<2x4xf16>' differs from the input type 'tensor<2x4xf32>'}}
  %y = qnn.layer_norm %x, %g : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf16>
  return
}

// -----

func.func @nms_boxes(%b: tensor<1x6x3xf32>, %s: tensor<1x1x6xf32>) {
  // expected-error @+1 {{expects boxes of a static shape [batches, boxes, 4], got 'tensor<1x6x3xf32>'}}
  %sel, %n = qnn.non_max_suppression %b, %s : (tensor<1x6x3xf32>, tensor<1x1x6xf32>) -> (tensor<6x3xi64>, tensor<i64>)
  return
}

// -----

func.func @nms_scores(%b: tensor<1x6x4xf32>, %s: tensor<1x1x5xf32>) {
  // expected-error @+1 {{expects scores of shape [1, classes, 6], got 'tensor<1x1x5xf32>'}}
  %sel, %n = qnn.non_max_suppression %b, %s : (tensor<1x6x4xf32>, tensor<1x1x5xf32>) -> (tensor<6x3xi64>, tensor<i64>)
  return
}

// -----

func.func @nms_threshold(%b: tensor<1x6x4xf32>, %s: tensor<1x1x6xf32>, %t: tensor<2xf32>) {
  // expected-error @+1 {{expects a single value for each threshold and the maximum count, got 'tensor<2xf32>'}}
  %sel, %n = qnn.non_max_suppression %b, %s iou %t : (tensor<1x6x4xf32>, tensor<1x1x6xf32>, tensor<2xf32>) -> (tensor<6x3xi64>, tensor<i64>)
  return
}

// -----

func.func @nms_center(%b: tensor<1x6x4xf32>, %s: tensor<1x1x6xf32>) {
  // expected-error @+1 {{center_point_box must be 0 or 1, got 2}}
  %sel, %n = qnn.non_max_suppression %b, %s {center_point_box = 2 : i64} : (tensor<1x6x4xf32>, tensor<1x1x6xf32>) -> (tensor<6x3xi64>, tensor<i64>)
  return
}

// -----

func.func @nms_result(%b: tensor<1x6x4xf32>, %s: tensor<1x1x6xf32>) {
  // expected-error @+1 {{expects a static [M, 3] result with M >= 1, got 'tensor<6x2xi64>'}}
  %sel, %n = qnn.non_max_suppression %b, %s : (tensor<1x6x4xf32>, tensor<1x1x6xf32>) -> (tensor<6x2xi64>, tensor<i64>)
  return
}

// -----

func.func @non_zero_scalar(%x: tensor<f32>) {
  // expected-error @+1 {{expects an input of a static shape and rank >= 1, got 'tensor<f32>'}}
  %i, %n = qnn.non_zero %x : (tensor<f32>) -> (tensor<0x1xi64>, tensor<i64>)
  return
}

// -----

func.func @non_zero_result(%x: tensor<2x3xi8>) {
  // expected-error @+1 {{expects indices of type 'tensor<2x6xi64>', got 'tensor<2x5xi64>'}}
  %i, %n = qnn.non_zero %x : (tensor<2x3xi8>) -> (tensor<2x5xi64>, tensor<i64>)
  return
}

// -----

func.func @block_dequantize_scale_shape(%q: tensor<70x16xui4>, %s: tensor<2x16xf32>) {
  // expected-error @+1 {{scale dimension 0 is 2, expected 3 (blocks of 32 along the axis)}}
  %w = qnn.block_dequantize %q, %s {axis = 0 : i64, block_size = 32 : i64} : (tensor<70x16xui4>, tensor<2x16xf32>) -> tensor<70x16xf32>
  return
}

// -----

func.func @block_dequantize_axis(%q: tensor<64x16xui4>, %s: tensor<2x16xf32>) {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %w = qnn.block_dequantize %q, %s {axis = 2 : i64, block_size = 32 : i64} : (tensor<64x16xui4>, tensor<2x16xf32>) -> tensor<64x16xf32>
  return
}

// -----

func.func @block_dequantize_block(%q: tensor<64x16xui4>, %s: tensor<2x16xf32>) {
  // expected-error @+1 {{block_size must be positive, got 0}}
  %w = qnn.block_dequantize %q, %s {axis = 0 : i64, block_size = 0 : i64} : (tensor<64x16xui4>, tensor<2x16xf32>) -> tensor<64x16xf32>
  return
}

// -----

func.func @block_dequantize_zero_type(%q: tensor<64x16xui4>, %s: tensor<2x16xf32>, %z: tensor<2x16xui8>) {
  // expected-error @+1 {{zero_point element type 'ui8' differs from the input's 'ui4'}}
  %w = qnn.block_dequantize %q, %s, %z {axis = 0 : i64, block_size = 32 : i64} : (tensor<64x16xui4>, tensor<2x16xf32>, tensor<2x16xui8>) -> tensor<64x16xf32>
  return
}

// -----

func.func @block_dequantize_zero_shape(%q: tensor<64x16xui4>, %s: tensor<2x16xf32>, %z: tensor<1x16xui4>) {
  // expected-error @+1 {{zero_point shape must equal the scale's}}
  %w = qnn.block_dequantize %q, %s, %z {axis = 0 : i64, block_size = 32 : i64} : (tensor<64x16xui4>, tensor<2x16xf32>, tensor<1x16xui4>) -> tensor<64x16xf32>
  return
}

// -----

func.func @block_dequantize_result_shape(%q: tensor<64x16xui4>, %s: tensor<2x16xf32>) {
  // expected-error @+1 {{result shape must equal the input shape}}
  %w = qnn.block_dequantize %q, %s {axis = 0 : i64, block_size = 32 : i64} : (tensor<64x16xui4>, tensor<2x16xf32>) -> tensor<16x64xf32>
  return
}

// -----

func.func @block_dequantize_storage(%q: tensor<64x16xi4>, %s: tensor<2x16xf32>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of}}
  %w = qnn.block_dequantize %q, %s {axis = 0 : i64, block_size = 32 : i64} : (tensor<64x16xi4>, tensor<2x16xf32>) -> tensor<64x16xf32>
  return
}
