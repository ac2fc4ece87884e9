func.func @f(%x: tensor<2x8x32xf32>, %m: tensor<2x7xi64>) -> tensor<?x32xf32> {
  %0 = xfmr.remove_padding %x, %m : tensor<2x8x32xf32>, tensor<2x7xi64> -> tensor<?x32xf32>
  return %0 : tensor<?x32xf32>
}
