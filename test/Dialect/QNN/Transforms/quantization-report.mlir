// RUN: qopt %s --quantization-report=json=%t.json -o /dev/null 2>&1 | FileCheck %s
// RUN: FileCheck %s --check-prefix=JSON < %t.json
// RUN: not qopt %s --quantization-report=json=%t.missing/dir/r.json -o /dev/null 2>&1 | FileCheck %s --check-prefix=ERR

// Bytes: conv 8-bit weights 2*1*3*3 = 18 B + int32 bias 2*4 = 8 B against
// (18 + 2) * 4 = 80 B as float; 4-bit fc weights 4*8 = 32 elements = 16 B;
// a float fc counts the same on both sides (3*4 + 3 = 15 elements, 60 B).
// CHECK: layer weights bits float B quant B
// CHECK-NEXT: conv 18 8 80 26
// CHECK-NEXT: fc4 32 4 128 16
// CHECK-NEXT: fc_float 12 32 60 60
// CHECK-NEXT: total 268 102  (2.63x smaller)

// JSON: "compression": 2.627
// JSON: "name": "conv"
// JSON: "quantized_bytes": 26
// JSON: "weight_bits": 4
// JSON: "total_float_bytes": 268
// JSON: "total_quantized_bytes": 102

// ERR: error: cannot write the quantization report: cannot write '{{.*}}r.json'

!qx = !quant.uniform<i8:f32, 0.5>
!qw = !quant.uniform<i8<-127:127>:f32:0, {0.25, 0.125}>
!qb = !quant.uniform<i32:f32:0, {0.125, 0.0625}>
!qw4 = !quant.uniform<i8<-7:7>:f32, 0.5>
!qy = !quant.uniform<i8:f32, 1.0>
func.func @model(%x: tensor<1x1x3x3x!qx>, %f: tensor<1x8x!qx>, %g: tensor<1x4xf32>) -> (tensor<1x2x1x1x!qy>, tensor<1x4x!qy>, tensor<1x3xf32>) {
  %w = qnn.qconst dense<1> : tensor<2x1x3x3xi8> -> tensor<2x1x3x3x!qw>
  %b = qnn.qconst dense<[8, -8]> : tensor<2xi32> -> tensor<2x!qb>
  %y = qnn.conv2d %x, %w, %b : (tensor<1x1x3x3x!qx>, tensor<2x1x3x3x!qw>, tensor<2x!qb>) -> tensor<1x2x1x1x!qy> loc("conv")
  %w4 = qnn.qconst dense<1> : tensor<4x8xi8> -> tensor<4x8x!qw4>
  %z = qnn.fully_connected %f, %w4 : (tensor<1x8x!qx>, tensor<4x8x!qw4>) -> tensor<1x4x!qy> loc("fc4")
  %wf = arith.constant dense<1.0> : tensor<3x4xf32>
  %bf = arith.constant dense<0.0> : tensor<3xf32>
  %v = qnn.fully_connected %g, %wf, %bf : (tensor<1x4xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<1x3xf32> loc("fc_float")
  return %y, %z, %v : tensor<1x2x1x1x!qy>, tensor<1x4x!qy>, tensor<1x3xf32>
}
