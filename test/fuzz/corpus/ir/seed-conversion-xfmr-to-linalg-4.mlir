func.func @add_static_result(%a: tensor<?x4xf32>, %b: tensor<?x4xf32>) -> tensor<3x4xf32> {
  %0 = xfmr.add %a, %b : tensor<?x4xf32>, tensor<?x4xf32> -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}
