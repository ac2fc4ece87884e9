func.func @f(%ids: tensor<?x?xi32>, %t: tensor<100x32xf32>) -> tensor<?x?x32xf32> {
  %0 = xfmr.embedding %ids, %t : tensor<?x?xi32>, tensor<100x32xf32> -> tensor<?x?x32xf32>
  return %0 : tensor<?x?x32xf32>
}
