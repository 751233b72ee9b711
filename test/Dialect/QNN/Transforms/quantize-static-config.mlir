// RUN: qopt %s --quantize-static=config=%S/Inputs/mixed-precision.json 2>%t.err | FileCheck %s
// RUN: FileCheck %s --check-prefix=WARN < %t.err
// RUN: not qopt %s --quantize-static=config=%t.missing.json 2>&1 | FileCheck %s --check-prefix=MISSING
// RUN: not qopt %s --quantize-static=config=%S/Inputs/bad-json.json 2>&1 | FileCheck %s --check-prefix=JSON
// RUN: not qopt %s --quantize-static=config=%S/Inputs/unknown-key.json 2>&1 | FileCheck %s --check-prefix=KEY
// RUN: not qopt %s --quantize-static=config=%S/Inputs/bad-bits.json 2>&1 | FileCheck %s --check-prefix=BITS
// RUN: not qopt %s --quantize-static=config=%S/Inputs/bad-regex.json 2>&1 | FileCheck %s --check-prefix=REGEX
// RUN: not qopt %s --quantize-static=config=%S/Inputs/no-match.json 2>&1 | FileCheck %s --check-prefix=NOMATCH

// Mixed precision: fc1 gets 4-bit per-tensor weights (max|w| / 7 = 0.5 / 7),
// fc2 stays float, and as its result only leaves the model nothing is
// quantized after it. Names come from the observers (text without locations).
// CHECK-LABEL: func @mlp
// CHECK-DAG: %[[Q:.*]] = qnn.quantize %arg0
// CHECK-DAG: %[[W1:.*]] = qnn.qconst dense<{{\[\[}}7, -4], [1, 0]]> : tensor<2x2xi8> -> tensor<2x2x!quant.uniform<i8<-7:7>:f32, 0.071428571428571425>>
// CHECK: %[[H:.*]] = qnn.fully_connected %[[Q]], %[[W1]]
// CHECK: %[[D:.*]] = qnn.dequantize %[[H]]
// CHECK: %[[Y:.*]] = qnn.fully_connected %[[D]], %{{.*}} : (tensor<1x2xf32>, tensor<2x2xf32>) -> tensor<1x2xf32>
// CHECK-NOT: qnn.quantize
// CHECK: return %[[Y]]
// WARN: warning: quantize-static: config entry 'unused' matches no op
// MISSING: error: quantize-static: config '{{.*}}missing.json': cannot read
// JSON: error: quantize-static: config '{{.*}}bad-json.json': {{.*}}
// KEY: error: quantize-static: config '{{.*}}unknown-key.json': layers[0]: unknown key 'bits' (expected match, op_type, keep_float, weight_bits, activation_bits, per_channel)
// BITS: error: quantize-static: config '{{.*}}bad-bits.json': layers[0].weight_bits must be 4 or 8
// REGEX: error: quantize-static: config '{{.*}}bad-regex.json': layers[0].match 'fc1(': parentheses not balanced
// NOMATCH: error: quantize-static: config '{{.*}}no-match.json': layers[0] has neither a "match" regex nor an "op_type"
func.func @mlp(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %w1 = arith.constant dense<[[0.5, -0.3], [0.1, 0.0]]> : tensor<2x2xf32>
  %w2 = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %i = qnn.observer %x {id = 0 : i64, name = "input", min = -1.0 : f64, max = 1.0 : f64} : tensor<1x2xf32>
  %h = qnn.fully_connected %i, %w1 : (tensor<1x2xf32>, tensor<2x2xf32>) -> tensor<1x2xf32>
  %oh = qnn.observer %h {id = 1 : i64, name = "fc1", min = -1.0 : f64, max = 1.0 : f64} : tensor<1x2xf32>
  %y = qnn.fully_connected %oh, %w2 : (tensor<1x2xf32>, tensor<2x2xf32>) -> tensor<1x2xf32>
  %oy = qnn.observer %y {id = 2 : i64, name = "fc2", min = -5.0 : f64, max = 5.0 : f64} : tensor<1x2xf32>
  return %oy : tensor<1x2xf32>
}
