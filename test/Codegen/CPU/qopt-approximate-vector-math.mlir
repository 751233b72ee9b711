// RUN: qopt %s --qopt-approximate-vector-math --split-input-file | FileCheck %s

// math on vectors becomes upstream's polynomial approximations (LLVM would
// call expf once per lane); the same op on a scalar keeps its libm call.
// CHECK-LABEL: func @vector_exp
// CHECK-NOT: math.exp
// CHECK: math.fma {{.*}} : vector<16xf32>
// CHECK: arith.bitcast {{.*}} : vector<16xi32> to vector<16xf32>
func.func @vector_exp(%v: vector<16xf32>) -> vector<16xf32> {
  %0 = math.exp %v : vector<16xf32>
  return %0 : vector<16xf32>
}

// -----

// CHECK-LABEL: func @scalar_exp
// CHECK: math.exp %{{.*}} : f32
func.func @scalar_exp(%s: f32) -> f32 {
  %0 = math.exp %s : f32
  return %0 : f32
}

// -----

// tanh (recurrent layers), log (log-mel front ends) and erf (GELU) too;
// sqrt is left alone (one vsqrtps).
// CHECK-LABEL: func @others
// CHECK-NOT: math.tanh
// CHECK-NOT: math.log
// CHECK-NOT: math.erf
// CHECK: math.sqrt %{{.*}} : vector<8xf32>
func.func @others(%v: vector<8xf32>) -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>) {
  %0 = math.tanh %v : vector<8xf32>
  %1 = math.log %v : vector<8xf32>
  %2 = math.erf %v : vector<8xf32>
  %3 = math.sqrt %v : vector<8xf32>
  return %0, %1, %2, %3 : vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>
}
