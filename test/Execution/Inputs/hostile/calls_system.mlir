func.func private @system(!llvm.ptr) -> i32
func.func @main(%x: tensor<1xf32>) -> tensor<1xf32> {
  %p = llvm.mlir.zero : !llvm.ptr
  %r = func.call @system(%p) : (!llvm.ptr) -> i32
  return %x : tensor<1xf32>
}
