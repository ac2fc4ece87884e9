func.func @f(%t: tensor<?x32xf32>, %m: tensor<2x?xi64>) -> tensor<3x?x32xf32> {
  %0 = xfmr.restore_padding %t, %m : tensor<?x32xf32>, tensor<2x?xi64> -> tensor<3x?x32xf32>
  return %0 : tensor<3x?x32xf32>
}
