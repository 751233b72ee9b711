// RUN: qopt %s --qopt-insert-profile-marks --split-input-file | FileCheck %s

// A mark at entry and one after each kernel (loop nest, copy), none after
// allocations; the module lists the kernels' names: a loop nest whose
// multiply-adds come from "conv" is the conv's even if its loops carry the
// fused consumer's name.
// CHECK: module attributes {qopt.profile_marks = ["", "conv", "copy_in"]}
// CHECK-LABEL: func @main
// CHECK: %[[C0:.*]] = arith.constant 0 : i64
// CHECK-NEXT: call @qopt_profile_mark(%[[C0]])
// CHECK: memref.alloc
// CHECK-NOT: qopt_profile_mark
// CHECK: scf.for
// CHECK: vector.fma
// CHECK: %[[C1:.*]] = arith.constant 1 : i64
// CHECK-NEXT: call @qopt_profile_mark(%[[C1]])
// CHECK: memref.copy
// CHECK-NEXT: %[[C2:.*]] = arith.constant 2 : i64
// CHECK-NEXT: call @qopt_profile_mark(%[[C2]])
// CHECK: func.func private @qopt_profile_mark(i64)
func.func @main(%a: memref<16xf32>, %b: memref<16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %buf = memref.alloc() : memref<16xf32>
  scf.for %i = %c0 to %c4 step %c1 {
    %v = vector.load %a[%c0] : memref<16xf32>, vector<16xf32>
    %f = vector.fma %v, %v, %v : vector<16xf32> loc("conv")
    vector.store %f, %buf[%c0] : memref<16xf32>, vector<16xf32>
  } loc("relu")
  memref.copy %buf, %b : memref<16xf32> to memref<16xf32> loc("copy_in")
  memref.dealloc %buf : memref<16xf32>
  return
}

// -----

// Lowered dot products name their kernel; a table lookup (also an
// intrinsic call) does not: the tile is the convolution's, whose int8
// epilogue looks up an activation table first. Repeated names of one node
// in a fused location are listed once.
// CHECK: module attributes {qopt.profile_marks = ["", "conv", "add+relu"]}
// CHECK-LABEL: func @main
func.func @main(%x: vector<64xi8>, %w: vector<64xi8>, %acc: vector<16xi32>, %t: vector<64xi8>, %out: memref<16xi32>, %o8: memref<64xi8>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.for %i = %c0 to %c4 step %c1 {
    %l = llvm.call_intrinsic "llvm.x86.avx512.vpermi2var.qi.512"(%t, %x, %t) : (vector<64xi8>, vector<64xi8>, vector<64xi8>) -> vector<64xi8> loc("silu")
    %d = llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"(%acc, %l, %w) : (vector<16xi32>, vector<64xi8>, vector<64xi8>) -> vector<16xi32> loc("conv")
    vector.store %d, %out[%c0] : memref<16xi32>, vector<16xi32>
  } loc("silu")
  scf.for %i = %c0 to %c4 step %c1 {
    vector.store %x, %o8[%c0] : memref<64xi8>, vector<64xi8>
  } loc(fused["add", "relu", "add"("other.onnx":1:1)])
  return
}

// -----

// int8 convolutions on AVX2 multiply-add 16-bit pairs (vpmaddwd): their
// loops are the convolution's, whatever location the loops carry (they
// were reported as the max pool after them).
// CHECK: module attributes {qopt.profile_marks = ["", "conv"]}
func.func @main(%x: vector<16xi16>, %w: vector<16xi16>, %out: memref<8xi32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.for %i = %c0 to %c4 step %c1 {
    %d = llvm.call_intrinsic "llvm.x86.avx2.pmadd.wd"(%x, %w) : (vector<16xi16>, vector<16xi16>) -> vector<8xi32> loc("conv")
    vector.store %d, %out[%c0] : memref<8xi32>, vector<8xi32>
  } loc("pool")
  return
}
