// RUN: %python -c "import numpy as np; np.save('%t.npy', np.array([[0., 1.], [2., 3.]], np.float32))"
// RUN: qopt %s --split-input-file --round-weights="rounding=nearest bias-correction=false weight-bits=4" | FileCheck %s --check-prefix=NEAREST
// RUN: qopt %s --split-input-file --round-weights="rounding=nearest weight-bits=4 calibration-data=%t.npy" | FileCheck %s --check-prefix=BIAS
// RUN: qopt %s --split-input-file --round-weights="weight-bits=4 calibration-data=%t.npy" | FileCheck %s --check-prefix=LEARNED
// RUN: qopt %s --split-input-file --round-weights="weight-bits=4 calibration-data=%t.npy" --quantize-static="calibration-data=%t.npy weight-bits=4" | FileCheck %s --check-prefix=KEPT

// One row [0.3, 0.1] at 4 bits: scale 0.3 / 7, integers [7, round(2.33) = 2],
// so the second weight shrinks by 0.1 - 2 * 0.3 / 7 = 0.0143. Bias
// correction: the mean input is [1, 2], the expected output error
// 0 * 1 - 0.0143 * 2 = -0.0286, subtracted from the bias 0.5.
// NEAREST-LABEL: func.func @main
// NEAREST: %[[Q:.*]] = qnn.qconst dense<{{\[\[}}7, 2]]> : tensor<1x2xi8> -> tensor<1x2x!quant.uniform<i8<-7:7>:f32, 0.042857{{[0-9]*}}>>
// NEAREST: %[[W:.*]] = qnn.dequantize %[[Q]]
// NEAREST: qnn.fully_connected %arg0, %[[W]], %{{.*}}
// BIAS: arith.constant dense<0.528571{{[0-9]*}}> : tensor<1xf32>
// BIAS: qnn.qconst dense<{{\[\[}}7, 2]]>
// The learned rounding picks its own scale and integers; quantize-static
// then keeps them (no float weight is left).
// LEARNED: qnn.qconst {{.*}}!quant.uniform<i8<-7:7>:f32
// LEARNED: qnn.dequantize
// KEPT-NOT: arith.constant {{.*}}tensor<1x2xf32>
// KEPT: qnn.fully_connected {{.*}}!quant.uniform<i8<-7:7>:f32
func.func @main(%x: tensor<?x2xf32>) -> tensor<?x1xf32> {
  %w = arith.constant dense<[[0.3, 0.1]]> : tensor<1x2xf32>
  %b = arith.constant dense<[0.5]> : tensor<1xf32>
  %y = qnn.fully_connected %x, %w, %b : (tensor<?x2xf32>, tensor<1x2xf32>, tensor<1xf32>) -> tensor<?x1xf32>
  return %y : tensor<?x1xf32>
}

