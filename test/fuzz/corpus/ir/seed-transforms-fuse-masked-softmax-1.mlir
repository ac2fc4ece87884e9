func.func @masked_scores_reused(%s: tensor<?x4x?x?xf32>, %m: tensor<?x?xi64>) -> (tensor<?x4x?x?xf32>, tensor<?x4x?x?xf32>) {
  %pad = xfmr.padding_mask %m mask(<fill = neg_inf, fully_masked = zero>) : tensor<?x?xi64> -> tensor<?x1x1x?xf32>
  %scaled = xfmr.scale %s by 0.125 : tensor<?x4x?x?xf32>
  %a = xfmr.add %scaled, %pad : tensor<?x4x?x?xf32>, tensor<?x1x1x?xf32> -> tensor<?x4x?x?xf32>
  %p = xfmr.softmax %a : tensor<?x4x?x?xf32>
  return %p, %a : tensor<?x4x?x?xf32>, tensor<?x4x?x?xf32>
}
