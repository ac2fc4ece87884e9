func.func @padding_round_trip(%t: tensor<?x32xf32>, %m: tensor<?x?xi64>, %n: tensor<?x?xi64>, %x: tensor<?x?x32xf32>)
    -> (tensor<?x32xf32>, tensor<?x32xf32>, tensor<?x?x32xf32>) {
  %r = xfmr.restore_padding %t, %m : tensor<?x32xf32>, tensor<?x?xi64> -> tensor<?x?x32xf32>
  %0 = xfmr.remove_padding %r, %m : tensor<?x?x32xf32>, tensor<?x?xi64> -> tensor<?x32xf32>
  %1 = xfmr.remove_padding %r, %n : tensor<?x?x32xf32>, tensor<?x?xi64> -> tensor<?x32xf32>
  %g = xfmr.remove_padding %x, %m : tensor<?x?x32xf32>, tensor<?x?xi64> -> tensor<?x32xf32>
  %2 = xfmr.restore_padding %g, %m : tensor<?x32xf32>, tensor<?x?xi64> -> tensor<?x?x32xf32>
  return %0, %1, %2 : tensor<?x32xf32>, tensor<?x32xf32>, tensor<?x?x32xf32>
}
