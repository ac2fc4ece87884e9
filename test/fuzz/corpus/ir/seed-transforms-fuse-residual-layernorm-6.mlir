func.func @axis_spelled_out(%x: tensor<?x16x32xf32>, %r: tensor<?x16x32xf32>, %g: tensor<32xf32>) -> tensor<?x16x32xf32> {
  %s = xfmr.add %x, %r : tensor<?x16x32xf32>, tensor<?x16x32xf32> -> tensor<?x16x32xf32>
  %y = xfmr.layer_norm %s, %g, %g eps(1.0e-5) axis(2) : tensor<?x16x32xf32>, tensor<32xf32>
  return %y : tensor<?x16x32xf32>
}
