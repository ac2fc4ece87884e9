func.func @f(%s: tensor<?x4x?x?xf32>, %m: tensor<?xi64>) -> tensor<?x4x?x?xf32> {
  %0 = xfmr.masked_softmax %s key_padding(%m : tensor<?xi64>) scale(1.0) mask(<fill = neg_inf, fully_masked = zero>) : tensor<?x4x?x?xf32>
  return %0 : tensor<?x4x?x?xf32>
}
