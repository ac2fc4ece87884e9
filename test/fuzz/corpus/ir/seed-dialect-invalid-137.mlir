func.func @f(%t: tensor<f32>, %m: tensor<?x?xi64>) -> tensor<?x?xf32> {
  %0 = xfmr.restore_padding %t, %m : tensor<f32>, tensor<?x?xi64> -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}
