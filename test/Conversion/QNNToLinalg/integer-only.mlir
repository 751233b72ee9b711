// RUN: qopt %s --integer-only --split-input-file | FileCheck %s
// RUN: qopt %s --integer-only=rounding=double-round --split-input-file | FileCheck %s --check-prefix=DOUBLE
// RUN: qopt %s --integer-only=scale-arithmetic=f64 --split-input-file | FileCheck %s --check-prefix=F64
// RUN: qopt %s --integer-only=lookup-tables=false --split-input-file | FileCheck %s --check-prefix=NOTABLES

// requantize: s_in / s_out = 0.1 / 0.05 = 2 = 2^30 * 2^(2 - 31).
// CHECK-LABEL: func @requantize(%arg0: tensor<4xi8>) -> tensor<4xi8>
// CHECK: %[[X:.*]] = linalg.generic {{.*}} ins(%arg0 : tensor<4xi8>) outs(%{{.*}} : tensor<4xi32>)
// CHECK:   arith.extsi
// CHECK: qnn.rescale %[[X]] {multiplier = array<i32: 1073741824>, output_zp = 3 : i64, shift = array<i32: 2>} : (tensor<4xi32>) -> tensor<4xi8>
// DOUBLE: rounding = #qnn.rounding<double_round>
func.func @requantize(%x: tensor<4x!quant.uniform<i8:f32, 0.1>>) -> tensor<4x!quant.uniform<i8:f32, 0.05:3>> {
  %y = qnn.requantize %x : (tensor<4x!quant.uniform<i8:f32, 0.1>>) -> tensor<4x!quant.uniform<i8:f32, 0.05:3>>
  return %y : tensor<4x!quant.uniform<i8:f32, 0.05:3>>
}

// -----

// Dense quantized conv with constant weights: the dot-product layout.
// Weights w' = w - zw packed to [KH, KW, C/4, F, 4] at compile time (C = 1 is
// zero-padded to 4); activations permuted to NHWC, padded spatially with the
// zero point 5 and in channels with 0, read in groups of four channels
// (4 * c4 + k); the generic multiplies zext(x) by sext(w'). Zero-point terms are out of the
// inner loop: the accumulator starts at bias - zx * sum(w') =
// [8 - 5 * 3, -8 - 5 * 9]; per-channel weight scales give one multiplier per
// output channel (NHWC axis 3).
!qx = !quant.uniform<u8:f32, 0.5:5>
!qw = !quant.uniform<i8<-127:127>:f32:0, {0.25, 0.125}>
!qb = !quant.uniform<i32:f32:0, {0.125, 0.0625}>
!qy = !quant.uniform<u8:f32, 1.0:10>
// CHECK-DAG: #[[$XMAP:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1 + d4, d2 + d5, d6 * 4 + d7)>
// CHECK-DAG: #[[$WMAP:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d3 floordiv 2, d4, d5, d6, d3 mod 2, d7)>
// CHECK-DAG: #[[$OMAP:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func @conv
// CHECK-SAME: (%arg0: tensor<1x1x3x3xi8>) -> tensor<1x2x3x3xi8>
// CHECK: %[[B:.*]] = arith.constant dense<[8, -8]> : tensor<2xi32>
// CHECK: %[[W:.*]] = arith.constant dense<{{\[\[\[\[\[\[}}1, 0, 0, 0], [1, 0, 0, 0]]], {{\[\[\[}}0, 0, 0, 0], [1, 0, 0, 0]]], {{.*}} : tensor<1x3x3x1x2x4xi8>
// CHECK-NOT: arith.xori
// CHECK: %[[ZX:.*]] = arith.constant 5 : i8
// CHECK: %[[SP:.*]] = tensor.pad %{{.*}} low[0, 1, 1, 0] high[0, 1, 1, 0]
// CHECK:   tensor.yield %[[ZX]]
// CHECK: %[[CORR:.*]] = arith.constant dense<[-15, -45]> : tensor<2xi32>
// CHECK: %[[INIT:.*]] = linalg.generic {{.*}} ins(%[[CORR]], %[[B]] : tensor<2xi32>, tensor<2xi32>)
// CHECK:   arith.addi
// CHECK: %[[CP:.*]] = tensor.pad %[[SP]] low[0, 0, 0, 0] high[0, 0, 0, 3]
// CHECK: %[[ACC:.*]] = linalg.generic {indexing_maps = [#[[$XMAP]], #[[$WMAP]], #[[$OMAP]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "reduction"]} ins(%[[CP]], %[[W]] : tensor<1x5x5x4xi8>, tensor<1x3x3x1x2x4xi8>) outs(%[[INIT]] : tensor<1x3x3x2xi32>)
// CHECK:   arith.extui
// CHECK:   arith.extsi
// CHECK:   arith.muli
// CHECK:   arith.addi
// 0.125 = 2^30 * 2^(-2 - 31) and 0.0625 = 2^30 * 2^(-3 - 31).
// CHECK: qnn.rescale %[[ACC]] {axis = 3 : i64, multiplier = array<i32: 1073741824, 1073741824>, output_unsigned = true, output_zp = 10 : i64, shift = array<i32: -2, -3>}
// relu: clamp at the zero point 10 (as unsigned).
// CHECK: arith.maxui
func.func @conv(%x: tensor<1x1x3x3x!qx>) -> tensor<1x2x3x3x!qy> {
  %w = qnn.qconst dense<[[[[1, 0, 0], [0, 1, 0], [0, 0, 1]]], [[[1, 1, 1], [1, 1, 1], [1, 1, 1]]]]> : tensor<2x1x3x3xi8> -> tensor<2x1x3x3x!qw>
  %b = qnn.qconst dense<[8, -8]> : tensor<2xi32> -> tensor<2x!qb>
  %y = qnn.conv2d %x, %w, %b {pads = array<i64: 1, 1, 1, 1>, fused_activation = #qnn.activation<relu>} : (tensor<1x1x3x3x!qx>, tensor<2x1x3x3x!qw>, tensor<2x!qb>) -> tensor<1x2x3x3x!qy>
  return %y : tensor<1x2x3x3x!qy>
}

// -----

// Signed activations enter the dot-product layout unsigned: the sign bit is
// flipped during the NHWC permutation (x + 128), so the zero point -3 becomes
// 125, which pads and corrects the accumulator: 0 - 125 * 32 = -4000.
// Strides and dilations land in the activation map.
!qx = !quant.uniform<i8:f32, 0.5:-3>
!qw = !quant.uniform<i8<-127:127>:f32, 0.25>
!qy = !quant.uniform<i8:f32, 1.0>
// CHECK-DAG: #[[$XMAP2:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1 * 2 + d4 * 2, d2 * 2 + d5 * 2, d6 * 4 + d7)>
// CHECK-LABEL: func @conv_signed_input
// CHECK: linalg.generic
// CHECK:   arith.constant -128 : i8
// CHECK:   arith.xori
// CHECK: arith.constant 125 : i8
// CHECK: arith.constant dense<-4000> : tensor<1xi32>
// CHECK: linalg.generic {indexing_maps = [#[[$XMAP2]], {{.*}}} ins({{.*}} : tensor<1x7x7x8xi8>, tensor<1x2x2x2x1x4xi8>) {{.*}}
func.func @conv_signed_input(%x: tensor<1x8x5x5x!qx>) -> tensor<1x1x3x3x!qy> {
  %w = qnn.qconst dense<1> : tensor<1x8x2x2xi8> -> tensor<1x8x2x2x!qw>
  %y = qnn.conv2d %x, %w {pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>, dilations = array<i64: 2, 2>} : (tensor<1x8x5x5x!qx>, tensor<1x8x2x2x!qw>) -> tensor<1x1x3x3x!qy>
  return %y : tensor<1x1x3x3x!qy>
}

// -----

// Depthwise convolutions keep the named NHWC op, which sign-extends: the
// unsigned input is made signed (xor 0x80) and its zero point 5 becomes
// -123; weights [C, 1, KH, KW] are packed to [KH, KW, C].
!qx = !quant.uniform<u8:f32, 0.5:5>
!qw = !quant.uniform<i8<-127:127>:f32, 0.25>
!qy = !quant.uniform<u8:f32, 1.0:10>
// CHECK-LABEL: func @depthwise
// CHECK: arith.constant dense<{{\[\[\[}}1, 2], [0, 0]], {{\[\[}}0, 0], [1, 2]]]> : tensor<2x2x2xi8>
// CHECK: arith.xori
// CHECK: arith.constant -123 : i8
// CHECK: linalg.depthwise_conv_2d_nhwc_hwc
func.func @depthwise(%x: tensor<1x2x4x4x!qx>) -> tensor<1x2x3x3x!qy> {
  %w = qnn.qconst dense<[[[[1, 0], [0, 1]]], [[[2, 0], [0, 2]]]]> : tensor<2x1x2x2xi8> -> tensor<2x1x2x2x!qw>
  %y = qnn.conv2d %x, %w {group = 2 : i64} : (tensor<1x2x4x4x!qx>, tensor<2x1x2x2x!qw>) -> tensor<1x2x3x3x!qy>
  return %y : tensor<1x2x3x3x!qy>
}

// -----

// Grouped convolution (neither dense nor depthwise): one NCHW generic with
// the zero-point subtractions in the loop body; the input zero point 5 pads.
!qx = !quant.uniform<u8:f32, 0.5:5>
!qw = !quant.uniform<i8:f32, 0.25:3>
!qy = !quant.uniform<u8:f32, 1.0:10>
// CHECK-LABEL: func @grouped_conv
// CHECK: %[[C5:.*]] = arith.constant 5 : i8
// CHECK: tensor.pad %arg0 low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK:   tensor.yield %[[C5]]
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]
// CHECK:   arith.extui
// CHECK:   arith.extsi
// CHECK:   arith.subi
// CHECK:   arith.subi
// CHECK:   arith.muli
// CHECK:   arith.addi
// CHECK: qnn.rescale
func.func @grouped_conv(%x: tensor<1x4x3x3x!qx>) -> tensor<1x2x3x3x!qy> {
  %w = qnn.qconst dense<1> : tensor<2x2x3x3xi8> -> tensor<2x2x3x3x!qw>
  %y = qnn.conv2d %x, %w {group = 2 : i64, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x4x3x3x!qx>, tensor<2x2x3x3x!qw>) -> tensor<1x2x3x3x!qy>
  return %y : tensor<1x2x3x3x!qy>
}

// -----

// The float boundary: quantize rounds half to even and saturates (then
// converts through i32, which holds every 8- and 16-bit value), dequantize
// scales back.
// CHECK-LABEL: func @boundary
// CHECK: math.roundeven
// CHECK: arith.maximumf
// CHECK: arith.minimumf
// CHECK: arith.fptosi {{.*}} : f32 to i32
// CHECK: arith.trunci {{.*}} : i32 to i8
// CHECK: arith.sitofp
// CHECK: arith.mulf
func.func @boundary(%x: tensor<4xf32>) -> tensor<4xf32> {
  %q = qnn.quantize %x : (tensor<4xf32>) -> tensor<4x!quant.uniform<i8:f32, 0.5:-1>>
  %d = qnn.dequantize %q : (tensor<4x!quant.uniform<i8:f32, 0.5:-1>>) -> tensor<4xf32>
  return %d : tensor<4xf32>
}

// -----

// Quantized add: each input is rescaled to the output scale with 16 guard
// bits (0.1 / (0.2 / 65536) = 32768 = 2^30 * 2^(-15 + 31 - 31)...), summed in
// i32, then rescaled by 2^-16 into the output type.
// CHECK-LABEL: func @add
// CHECK: %[[A:.*]] = qnn.rescale %{{.*}} {input_zp = 3 : i64, multiplier = array<i32: 1073741824>, shift = array<i32: 16>} : (tensor<4xi32>) -> tensor<4xi32>
// CHECK: %[[B:.*]] = qnn.rescale %{{.*}} {multiplier = array<i32: 1073741824>, shift = array<i32: 17>} : (tensor<4xi32>) -> tensor<4xi32>
// CHECK: %[[S:.*]] = linalg.generic {{.*}} ins(%[[A]], %[[B]]
// CHECK:   arith.addi
// CHECK: qnn.rescale %[[S]] {multiplier = array<i32: 1073741824>, output_zp = -1 : i64, shift = array<i32: -15>} : (tensor<4xi32>) -> tensor<4xi8>
func.func @add(%a: tensor<4x!quant.uniform<i8:f32, 0.1:3>>, %b: tensor<4x!quant.uniform<i8:f32, 0.2>>) -> tensor<4x!quant.uniform<i8:f32, 0.2:-1>> {
  %y = qnn.add %a, %b : (tensor<4x!quant.uniform<i8:f32, 0.1:3>>, tensor<4x!quant.uniform<i8:f32, 0.2>>) -> tensor<4x!quant.uniform<i8:f32, 0.2:-1>>
  return %y : tensor<4x!quant.uniform<i8:f32, 0.2:-1>>
}

// -----

// Quantized global average pooling: an int32 sum over H x W, then one rescale
// by s_in / (s_out * H * W) = 0.1 / (0.05 * 4) = 0.5.
// CHECK-LABEL: func @gap
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction", "reduction"]
// CHECK: qnn.rescale %{{.*}} {multiplier = array<i32: 1073741824>, shift = array<i32: 0>} : (tensor<1x3xi32>) -> tensor<1x3xi8>
// CHECK: tensor.expand_shape
func.func @gap(%x: tensor<1x3x2x2x!quant.uniform<i8:f32, 0.1>>) -> tensor<1x3x1x1x!quant.uniform<i8:f32, 0.05>> {
  %y = qnn.global_avg_pool2d %x : (tensor<1x3x2x2x!quant.uniform<i8:f32, 0.1>>) -> tensor<1x3x1x1x!quant.uniform<i8:f32, 0.05>>
  return %y : tensor<1x3x1x1x!quant.uniform<i8:f32, 0.05>>
}

// -----

// Multipliers come from the float32 scales in float32 (ONNX reference, ONNX
// Runtime): float(0.1) / float(0.3) = 0.33333334 -> 1431655680 * 2^-32;
// scale-arithmetic=f64 (TFLite) gives 1/3 -> 1431655765.
// CHECK-LABEL: func @scale_arithmetic
// CHECK: qnn.rescale %{{.*}} {multiplier = array<i32: 1431655680>, shift = array<i32: -1>}
// F64-LABEL: func @scale_arithmetic
// F64: qnn.rescale %{{.*}} {multiplier = array<i32: 1431655765>, shift = array<i32: -1>}
func.func @scale_arithmetic(%x: tensor<4x!quant.uniform<i8:f32, 0.1>>) -> tensor<4x!quant.uniform<i8:f32, 0.3>> {
  %y = qnn.requantize %x : (tensor<4x!quant.uniform<i8:f32, 0.1>>) -> tensor<4x!quant.uniform<i8:f32, 0.3>>
  return %y : tensor<4x!quant.uniform<i8:f32, 0.3>>
}

// -----

// Dynamic quantization: max|x| reduced to a 0-d tensor, s = max|x| / 127
// (1 when all zeros), q = clamp(round_half_even(x / s), -127, 127).
// CHECK-LABEL: func @dynamic_quantize
// CHECK: %[[MAX:.*]] = linalg.generic {{.*}} iterator_types = ["reduction", "reduction"]} ins(%arg0 : tensor<?x8xf32>) outs(%{{.*}} : tensor<f32>)
// CHECK:   math.absf
// CHECK:   arith.maximumf
// CHECK: %[[S:.*]] = linalg.generic {{.*}} ins(%[[MAX]] : tensor<f32>)
// CHECK:   arith.divf %{{.*}}, %{{.*}} : f32
// CHECK:   arith.cmpf oeq
// CHECK:   arith.select
// CHECK: %[[Q:.*]] = linalg.generic {{.*}} ins(%arg0, %[[S]] : tensor<?x8xf32>, tensor<f32>) outs(%{{.*}} : tensor<?x8xi8>)
// CHECK:   arith.divf
// CHECK:   math.roundeven
// CHECK:   arith.constant -1.270000e+02 : f32
// CHECK:   arith.maximumf
// CHECK:   arith.minimumf
// CHECK:   arith.fptosi
// CHECK:   arith.trunci
// CHECK: return %[[Q]], %[[S]] : tensor<?x8xi8>, tensor<f32>
func.func @dynamic_quantize(%x: tensor<?x8xf32>) -> (tensor<?x8x!quant.uniform<i8<-127:127>:f32, 1.0>>, tensor<f32>) {
  %q, %s = qnn.dynamic_quantize %x : (tensor<?x8xf32>) -> (tensor<?x8x!quant.uniform<i8<-127:127>:f32, 1.0>>, tensor<f32>)
  return %q, %s : tensor<?x8x!quant.uniform<i8<-127:127>:f32, 1.0>>, tensor<f32>
}

// -----

// A static tensor's max|x| is reduced in two stages: 64 partial maxima
// (a parallel dimension the CPU strategy vectorizes), then one.
// CHECK-LABEL: func @dynamic_quantize_static
// CHECK: %[[FLAT:.*]] = tensor.collapse_shape %arg0 {{\[}}[0, 1, 2]] : tensor<4x8x16xf32> into tensor<512xf32>
// CHECK: %[[ROWS:.*]] = tensor.expand_shape %[[FLAT]] {{\[}}[0, 1]] output_shape [8, 64] : tensor<512xf32> into tensor<8x64xf32>
// CHECK: %[[PART:.*]] = linalg.generic {{.*}} iterator_types = ["reduction", "parallel"]} ins(%[[ROWS]] : tensor<8x64xf32>) outs(%{{.*}} : tensor<64xf32>)
// CHECK:   math.absf
// CHECK: linalg.generic {{.*}} iterator_types = ["reduction"]} ins(%[[PART]] : tensor<64xf32>) outs(%{{.*}} : tensor<f32>)
func.func @dynamic_quantize_static(%x: tensor<4x8x16xf32>) -> (tensor<4x8x16x!quant.uniform<i8<-127:127>:f32, 1.0>>, tensor<f32>) {
  %q, %s = qnn.dynamic_quantize %x : (tensor<4x8x16xf32>) -> (tensor<4x8x16x!quant.uniform<i8<-127:127>:f32, 1.0>>, tensor<f32>)
  return %q, %s : tensor<4x8x16x!quant.uniform<i8<-127:127>:f32, 1.0>>, tensor<f32>
}

// -----

// ONNX DynamicQuantizeLinear: the range from 0 (max and min reductions
// that start at 0), scale = (hi - lo) / 255 and the zero point in one scalar
// generic, then saturate(round(x / scale) + zp) as u8.
// CHECK-LABEL: func @dynamic_quantize_linear
// CHECK: %[[HI:.*]] = linalg.generic {{.*}} ins(%arg0 : tensor<2x5xf32>) outs(%{{.*}} : tensor<f32>)
// CHECK:   arith.maximumf
// CHECK: %[[LO:.*]] = linalg.generic {{.*}} ins(%arg0 : tensor<2x5xf32>) outs(%{{.*}} : tensor<f32>)
// CHECK:   arith.minimumf
// CHECK: %[[P:.*]]:3 = linalg.generic {{.*}} ins(%[[HI]], %[[LO]] : tensor<f32>, tensor<f32>)
// CHECK:   arith.subf
// CHECK:   arith.divf
// CHECK:   arith.negf
// CHECK:   arith.divf
// CHECK:   math.roundeven
// CHECK:   arith.fptoui {{.*}} : f32 to i8
// CHECK: %[[Q:.*]] = linalg.generic {{.*}} ins(%arg0, %[[P]]#0, %[[P]]#1 : tensor<2x5xf32>, tensor<f32>, tensor<f32>) outs(%{{.*}} : tensor<2x5xi8>)
// CHECK:   arith.divf
// CHECK:   math.roundeven
// CHECK:   arith.addf
// CHECK:   arith.fptoui {{.*}} : f32 to i8
// CHECK: return %[[Q]], %[[P]]#0, %[[P]]#2 : tensor<2x5xi8>, tensor<f32>, tensor<i8>
func.func @dynamic_quantize_linear(%x: tensor<2x5xf32>) -> (tensor<2x5xui8>, tensor<f32>, tensor<ui8>) {
  %q, %s, %z = qnn.dynamic_quantize_linear %x : (tensor<2x5xf32>) -> (tensor<2x5xui8>, tensor<f32>, tensor<ui8>)
  return %q, %s, %z : tensor<2x5xui8>, tensor<f32>, tensor<ui8>
}

// -----

// 16-bit add (16x8 models): 8 guard bits instead of 16 keep 16-bit values
// times the scale ratio inside int32. Inputs go to the output scale times
// 2^8: 0.001/0.004 * 256 = 64 = 2^30 * 2^(7 - 31 + 1)... (multiplier 2^30,
// shift 7) and 0.002/0.004 * 256 = 128 (shift 8); the sum comes back by
// 2^-8 (shift -7) into i16.
!q16a = !quant.uniform<i16:f32, 0.001>
!q16b = !quant.uniform<i16:f32, 0.002>
!q16y = !quant.uniform<i16:f32, 0.004>
// CHECK-LABEL: func @add16
// CHECK: qnn.rescale {{.*}} {multiplier = array<i32: 1073741824>, shift = array<i32: 7>} : (tensor<4xi32>) -> tensor<4xi32>
// CHECK: qnn.rescale {{.*}} {multiplier = array<i32: 1073741824>, shift = array<i32: 8>} : (tensor<4xi32>) -> tensor<4xi32>
// CHECK: qnn.rescale {{.*}} {multiplier = array<i32: 1073741824>, shift = array<i32: -7>} : (tensor<4xi32>) -> tensor<4xi16>
func.func @add16(%a: tensor<4x!q16a>, %b: tensor<4x!q16b>) -> tensor<4x!q16y> {
  %y = qnn.add %a, %b : (tensor<4x!q16a>, tensor<4x!q16b>) -> tensor<4x!q16y>
  return %y : tensor<4x!q16y>
}

// -----

// A dense conv with signed 16-bit activations takes the dot-product layout
// in pairs of channels: weights as i16 [KH, KW, C/2, F, 2], s16 x s16
// products (both sign-extended), no sign flip.
!qx = !quant.uniform<i16:f32, 0.001>
!qw = !quant.uniform<i8<-127:127>:f32, 0.25>
!qy = !quant.uniform<i16:f32, 0.01>
// CHECK-DAG: #[[$X16:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1 + d4, d2 + d5, d6 * 2 + d7)>
// CHECK-LABEL: func @conv16
// CHECK: arith.constant dense<1> : tensor<1x1x1x4x2x2xi16>
// CHECK-NOT: arith.xori
// CHECK: linalg.generic {indexing_maps = [#[[$X16]], {{.*}} ins({{.*}} : tensor<1x4x4x8xi16>, tensor<1x1x1x4x2x2xi16>) {{.*}}
// CHECK:   arith.extsi {{.*}} : i16 to i32
// CHECK:   arith.extsi {{.*}} : i16 to i32
func.func @conv16(%x: tensor<1x8x4x4x!qx>) -> tensor<1x2x4x4x!qy> {
  %w = qnn.qconst dense<1> : tensor<2x8x1x1xi8> -> tensor<2x8x1x1x!qw>
  %y = qnn.conv2d %x, %w : (tensor<1x8x4x4x!qx>, tensor<2x8x1x1x!qw>) -> tensor<1x2x4x4x!qy>
  return %y : tensor<1x2x4x4x!qy>
}

// -----

// Float islands on 8-bit tensors become tables before the conversion (see
// form-lookup-tables.mlir); a table is a per-element gather from the
// constant, indexed by the stored value offset to [0, 256).
// CHECK-LABEL: func @sigmoid_table
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xi8>) -> tensor<2x3xi8>
// CHECK: %[[T:.*]] = arith.constant dense<"0x{{[0-9A-F]+}}"> : tensor<256xi8>
// CHECK: linalg.generic {{.*}} ins(%[[X]] : tensor<2x3xi8>)
// CHECK: %[[E:.*]] = arith.extsi %{{.*}} : i8 to i32
// CHECK: %[[I:.*]] = arith.addi %[[E]], %{{.*}} : i32
// CHECK: %[[IX:.*]] = arith.index_cast %[[I]] : i32 to index
// CHECK: tensor.extract %[[T]][%[[IX]]] : tensor<256xi8>
// CHECK-NOT: qnn.sigmoid
// CHECK-NOT: arith.mulf
// Without tables the island stays float between quantize and dequantize.
// NOTABLES-LABEL: func @sigmoid_table
// NOTABLES: qnn.sigmoid
func.func @sigmoid_table(%x: tensor<2x3x!quant.uniform<i8:f32, 0.0625>>) -> tensor<2x3x!quant.uniform<i8:f32, 0.00390625:-128>> {
  %d = qnn.dequantize %x : (tensor<2x3x!quant.uniform<i8:f32, 0.0625>>) -> tensor<2x3xf32>
  %s = qnn.sigmoid %d : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %y = qnn.quantize %s : (tensor<2x3xf32>) -> tensor<2x3x!quant.uniform<i8:f32, 0.00390625:-128>>
  return %y : tensor<2x3x!quant.uniform<i8:f32, 0.00390625:-128>>
}

// -----

// Quantized data movement and concat with shared parameters only retype to
// the storage integers.
// CHECK-LABEL: func @retyped_movement
// CHECK: %[[S:.*]] = tensor.extract_slice %arg0[0, 2] [2, 2] [1, 1] : tensor<2x8xi8> to tensor<2x2xi8>
// CHECK: %[[C:.*]] = qnn.concat %[[S]], %arg1 {axis = 1 : i64} : (tensor<2x2xi8>, tensor<2x4xi8>) -> tensor<2x6xi8>
// CHECK: tensor.collapse_shape %[[C]] {{.*}} : tensor<2x6xi8> into tensor<12xi8>
func.func @retyped_movement(%x: tensor<2x8x!quant.uniform<i8:f32, 0.5>>, %y: tensor<2x4x!quant.uniform<i8:f32, 0.5>>) -> tensor<12x!quant.uniform<i8:f32, 0.5>> {
  %s = tensor.extract_slice %x[0, 2] [2, 2] [1, 1] : tensor<2x8x!quant.uniform<i8:f32, 0.5>> to tensor<2x2x!quant.uniform<i8:f32, 0.5>>
  %c = qnn.concat %s, %y {axis = 1 : i64} : (tensor<2x2x!quant.uniform<i8:f32, 0.5>>, tensor<2x4x!quant.uniform<i8:f32, 0.5>>) -> tensor<2x6x!quant.uniform<i8:f32, 0.5>>
  %f = tensor.collapse_shape %c [[0, 1]] : tensor<2x6x!quant.uniform<i8:f32, 0.5>> into tensor<12x!quant.uniform<i8:f32, 0.5>>
  return %f : tensor<12x!quant.uniform<i8:f32, 0.5>>
}

// -----

// A selecting generic on quantized tensors takes the storage types, body
// included.
// CHECK-LABEL: func @selection
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<4xi8>)
// CHECK: ^bb0(%{{.*}}: i8):
// CHECK: tensor.extract %arg0[%{{.*}}, %{{.*}}] : tensor<3x4xi8>
// CHECK: linalg.yield %{{.*}} : i8
#sel = affine_map<(d0) -> (d0)>
func.func @selection(%x: tensor<3x4x!quant.uniform<i8:f32, 0.5>>) -> tensor<4x!quant.uniform<i8:f32, 0.5>> {
  %e = tensor.empty() : tensor<4x!quant.uniform<i8:f32, 0.5>>
  %g = linalg.generic {indexing_maps = [#sel], iterator_types = ["parallel"]} outs(%e : tensor<4x!quant.uniform<i8:f32, 0.5>>) {
  ^bb0(%out: !quant.uniform<i8:f32, 0.5>):
    %i = linalg.index 0 : index
    %c1 = arith.constant 1 : index
    %v = tensor.extract %x[%c1, %i] : tensor<3x4x!quant.uniform<i8:f32, 0.5>>
    linalg.yield %v : !quant.uniform<i8:f32, 0.5>
  } -> tensor<4x!quant.uniform<i8:f32, 0.5>>
  return %g : tensor<4x!quant.uniform<i8:f32, 0.5>>
}

// -----

// A quantized constant pad pads the stored integers with the constant's
// stored value (0.0 with zero point 3 -> 3).
// CHECK-LABEL: func @quantized_pad
// CHECK: qnn.pad %arg0 {pads = array<i64: 1, 1>, value = 3.000000e+00 : f32} : (tensor<2xi8>) -> tensor<4xi8>
func.func @quantized_pad(%x: tensor<2x!quant.uniform<i8:f32, 0.5:3>>) -> tensor<4x!quant.uniform<i8:f32, 0.5:3>> {
  %p = qnn.pad %x {pads = array<i64: 1, 1>} : (tensor<2x!quant.uniform<i8:f32, 0.5:3>>) -> tensor<4x!quant.uniform<i8:f32, 0.5:3>>
  return %p : tensor<4x!quant.uniform<i8:f32, 0.5:3>>
}
