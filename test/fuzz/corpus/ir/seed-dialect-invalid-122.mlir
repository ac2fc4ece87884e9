func.func @f(%h: tensor<?x?x32xf32>, %m: tensor<?x?xi64>) -> tensor<?x16xf32> {
  %0 = xfmr.pool cls %h, %m : tensor<?x?x32xf32>, tensor<?x?xi64> -> tensor<?x16xf32>
  return %0 : tensor<?x16xf32>
}
