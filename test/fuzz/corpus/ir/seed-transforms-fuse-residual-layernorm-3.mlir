func.func @linear_without_bias(%x: tensor<?x?x32xf32>, %r: tensor<?x?x32xf32>, %w: tensor<32x32xf32>, %g: tensor<32xf32>)
    -> tensor<?x?x32xf32> {
  %l = xfmr.linear %x, %w : tensor<?x?x32xf32>, tensor<32x32xf32> -> tensor<?x?x32xf32>
  %s = xfmr.add %l, %r : tensor<?x?x32xf32>, tensor<?x?x32xf32> -> tensor<?x?x32xf32>
  %y = xfmr.layer_norm %s, %g, %g eps(1.0e-5) : tensor<?x?x32xf32>, tensor<32xf32>
  return %y : tensor<?x?x32xf32>
}
