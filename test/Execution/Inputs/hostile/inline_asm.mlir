func.func @main(%x: tensor<1xf32>) -> tensor<1xf32> {
  %r = llvm.inline_asm has_side_effects "nop", "" : () -> !llvm.void
  return %x : tensor<1xf32>
}
