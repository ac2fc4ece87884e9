func.func @f(%a: tensor<3x8xf32>, %b: tensor<8x5xf32>) -> tensor<3x6xf32> {
  %0 = xfmr.matmul %a, %b : tensor<3x8xf32>, tensor<8x5xf32> -> tensor<3x6xf32>
  return %0 : tensor<3x6xf32>
}
