func.func @lowest_fill_and_bias(%s: tensor<?x4x?x?xf32>, %bias: tensor<1x4x?x?xf32>, %m: tensor<?x?xi64>) -> tensor<?x4x?x?xf32> {
  %pad = xfmr.padding_mask %m mask(<fill = lowest, fully_masked = uniform>) : tensor<?x?xi64> -> tensor<?x1x1x?xf32>
  %a = xfmr.add %s, %bias : tensor<?x4x?x?xf32>, tensor<1x4x?x?xf32> -> tensor<?x4x?x?xf32>
  %b = xfmr.add %a, %pad : tensor<?x4x?x?xf32>, tensor<?x1x1x?xf32> -> tensor<?x4x?x?xf32>
  %p = xfmr.softmax %b : tensor<?x4x?x?xf32>
  return %p : tensor<?x4x?x?xf32>
}
