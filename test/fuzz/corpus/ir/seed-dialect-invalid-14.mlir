func.func @f(%x: tensor<?x?x32xf32>) -> tensor<?x?x32xf32> {
  %0 = xfmr.add_positions learned %x : tensor<?x?x32xf32>
  return %0 : tensor<?x?x32xf32>
}
