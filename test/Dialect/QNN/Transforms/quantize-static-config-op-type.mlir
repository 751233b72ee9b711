// RUN: qopt %s --quantize-static=config=%S/Inputs/op-type.json 2>%t.err | FileCheck %s
// RUN: FileCheck %s --check-prefix=WARN < %t.err
// RUN: qopt %s --quantize-static=config=%S/Inputs/op-type.json --form-lookup-tables 2>/dev/null | FileCheck %s --check-prefix=TABLE
// RUN: qopt %s --quantize-static --form-lookup-tables | FileCheck %s --check-prefix=NOCONFIG

// Per-layer config entries match by ONNX op type (the importer's
// onnx.op_types table, by node name) whatever the node became: here a
// HardSwish that the importer built as a float linalg.generic, feeding a
// quantized fully_connected. keep_float
// on such an island keeps it float: it keeps the mark, and lookup-table
// formation does not tabulate it. An entry that matches nothing warns with
// the nearest op types or names.
// CHECK-LABEL: func @islands
// CHECK: linalg.generic {{.*}} attrs = {qnn.keep_float}
// CHECK: qnn.fully_connected
// WARN: warning: quantize-static: config entry with op_type 'Relu' matches no op; op types in the model: '{{Gemm|HardSwish}}', '{{Gemm|HardSwish}}'
// WARN: warning: quantize-static: config entry 'sigmod' matches no op; nearest names: 'input', 'act', 'fc'
// The kept island is not tabulated; without the config it is.
// TABLE-LABEL: func @islands
// TABLE: linalg.generic {{.*}} attrs = {qnn.keep_float}
// TABLE-NOT: qnn.lookup_table
// NOCONFIG-LABEL: func @islands
// NOCONFIG: qnn.lookup_table
// NOCONFIG-NOT: linalg.generic
#id = affine_map<(d0, d1) -> (d0, d1)>
module attributes {onnx.op_types = {act = "HardSwish", fc = "Gemm", conv = "Conv"}} {
func.func @islands(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %sixth = arith.constant 0.166666672 : f32
  %half = arith.constant 5.000000e-01 : f32
  %zero = arith.constant 0.000000e+00 : f32
  %one = arith.constant 1.000000e+00 : f32
  %i = qnn.observer %x {id = 0 : i64, name = "input", min = -4.0 : f64, max = 4.0 : f64} : tensor<1x4xf32>
  %e = tensor.empty() : tensor<1x4xf32>
  %h = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%i : tensor<1x4xf32>) outs(%e : tensor<1x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.mulf %in, %sixth : f32
    %1 = arith.addf %0, %half : f32
    %2 = arith.maximumf %1, %zero : f32
    %3 = arith.minimumf %2, %one : f32
    %4 = arith.mulf %in, %3 : f32
    linalg.yield %4 : f32
  } -> tensor<1x4xf32> loc("act")
  %oh = qnn.observer %h {id = 1 : i64, name = "act", min = -0.5 : f64, max = 4.0 : f64} : tensor<1x4xf32>
  %w = arith.constant dense<0.5> : tensor<4x4xf32>
  %s = qnn.fully_connected %oh, %w : (tensor<1x4xf32>, tensor<4x4xf32>) -> tensor<1x4xf32> loc("fc")
  %os = qnn.observer %s {id = 2 : i64, name = "fc", min = -8.0 : f64, max = 8.0 : f64} : tensor<1x4xf32>
  return %os : tensor<1x4xf32>
}
}
