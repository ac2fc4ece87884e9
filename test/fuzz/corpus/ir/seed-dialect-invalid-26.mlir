func.func @f(%s: tensor<?x4x5x?xf32>) -> tensor<1x1x4x?xf32> {
  %0 = xfmr.causal_mask %s : tensor<?x4x5x?xf32> -> tensor<1x1x4x?xf32>
  return %0 : tensor<1x1x4x?xf32>
}
