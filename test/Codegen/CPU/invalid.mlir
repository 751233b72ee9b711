// RUN: qopt %s --split-input-file --verify-diagnostics

func.func @dot4_lanes(%acc: vector<16xi32>, %x: vector<32xi8>) {
  // expected-error @+1 {{needs 4 bytes per accumulator lane: 32 bytes for 16 lanes}}
  %r = qcpu.dot4_u8s8 %acc, %x, %x : vector<32xi8> -> vector<16xi32>
  return
}

// -----

func.func @dot4_scalable(%acc: vector<[4]xi32>, %x: vector<[16]xi8>) {
  // expected-error @+1 {{needs fixed-length vectors}}
  %r = qcpu.dot4_u8s8 %acc, %x, %x : vector<[16]xi8> -> vector<[4]xi32>
  return
}

// -----

func.func @dot2_lanes(%acc: vector<16xi32>, %x: vector<16xi16>) {
  // expected-error @+1 {{needs 2 i16 values per accumulator lane: 16 i16 values for 16 lanes}}
  %r = qcpu.dot2_s16s16 %acc, %x, %x : vector<16xi16> -> vector<16xi32>
  return
}

// -----

func.func @negative_tile(%a: tensor<8xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{tile sizes must be non-negative}}
  %0 = linalg.copy {qcpu.lowering_config = #qcpu.lowering_config<tile_sizes = [-1], kernel = generic>} ins(%a : tensor<8xf32>) outs(%a : tensor<8xf32>) -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

func.func @dot_config_size(%a: tensor<8xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{a dot_product_conv kernel needs 8 tile sizes (n, oh, ow, f, kh, kw, c/g, g), got 2}}
  %0 = linalg.copy {qcpu.lowering_config = #qcpu.lowering_config<tile_sizes = [1, 2], kernel = dot_product_conv>} ins(%a : tensor<8xf32>) outs(%a : tensor<8xf32>) -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

func.func @conv_config_size(%a: tensor<8xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{a conv_nhwc kernel needs 6 (depthwise) or 7 tile sizes, got 1}}
  %0 = linalg.copy {qcpu.lowering_config = #qcpu.lowering_config<tile_sizes = [1], kernel = conv_nhwc>} ins(%a : tensor<8xf32>) outs(%a : tensor<8xf32>) -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

func.func @panel_config_size(%a: tensor<8xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{a panel_conv kernel needs 7 tile sizes (n, oh, ow, f, kh, kw, c), got 3}}
  %0 = linalg.copy {qcpu.lowering_config = #qcpu.lowering_config<tile_sizes = [1, 2, 3], kernel = panel_conv>} ins(%a : tensor<8xf32>) outs(%a : tensor<8xf32>) -> tensor<8xf32>
  return %0 : tensor<8xf32>
}
