func.func @padding(%x: tensor<?x?x32xf32>, %m: tensor<?x?xi64>) -> tensor<?x?x32xf32> {
  %t = xfmr.remove_padding %x, %m : tensor<?x?x32xf32>, tensor<?x?xi64> -> tensor<?x32xf32>
  %r = xfmr.restore_padding %t, %m : tensor<?x32xf32>, tensor<?x?xi64> -> tensor<?x?x32xf32>
  return %r : tensor<?x?x32xf32>
}
