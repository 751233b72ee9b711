// RUN: qopt %s --quantize-static --split-input-file --verify-diagnostics | FileCheck %s
// RUN: qopt %s --quantize-dynamic --split-input-file 2>&1 | FileCheck %s --check-prefix=DYN

// A log-power spectrogram: the power (x * x) summed by a filter bank, then
// a logarithm. 8-bit activations hold 48 dB; a power spans twice its
// amplitude's range, so everything computing the logarithm's operand
// stays float (no quantize before the log), in static and dynamic
// quantization alike (what follows, all float ops here, needs no
// quantization either).
// CHECK-LABEL: func @log_power
// CHECK-NOT: qnn.quantize
// CHECK: math.log
// CHECK-NOT: qnn.quantize
// CHECK: return
// DYN: warning: quantize-dynamic: the 1 weighted ops computing the operand of the logarithm stay float: its operand is a power
// DYN-LABEL: func @log_power
// DYN-NOT: qnn.dynamic_quantize
// DYN: math.log
// DYN-LABEL: func @wide_and_narrow
// DYN: qnn.dynamic_quantize
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @log_power(%x: tensor<2x8xf32>) -> tensor<2x4xf32> {
  %ox = qnn.observer %x {id = 0 : i64, min = -1.0 : f64, max = 1.0 : f64} : tensor<2x8xf32>
  %p = qnn.mul %ox, %ox : (tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  %op = qnn.observer %p {id = 1 : i64, min = 0.0 : f64, max = 1.0 : f64} : tensor<2x8xf32>
  %w = arith.constant dense<0.25> : tensor<8x4xf32>
  %m = qnn.matmul %op, %w : (tensor<2x8xf32>, tensor<8x4xf32>) -> tensor<2x4xf32>
  %om = qnn.observer %m {id = 2 : i64, min = 1.0e-10 : f64, max = 2.0 : f64} : tensor<2x4xf32>
  %e = tensor.empty() : tensor<2x4xf32>
  // expected-warning @+1 {{the operand of the logarithm and the 2 ops computing it stay float: its operand is a power (computed from a square), whose range in dB is twice its amplitude's, and 8-bit activations hold 48 dB}}
  %l = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%om : tensor<2x4xf32>) outs(%e : tensor<2x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %v = math.log %in : f32
    linalg.yield %v : f32
  } -> tensor<2x4xf32>
  %ten = arith.constant dense<10.0> : tensor<f32>
  %db = qnn.mul %l, %ten : (tensor<2x4xf32>, tensor<f32>) -> tensor<2x4xf32>
  %odb = qnn.observer %db {id = 3 : i64, min = -230.0 : f64, max = 7.0 : f64} : tensor<2x4xf32>
  return %odb : tensor<2x4xf32>
}

// -----

// Calibration shows the operand spanning 1e-6 .. 1 (60 dB): float too.
// A logarithm of a narrow operand (LogSoftmax's sum of exponentials,
// 1 .. 10) changes nothing.
// CHECK-LABEL: func @wide_and_narrow
// CHECK: %[[Q:.*]] = qnn.quantize %arg1
// CHECK: qnn.matmul %{{.*}}, %{{.*}} : (tensor<2x8x!quant.uniform
// CHECK-NOT: qnn.quantize %arg0
#id2 = affine_map<(d0, d1) -> (d0, d1)>
func.func @wide_and_narrow(%x: tensor<2x4xf32>, %y: tensor<2x8xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>) {
  %ox = qnn.observer %x {id = 0 : i64, min = 1.0e-6 : f64, max = 1.0 : f64} : tensor<2x4xf32>
  %e = tensor.empty() : tensor<2x4xf32>
  // expected-warning @+1 {{the operand of the logarithm and the 0 ops computing it stay float: its operand spans 60 dB in calibration}}
  %l = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%ox : tensor<2x4xf32>) outs(%e : tensor<2x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %v = math.log %in : f32
    linalg.yield %v : f32
  } -> tensor<2x4xf32>
  %oy = qnn.observer %y {id = 1 : i64, min = -1.0 : f64, max = 1.0 : f64} : tensor<2x8xf32>
  %w = arith.constant dense<0.25> : tensor<8x4xf32>
  %m = qnn.matmul %oy, %w : (tensor<2x8xf32>, tensor<8x4xf32>) -> tensor<2x4xf32>
  %om = qnn.observer %m {id = 2 : i64, min = 1.0 : f64, max = 10.0 : f64} : tensor<2x4xf32>
  %l2 = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%om : tensor<2x4xf32>) outs(%e : tensor<2x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %v = math.log %in : f32
    linalg.yield %v : f32
  } -> tensor<2x4xf32>
  return %l, %l2 : tensor<2x4xf32>, tensor<2x4xf32>
}

// -----

// A magnitude sqrt(re^2 + im^2): 8 bits of power leave about 4 bits of
// magnitude near zero. The ops from the squares to the root stay float;
// the squared values themselves (re, im) stay quantized.
// CHECK-LABEL: func @magnitude
// CHECK: %[[RE:.*]] = qnn.quantize %arg0
// CHECK: %[[DRE:.*]] = qnn.dequantize %[[RE]]
// CHECK: qnn.mul %[[DRE]], %[[DRE]] : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
// CHECK-NOT: qnn.quantize
// CHECK: math.sqrt
// CHECK: qnn.quantize
#v = affine_map<(d0) -> (d0)>
func.func @magnitude(%re: tensor<8xf32>, %im: tensor<8xf32>) -> tensor<8x4xf32> {
  %ore = qnn.observer %re {id = 0 : i64, min = -4.0 : f64, max = 4.0 : f64} : tensor<8xf32>
  %oim = qnn.observer %im {id = 1 : i64, min = -4.0 : f64, max = 4.0 : f64} : tensor<8xf32>
  %r2 = qnn.mul %ore, %ore : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %or2 = qnn.observer %r2 {id = 2 : i64, min = 0.0 : f64, max = 16.0 : f64} : tensor<8xf32>
  %i2 = qnn.mul %oim, %oim : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %oi2 = qnn.observer %i2 {id = 3 : i64, min = 0.0 : f64, max = 16.0 : f64} : tensor<8xf32>
  %p = qnn.add %or2, %oi2 : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %op = qnn.observer %p {id = 4 : i64, min = 0.0 : f64, max = 32.0 : f64} : tensor<8xf32>
  %e = tensor.empty() : tensor<8xf32>
  // expected-warning @+1 {{the operand of the square root and the 3 ops computing it stay float: it is the square root of a power (computed from squares), which 8 bits leave with 4 bits near zero}}
  %m = linalg.generic {indexing_maps = [#v, #v], iterator_types = ["parallel"]} ins(%op : tensor<8xf32>) outs(%e : tensor<8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = math.sqrt %in : f32
    linalg.yield %s : f32
  } -> tensor<8xf32>
  %om = qnn.observer %m {id = 5 : i64, min = 0.0 : f64, max = 5.7 : f64} : tensor<8xf32>
  %x = qnn.reshape %om : (tensor<8xf32>) -> tensor<8x1xf32>
  %w = arith.constant dense<0.5> : tensor<1x4xf32>
  %y = qnn.matmul %x, %w : (tensor<8x1xf32>, tensor<1x4xf32>) -> tensor<8x4xf32>
  %oy = qnn.observer %y {id = 6 : i64, min = 0.0 : f64, max = 3.0 : f64} : tensor<8x4xf32>
  return %oy : tensor<8x4xf32>
}
