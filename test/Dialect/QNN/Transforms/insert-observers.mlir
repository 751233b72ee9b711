// RUN: qopt %s --insert-observers --split-input-file | FileCheck %s
// RUN: qopt %s --insert-observers --insert-observers --split-input-file | FileCheck %s
// RUN: qopt %s "--insert-observers=method=entropy method-overrides=fc.*:ksigma" --split-input-file | FileCheck %s --check-prefix=OVERRIDE

// Inputs and every op with its own parameters are observed; data movement
// (max pool, flatten) keeps its input's parameters and is not. A second run
// adds nothing. Observers calibrate by MSE unless a method is given.
// CHECK-LABEL: func @cnn
// CHECK: %[[I:.*]] = qnn.observer %arg0 {id = 0 : i64, method = #qnn.calibration<mse>, name = "input"}
// CHECK: %[[C:.*]] = qnn.conv2d %[[I]]
// CHECK: %[[OC:.*]] = qnn.observer %[[C]] {id = 1 : i64, method = #qnn.calibration<mse>, name = "conv1"}
// CHECK: %[[P:.*]] = qnn.max_pool2d %[[OC]]
// CHECK-NEXT: %[[F:.*]] = qnn.flatten %[[P]]
// CHECK: %[[FC:.*]] = qnn.fully_connected %[[F]]
// CHECK-NEXT: %[[OFC:.*]] = qnn.observer %[[FC]] {id = 2 : i64, method = #qnn.calibration<mse>, name = "fc1"}
// CHECK-NEXT: return %[[OFC]]
// CHECK-NOT: qnn.observer
// OVERRIDE: qnn.observer %arg0 {id = 0 : i64, method = #qnn.calibration<entropy>, name = "input"}
// OVERRIDE: qnn.observer %{{.*}} {id = 1 : i64, method = #qnn.calibration<entropy>, name = "conv1"}
// OVERRIDE: qnn.observer %{{.*}} {id = 2 : i64, method = #qnn.calibration<ksigma>, name = "fc1"}
func.func @cnn(%x: tensor<?x1x4x4xf32> {onnx.name = "input"}) -> tensor<?x3xf32> {
  %w = arith.constant dense<1.0> : tensor<2x1x1x1xf32>
  %c = qnn.conv2d %x, %w {fused_activation = #qnn.activation<relu>} : (tensor<?x1x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<?x2x4x4xf32> loc("conv1")
  %p = qnn.max_pool2d %c {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<?x2x4x4xf32>) -> tensor<?x2x2x2xf32> loc("pool")
  %f = qnn.flatten %p : (tensor<?x2x2x2xf32>) -> tensor<?x8xf32> loc("flatten")
  %v = arith.constant dense<0.5> : tensor<3x8xf32>
  %y = qnn.fully_connected %f, %v : (tensor<?x8xf32>, tensor<3x8xf32>) -> tensor<?x3xf32> loc("fc1")
  return %y : tensor<?x3xf32>
}

// -----

// Ops inside If/Loop bodies (scf regions) are observed like any other;
// calibration reports them through the runtime.
// CHECK-LABEL: func @branch
// CHECK: qnn.observer %arg0
// CHECK: scf.if
// CHECK: %[[R:.*]] = qnn.relu
// CHECK-NEXT: qnn.observer %[[R]] {id = 1 : i64, method = #qnn.calibration<mse>, name = "relu"}
// CHECK: } else {
// CHECK-NOT: qnn.observer
// CHECK: return
func.func @branch(%x: tensor<4xf32>, %c: i1) -> tensor<4xf32> {
  %r = scf.if %c -> (tensor<4xf32>) {
    %y = qnn.relu %x : (tensor<4xf32>) -> tensor<4xf32> loc("relu")
    scf.yield %y : tensor<4xf32>
  } else {
    scf.yield %x : tensor<4xf32>
  }
  return %r : tensor<4xf32>
}

// -----

// An activation made by an op without parameters (a float island: here a
// linalg.generic, as the importer emits for Exp or a gather) is observed
// where it is made when an op with an integer form uses it, so both
// operands of an activation-by-activation matmul get parameters. Constant
// operands (weights) are not observed.
// CHECK-LABEL: func @island_operands
// CHECK: %[[A:.*]] = qnn.observer %arg0 {id = 0 : i64, method = #qnn.calibration<mse>}
// CHECK: %[[B:.*]] = qnn.observer %arg1 {id = 1 : i64, method = #qnn.calibration<mse>}
// CHECK: %[[E:.*]] = linalg.generic {{.*}} ins(%[[B]]
// CHECK: %[[OE:.*]] = qnn.observer %[[E]] {id = 4 : i64, method = #qnn.calibration<mse>, name = "exp"}
// CHECK: %[[M:.*]] = qnn.matmul %[[A]], %[[OE]]
// CHECK-NEXT: qnn.observer %[[M]] {id = 2 : i64, method = #qnn.calibration<mse>, name = "scores"}
// CHECK: qnn.matmul %{{.*}}, %cst
// CHECK-NEXT: qnn.observer {{.*}} {id = 3 : i64, method = #qnn.calibration<mse>, name = "proj"}
// CHECK-NOT: qnn.observer
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @island_operands(%x: tensor<4x4xf32>, %y: tensor<4x4xf32>) -> tensor<4x4xf32> {
  %e0 = tensor.empty() : tensor<4x4xf32>
  %e = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%y : tensor<4x4xf32>) outs(%e0 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %v = math.exp %in : f32
    linalg.yield %v : f32
  } -> tensor<4x4xf32> loc("exp")
  %m = qnn.matmul %x, %e : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32> loc("scores")
  %w = arith.constant dense<0.5> : tensor<4x4xf32>
  %p = qnn.matmul %m, %w : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32> loc("proj")
  return %p : tensor<4x4xf32>
}
