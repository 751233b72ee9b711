// Two 1 KiB-ish inputs make a 1 GiB intermediate and a 2 GiB concatenation
// (materialized), reduced to 2 numbers: for allocation-failure tests.
func.func @main(%a: tensor<1x1x16384x1xf32>, %b: tensor<1x1x1x16384xf32>) -> tensor<1x2x1x1xf32> {
  %s = qnn.add %a, %b : (tensor<1x1x16384x1xf32>, tensor<1x1x1x16384xf32>) -> tensor<1x1x16384x16384xf32>
  %c = qnn.concat %s, %s {axis = 1 : i64} : (tensor<1x1x16384x16384xf32>, tensor<1x1x16384x16384xf32>) -> tensor<1x2x16384x16384xf32>
  %p = qnn.global_avg_pool2d %c : (tensor<1x2x16384x16384xf32>) -> tensor<1x2x1x1xf32>
  return %p : tensor<1x2x1x1xf32>
}
