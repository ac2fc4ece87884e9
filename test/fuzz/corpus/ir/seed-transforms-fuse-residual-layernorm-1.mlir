func.func @linear_reused(%x: tensor<?x?x32xf32>, %r: tensor<?x?x32xf32>, %w: tensor<32x32xf32>, %b: tensor<32xf32>)
    -> (tensor<?x?x32xf32>, tensor<?x?x32xf32>) {
  %l = xfmr.linear %x, %w, %b : tensor<?x?x32xf32>, tensor<32x32xf32>, tensor<32xf32> -> tensor<?x?x32xf32>
  %s = xfmr.add %l, %r : tensor<?x?x32xf32>, tensor<?x?x32xf32> -> tensor<?x?x32xf32>
  %y = xfmr.layer_norm %s, %b, %b eps(1.0e-5) : tensor<?x?x32xf32>, tensor<32xf32>
  return %y, %l : tensor<?x?x32xf32>, tensor<?x?x32xf32>
}
