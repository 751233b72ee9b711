// RUN: qopt %s --split-input-file --quantize-static=config=%S/Inputs/activation-bits.json | FileCheck %s
// RUN: not qopt %s --split-input-file --quantize-static=config=%S/Inputs/bad-activation-bits.json 2>&1 | FileCheck %s --check-prefix=BITS
// RUN: qopt %s --split-input-file --quantize-static=config=%S/Inputs/activation-bits-input.json | FileCheck %s --check-prefix=INPUT16
// RUN: qopt %s --split-input-file --quantize-static=config=%S/Inputs/keep-float-input.json | FileCheck %s --check-prefix=INPUTFLOAT

// A per-layer config raises fc1's result to 16-bit activations: symmetric
// int16 over the whole observed range [-4, 6] (6 / 32767), not the clipped
// [-1, 1] an 8-bit method chose; fc2 keeps int8 over its chosen range, and
// reads the 16-bit tensor directly.
// CHECK-LABEL: func @mlp
// CHECK: %[[H:.*]] = qnn.fully_connected %{{.*}}, %{{.*}} : (tensor<1x2x!quant.uniform<i8:f32, {{.*}}>>, tensor<2x2x!quant.uniform<i8<-127:127>:f32:0, {{.*}}>>) -> tensor<1x2x!quant.uniform<i16:f32, 1.8311105685598315E-4>>
// CHECK: %[[Y:.*]] = qnn.fully_connected %[[H]], %{{.*}} : (tensor<1x2x!quant.uniform<i16:f32, 1.8311105685598315E-4>>, {{.*}}) -> tensor<1x2x!quant.uniform<i8:f32, 0.039215686274509803>>
// CHECK-NOT: qnn.activation_bits
// A model input is addressed by its name (its observer's): 16 bits over
// [-1, 1] (1 / 32767), or kept float (fc1 then computes in float).
// INPUT16: qnn.quantize %arg0 : (tensor<1x2xf32>) -> tensor<1x2x!quant.uniform<i16:f32, 3.0518509475997192E-5>>
// INPUTFLOAT: qnn.fully_connected %arg0, %{{.*}} : (tensor<1x2xf32>, tensor<2x2xf32>) -> tensor<1x2xf32>
// INPUTFLOAT-NOT: qnn.quantize %arg0
// BITS: error: quantize-static: config '{{.*}}bad-activation-bits.json': layers[0].activation_bits must be 8 or 16
func.func @mlp(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %w1 = arith.constant dense<[[0.5, -0.3], [0.1, 0.0]]> : tensor<2x2xf32>
  %w2 = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %i = qnn.observer %x {id = 0 : i64, name = "input", min = -1.0 : f64, max = 1.0 : f64} : tensor<1x2xf32>
  %h = qnn.fully_connected %i, %w1 : (tensor<1x2xf32>, tensor<2x2xf32>) -> tensor<1x2xf32>
  %oh = qnn.observer %h {id = 1 : i64, name = "fc1", min = -1.0 : f64, max = 1.0 : f64, observed_min = -4.0 : f64, observed_max = 6.0 : f64} : tensor<1x2xf32>
  %y = qnn.fully_connected %oh, %w2 : (tensor<1x2xf32>, tensor<2x2xf32>) -> tensor<1x2xf32>
  %oy = qnn.observer %y {id = 2 : i64, name = "fc2", min = -5.0 : f64, max = 5.0 : f64} : tensor<1x2xf32>
  return %oy : tensor<1x2xf32>
}
