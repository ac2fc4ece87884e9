func.func @f(%s: tensor<?x4x?x?xf32>) -> tensor<2x1x?x?xf32> {
  %0 = xfmr.causal_mask %s : tensor<?x4x?x?xf32> -> tensor<2x1x?x?xf32>
  return %0 : tensor<2x1x?x?xf32>
}
