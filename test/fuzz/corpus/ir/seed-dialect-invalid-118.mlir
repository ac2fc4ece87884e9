func.func @f(%m: tensor<?x?xi64>) -> tensor<?x?x1x?xf32> {
  %0 = xfmr.padding_mask %m mask(<fill = neg_inf, fully_masked = zero>) : tensor<?x?xi64> -> tensor<?x?x1x?xf32>
  return %0 : tensor<?x?x1x?xf32>
}
