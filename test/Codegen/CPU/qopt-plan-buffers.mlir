// RUN: qopt %s --split-input-file --qopt-plan-buffers | FileCheck %s

// Three buffers in sequence: %a and %b live at once, %c only after %a is
// freed, so %c takes %a's place. The largest (%b, 256 bytes) goes first at
// offset 0; the arena is 256 + 64 bytes, allocated first and freed before
// the return.
// CHECK-LABEL: func.func @sequence
// CHECK: %[[ARENA:.*]] = memref.alloc() {alignment = 64 : i64} : memref<320xi8>
// CHECK: %[[A:.*]] = memref.view %[[ARENA]][%c256{{.*}}][] : memref<320xi8> to memref<16xf32>
// CHECK: %[[B:.*]] = memref.view %[[ARENA]][%c0{{.*}}][] : memref<320xi8> to memref<64xf32>
// CHECK: %[[C:.*]] = memref.view %[[ARENA]][%c256{{.*}}][] : memref<320xi8> to memref<8xi32>
// CHECK-NOT: memref.dealloc %[[A]]
// CHECK: memref.dealloc %[[ARENA]] : memref<320xi8>
// CHECK-NEXT: return
func.func @sequence(%x: memref<16xf32>, %y: memref<8xi32>) {
  %a = memref.alloc() {alignment = 64 : i64} : memref<16xf32>
  memref.copy %x, %a : memref<16xf32> to memref<16xf32>
  %b = memref.alloc() {alignment = 64 : i64} : memref<64xf32>
  %sub = memref.subview %b[0] [16] [1] : memref<64xf32> to memref<16xf32, strided<[1]>>
  memref.copy %a, %sub : memref<16xf32> to memref<16xf32, strided<[1]>>
  memref.dealloc %a : memref<16xf32>
  %c = memref.alloc() {alignment = 64 : i64} : memref<8xi32>
  memref.copy %y, %c : memref<8xi32> to memref<8xi32>
  memref.copy %c, %y : memref<8xi32> to memref<8xi32>
  memref.dealloc %b : memref<64xf32>
  memref.dealloc %c : memref<8xi32>
  return
}

// -----

// Left alone: a dynamic buffer, one freed inside a branch, a returned one,
// and buffers of nested regions; with fewer than two candidates there is
// no arena.
// CHECK-LABEL: func.func @left_alone
// CHECK-NOT: memref.view
// CHECK: memref.alloc(%{{.*}}) : memref<?xf32>
// CHECK: memref.alloc() : memref<4xf32>
// CHECK: memref.alloc() : memref<8xf32>
// CHECK: memref.alloc() : memref<2xf32>
// CHECK-NOT: memref.view
func.func @left_alone(%n: index, %p: i1) -> memref<8xf32> {
  %d = memref.alloc(%n) : memref<?xf32>
  memref.dealloc %d : memref<?xf32>
  %e = memref.alloc() : memref<4xf32>
  scf.if %p {
    memref.dealloc %e : memref<4xf32>
  }
  %r = memref.alloc() : memref<8xf32>
  scf.if %p {
    %inner = memref.alloc() : memref<2xf32>
    memref.dealloc %inner : memref<2xf32>
  }
  return %r : memref<8xf32>
}
