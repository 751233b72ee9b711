// RUN: qopt %s --split-input-file | qopt --split-input-file | FileCheck %s
// RUN: qopt %s --split-input-file --mlir-print-op-generic | qopt --split-input-file | FileCheck %s

// CHECK-LABEL: func @dot4_u8s8
// CHECK: qcpu.dot4_u8s8 %arg0, %arg1, %arg2 : vector<128xi8> -> vector<32xi32>
func.func @dot4_u8s8(%acc: vector<32xi32>, %x: vector<128xi8>, %w: vector<128xi8>) -> vector<32xi32> {
  %r = qcpu.dot4_u8s8 %acc, %x, %w : vector<128xi8> -> vector<32xi32>
  return %r : vector<32xi32>
}

// -----

// CHECK-LABEL: func @dot2_s16s16
// CHECK: qcpu.dot2_s16s16 %arg0, %arg1, %arg2 : vector<32xi16> -> vector<16xi32>
func.func @dot2_s16s16(%acc: vector<16xi32>, %x: vector<32xi16>, %w: vector<32xi16>) -> vector<16xi32> {
  %r = qcpu.dot2_s16s16 %acc, %x, %w : vector<32xi16> -> vector<16xi32>
  return %r : vector<16xi32>
}

// -----

// The lowering config round-trips on the ops that carry it.
// CHECK-LABEL: func @lowering_config
// CHECK: qcpu.lowering_config = #qcpu.lowering_config<tile_sizes = [1, 8, 16], kernel = generic>
// CHECK: qcpu.lowering_config = #qcpu.lowering_config<tile_sizes = [], kernel = conv_nhwc>
func.func @lowering_config(%a: tensor<8x16xf32>) -> tensor<8x16xf32> {
  %0 = linalg.copy {qcpu.lowering_config = #qcpu.lowering_config<tile_sizes = [1, 8, 16], kernel = generic>} ins(%a : tensor<8x16xf32>) outs(%a : tensor<8x16xf32>) -> tensor<8x16xf32>
  %1 = linalg.copy {qcpu.lowering_config = #qcpu.lowering_config<tile_sizes = [], kernel = conv_nhwc>} ins(%0 : tensor<8x16xf32>) outs(%0 : tensor<8x16xf32>) -> tensor<8x16xf32>
  return %1 : tensor<8x16xf32>
}
