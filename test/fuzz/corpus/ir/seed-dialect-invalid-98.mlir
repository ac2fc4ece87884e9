func.func @f(%s: tensor<2x4x3x7xf32>, %m: tensor<3x7xi64>) -> tensor<2x4x3x7xf32> {
  %0 = xfmr.masked_softmax %s key_padding(%m : tensor<3x7xi64>) scale(1.0) mask(<fill = neg_inf, fully_masked = zero>) : tensor<2x4x3x7xf32>
  return %0 : tensor<2x4x3x7xf32>
}
