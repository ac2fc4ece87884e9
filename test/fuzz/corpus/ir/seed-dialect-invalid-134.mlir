func.func @f(%x: tensor<?x?x32xf32>, %m: tensor<?xi64>) -> tensor<?x32xf32> {
  %0 = xfmr.remove_padding %x, %m : tensor<?x?x32xf32>, tensor<?xi64> -> tensor<?x32xf32>
  return %0 : tensor<?x32xf32>
}
