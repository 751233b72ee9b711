// RUN: qopt %s --qopt-lower-byte-lookups=isa=avx512vbmi --split-input-file | FileCheck %s
// RUN: qopt %s --qopt-lower-byte-lookups --split-input-file | FileCheck %s --check-prefix=NONE

// NONE-LABEL: func @u8_index
// NONE: vector.gather

// 128 zero-extended u8 indices: two 64-lane pieces, each two vpermi2b over
// the table's quarters (entries 0-63 | 64-127 and 128-191 | 192-255) and a
// select on the index's top bit.
// CHECK-LABEL: func @u8_index
// CHECK-SAME: %[[X:.*]]: vector<2x64xi8>
// CHECK: %[[FLAT:.*]] = vector.shape_cast %[[X]] : vector<2x64xi8> to vector<128xi8>
// CHECK-DAG: %[[Q0:.*]] = arith.constant dense<[0, 1, 2, {{.*}}, 63]> : vector<64xi8>
// CHECK-DAG: %[[Q1:.*]] = arith.constant dense<[64, 65, {{.*}}, 127]> : vector<64xi8>
// CHECK-DAG: %[[Q2:.*]] = arith.constant dense<[-128, -127, {{.*}}, -65]> : vector<64xi8>
// CHECK-DAG: %[[Q3:.*]] = arith.constant dense<[-64, -63, {{.*}}, -1]> : vector<64xi8>
// CHECK: %[[P0:.*]] = vector.extract_strided_slice %[[FLAT]] {offsets = [0], sizes = [64], strides = [1]}
// CHECK: %[[LO:.*]] = llvm.call_intrinsic "llvm.x86.avx512.vpermi2var.qi.512"(%[[Q0]], %[[P0]], %[[Q1]])
// CHECK: %[[HI:.*]] = llvm.call_intrinsic "llvm.x86.avx512.vpermi2var.qi.512"(%[[Q2]], %[[P0]], %[[Q3]])
// CHECK: %[[UP:.*]] = arith.cmpi slt, %[[P0]]
// CHECK: %[[R0:.*]] = arith.select %[[UP]], %[[HI]], %[[LO]]
// CHECK: vector.insert_strided_slice %[[R0]], %{{.*}} {offsets = [0], strides = [1]}
// CHECK: vector.extract_strided_slice %[[FLAT]] {offsets = [64], sizes = [64], strides = [1]}
// CHECK-COUNT-2: llvm.call_intrinsic
// CHECK: vector.insert_strided_slice %{{.*}}, %{{.*}} {offsets = [64], strides = [1]}
// CHECK: vector.shape_cast %{{.*}} : vector<128xi8> to vector<2x64xi8>
// CHECK-NOT: vector.gather
memref.global "private" constant @identity : memref<256xi8> = dense<[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 113, 114, 115, 116, 117, 118, 119, 120, 121, 122, 123, 124, 125, 126, 127, -128, -127, -126, -125, -124, -123, -122, -121, -120, -119, -118, -117, -116, -115, -114, -113, -112, -111, -110, -109, -108, -107, -106, -105, -104, -103, -102, -101, -100, -99, -98, -97, -96, -95, -94, -93, -92, -91, -90, -89, -88, -87, -86, -85, -84, -83, -82, -81, -80, -79, -78, -77, -76, -75, -74, -73, -72, -71, -70, -69, -68, -67, -66, -65, -64, -63, -62, -61, -60, -59, -58, -57, -56, -55, -54, -53, -52, -51, -50, -49, -48, -47, -46, -45, -44, -43, -42, -41, -40, -39, -38, -37, -36, -35, -34, -33, -32, -31, -30, -29, -28, -27, -26, -25, -24, -23, -22, -21, -20, -19, -18, -17, -16, -15, -14, -13, -12, -11, -10, -9, -8, -7, -6, -5, -4, -3, -2, -1]>
func.func @u8_index(%x: vector<2x64xi8>) -> vector<2x64xi8> {
  %c0 = arith.constant 0 : index
  %t = memref.get_global @identity : memref<256xi8>
  %w = arith.extui %x : vector<2x64xi8> to vector<2x64xi32>
  %i = arith.index_cast %w : vector<2x64xi32> to vector<2x64xindex>
  %all = arith.constant dense<true> : vector<2x64xi1>
  %pass = arith.constant dense<0> : vector<2x64xi8>
  %y = vector.gather %t[%c0] [%i], %all, %pass : memref<256xi8>, vector<2x64xindex>, vector<2x64xi1>, vector<2x64xi8> into vector<2x64xi8>
  return %y : vector<2x64xi8>
}

// -----

// A sign-extended i8 index plus 128 is the byte with its top bit flipped;
// 24 lanes (behind a broadcast's unit dimension) are one piece padded to 64
// lanes and cut back.
// CHECK-LABEL: func @i8_index_short
// CHECK-SAME: %[[X:.*]]: vector<24xi8>
// CHECK: %[[FLIP:.*]] = arith.xori %[[X]], %{{.*}} : vector<24xi8>
// CHECK: %[[PAD:.*]] = vector.insert_strided_slice %[[FLIP]], %{{.*}} {offsets = [0], strides = [1]} : vector<24xi8> into vector<64xi8>
// CHECK-COUNT-2: llvm.call_intrinsic "llvm.x86.avx512.vpermi2var.qi.512"(%{{.*}}, %[[PAD]], %{{.*}})
// CHECK: %[[SEL:.*]] = arith.select
// CHECK: %[[CUT:.*]] = vector.extract_strided_slice %[[SEL]] {offsets = [0], sizes = [24], strides = [1]} : vector<64xi8> to vector<24xi8>
// CHECK: vector.shape_cast %[[CUT]] : vector<24xi8> to vector<1x24xi8>
memref.global "private" constant @table : memref<256xi8> = dense<7>
func.func @i8_index_short(%x: vector<24xi8>) -> vector<1x24xi8> {
  %c0 = arith.constant 0 : index
  %t = memref.get_global @table : memref<256xi8>
  %w = arith.extsi %x : vector<24xi8> to vector<24xi32>
  %c128 = arith.constant dense<128> : vector<24xi32>
  %s = arith.addi %w, %c128 : vector<24xi32>
  %i0 = arith.index_cast %s : vector<24xi32> to vector<24xindex>
  %i = vector.broadcast %i0 : vector<24xindex> to vector<1x24xindex>
  %all = arith.constant dense<true> : vector<1x24xi1>
  %pass = arith.constant dense<0> : vector<1x24xi8>
  %y = vector.gather %t[%c0] [%i], %all, %pass : memref<256xi8>, vector<1x24xindex>, vector<1x24xi1>, vector<1x24xi8> into vector<1x24xi8>
  return %y : vector<1x24xi8>
}

// -----

// Left as gathers: a table that is not a constant global, a mask that may
// switch lanes off, an index that is not a byte, a sign-extended index
// without the +128 offset.
// CHECK-LABEL: func @not_lookups
// CHECK-NOT: llvm.call_intrinsic
// CHECK-COUNT-4: vector.gather
// CHECK-NOT: llvm.call_intrinsic
memref.global "private" @mutable : memref<256xi8> = dense<1>
memref.global "private" constant @table2 : memref<256xi8> = dense<7>
func.func @not_lookups(%x: vector<64xi8>, %m: vector<64xi1>, %h: vector<64xi16>) -> (vector<64xi8>, vector<64xi8>, vector<64xi8>, vector<64xi8>) {
  %c0 = arith.constant 0 : index
  %t = memref.get_global @mutable : memref<256xi8>
  %t2 = memref.get_global @table2 : memref<256xi8>
  %w = arith.extui %x : vector<64xi8> to vector<64xi32>
  %i = arith.index_cast %w : vector<64xi32> to vector<64xindex>
  %all = arith.constant dense<true> : vector<64xi1>
  %pass = arith.constant dense<0> : vector<64xi8>
  %a = vector.gather %t[%c0] [%i], %all, %pass : memref<256xi8>, vector<64xindex>, vector<64xi1>, vector<64xi8> into vector<64xi8>
  %b = vector.gather %t2[%c0] [%i], %m, %pass : memref<256xi8>, vector<64xindex>, vector<64xi1>, vector<64xi8> into vector<64xi8>
  %hw = arith.extui %h : vector<64xi16> to vector<64xi32>
  %hi = arith.index_cast %hw : vector<64xi32> to vector<64xindex>
  %c = vector.gather %t2[%c0] [%hi], %all, %pass : memref<256xi8>, vector<64xindex>, vector<64xi1>, vector<64xi8> into vector<64xi8>
  %sw = arith.extsi %x : vector<64xi8> to vector<64xi32>
  %si = arith.index_cast %sw : vector<64xi32> to vector<64xindex>
  %d = vector.gather %t2[%c0] [%si], %all, %pass : memref<256xi8>, vector<64xindex>, vector<64xi1>, vector<64xi8> into vector<64xi8>
  return %a, %b, %c, %d : vector<64xi8>, vector<64xi8>, vector<64xi8>, vector<64xi8>
}

// -----

// AArch64: 16-lane pieces; tbl4 over entries 0-63, then tbx4 over each next
// quarter with the index moved down by 64, 128, 192.
// RUN: qopt %s --qopt-lower-byte-lookups=isa=neon --split-input-file | FileCheck %s --check-prefix=NEON
// CHECK-LABEL: func @neon_16
// NEON-LABEL: func @neon_16
// NEON-SAME: %[[X:.*]]: vector<16xi8>
// NEON: %[[R0:.*]] = llvm.call_intrinsic "llvm.aarch64.neon.tbl4.v16i8"(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[X]])
// NEON: %[[M1:.*]] = arith.subi %[[X]], %{{.*}} : vector<16xi8>
// NEON: %[[R1:.*]] = llvm.call_intrinsic "llvm.aarch64.neon.tbx4.v16i8"(%[[R0]], %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[M1]])
// NEON: %[[M2:.*]] = arith.subi %[[X]]
// NEON: %[[R2:.*]] = llvm.call_intrinsic "llvm.aarch64.neon.tbx4.v16i8"(%[[R1]], {{.*}}, %[[M2]])
// NEON: %[[M3:.*]] = arith.subi %[[X]]
// NEON: %[[R3:.*]] = llvm.call_intrinsic "llvm.aarch64.neon.tbx4.v16i8"(%[[R2]], {{.*}}, %[[M3]])
// NEON: return %[[R3]]
memref.global "private" constant @table3 : memref<256xi8> = dense<5>
func.func @neon_16(%x: vector<16xi8>) -> vector<16xi8> {
  %c0 = arith.constant 0 : index
  %t = memref.get_global @table3 : memref<256xi8>
  %w = arith.extui %x : vector<16xi8> to vector<16xi32>
  %i = arith.index_cast %w : vector<16xi32> to vector<16xindex>
  %all = arith.constant dense<true> : vector<16xi1>
  %pass = arith.constant dense<0> : vector<16xi8>
  %y = vector.gather %t[%c0] [%i], %all, %pass : memref<256xi8>, vector<16xindex>, vector<16xi1>, vector<16xi8> into vector<16xi8>
  return %y : vector<16xi8>
}
