// exp, tanh, log, erf and a sigmoid (1 / (1 + exp(-x))) elementwise on a
// vector-sized tensor, one generic each: tiled and vectorized, so the
// polynomial approximations run.
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @main(%x: tensor<1x4096xf32>) -> (tensor<1x4096xf32>, tensor<1x4096xf32>, tensor<1x4096xf32>, tensor<1x4096xf32>, tensor<1x4096xf32>) {
  %e = tensor.empty() : tensor<1x4096xf32>
  %exp = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<1x4096xf32>) outs(%e : tensor<1x4096xf32>) {
    ^bb0(%a: f32, %o: f32):
      %r = math.exp %a : f32
      linalg.yield %r : f32
  } -> tensor<1x4096xf32>
  %tanh = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<1x4096xf32>) outs(%e : tensor<1x4096xf32>) {
    ^bb0(%a: f32, %o: f32):
      %r = math.tanh %a : f32
      linalg.yield %r : f32
  } -> tensor<1x4096xf32>
  %log = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<1x4096xf32>) outs(%e : tensor<1x4096xf32>) {
    ^bb0(%a: f32, %o: f32):
      %b = math.absf %a : f32
      %r = math.log %b : f32
      linalg.yield %r : f32
  } -> tensor<1x4096xf32>
  %erf = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<1x4096xf32>) outs(%e : tensor<1x4096xf32>) {
    ^bb0(%a: f32, %o: f32):
      %r = math.erf %a : f32
      linalg.yield %r : f32
  } -> tensor<1x4096xf32>
  %sig = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<1x4096xf32>) outs(%e : tensor<1x4096xf32>) {
    ^bb0(%a: f32, %o: f32):
      %n = arith.negf %a : f32
      %en = math.exp %n : f32
      %one = arith.constant 1.0 : f32
      %d = arith.addf %one, %en : f32
      %r = arith.divf %one, %d : f32
      linalg.yield %r : f32
  } -> tensor<1x4096xf32>
  return %exp, %tanh, %log, %erf, %sig : tensor<1x4096xf32>, tensor<1x4096xf32>, tensor<1x4096xf32>, tensor<1x4096xf32>, tensor<1x4096xf32>
}
