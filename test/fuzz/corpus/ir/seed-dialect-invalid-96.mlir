func.func @f(%s: tensor<?x?x?xf32>) -> tensor<?x?x?xf32> {
  %0 = xfmr.masked_softmax %s scale(1.0) mask(<fill = neg_inf, fully_masked = zero>) : tensor<?x?x?xf32>
  return %0 : tensor<?x?x?xf32>
}
