func.func @f(%a: tensor<3x4xf32>, %b: tensor<?x1x4xf32>) -> tensor<?x3x4xf32> {
  %0 = xfmr.add %a, %b : tensor<3x4xf32>, tensor<?x1x4xf32> -> tensor<?x3x4xf32>
  return %0 : tensor<?x3x4xf32>
}
