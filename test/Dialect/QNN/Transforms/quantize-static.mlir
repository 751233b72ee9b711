// RUN: qopt %s --quantize-static --split-input-file | FileCheck %s
// RUN: qopt %s --quantize-static=activation-type=uint8 --split-input-file | FileCheck %s --check-prefix=U8
// RUN: qopt %s --quantize-static=per-channel=false --split-input-file | FileCheck %s --check-prefix=PT
// RUN: qopt %s --quantize-static=weight-bits=4 --split-input-file | FileCheck %s --check-prefix=W4
// RUN: qopt %s --quantize-static=activation-type=int16 --split-input-file | FileCheck %s --check-prefix=I16

// Input [0, 1] -> int8 scale 1/255, zero point -128. Weights per channel:
// max |w| = 2 and 0.5 -> scales 2/127 and 0.5/127; bias 1 / (s_x * s_w).
// Output [-2, 2] -> scale 4/255, zero point 0 (round(-128 + 127.5) = 0).
// 4-bit weights: scales 2/7 and 0.5/7, integers in [-7, 7] (-3.5 -> -4,
// half to even); the bias follows the wider weight scale.
// W4-LABEL: func @fc
// W4-DAG: qnn.qconst dense<[893, 0]> : tensor<2xi32>
// W4-DAG: qnn.qconst dense<{{\[\[}}7, -4], [7, 7]]> : tensor<2x2xi8> -> tensor<2x2x!quant.uniform<i8<-7:7>:f32:0, {0.2857142857142857,0.071428571428571425}>>
// CHECK-LABEL: func @fc
// CHECK-DAG: %[[B:.*]] = qnn.qconst dense<[16192, 0]> : tensor<2xi32>
// CHECK-DAG: %[[W:.*]] = qnn.qconst dense<{{\[\[}}127, -64], [127, 127]]> : tensor<2x2xi8> -> tensor<2x2x!quant.uniform<i8<-127:127>:f32:0, {0.015748031496062992,0.00393700787401574{{[0-9]*}}}>>
// CHECK-DAG: %[[Q:.*]] = qnn.quantize %arg0 : (tensor<1x2xf32>) -> tensor<1x2x!quant.uniform<i8:f32, 0.0039215686274509803:-128>>
// CHECK: %[[Y:.*]] = qnn.fully_connected %[[Q]], %[[W]], %[[B]] {fused_activation = #qnn.activation<relu>} {{.*}} -> tensor<1x2x!quant.uniform<i8:f32, 0.015686274509803921>>
// CHECK: qnn.dequantize %[[Y]]
// CHECK-NOT: qnn.observer
// U8: qnn.quantize %arg0 : (tensor<1x2xf32>) -> tensor<1x2x!quant.uniform<u8:f32, 0.0039215686274509803>>
// PT: tensor<2x2x!quant.uniform<i8<-127:127>:f32, 0.015748031496062992>>
// 16x8: symmetric int16 activations (zero point 0, scale max|range| / 32767),
// int8 weights as before; bias 1 / (s_x * s_w) = 32767 * 63.5 = 2080704.5,
// rounded half to even.
// I16-LABEL: func @fc
// I16-DAG: qnn.qconst dense<[2080704, 0]> : tensor<2xi32>
// I16-DAG: qnn.qconst dense<{{\[\[}}127, -64], [127, 127]]> : tensor<2x2xi8>
// I16-DAG: qnn.quantize %arg0 : (tensor<1x2xf32>) -> tensor<1x2x!quant.uniform<i16:f32, 3.0518509475997192E-5>>
// I16: qnn.fully_connected {{.*}} -> tensor<1x2x!quant.uniform<i16:f32, 6.1037018951994385E-5>>
func.func @fc(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %w = arith.constant dense<[[2.0, -1.0], [0.5, 0.5]]> : tensor<2x2xf32>
  %b = arith.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %i = qnn.observer %x {id = 0 : i64, min = 0.0 : f64, max = 1.0 : f64} : tensor<1x2xf32>
  %y = qnn.fully_connected %i, %w, %b {fused_activation = #qnn.activation<relu>} : (tensor<1x2xf32>, tensor<2x2xf32>, tensor<2xf32>) -> tensor<1x2xf32>
  %o = qnn.observer %y {id = 1 : i64, min = -2.0 : f64, max = 2.0 : f64} : tensor<1x2xf32>
  return %o : tensor<1x2xf32>
}

// -----

// Max pool and flatten keep the quantized parameters; the second observer's
// parameters differ, so a requantize joins them.
// CHECK-LABEL: func @same_scale
// CHECK: %[[Q:.*]] = qnn.quantize %arg0
// CHECK: %[[P:.*]] = qnn.max_pool2d %[[Q]]
// CHECK: %[[F:.*]] = qnn.flatten %[[P]]
// CHECK: %[[R:.*]] = qnn.requantize %[[F]]
// CHECK: qnn.dequantize %[[R]]
func.func @same_scale(%x: tensor<1x1x2x2xf32>) -> tensor<1x1xf32> {
  %i = qnn.observer %x {id = 0 : i64, min = -1.0 : f64, max = 1.0 : f64} : tensor<1x1x2x2xf32>
  %p = qnn.max_pool2d %i {kernel = array<i64: 2, 2>} : (tensor<1x1x2x2xf32>) -> tensor<1x1x1x1xf32>
  %f = qnn.flatten %p : (tensor<1x1x1x1xf32>) -> tensor<1x1xf32>
  %o = qnn.observer %f {id = 1 : i64, min = 0.0 : f64, max = 1.0 : f64} : tensor<1x1xf32>
  return %o : tensor<1x1xf32>
}

// -----

// Without an integer kernel (softmax) the op stays float between the
// dequantize of its quantized input and the quantize its quantized user
// needs. Quantize / dequantize pairs that no integer op reads (the
// function's input into softmax, softmax's output returned) would only
// round: there are none.
// CHECK-LABEL: func @float_island
// CHECK-NEXT: %[[S:.*]] = qnn.softmax %arg0 : (tensor<1x4xf32>) -> tensor<1x4xf32>
// CHECK-NEXT: %[[Q:.*]] = qnn.quantize %[[S]]
// CHECK-NEXT: %[[R:.*]] = qnn.reshape %[[Q]]
// CHECK-NEXT: %[[M:.*]] = qnn.max_pool2d %[[R]]
// CHECK-NEXT: %[[D:.*]] = qnn.dequantize %[[M]]
// CHECK-NEXT: return %[[S]], %[[D]]
func.func @float_island(%x: tensor<1x4xf32>) -> (tensor<1x4xf32>, tensor<1x1x1x2xf32>) {
  %i = qnn.observer %x {id = 0 : i64, min = -1.0 : f64, max = 1.0 : f64} : tensor<1x4xf32>
  %s = qnn.softmax %i : (tensor<1x4xf32>) -> tensor<1x4xf32>
  %o = qnn.observer %s {id = 1 : i64, min = 0.0 : f64, max = 1.0 : f64} : tensor<1x4xf32>
  %r = qnn.reshape %o : (tensor<1x4xf32>) -> tensor<1x1x2x2xf32>
  %m = qnn.max_pool2d %r {kernel = array<i64: 2, 1>} : (tensor<1x1x2x2xf32>) -> tensor<1x1x1x2xf32>
  return %s, %m : tensor<1x4xf32>, tensor<1x1x1x2xf32>
}

// -----

// Attention's two matmuls multiply activations: both operands quantized
// (per tensor), no weight to quantize. A matmul of an activation and a
// constant stays a weighted matmul.
// CHECK-LABEL: func @attention_scores
// CHECK-DAG: %[[Q:.*]] = qnn.quantize %arg0 : (tensor<2x4x8xf32>) -> tensor<2x4x8x!quant.uniform<i8:f32, 0.0078431372549019607>>
// CHECK-DAG: %[[K:.*]] = qnn.quantize %arg1 : (tensor<2x8x4xf32>) -> tensor<2x8x4x!quant.uniform<i8:f32, 0.015686274509803921>>
// CHECK: %[[S:.*]] = qnn.matmul %[[Q]], %[[K]] : (tensor<2x4x8x!quant.uniform<i8:f32, 0.0078431372549019607>>, tensor<2x8x4x!quant.uniform<i8:f32, 0.015686274509803921>>) -> tensor<2x4x4x!quant.uniform<i8:f32, 0.062745098039215685>>
// CHECK: qnn.dequantize %[[S]]
func.func @attention_scores(%q: tensor<2x4x8xf32>, %k: tensor<2x8x4xf32>) -> tensor<2x4x4xf32> {
  %a = qnn.observer %q {id = 0 : i64, min = -1.0 : f64, max = 1.0 : f64} : tensor<2x4x8xf32>
  %b = qnn.observer %k {id = 1 : i64, min = -2.0 : f64, max = 2.0 : f64} : tensor<2x8x4xf32>
  %s = qnn.matmul %a, %b : (tensor<2x4x8xf32>, tensor<2x8x4xf32>) -> tensor<2x4x4xf32>
  %o = qnn.observer %s {id = 2 : i64, min = -8.0 : f64, max = 8.0 : f64} : tensor<2x4x4xf32>
  return %o : tensor<2x4x4xf32>
}

// -----

// Upstream data movement (the importer's Slice, Unsqueeze: external models
// of DataMovementOpInterface) keeps its operand's parameters; concat brings
// each operand to the result's parameters, then concatenates the stored
// integers.
// CHECK-LABEL: func @data_movement
// CHECK: %[[X:.*]] = qnn.quantize %arg0 : (tensor<2x8xf32>) -> tensor<2x8x!quant.uniform<i8:f32, 0.0078431372549019607>>
// CHECK: %[[Y:.*]] = qnn.quantize %arg1
// CHECK: %[[S:.*]] = tensor.extract_slice %[[X]][0, 2] [2, 2] [1, 1] : tensor<2x8x!quant.uniform<i8:f32, 0.0078431372549019607>> to tensor<2x2x!quant.uniform<i8:f32, 0.0078431372549019607>>
// CHECK: %[[R:.*]] = qnn.requantize %[[S]] : {{.*}} -> tensor<2x2x!quant.uniform<i8:f32, 0.015686274509803921>>
// CHECK: %[[C:.*]] = qnn.concat %[[R]], %[[Y]] {axis = 1 : i64} : {{.*}} -> tensor<2x6x!quant.uniform<i8:f32, 0.015686274509803921>>
// CHECK: %[[E:.*]] = tensor.expand_shape %[[C]] {{.*}} into tensor<2x3x2x!quant.uniform<i8:f32, 0.015686274509803921>>
// CHECK: qnn.relu %[[E]]
func.func @data_movement(%x: tensor<2x8xf32>, %y: tensor<2x4xf32>) -> tensor<2x3x2xf32> {
  %ox = qnn.observer %x {id = 0 : i64, min = -1.0 : f64, max = 1.0 : f64} : tensor<2x8xf32>
  %oy = qnn.observer %y {id = 1 : i64, min = -2.0 : f64, max = 2.0 : f64} : tensor<2x4xf32>
  %s = tensor.extract_slice %ox[0, 2] [2, 2] [1, 1] : tensor<2x8xf32> to tensor<2x2xf32>
  %c = qnn.concat %s, %oy {axis = 1 : i64} : (tensor<2x2xf32>, tensor<2x4xf32>) -> tensor<2x6xf32>
  %oc = qnn.observer %c {id = 2 : i64, min = -2.0 : f64, max = 2.0 : f64} : tensor<2x6xf32>
  %e = tensor.expand_shape %oc [[0], [1, 2]] output_shape [2, 3, 2] : tensor<2x6xf32> into tensor<2x3x2xf32>
  %r = qnn.relu %e : (tensor<2x3x2xf32>) -> tensor<2x3x2xf32>
  %or = qnn.observer %r {id = 3 : i64, min = 0.0 : f64, max = 2.0 : f64} : tensor<2x3x2xf32>
  return %or : tensor<2x3x2xf32>
}

// -----

// x * sigmoid(x) is a function of one tensor: it is not made an integer mul
// (a lookup table does it in one exact step under --integer-only); the
// sigmoid's own quantize/dequantize, read by no integer op, is removed.
// CHECK-LABEL: func @silu_left_to_a_table
// CHECK: %[[X:.*]] = qnn.dequantize
// CHECK: %[[S:.*]] = qnn.sigmoid %[[X]]
// CHECK-NEXT: %[[M:.*]] = qnn.mul %[[X]], %[[S]] : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
// CHECK-NEXT: qnn.quantize %[[M]]
func.func @silu_left_to_a_table(%x: tensor<4xf32>) -> tensor<4xf32> {
  %ox = qnn.observer %x {id = 0 : i64, min = -4.0 : f64, max = 4.0 : f64} : tensor<4xf32>
  %s = qnn.sigmoid %ox : (tensor<4xf32>) -> tensor<4xf32>
  %os = qnn.observer %s {id = 1 : i64, min = 0.0 : f64, max = 1.0 : f64} : tensor<4xf32>
  %m = qnn.mul %ox, %os : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %om = qnn.observer %m {id = 2 : i64, min = -0.3 : f64, max = 4.0 : f64} : tensor<4xf32>
  %r = qnn.reshape %om : (tensor<4xf32>) -> tensor<1x1x2x2xf32>
  %p = qnn.max_pool2d %r {kernel = array<i64: 2, 1>} : (tensor<1x1x2x2xf32>) -> tensor<1x1x1x2xf32>
  %f = qnn.reshape %p : (tensor<1x1x1x2xf32>) -> tensor<2xf32>
  %e = tensor.empty() : tensor<4xf32>
  %c = qnn.concat %f, %f {axis = 0 : i64} : (tensor<2xf32>, tensor<2xf32>) -> tensor<4xf32>
  return %c : tensor<4xf32>
}

// -----

// A gather as the importer writes it (a linalg.generic whose elements are
// extracted from one dequantized tensor) selects stored values: it runs on
// the int8 tensor, keeps its parameters, and the matmul after it gets an
// int8 operand without a requantization.
// CHECK-LABEL: func @gather_selects
// CHECK: %[[Q:.*]] = qnn.quantize %arg0 : (tensor<3x4xf32>) -> tensor<3x4x!quant.uniform<i8:f32, 0.0078431372549019607>>
// CHECK: %[[G:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<4x!quant.uniform<i8:f32, 0.0078431372549019607>>)
// CHECK: tensor.extract %[[Q]][%{{.*}}, %{{.*}}] : tensor<3x4x!quant.uniform<i8:f32, 0.0078431372549019607>>
// CHECK: -> tensor<4x!quant.uniform<i8:f32, 0.0078431372549019607>>
// CHECK: qnn.reshape %[[G]]
// CHECK-NOT: qnn.requantize
#g = affine_map<(d0) -> (d0)>
func.func @gather_selects(%x: tensor<3x4xf32>) -> tensor<1x2xf32> {
  %ox = qnn.observer %x {id = 0 : i64, min = -1.0 : f64, max = 1.0 : f64} : tensor<3x4xf32>
  %e = tensor.empty() : tensor<4xf32>
  %g = linalg.generic {indexing_maps = [#g], iterator_types = ["parallel"]} outs(%e : tensor<4xf32>) {
  ^bb0(%out: f32):
    %i = linalg.index 0 : index
    %c1 = arith.constant 1 : index
    %v = tensor.extract %ox[%c1, %i] : tensor<3x4xf32>
    linalg.yield %v : f32
  } -> tensor<4xf32>
  %r = qnn.reshape %g : (tensor<4xf32>) -> tensor<1x4xf32>
  %w = arith.constant dense<0.5> : tensor<4x2xf32>
  %m = qnn.matmul %r, %w : (tensor<1x4xf32>, tensor<4x2xf32>) -> tensor<1x2xf32>
  %om = qnn.observer %m {id = 1 : i64, min = -1.0 : f64, max = 1.0 : f64} : tensor<1x2xf32>
  return %om : tensor<1x2xf32>
}

// -----

// Zero padding is data movement on the stored integers (0 is the zero
// point); a constant the parameters cannot represent keeps the pad float.
// CHECK-LABEL: func @pads
// CHECK: %[[Q:.*]] = qnn.quantize %arg0
// CHECK: qnn.pad %[[Q]] {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>} : (tensor<1x1x2x2x!quant.uniform<i8:f32, 0.0078431372549019607>>) -> tensor<1x1x4x4x!quant.uniform<i8:f32, 0.0078431372549019607>>
// CHECK: qnn.pad %{{.*}} {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>, value = 1.000000e-03 : f32} : (tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32>
func.func @pads(%x: tensor<1x1x2x2xf32>) -> (tensor<1x1x4x4xf32>, tensor<1x1x4x4xf32>) {
  %ox = qnn.observer %x {id = 0 : i64, min = -1.0 : f64, max = 1.0 : f64} : tensor<1x1x2x2xf32>
  %p = qnn.pad %ox {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>} : (tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32>
  %op = qnn.observer %p {id = 1 : i64, min = -1.0 : f64, max = 1.0 : f64} : tensor<1x1x4x4xf32>
  %p2 = qnn.pad %ox {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>, value = 0.001 : f32} : (tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32>
  %op2 = qnn.observer %p2 {id = 2 : i64, min = -1.0 : f64, max = 1.0 : f64} : tensor<1x1x4x4xf32>
  return %op, %op2 : tensor<1x1x4x4xf32>, tensor<1x1x4x4xf32>
}

// -----

// Expand is an input broadcast by its indexing map: also a selection of
// stored values.
// CHECK-LABEL: func @expand_selects
// CHECK: %[[G:.*]] = linalg.generic {{.*}} ins(%{{.*}} : tensor<1x4x!quant.uniform<i8:f32, 0.0078431372549019607>>) outs(%{{.*}} : tensor<3x4x!quant.uniform<i8:f32, 0.0078431372549019607>>)
// CHECK: qnn.matmul %[[G]], %{{.*}} : (tensor<3x4x!quant.uniform<i8:f32, 0.0078431372549019607>>
#ea = affine_map<(d0, d1) -> (0, d1)>
#eb = affine_map<(d0, d1) -> (d0, d1)>
func.func @expand_selects(%x: tensor<1x4xf32>) -> tensor<3x2xf32> {
  %ox = qnn.observer %x {id = 0 : i64, min = -1.0 : f64, max = 1.0 : f64} : tensor<1x4xf32>
  %e = tensor.empty() : tensor<3x4xf32>
  %g = linalg.generic {indexing_maps = [#ea, #eb], iterator_types = ["parallel", "parallel"]} ins(%ox : tensor<1x4xf32>) outs(%e : tensor<3x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<3x4xf32>
  %w = arith.constant dense<0.5> : tensor<4x2xf32>
  %m = qnn.matmul %g, %w : (tensor<3x4xf32>, tensor<4x2xf32>) -> tensor<3x2xf32>
  %om = qnn.observer %m {id = 1 : i64, min = -1.0 : f64, max = 1.0 : f64} : tensor<3x2xf32>
  return %om : tensor<3x2xf32>
}
