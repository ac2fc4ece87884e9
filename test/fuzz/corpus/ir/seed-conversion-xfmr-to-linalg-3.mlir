xfmr.weight_decl @w key("w") : tensor<4xf32>
func.func @weight() -> tensor<4xf32> {
  %0 = xfmr.weight @w : tensor<4xf32>
  return %0 : tensor<4xf32>
}
