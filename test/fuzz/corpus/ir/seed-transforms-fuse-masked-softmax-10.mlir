func.func @two_padding_masks(%s: tensor<?x4x?x?xf32>, %m: tensor<?x?xi64>, %n: tensor<?x?xi64>) -> tensor<?x4x?x?xf32> {
  %p1 = xfmr.padding_mask %m mask(<fill = neg_inf, fully_masked = zero>) : tensor<?x?xi64> -> tensor<?x1x1x?xf32>
  %p2 = xfmr.padding_mask %n mask(<fill = neg_inf, fully_masked = zero>) : tensor<?x?xi64> -> tensor<?x1x1x?xf32>
  %a = xfmr.add %s, %p1 : tensor<?x4x?x?xf32>, tensor<?x1x1x?xf32> -> tensor<?x4x?x?xf32>
  %b = xfmr.add %a, %p2 : tensor<?x4x?x?xf32>, tensor<?x1x1x?xf32> -> tensor<?x4x?x?xf32>
  %p = xfmr.softmax %b : tensor<?x4x?x?xf32>
  return %p : tensor<?x4x?x?xf32>
}
