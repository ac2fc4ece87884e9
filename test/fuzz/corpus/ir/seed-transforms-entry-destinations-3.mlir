func.func @encode() -> (tensor<4x!llvm.void> {xfmr.name = "y"})
    attributes {xfmr.entry = #xfmr.entry<encode>} {
  %0 = "test.make"() : () -> tensor<4x!llvm.void>
  return %0 : tensor<4x!llvm.void>
}
