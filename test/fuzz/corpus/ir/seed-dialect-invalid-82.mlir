func.func @f(%x: tensor<?x?x?xf32>, %g: tensor<32xf32>) -> tensor<?x?x?xf32> {
  %0 = xfmr.layer_norm %x, %g, %g eps(1.0e-5) : tensor<?x?x?xf32>, tensor<32xf32>
  return %0 : tensor<?x?x?xf32>
}
