// RUN: qopt %s --form-lookup-tables --split-input-file | FileCheck %s

// SiLU as exporters write it, x * sigmoid(x), after static quantization:
// the sigmoid's own quantize/dequantize pair stays inside the island and
// the table rounds where the graph rounds. Stored input 127 (6.35):
// sigmoid 0.99826 -> stored 127 -> 0.99609; 6.35 * 0.99609 = 6.325 ->
// 253 - 117 saturates to 127 (0x7F). Stored 0 (0.0) -> 0 -> zero point
// -117 (0x8B) is entry 128. Stored -128 (-6.4): sigmoid 0.00166 -> 0 ->
// 0.0 -> -117 (0x8B), entry 0.
// CHECK-LABEL: func @silu
// CHECK-NEXT: %[[T:.*]] = qnn.lookup_table %arg0 {table = dense<"0x8B8B8B8B8A8A{{.*}}7F7F7F7F7F"> : tensor<256xi8>}
// CHECK-NEXT: return %[[T]]
func.func @silu(%x: tensor<8x!quant.uniform<i8:f32, 0.05>>) -> tensor<8x!quant.uniform<i8:f32, 0.025:-117>> {
  %d = qnn.dequantize %x : (tensor<8x!quant.uniform<i8:f32, 0.05>>) -> tensor<8xf32>
  %s = qnn.sigmoid %d : (tensor<8xf32>) -> tensor<8xf32>
  %sq = qnn.quantize %s : (tensor<8xf32>) -> tensor<8x!quant.uniform<i8:f32, 0.00390625:-128>>
  %sd = qnn.dequantize %sq : (tensor<8x!quant.uniform<i8:f32, 0.00390625:-128>>) -> tensor<8xf32>
  %m = qnn.mul %d, %sd : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %y = qnn.quantize %m : (tensor<8xf32>) -> tensor<8x!quant.uniform<i8:f32, 0.025:-117>>
  return %y : tensor<8x!quant.uniform<i8:f32, 0.025:-117>>
}

// -----

// The long tail (here Tanh, imported as a linalg.generic with a math body)
// on a u8 tensor with scale 1/32 and zero point 128: entry i is
// round(tanh((i - 128) / 32) * 127), e.g. entry 0 -> tanh(-4) -> -127
// (0x81), entry 128 -> 0, entry 255 -> tanh(3.97) -> 127 (0x7F).
// CHECK-LABEL: func @tanh_u8
// (The whole table, checked against NumPy: f32 tanh, round half to even.)
// CHECK: qnn.lookup_table %arg0 {table = dense<"0x8181818181818181818181818181818181818181818181818181818181828282828282828282828282828282828283838383838383838384848484848585858586868686878788888889898A8A8B8C8C8D8E8F8F9091929394959798999B9C9E9FA1A3A5A7A9ABADAFB2B4B7BABCBFC2C5C8CCCFD2D6DADDE1E5E8ECF0F4F8FC0004080C1014181B1F23262A2E3134383B3E414446494C4E51535557595B5D5F616264656768696B6C6D6E6F70717172737474757676777778787879797A7A7A7A7B7B7B7B7C7C7C7C7C7D7D7D7D7D7D7D7D7D7E7E7E7E7E7E7E7E7E7E7E7E7E7E7E7E7E7F7F7F7F7F7F7F7F7F7F7F7F7F7F7F7F7F7F7F7F7F7F7F7F7F7F7F7F"> : tensor<256xi8>}
// CHECK-NOT: linalg.generic
#id = affine_map<(d0) -> (d0)>
func.func @tanh_u8(%x: tensor<?x!quant.uniform<u8:f32, 0.03125:128>>) -> tensor<?x!quant.uniform<i8<-127:127>:f32, 0.007874015748031496>> {
  %d = qnn.dequantize %x : (tensor<?x!quant.uniform<u8:f32, 0.03125:128>>) -> tensor<?xf32>
  %c0 = arith.constant 0 : index
  %n = tensor.dim %d, %c0 : tensor<?xf32>
  %e = tensor.empty(%n) : tensor<?xf32>
  %t = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]} ins(%d : tensor<?xf32>) outs(%e : tensor<?xf32>) {
  ^bb0(%in: f32, %out: f32):
    %v = math.tanh %in : f32
    linalg.yield %v : f32
  } -> tensor<?xf32>
  %y = qnn.quantize %t : (tensor<?xf32>) -> tensor<?x!quant.uniform<i8<-127:127>:f32, 0.007874015748031496>>
  return %y : tensor<?x!quant.uniform<i8<-127:127>:f32, 0.007874015748031496>>
}

// -----

// GELU in the Erf form exporters emit: x * 0.5 * (1 + erf(x / sqrt(2))),
// with scalar constants as rank-0 tensors. Entry 128 (x = 0) -> 0 -> the
// output zero point -100 (0x9C).
// CHECK-LABEL: func @gelu_erf
// (The whole table, checked against NumPy/math.erf.)
// CHECK: qnn.lookup_table %arg0 {table = dense<"0x9C9C9C9C9C9C9C9C9C9C9C9C9C9C9C9C9C9C9C9C9C9C9C9C9C9C9C9C9C9C9C9C9C9C9C9C9C9C9C9C9C9C9C9C9C9C9C9C9C9C9C9C9C9C9C9C9C9C9C9C9C9C9B9B9B9B9B9B9B9B9B9B9B9A9A9A9A9A9A9A999999999998989898979797979696969695959595949494949494949494949494949494949595969697979899999A9B9C9D9E9FA1A2A3A5A6A8A9ABACAEB0B2B4B6B8BABCBEC0C2C4C6C8CACDCFD1D3D6D8DADCDFE1E3E5E8EAECEEF1F3F5F7F9FCFE00020406080B0D0F11131517191B1D1F222426282A2C2E30323436383A3C3E40424446484A4C4E50525456585A5C5E60626466686A6C6E70727476787A7C7E7F7F7F7F7F7F7F7F7F7F7F7F7F7F"> : tensor<256xi8>}
// CHECK-NOT: qnn.mul
#s = affine_map<(d0, d1) -> ()>
#m = affine_map<(d0, d1) -> (d0, d1)>
func.func @gelu_erf(%x: tensor<2x4x!quant.uniform<i8:f32, 0.04>>) -> tensor<2x4x!quant.uniform<i8:f32, 0.02:-100>> {
  %d = qnn.dequantize %x : (tensor<2x4x!quant.uniform<i8:f32, 0.04>>) -> tensor<2x4xf32>
  %sqrt2 = arith.constant dense<1.41421354> : tensor<f32>
  %e0 = tensor.empty() : tensor<2x4xf32>
  %erf = linalg.generic {indexing_maps = [#m, #s, #m], iterator_types = ["parallel", "parallel"]} ins(%d, %sqrt2 : tensor<2x4xf32>, tensor<f32>) outs(%e0 : tensor<2x4xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %q = arith.divf %a, %b : f32
    %v = math.erf %q : f32
    linalg.yield %v : f32
  } -> tensor<2x4xf32>
  %one = arith.constant dense<1.0> : tensor<f32>
  %p = qnn.add %erf, %one : (tensor<2x4xf32>, tensor<f32>) -> tensor<2x4xf32>
  %xm = qnn.mul %d, %p : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  %half = arith.constant dense<0.5> : tensor<f32>
  %g = qnn.mul %xm, %half : (tensor<2x4xf32>, tensor<f32>) -> tensor<2x4xf32>
  %y = qnn.quantize %g : (tensor<2x4xf32>) -> tensor<2x4x!quant.uniform<i8:f32, 0.02:-100>>
  return %y : tensor<2x4x!quant.uniform<i8:f32, 0.02:-100>>
}

// -----

// Not tables: a requantization alone (integer already), an island of two
// different tensors, and a non-scalar constant operand.
// CHECK-LABEL: func @not_tables
// CHECK-NOT: qnn.lookup_table
// CHECK: return
func.func @not_tables(%x: tensor<4x!quant.uniform<i8:f32, 0.05>>, %z: tensor<4x!quant.uniform<i8:f32, 0.1>>) -> (tensor<4x!quant.uniform<i8:f32, 0.1>>, tensor<4x!quant.uniform<i8:f32, 0.1>>, tensor<4x!quant.uniform<i8:f32, 0.1>>) {
  %d = qnn.dequantize %x : (tensor<4x!quant.uniform<i8:f32, 0.05>>) -> tensor<4xf32>
  %r = qnn.quantize %d : (tensor<4xf32>) -> tensor<4x!quant.uniform<i8:f32, 0.1>>
  %dz = qnn.dequantize %z : (tensor<4x!quant.uniform<i8:f32, 0.1>>) -> tensor<4xf32>
  %m = qnn.mul %d, %dz : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %two = qnn.quantize %m : (tensor<4xf32>) -> tensor<4x!quant.uniform<i8:f32, 0.1>>
  %c = arith.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %n = qnn.mul %d, %c : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %vec = qnn.quantize %n : (tensor<4xf32>) -> tensor<4x!quant.uniform<i8:f32, 0.1>>
  return %r, %two, %vec : tensor<4x!quant.uniform<i8:f32, 0.1>>, tensor<4x!quant.uniform<i8:f32, 0.1>>, tensor<4x!quant.uniform<i8:f32, 0.1>>
}

// -----

// HardSwish as the importer writes it (x * clamp(x / 6 + 0.5, 0, 1)) after
// canonicalization has hoisted the body's constants out of the generic: the
// table evaluates them where they are defined (they used to read as 0.0,
// which made every entry the zero point: 0 dB through every HardSwish).
// Input scale 0.05, output scale 0.025 and zero point -113: entry 0
// (x = -6.4) -> 0 -> -113 (0x8F); entry 68 (x = -3) -> -0 -> 0x8F;
// entry 98 (x = -1.5) -> -0.375 -> -128 (0x80); entry 255 (x = 6.35) ->
// 6.35 -> 141 saturates to 127 (0x7F).
// CHECK-LABEL: func @hardswish_hoisted_constants
// (The whole table, checked against NumPy with f32 rounding after each op.)
// CHECK: qnn.lookup_table %arg0 {table = dense<"0x8F8F8F8F8F8F8F8F8F8F8F8F8F8F8F8F8F8F8F8F8F8F8F8F8F8F8F8F8F8F8F8F8F8F8F8F8F8F8F8F8F8F8F8F8F8F8F8F8F8F8F8F8F8F8F8F8F8F8F8F8F8F8F8F8F8F8F8F8F8E8D8C8B8A8A89888787868585848483838282828181818180808080808080808080808181818182828283838484858586878788898A8A8B8C8D8E8F9091929394969798999B9C9D9FA0A2A3A5A6A8AAABADAFB1B2B4B6B8BABCBEC0C2C4C6C9CBCDCFD2D4D6D9DBDEE0E3E5E8EBEDF0F3F6F8FBFE010407090B0D0F11131517191B1D1F21232527292B2D2F31333537393B3D3F41434547494B4D4F51535557595B5D5F61636567696B6D6F71737577797B7D7F7F7F7F7F7F7F7F"> : tensor<256xi8>}
// CHECK-NOT: linalg.generic
#hs = affine_map<(d0) -> (d0)>
func.func @hardswish_hoisted_constants(%x: tensor<16x!quant.uniform<i8:f32, 0.05>>) -> tensor<16x!quant.uniform<i8:f32, 0.025:-113>> {
  %sixth = arith.constant 0.166666672 : f32
  %half = arith.constant 5.000000e-01 : f32
  %zero = arith.constant 0.000000e+00 : f32
  %one = arith.constant 1.000000e+00 : f32
  %d = qnn.dequantize %x : (tensor<16x!quant.uniform<i8:f32, 0.05>>) -> tensor<16xf32>
  %e = tensor.empty() : tensor<16xf32>
  %h = linalg.generic {indexing_maps = [#hs, #hs], iterator_types = ["parallel"]} ins(%d : tensor<16xf32>) outs(%e : tensor<16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.mulf %in, %sixth : f32
    %1 = arith.addf %0, %half : f32
    %2 = arith.maximumf %1, %zero : f32
    %3 = arith.minimumf %2, %one : f32
    %4 = arith.mulf %in, %3 : f32
    linalg.yield %4 : f32
  } -> tensor<16xf32>
  %y = qnn.quantize %h : (tensor<16xf32>) -> tensor<16x!quant.uniform<i8:f32, 0.025:-113>>
  return %y : tensor<16x!quant.uniform<i8:f32, 0.025:-113>>
}

// -----

// A body that reads a value from above that is not a constant cannot be
// tabulated: the island stays as it is.
// CHECK-LABEL: func @captured_non_constant
// CHECK-NOT: qnn.lookup_table
// CHECK: linalg.generic
#cap = affine_map<(d0) -> (d0)>
func.func @captured_non_constant(%x: tensor<16x!quant.uniform<i8:f32, 0.05>>, %s: f32) -> tensor<16x!quant.uniform<i8:f32, 0.025:-113>> {
  %d = qnn.dequantize %x : (tensor<16x!quant.uniform<i8:f32, 0.05>>) -> tensor<16xf32>
  %e = tensor.empty() : tensor<16xf32>
  %h = linalg.generic {indexing_maps = [#cap, #cap], iterator_types = ["parallel"]} ins(%d : tensor<16xf32>) outs(%e : tensor<16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.mulf %in, %s : f32
    linalg.yield %0 : f32
  } -> tensor<16xf32>
  %y = qnn.quantize %h : (tensor<16xf32>) -> tensor<16x!quant.uniform<i8:f32, 0.025:-113>>
  return %y : tensor<16x!quant.uniform<i8:f32, 0.025:-113>>
}
