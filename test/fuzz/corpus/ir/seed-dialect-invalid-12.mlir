func.func @f(%x: tensor<?x32xf32>) -> tensor<?x32xf32> {
  %0 = xfmr.add_positions sinusoidal %x : tensor<?x32xf32>
  return %0 : tensor<?x32xf32>
}
