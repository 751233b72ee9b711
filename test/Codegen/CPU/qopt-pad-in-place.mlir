// RUN: qopt %s --qopt-pad-in-place --split-input-file | FileCheck %s
// RUN: qopt %s --qopt-pad-in-place --one-shot-bufferize=bufferize-function-boundaries \
// RUN:   --cse --canonicalize --split-input-file | FileCheck %s --check-prefix=BUF

// After bufferization the padded buffer's interior is written by the
// producer itself: no copy is left but the loop body's own row copy.
// BUF-LABEL: func @loop_into_pad
// BUF: scf.for
// BUF:   memref.copy
// BUF: }
// BUF-NOT: memref.copy
// BUF: return
// BUF-LABEL: func @dynamic_batch_linalg
// BUF-NOT: memref.copy
// BUF: return

// A tile loop computes into tensor.empty and its result is padded: the loop
// now writes into the interior of the padded tensor, whose border slabs
// (rows 0 and 5, then columns 0 and 5 of rows 1-4) are filled, and the pad
// is an insert of the result into that same interior.
// CHECK-LABEL: func @loop_into_pad
// CHECK-SAME: %[[X:.*]]: tensor<1x4x4x8xf32>
// CHECK: %[[ZERO:.*]] = arith.constant 0.0
// CHECK: %[[B0:.*]] = tensor.empty() : tensor<1x6x6x8xf32>
// CHECK: %[[S0:.*]] = tensor.extract_slice %[[B0]][0, 0, 0, 0] [1, 1, 6, 8] [1, 1, 1, 1]
// CHECK: %[[F0:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[S0]]
// CHECK: %[[B1:.*]] = tensor.insert_slice %[[F0]] into %[[B0]][0, 0, 0, 0] [1, 1, 6, 8]
// CHECK: tensor.extract_slice %[[B1]][0, 5, 0, 0] [1, 1, 6, 8]
// CHECK: linalg.fill
// CHECK: %[[B2:.*]] = tensor.insert_slice
// CHECK: tensor.extract_slice %[[B2]][0, 1, 0, 0] [1, 4, 1, 8]
// CHECK: linalg.fill
// CHECK: %[[B3:.*]] = tensor.insert_slice
// CHECK: tensor.extract_slice %[[B3]][0, 1, 5, 0] [1, 4, 1, 8]
// CHECK: linalg.fill
// CHECK: %[[B4:.*]] = tensor.insert_slice
// CHECK: %[[IN:.*]] = tensor.extract_slice %[[B4]][0, 1, 1, 0] [1, 4, 4, 8] [1, 1, 1, 1]
// CHECK: %[[R:.*]] = scf.for {{.*}} iter_args(%{{.*}} = %[[IN]])
// CHECK-NOT: tensor.pad
// CHECK: %[[P:.*]] = tensor.insert_slice %[[R]] into %[[B4]][0, 1, 1, 0] [1, 4, 4, 8] [1, 1, 1, 1]
// CHECK: return %[[P]]
func.func @loop_into_pad(%x: tensor<1x4x4x8xf32>) -> tensor<1x6x6x8xf32> {
  %zero = arith.constant 0.0 : f32
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %e = tensor.empty() : tensor<1x4x4x8xf32>
  %r = scf.for %i = %c0 to %c4 step %c1 iter_args(%acc = %e) -> (tensor<1x4x4x8xf32>) {
    %row = tensor.extract_slice %x[0, %i, 0, 0] [1, 1, 4, 8] [1, 1, 1, 1] : tensor<1x4x4x8xf32> to tensor<1x1x4x8xf32>
    %next = tensor.insert_slice %row into %acc[0, %i, 0, 0] [1, 1, 4, 8] [1, 1, 1, 1] : tensor<1x1x4x8xf32> into tensor<1x4x4x8xf32>
    scf.yield %next : tensor<1x4x4x8xf32>
  }
  %p = tensor.pad %r low[0, 1, 1, 0] high[0, 1, 1, 0] {
  ^bb0(%a: index, %b: index, %c: index, %d: index):
    tensor.yield %zero : f32
  } : tensor<1x4x4x8xf32> to tensor<1x6x6x8xf32>
  return %p : tensor<1x6x6x8xf32>
}

// -----

// A dynamic batch is not padded: the new tensor takes the batch size of the
// producer's empty tensor, and the slabs span all of it. The int8 padding
// value is the zero point.
// CHECK-LABEL: func @dynamic_batch_linalg
// CHECK: %[[N:.*]] = tensor.dim
// CHECK: %[[B0:.*]] = tensor.empty(%[[N]]) : tensor<?x4x4x8xi8>
// CHECK: tensor.extract_slice %[[B0]][0, 0, 0, 0] [%[[N]], 1, 4, 8]
// CHECK: %[[IN:.*]] = tensor.extract_slice %{{.*}}[0, 1, 1, 0] [%[[N]], 2, 2, 8]
// CHECK: linalg.generic {{.*}} outs(%[[IN]] : tensor<?x2x2x8xi8>)
// CHECK: tensor.insert_slice %{{.*}} into %{{.*}}[0, 1, 1, 0] [%[[N]], 2, 2, 8]
#map = affine_map<(n, h, w, c) -> (n, h, w, c)>
func.func @dynamic_batch_linalg(%x: tensor<?x2x2x8xi8>) -> tensor<?x4x4x8xi8> {
  %zp = arith.constant -128 : i8
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x2x2x8xi8>
  %e = tensor.empty(%n) : tensor<?x2x2x8xi8>
  %r = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : tensor<?x2x2x8xi8>) outs(%e : tensor<?x2x2x8xi8>) {
  ^bb0(%in: i8, %out: i8):
    %m = arith.maxsi %in, %zp : i8
    linalg.yield %m : i8
  } -> tensor<?x2x2x8xi8>
  %p = tensor.pad %r low[0, 1, 1, 0] high[0, 1, 1, 0] {
  ^bb0(%a: index, %b: index, %c: index, %d: index):
    tensor.yield %zp : i8
  } : tensor<?x2x2x8xi8> to tensor<?x4x4x8xi8>
  return %p : tensor<?x4x4x8xi8>
}

// -----

// Left alone: a function argument has no producer to redirect, and a
// padding value computed after the producer's destination is not available
// where the padded tensor would have to be built.
// CHECK-LABEL: func @not_rewritten
// CHECK: tensor.pad %arg0
// CHECK: tensor.pad
func.func @not_rewritten(%x: tensor<4xf32>, %v: tensor<f32>) -> (tensor<6xf32>, tensor<6xf32>) {
  %zero = arith.constant 0.0 : f32
  %p = tensor.pad %x low[1] high[1] {
  ^bb0(%i: index):
    tensor.yield %zero : f32
  } : tensor<4xf32> to tensor<6xf32>
  %e = tensor.empty() : tensor<4xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  %late = tensor.extract %v[] : tensor<f32>
  %q = tensor.pad %f low[1] high[1] {
  ^bb0(%i: index):
    tensor.yield %late : f32
  } : tensor<4xf32> to tensor<6xf32>
  return %p, %q : tensor<6xf32>, tensor<6xf32>
}
