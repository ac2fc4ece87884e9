func.func @f(%h: tensor<?x32xf32>, %m: tensor<?x?xi64>) -> tensor<?x32xf32> {
  %0 = xfmr.pool mean %h, %m : tensor<?x32xf32>, tensor<?x?xi64> -> tensor<?x32xf32>
  return %0 : tensor<?x32xf32>
}
