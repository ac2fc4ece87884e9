func.func @not_a_sum(%x: tensor<?x?x32xf32>, %w: tensor<32x32xf32>, %g: tensor<32xf32>) -> (tensor<?x?x32xf32>, tensor<?x?x32xf32>) {
  %l = xfmr.linear %x, %w, %g : tensor<?x?x32xf32>, tensor<32x32xf32>, tensor<32xf32> -> tensor<?x?x32xf32>
  %y = xfmr.layer_norm %l, %g, %g eps(1.0e-5) : tensor<?x?x32xf32>, tensor<32xf32>
  %z = xfmr.layer_norm %x, %g, %g eps(1.0e-5) : tensor<?x?x32xf32>, tensor<32xf32>
  return %y, %z : tensor<?x?x32xf32>, tensor<?x?x32xf32>
}
