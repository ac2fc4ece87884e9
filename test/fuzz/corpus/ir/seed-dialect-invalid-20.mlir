func.func @f(%m: tensor<?x?xi64>) -> tensor<?x4x1x?xf32> {
  %0 = xfmr.padding_mask %m mask(<fill = lowest, fully_masked = uniform>) : tensor<?x?xi64> -> tensor<?x4x1x?xf32>
  return %0 : tensor<?x4x1x?xf32>
}
