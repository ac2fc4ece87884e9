func.func @f(%m: tensor<?xi64>) -> tensor<?x1x1x?xf32> {
  %0 = xfmr.padding_mask %m mask(<fill = neg_inf, fully_masked = zero>) : tensor<?xi64> -> tensor<?x1x1x?xf32>
  return %0 : tensor<?x1x1x?xf32>
}
