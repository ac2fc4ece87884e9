func.func @f(%ids: tensor<?x?xi64>, %t: tensor<100x32xf32>) -> tensor<?x32xf32> {
  %0 = xfmr.embedding %ids, %t : tensor<?x?xi64>, tensor<100x32xf32> -> tensor<?x32xf32>
  return %0 : tensor<?x32xf32>
}
