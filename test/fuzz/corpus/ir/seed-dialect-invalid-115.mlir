func.func @f(%x: tensor<?x?x32xf32>, %b: tensor<1x32xf32>, %g: tensor<32xf32>) -> tensor<?x?x32xf32> {
  %0, %1 = xfmr.residual_layer_norm %x, %x bias(%b : tensor<1x32xf32>), %g, %g eps(1.0e-5) : tensor<?x?x32xf32>, tensor<32xf32>
  return %0 : tensor<?x?x32xf32>
}
