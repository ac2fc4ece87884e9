func.func @f(%x: tensor<?x?x32xf32>, %g: tensor<32xf32>) -> tensor<?x?x32xf32> {
  %0 = xfmr.layer_norm %x, %g, %g eps(0.0) : tensor<?x?x32xf32>, tensor<32xf32>
  return %0 : tensor<?x?x32xf32>
}
