func.func @f(%x: tensor<?xf32>, %m: tensor<?x?xi64>) -> tensor<?xf32> {
  %0 = xfmr.remove_padding %x, %m : tensor<?xf32>, tensor<?x?xi64> -> tensor<?xf32>
  return %0 : tensor<?xf32>
}
