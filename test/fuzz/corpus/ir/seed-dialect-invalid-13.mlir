func.func @f(%x: tensor<?x?x32xf32>, %t: tensor<64x32xf32>) -> tensor<?x?x32xf32> {
  %0 = xfmr.add_positions sinusoidal %x, %t : tensor<?x?x32xf32>, tensor<64x32xf32>
  return %0 : tensor<?x?x32xf32>
}
