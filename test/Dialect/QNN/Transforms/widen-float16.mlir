// RUN: qopt %s --widen-float16 --split-input-file --verify-diagnostics | FileCheck %s

// Constants are converted exactly, ops and generic bodies take f32, and the
// casts into and out of half precision disappear.
// CHECK-LABEL: func @casts_around_half
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>) -> tensor<4xf32>
// CHECK-DAG: %[[C:.*]] = arith.constant dense<[5.000000e-01, -2.500000e-01, 1.000000e+00, 3.140625]> : tensor<4xf32>
// CHECK: %[[E:.*]] = tensor.empty() : tensor<4xf32>
// CHECK: %[[G:.*]] = linalg.generic {{.*}} ins(%[[X]] : tensor<4xf32>) outs(%[[E]] : tensor<4xf32>)
// CHECK-NEXT: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: linalg.yield %[[IN]] : f32
// CHECK: %[[A:.*]] = qnn.add %[[G]], %[[C]] : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
// CHECK: %[[R:.*]] = qnn.relu %[[A]] : (tensor<4xf32>) -> tensor<4xf32>
// CHECK-NOT: truncf
// CHECK-NOT: extf
// CHECK-NOT: f16
#map = affine_map<(d0) -> (d0)>
func.func @casts_around_half(%x: tensor<4xf32>) -> tensor<4xf32> {
  %c = arith.constant dense<[0.5, -0.25, 1.0, 3.14159]> : tensor<4xf16>
  %e = tensor.empty() : tensor<4xf16>
  %h = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel"]} ins(%x : tensor<4xf32>) outs(%e : tensor<4xf16>) {
  ^bb0(%in: f32, %out: f16):
    %t = arith.truncf %in : f32 to f16
    linalg.yield %t : f16
  } -> tensor<4xf16>
  %a = qnn.add %h, %c : (tensor<4xf16>, tensor<4xf16>) -> tensor<4xf16>
  %r = qnn.relu %a : (tensor<4xf16>) -> tensor<4xf16>
  %e2 = tensor.empty() : tensor<4xf32>
  %y = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel"]} ins(%r : tensor<4xf16>) outs(%e2 : tensor<4xf32>) {
  ^bb0(%in: f16, %out: f32):
    %w = arith.extf %in : f16 to f32
    linalg.yield %w : f32
  } -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

// A half-precision signature stays: arguments are widened on entry, results
// rounded on return; bf16 too.
// CHECK-LABEL: func @half_signature
// CHECK-SAME: (%[[X:.*]]: tensor<2xbf16>) -> tensor<2xbf16>
// CHECK: %[[W:.*]] = linalg.generic {{.*}} ins(%[[X]] : tensor<2xbf16>) outs(%{{.*}} : tensor<2xf32>)
// CHECK: arith.extf %{{.*}} : bf16 to f32
// CHECK: %[[S:.*]] = qnn.sigmoid %[[W]] : (tensor<2xf32>) -> tensor<2xf32>
// CHECK: %[[N:.*]] = linalg.generic {{.*}} ins(%[[S]] : tensor<2xf32>) outs(%{{.*}} : tensor<2xbf16>)
// CHECK: arith.truncf %{{.*}} : f32 to bf16
// CHECK: return %[[N]] : tensor<2xbf16>
func.func @half_signature(%x: tensor<2xbf16>) -> tensor<2xbf16> {
  %s = qnn.sigmoid %x : (tensor<2xbf16>) -> tensor<2xbf16>
  return %s : tensor<2xbf16>
}

// -----

// A model without half precision is unchanged.
// CHECK-LABEL: func @f32_only
// CHECK-NEXT: qnn.relu %arg0 : (tensor<3xf32>) -> tensor<3xf32>
func.func @f32_only(%x: tensor<3xf32>) -> tensor<3xf32> {
  %y = qnn.relu %x : (tensor<3xf32>) -> tensor<3xf32>
  return %y : tensor<3xf32>
}

// -----

// Reinterpreting half-precision bits has no f32 meaning.
func.func @bitcast(%x: f16) -> i16 {
  // expected-error @+1 {{'arith.bitcast' op reinterprets half-precision bits; it cannot be widened to f32}}
  %b = arith.bitcast %x : f16 to i16
  return %b : i16
}
