func.func @f(%ids: tensor<2x7xi64>, %t: tensor<100x32xf32>) -> tensor<2x8x32xf32> {
  %0 = xfmr.embedding %ids, %t : tensor<2x7xi64>, tensor<100x32xf32> -> tensor<2x8x32xf32>
  return %0 : tensor<2x8x32xf32>
}
