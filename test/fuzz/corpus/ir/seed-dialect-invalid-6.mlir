xfmr.weight_decl @w key("w") : tensor<4x32xf32>
func.func @f() -> tensor<32x4xf32> {
  %0 = xfmr.weight @w : tensor<32x4xf32>
  return %0 : tensor<32x4xf32>
}
