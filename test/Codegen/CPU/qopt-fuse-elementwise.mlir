// RUN: qopt %s --split-input-file --qopt-fuse-elementwise | FileCheck %s

// The NCHW -> NHWC permutation feeding a dot-product convolution stays a
// separate generic, not fused into the convolution's reduction (where it
// would run once per output channel).
// CHECK-LABEL: func @dot_conv_input
// CHECK: %[[X:.*]] = linalg.generic {{.*}} ins(%arg0 : tensor<1x8x4x4xi8>) outs(%{{.*}} : tensor<1x4x4x8xi8>)
// CHECK:   arith.xori
// CHECK: linalg.generic {{.*}} ins(%[[X]], %arg1 : tensor<1x4x4x8xi8>, tensor<1x1x1x2x16x4xi8>) {{.*}}
#nchw_to_nhwc = affine_map<(n, h, w, c) -> (n, c, h, w)>
#id4 = affine_map<(n, h, w, c) -> (n, h, w, c)>
#xmap = affine_map<(n, oh, ow, f, kh, kw, c, k) -> (n, oh + kh, ow + kw, c * 4 + k)>
#wmap = affine_map<(n, oh, ow, f, kh, kw, c, k) -> (f floordiv 16, kh, kw, c, f mod 16, k)>
#omap = affine_map<(n, oh, ow, f, kh, kw, c, k) -> (n, oh, ow, f)>
func.func @dot_conv_input(%x: tensor<1x8x4x4xi8>, %w: tensor<1x1x1x2x16x4xi8>, %init: tensor<1x4x4x16xi32>) -> tensor<1x4x4x16xi32> {
  %e = tensor.empty() : tensor<1x4x4x8xi8>
  %c128 = arith.constant -128 : i8
  %p = linalg.generic {indexing_maps = [#nchw_to_nhwc, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : tensor<1x8x4x4xi8>) outs(%e : tensor<1x4x4x8xi8>) {
    ^bb0(%a: i8, %o: i8):
      %f = arith.xori %a, %c128 : i8
      linalg.yield %f : i8
  } -> tensor<1x4x4x8xi8>
  %y = linalg.generic {indexing_maps = [#xmap, #wmap, #omap], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "reduction"]}
      ins(%p, %w : tensor<1x4x4x8xi8>, tensor<1x1x1x2x16x4xi8>) outs(%init : tensor<1x4x4x16xi32>) {
    ^bb0(%a: i8, %b: i8, %c: i32):
      %a32 = arith.extui %a : i8 to i32
      %b32 = arith.extsi %b : i8 to i32
      %m = arith.muli %a32, %b32 : i32
      %s = arith.addi %c, %m : i32
      linalg.yield %s : i32
  } -> tensor<1x4x4x16xi32>
  return %y : tensor<1x4x4x16xi32>
}

// -----

// Into a reduction that reads each element once (a permutation using every
// parallel loop) the same producer fuses, as upstream
// linalg-fuse-elementwise-ops does: one generic reads the NCHW input.
// CHECK-LABEL: func @plain_reduction
// CHECK: linalg.generic {{.*}} ins(%arg0 : tensor<1x8x4x4xi8>) outs(%arg1 : tensor<1x4x4xi32>)
// CHECK:   arith.xori
// CHECK-NOT: linalg.generic
#nchw_to_nhwc = affine_map<(n, h, w, c) -> (n, c, h, w)>
#id4 = affine_map<(n, h, w, c) -> (n, h, w, c)>
#rowsum = affine_map<(n, h, w, c) -> (n, h, w)>
func.func @plain_reduction(%x: tensor<1x8x4x4xi8>, %init: tensor<1x4x4xi32>) -> tensor<1x4x4xi32> {
  %e = tensor.empty() : tensor<1x4x4x8xi8>
  %c128 = arith.constant -128 : i8
  %p = linalg.generic {indexing_maps = [#nchw_to_nhwc, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : tensor<1x8x4x4xi8>) outs(%e : tensor<1x4x4x8xi8>) {
    ^bb0(%a: i8, %o: i8):
      %f = arith.xori %a, %c128 : i8
      linalg.yield %f : i8
  } -> tensor<1x4x4x8xi8>
  %y = linalg.generic {indexing_maps = [#id4, #rowsum], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%p : tensor<1x4x4x8xi8>) outs(%init : tensor<1x4x4xi32>) {
    ^bb0(%a: i8, %c: i32):
      %a32 = arith.extui %a : i8 to i32
      %s = arith.addi %c, %a32 : i32
      linalg.yield %s : i32
  } -> tensor<1x4x4xi32>
  return %y : tensor<1x4x4xi32>
}

// -----

// A matrix product reads its activations once per output column: fused,
// the producer would run that many times per element. It stays separate.
// CHECK-LABEL: func @matmul_reduction
// CHECK: %[[P:.*]] = linalg.generic {{.*}} ins(%arg0 : tensor<1x8x4x4xi8>)
// CHECK:   arith.xori
// CHECK: linalg.generic {{.*}} ins(%[[P]], %arg1 : tensor<1x4x4x8xi8>, tensor<1x1x8x16xi8>)
#nchw_to_nhwc = affine_map<(n, h, w, c) -> (n, c, h, w)>
#id4 = affine_map<(n, h, w, c) -> (n, h, w, c)>
#mxmap = affine_map<(n, oh, ow, f, kh, kw, c) -> (n, oh, ow, c)>
#mwmap = affine_map<(n, oh, ow, f, kh, kw, c) -> (kh, kw, c, f)>
#momap = affine_map<(n, oh, ow, f, kh, kw, c) -> (n, oh, ow, f)>
func.func @matmul_reduction(%x: tensor<1x8x4x4xi8>, %w: tensor<1x1x8x16xi8>, %init: tensor<1x4x4x16xi32>) -> tensor<1x4x4x16xi32> {
  %e = tensor.empty() : tensor<1x4x4x8xi8>
  %c128 = arith.constant -128 : i8
  %p = linalg.generic {indexing_maps = [#nchw_to_nhwc, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : tensor<1x8x4x4xi8>) outs(%e : tensor<1x4x4x8xi8>) {
    ^bb0(%a: i8, %o: i8):
      %f = arith.xori %a, %c128 : i8
      linalg.yield %f : i8
  } -> tensor<1x4x4x8xi8>
  %y = linalg.generic {indexing_maps = [#mxmap, #mwmap, #momap], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%p, %w : tensor<1x4x4x8xi8>, tensor<1x1x8x16xi8>) outs(%init : tensor<1x4x4x16xi32>) {
    ^bb0(%a: i8, %b: i8, %c: i32):
      %a32 = arith.extui %a : i8 to i32
      %b32 = arith.extsi %b : i8 to i32
      %m = arith.muli %a32, %b32 : i32
      %s = arith.addi %c, %m : i32
      linalg.yield %s : i32
  } -> tensor<1x4x4x16xi32>
  return %y : tensor<1x4x4x16xi32>
}

// -----

// A window reduction (kernel positions oh + kh) would recompute a fused
// producer once per window covering each element: it is not fused.
// CHECK-LABEL: func @window_reduction
// CHECK: %[[P:.*]] = linalg.generic {{.*}} ins(%arg0 : tensor<1x8x4x4xi8>)
// CHECK:   arith.xori
// CHECK: linalg.generic {{.*}} ins(%[[P]], %arg1 : tensor<1x4x4x8xi8>, tensor<1x1x8x16xi8>)
#nchw_to_nhwc = affine_map<(n, h, w, c) -> (n, c, h, w)>
#id4 = affine_map<(n, h, w, c) -> (n, h, w, c)>
#xmap = affine_map<(n, oh, ow, f, kh, kw, c) -> (n, oh + kh, ow + kw, c)>
#wmap = affine_map<(n, oh, ow, f, kh, kw, c) -> (kh, kw, c, f)>
#omap = affine_map<(n, oh, ow, f, kh, kw, c) -> (n, oh, ow, f)>
func.func @window_reduction(%x: tensor<1x8x4x4xi8>, %w: tensor<1x1x8x16xi8>, %init: tensor<1x4x4x16xi32>) -> tensor<1x4x4x16xi32> {
  %e = tensor.empty() : tensor<1x4x4x8xi8>
  %c128 = arith.constant -128 : i8
  %p = linalg.generic {indexing_maps = [#nchw_to_nhwc, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : tensor<1x8x4x4xi8>) outs(%e : tensor<1x4x4x8xi8>) {
    ^bb0(%a: i8, %o: i8):
      %f = arith.xori %a, %c128 : i8
      linalg.yield %f : i8
  } -> tensor<1x4x4x8xi8>
  %y = linalg.generic {indexing_maps = [#xmap, #wmap, #omap], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%p, %w : tensor<1x4x4x8xi8>, tensor<1x1x8x16xi8>) outs(%init : tensor<1x4x4x16xi32>) {
    ^bb0(%a: i8, %b: i8, %c: i32):
      %a32 = arith.extui %a : i8 to i32
      %b32 = arith.extsi %b : i8 to i32
      %m = arith.muli %a32, %b32 : i32
      %s = arith.addi %c, %m : i32
      linalg.yield %s : i32
  } -> tensor<1x4x4x16xi32>
  return %y : tensor<1x4x4x16xi32>
}

// -----

// A residual addition read both by the next block (through a permutation to
// channels-last) and by the skip connection is computed channels-last: the
// permutation disappears, and the skip connection's consumer reads the sum
// through the inverse permutation folded into its indexing map.
// CHECK-DAG: #[[$ID:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[$TOCF:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d2, d3, d1)>
// CHECK-LABEL: func @residual_channels_last
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}} ins(%arg0, %arg1 : tensor<1x4x4x8xf32>, tensor<1x4x4x8xf32>) outs(%{{.*}} : tensor<1x4x4x8xf32>)
// CHECK:   arith.addf
// CHECK: %[[SKIP:.*]] = linalg.generic {indexing_maps = [#[[$TOCF]], #[[$ID]]]{{.*}} ins(%[[SUM]] : tensor<1x4x4x8xf32>) outs(%{{.*}} : tensor<1x8x4x4xf32>)
// CHECK:   math.tanh
// CHECK: return %[[SUM]], %[[SKIP]]
#to_cf = affine_map<(n, c, h, w) -> (n, h, w, c)>
#to_cl = affine_map<(n, h, w, c) -> (n, c, h, w)>
#id = affine_map<(a, b, c, d) -> (a, b, c, d)>
func.func @residual_channels_last(%a: tensor<1x4x4x8xf32>, %b: tensor<1x4x4x8xf32>) -> (tensor<1x4x4x8xf32>, tensor<1x8x4x4xf32>) {
  %e = tensor.empty() : tensor<1x8x4x4xf32>
  %sum = linalg.generic {indexing_maps = [#to_cf, #to_cf, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%a, %b : tensor<1x4x4x8xf32>, tensor<1x4x4x8xf32>) outs(%e : tensor<1x8x4x4xf32>) {
    ^bb0(%x: f32, %y: f32, %o: f32):
      %s = arith.addf %x, %y : f32
      linalg.yield %s : f32
  } -> tensor<1x8x4x4xf32>
  %e2 = tensor.empty() : tensor<1x4x4x8xf32>
  %next = linalg.generic {indexing_maps = [#to_cl, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%sum : tensor<1x8x4x4xf32>) outs(%e2 : tensor<1x4x4x8xf32>) {
    ^bb0(%x: f32, %o: f32):
      linalg.yield %x : f32
  } -> tensor<1x4x4x8xf32>
  %e3 = tensor.empty() : tensor<1x8x4x4xf32>
  %skip = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%sum : tensor<1x8x4x4xf32>) outs(%e3 : tensor<1x8x4x4xf32>) {
    ^bb0(%x: f32, %o: f32):
      %t = math.tanh %x : f32
      linalg.yield %t : f32
  } -> tensor<1x8x4x4xf32>
  return %next, %skip : tensor<1x4x4x8xf32>, tensor<1x8x4x4xf32>
}

// -----

// The same with an i8 sum whose channels-last user also flips it to u8
// storage (the next dot-product convolution's input): the sum is computed
// channels-last and the flip reads it in place, without a permutation.
// CHECK-DAG: #[[$ID:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[$TOCF:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d2, d3, d1)>
// CHECK-LABEL: func @residual_channels_last_flip
// CHECK: %[[SUM:.*]] = linalg.generic {indexing_maps = [#[[$ID]], #[[$ID]], #[[$ID]]]{{.*}} ins(%arg0, %arg1 : tensor<1x4x4x8xi8>, tensor<1x4x4x8xi8>) outs(%{{.*}} : tensor<1x4x4x8xi8>)
// CHECK:   arith.addi
// CHECK: %[[FLIP:.*]] = linalg.generic {indexing_maps = [#[[$ID]], #[[$ID]]]{{.*}} ins(%[[SUM]] : tensor<1x4x4x8xi8>) outs(%{{.*}} : tensor<1x4x4x8xi8>)
// CHECK:   arith.xori
// CHECK: %[[SKIP:.*]] = linalg.generic {indexing_maps = [#[[$TOCF]], #[[$ID]]]{{.*}} ins(%[[SUM]] : tensor<1x4x4x8xi8>) outs(%{{.*}} : tensor<1x8x4x4xi8>)
// CHECK: return %[[FLIP]], %[[SKIP]]
#to_cf = affine_map<(n, c, h, w) -> (n, h, w, c)>
#to_cl = affine_map<(n, h, w, c) -> (n, c, h, w)>
#id = affine_map<(a, b, c, d) -> (a, b, c, d)>
func.func @residual_channels_last_flip(%a: tensor<1x4x4x8xi8>, %b: tensor<1x4x4x8xi8>) -> (tensor<1x4x4x8xi8>, tensor<1x8x4x4xi8>) {
  %e = tensor.empty() : tensor<1x8x4x4xi8>
  %sum = linalg.generic {indexing_maps = [#to_cf, #to_cf, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%a, %b : tensor<1x4x4x8xi8>, tensor<1x4x4x8xi8>) outs(%e : tensor<1x8x4x4xi8>) {
    ^bb0(%x: i8, %y: i8, %o: i8):
      %s = arith.addi %x, %y : i8
      linalg.yield %s : i8
  } -> tensor<1x8x4x4xi8>
  %e2 = tensor.empty() : tensor<1x4x4x8xi8>
  %next = linalg.generic {indexing_maps = [#to_cl, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%sum : tensor<1x8x4x4xi8>) outs(%e2 : tensor<1x4x4x8xi8>) {
    ^bb0(%x: i8, %o: i8):
      %c = arith.constant -128 : i8
      %u = arith.xori %x, %c : i8
      linalg.yield %u : i8
  } -> tensor<1x4x4x8xi8>
  %e3 = tensor.empty() : tensor<1x8x4x4xi8>
  %skip = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%sum : tensor<1x8x4x4xi8>) outs(%e3 : tensor<1x8x4x4xi8>) {
    ^bb0(%x: i8, %o: i8):
      %c = arith.constant 3 : i8
      %t = arith.muli %x, %c : i8
      linalg.yield %t : i8
  } -> tensor<1x8x4x4xi8>
  return %next, %skip : tensor<1x4x4x8xi8>, tensor<1x8x4x4xi8>
}

// -----

// An activation read by two generics on channels-last loops (a squeeze-and-
// excitation product) and on channels-first loops (its pool), plus a
// non-generic user: computed channels-last, the product reads it through
// the identity, the pool through the permuted map, and the return through
// a permutation back to NCHW.
// CHECK-DAG: #[[$ID:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[$POOL:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d2, d3, d1)>
// CHECK-DAG: #[[$NC:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1)>
// CHECK-LABEL: func @activation_read_channels_last
// CHECK: %[[ACT:.*]] = linalg.generic {indexing_maps = [#[[$ID]], #[[$ID]]]{{.*}} ins(%arg0 : tensor<1x4x4x8xf32>) outs(%{{.*}} : tensor<1x4x4x8xf32>)
// CHECK:   math.tanh
// CHECK: %[[BACK:.*]] = linalg.generic {{.*}} ins(%[[ACT]] : tensor<1x4x4x8xf32>) outs(%{{.*}} : tensor<1x8x4x4xf32>)
// CHECK: linalg.generic {indexing_maps = [#[[$POOL]], #[[$NC]]]{{.*}} ins(%[[ACT]] : tensor<1x4x4x8xf32>)
// CHECK:   arith.addf
// CHECK: linalg.generic {indexing_maps = [#[[$ID]], #[[$ID]], #[[$ID]]]{{.*}} ins(%[[ACT]], %arg1 : tensor<1x4x4x8xf32>, tensor<1x4x4x8xf32>)
// CHECK:   arith.mulf
// CHECK: return %[[BACK]]
#to_cf = affine_map<(n, c, h, w) -> (n, h, w, c)>
#to_cl = affine_map<(n, h, w, c) -> (n, c, h, w)>
#id = affine_map<(a, b, c, d) -> (a, b, c, d)>
#nc = affine_map<(n, c, h, w) -> (n, c)>
func.func @activation_read_channels_last(%x: tensor<1x4x4x8xf32>, %g: tensor<1x4x4x8xf32>) -> (tensor<1x8x4x4xf32>, tensor<1x8xf32>, tensor<1x4x4x8xf32>) {
  %e = tensor.empty() : tensor<1x8x4x4xf32>
  %act = linalg.generic {indexing_maps = [#to_cf, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : tensor<1x4x4x8xf32>) outs(%e : tensor<1x8x4x4xf32>) {
    ^bb0(%v: f32, %o: f32):
      %t = math.tanh %v : f32
      linalg.yield %t : f32
  } -> tensor<1x8x4x4xf32>
  %zero = arith.constant 0.0 : f32
  %e2 = tensor.empty() : tensor<1x8xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e2 : tensor<1x8xf32>) -> tensor<1x8xf32>
  %pool = linalg.generic {indexing_maps = [#id, #nc], iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
      ins(%act : tensor<1x8x4x4xf32>) outs(%z : tensor<1x8xf32>) {
    ^bb0(%v: f32, %o: f32):
      %s = arith.addf %v, %o : f32
      linalg.yield %s : f32
  } -> tensor<1x8xf32>
  %e3 = tensor.empty() : tensor<1x4x4x8xf32>
  %prod = linalg.generic {indexing_maps = [#to_cl, #id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%act, %g : tensor<1x8x4x4xf32>, tensor<1x4x4x8xf32>) outs(%e3 : tensor<1x4x4x8xf32>) {
    ^bb0(%v: f32, %w: f32, %o: f32):
      %m = arith.mulf %v, %w : f32
      linalg.yield %m : f32
  } -> tensor<1x4x4x8xf32>
  return %act, %pool, %prod : tensor<1x8x4x4xf32>, tensor<1x8xf32>, tensor<1x4x4x8xf32>
}

// -----

// An elementwise generic that accumulates into its init (an identity Einsum:
// fill(0), then out + in) keeps its init when it has several users: it is
// not recomputed channels-last into an empty tensor, which it would read
// (an Einsum output that was also a graph output came back as NaN garbage).
// CHECK-LABEL: func @reads_its_init
// CHECK: %[[F:.*]] = linalg.fill
// CHECK: %[[E:.*]] = linalg.generic {{.*}} ins(%arg0 : tensor<1x8x4x4xf32>) outs(%[[F]] : tensor<1x8x4x4xf32>)
// CHECK: return %[[E]],
#id = affine_map<(n, c, h, w) -> (n, c, h, w)>
#nhwc = affine_map<(n, h, w, c) -> (n, c, h, w)>
#id4b = affine_map<(n, h, w, c) -> (n, h, w, c)>
func.func @reads_its_init(%x: tensor<1x8x4x4xf32>) -> (tensor<1x8x4x4xf32>, tensor<1x4x4x8xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x8x4x4xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  %y = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : tensor<1x8x4x4xf32>) outs(%f : tensor<1x8x4x4xf32>) {
    ^bb0(%a: f32, %o: f32):
      %s = arith.addf %o, %a : f32
      linalg.yield %s : f32
  } -> tensor<1x8x4x4xf32>
  %e2 = tensor.empty() : tensor<1x4x4x8xf32>
  %t = linalg.generic {indexing_maps = [#nhwc, #id4b], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%y : tensor<1x8x4x4xf32>) outs(%e2 : tensor<1x4x4x8xf32>) {
    ^bb0(%a: f32, %o: f32):
      %n = arith.negf %a : f32
      linalg.yield %n : f32
  } -> tensor<1x4x4x8xf32>
  return %y, %t : tensor<1x8x4x4xf32>, tensor<1x4x4x8xf32>
}

// -----

// Static reshapes become expand/collapse shapes, so the two transposes
// around them (rows into a 1x1 convolution's layout and back) compose to a
// plain copy that folds away: what is left is the elementwise op on the
// expanded input.
// CHECK-LABEL: func.func @transposes_through_reshapes
// CHECK-NOT: tensor.reshape
// CHECK: %[[E:.*]] = tensor.expand_shape %{{.*}} {{\[}}[0, 1, 2], [3]] output_shape [1, 1, 8, 16]
// CHECK: %[[G:.*]] = linalg.generic {{.*}} ins(%[[E]] : tensor<1x1x8x16xf32>)
// CHECK: arith.negf
// CHECK-NOT: linalg.generic
// CHECK: return %[[G]]
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#tr3 = affine_map<(d0, d1, d2) -> (d0, d2, d1)>
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#nhwc = affine_map<(d0, d1, d2, d3) -> (d0, d3, d1, d2)>
func.func @transposes_through_reshapes(%x: tensor<8x16xf32>) -> tensor<1x1x8x16xf32> {
  %s3 = arith.constant dense<[1, 8, 16]> : tensor<3xindex>
  %s4 = arith.constant dense<[1, 16, 1, 8]> : tensor<4xindex>
  %r = tensor.reshape %x(%s3) : (tensor<8x16xf32>, tensor<3xindex>) -> tensor<1x8x16xf32>
  %e0 = tensor.empty() : tensor<1x16x8xf32>
  %t = linalg.generic {indexing_maps = [#tr3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%r : tensor<1x8x16xf32>) outs(%e0 : tensor<1x16x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<1x16x8xf32>
  %img = tensor.reshape %t(%s4) : (tensor<1x16x8xf32>, tensor<4xindex>) -> tensor<1x16x1x8xf32>
  %e1 = tensor.empty() : tensor<1x1x8x16xf32>
  %y = linalg.generic {indexing_maps = [#nhwc, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%img : tensor<1x16x1x8xf32>) outs(%e1 : tensor<1x1x8x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %n = arith.negf %in : f32
    linalg.yield %n : f32
  } -> tensor<1x1x8x16xf32>
  return %y : tensor<1x1x8x16xf32>
}

// -----

// A reshape that is neither an expansion nor a collapse of the other shape
// stays as it is.
// CHECK-LABEL: func.func @general_reshape
// CHECK: tensor.reshape
func.func @general_reshape(%x: tensor<6x4xf32>) -> tensor<4x6xf32> {
  %s = arith.constant dense<[4, 6]> : tensor<2xindex>
  %r = tensor.reshape %x(%s) : (tensor<6x4xf32>, tensor<2xindex>) -> tensor<4x6xf32>
  return %r : tensor<4x6xf32>
}
