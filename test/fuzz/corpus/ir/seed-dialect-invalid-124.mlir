func.func @f(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %0 = xfmr.l2_normalize %x eps(0.0) : tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}
