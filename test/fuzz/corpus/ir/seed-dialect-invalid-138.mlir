func.func @f(%t: tensor<?x32xf32>, %m: tensor<?x?x?xi64>) -> tensor<?x?x32xf32> {
  %0 = xfmr.restore_padding %t, %m : tensor<?x32xf32>, tensor<?x?x?xi64> -> tensor<?x?x32xf32>
  return %0 : tensor<?x?x32xf32>
}
