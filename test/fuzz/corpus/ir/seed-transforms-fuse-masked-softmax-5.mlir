func.func @both_addends_broadcast(%a: tensor<?x1x?x?xf32>, %m: tensor<?x?xi64>) -> tensor<?x4x?x?xf32> {
  %pad = xfmr.padding_mask %m mask(<fill = neg_inf, fully_masked = zero>) : tensor<?x?xi64> -> tensor<?x1x1x?xf32>
  %b = xfmr.add %a, %pad : tensor<?x1x?x?xf32>, tensor<?x1x1x?xf32> -> tensor<?x4x?x?xf32>
  %p = xfmr.softmax %b : tensor<?x4x?x?xf32>
  return %p : tensor<?x4x?x?xf32>
}
