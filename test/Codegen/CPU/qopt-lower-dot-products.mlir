// RUN: qopt %s --split-input-file --qopt-lower-dot-products="dot-product=avx512vnni" | FileCheck %s --check-prefix=VNNI
// RUN: qopt %s --split-input-file --qopt-lower-dot-products | FileCheck %s --check-prefix=NONE
// RUN: qopt %s --split-input-file --qopt-lower-dot-products="dot-product=i8mm" | FileCheck %s --check-prefix=I8MM
// RUN: qopt %s --split-input-file --qopt-lower-dot-products="dot-product=avx2" | FileCheck %s --check-prefix=AVX2
// RUN: not qopt %s --split-input-file --qopt-lower-dot-products="dot-product=sse2" 2>&1 | FileCheck %s --check-prefix=ERR

// 32 lanes: two 512-bit vpdpbusd on lanes [0, 16) and [16, 32), each taking
// the matching 64 bytes of x and w.
// VNNI-LABEL: func @lanes32
// VNNI: %[[A0:.*]] = vector.extract_strided_slice %arg0 {offsets = [0], sizes = [16], strides = [1]} : vector<32xi32> to vector<16xi32>
// VNNI: %[[X0:.*]] = vector.extract_strided_slice %arg1 {offsets = [0], sizes = [64], strides = [1]} : vector<128xi8> to vector<64xi8>
// VNNI: %[[W0:.*]] = vector.extract_strided_slice %arg2 {offsets = [0], sizes = [64], strides = [1]}
// VNNI: %[[R0:.*]] = llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"(%[[A0]], %[[X0]], %[[W0]]) : (vector<16xi32>, vector<64xi8>, vector<64xi8>) -> vector<16xi32>
// VNNI: vector.insert_strided_slice %[[R0]], %arg0 {offsets = [0], strides = [1]}
// VNNI: vector.extract_strided_slice %arg1 {offsets = [64], sizes = [64], strides = [1]}
// VNNI: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"
// VNNI: vector.insert_strided_slice {{.*}} {offsets = [16], strides = [1]}
// VNNI-NOT: qcpu.dot4_u8s8
// Portable: for each k < 4, bytes k, k+4, ... zero-/sign-extended, multiplied
// and added.
// NONE-LABEL: func @lanes32
// NONE: %[[XK:.*]] = vector.shuffle %arg1, %arg1 [0, 4, 8, {{.*}}, 124] : vector<128xi8>, vector<128xi8>
// NONE: %[[XE:.*]] = arith.extui %[[XK]] : vector<32xi8> to vector<32xi32>
// NONE: %[[WK:.*]] = vector.shuffle %arg2, %arg2 [0, 4, 8, {{.*}}, 124]
// NONE: %[[WE:.*]] = arith.extsi %[[WK]] : vector<32xi8> to vector<32xi32>
// NONE: %[[M:.*]] = arith.muli %[[XE]], %[[WE]] : vector<32xi32>
// NONE: arith.addi %arg0, %[[M]] : vector<32xi32>
// NONE: vector.shuffle %arg1, %arg1 [3, 7, {{.*}}, 127]
// NONE-COUNT-4: arith.muli
// NONE-NOT: llvm.call_intrinsic
// NONE-NOT: qcpu.dot4_u8s8
// AArch64 usdot works on 4 lanes: eight calls.
// I8MM-LABEL: func @lanes32
// I8MM-COUNT-8: llvm.call_intrinsic "llvm.aarch64.neon.usdot.v4i32.v16i8"({{.*}}) : (vector<4xi32>, vector<16xi8>, vector<16xi8>) -> vector<4xi32>
// I8MM-NOT: qcpu.dot4_u8s8
func.func @lanes32(%acc: vector<32xi32>, %x: vector<128xi8>, %w: vector<128xi8>) -> vector<32xi32> {
  %r = qcpu.dot4_u8s8 %acc, %x, %w : vector<128xi8> -> vector<32xi32>
  return %r : vector<32xi32>
}

// -----

// 14 lanes: 256-bit (8 lanes) and 128-bit (4 lanes) vpdpbusd, then the last
// two lanes in portable code.
// VNNI-LABEL: func @lanes14
// VNNI: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.256"
// VNNI: vector.insert_strided_slice {{.*}} {offsets = [0], strides = [1]} : vector<8xi32> into vector<14xi32>
// VNNI: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.128"
// VNNI: vector.insert_strided_slice {{.*}} {offsets = [8], strides = [1]} : vector<4xi32> into vector<14xi32>
// VNNI: vector.extract_strided_slice %arg1 {offsets = [48], sizes = [8], strides = [1]} : vector<56xi8> to vector<8xi8>
// VNNI-COUNT-4: arith.muli {{.*}} : vector<2xi32>
// VNNI: vector.insert_strided_slice {{.*}} {offsets = [12], strides = [1]} : vector<2xi32> into vector<14xi32>
func.func @lanes14(%acc: vector<14xi32>, %x: vector<56xi8>, %w: vector<56xi8>) -> vector<14xi32> {
  %r = qcpu.dot4_u8s8 %acc, %x, %w : vector<56xi8> -> vector<14xi32>
  return %r : vector<14xi32>
}

// -----

// Pairs of i16: vpdpwssd on 16 lanes with avx512vnni; portable code (both
// halves sign-extended) otherwise.
// VNNI-LABEL: func @dot2
// VNNI: llvm.call_intrinsic "llvm.x86.avx512.vpdpwssd.512"(%arg0, %arg1, %arg2) : (vector<16xi32>, vector<32xi16>, vector<32xi16>) -> vector<16xi32>
// NONE-LABEL: func @dot2
// NONE: %[[X0:.*]] = vector.shuffle %arg1, %arg1 [0, 2, {{.*}}, 30]
// NONE: arith.extsi %[[X0]] : vector<16xi16> to vector<16xi32>
// NONE-COUNT-2: arith.muli
// I8MM-LABEL: func @dot2
// I8MM-NOT: llvm.call_intrinsic
// With AVX2, vpmaddwd on 8 lanes (16 pairs) at a time, its sums added to
// the accumulator.
// AVX2-LABEL: func @dot2
// AVX2: %[[P0:.*]] = llvm.call_intrinsic "llvm.x86.avx2.pmadd.wd"(%{{.*}}, %{{.*}}) : (vector<16xi16>, vector<16xi16>) -> vector<8xi32>
// AVX2: arith.addi %{{.*}}, %[[P0]] : vector<8xi32>
// AVX2: llvm.call_intrinsic "llvm.x86.avx2.pmadd.wd"
// AVX2-NOT: qcpu.dot2_s16s16
func.func @dot2(%acc: vector<16xi32>, %x: vector<32xi16>, %w: vector<32xi16>) -> vector<16xi32> {
  %r = qcpu.dot2_s16s16 %acc, %x, %w : vector<32xi16> -> vector<16xi32>
  return %r : vector<16xi32>
}

// ERR: for the --dot-product option: Cannot find option named 'sse2'!
