func.func @f(%s: tensor<?x?x?xf32>) -> tensor<1x1x?x?xf32> {
  %0 = xfmr.causal_mask %s : tensor<?x?x?xf32> -> tensor<1x1x?x?xf32>
  return %0 : tensor<1x1x?x?xf32>
}
