func.func @f(%x: tensor<?x?x32xf32>, %m: tensor<?x?xi64>) -> tensor<?x16xf32> {
  %0 = xfmr.remove_padding %x, %m : tensor<?x?x32xf32>, tensor<?x?xi64> -> tensor<?x16xf32>
  return %0 : tensor<?x16xf32>
}
