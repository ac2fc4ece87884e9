func.func @f(%s: tensor<?x4x?x?xf32>) -> tensor<?x4x?x?xf32> {
  %0 = xfmr.masked_softmax %s scale(1.0) mask(<fill = value, fully_masked = zero>) : tensor<?x4x?x?xf32>
  return %0 : tensor<?x4x?x?xf32>
}
