func.func @f(%x: tensor<?x?x?xf32>) -> tensor<?x?x?xf32> {
  %0 = xfmr.add_positions sinusoidal %x : tensor<?x?x?xf32>
  return %0 : tensor<?x?x?xf32>
}
