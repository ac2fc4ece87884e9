func.func @broadcasting_add(%x: tensor<?x?x32xf32>, %t: tensor<1x1x32xf32>, %g: tensor<32xf32>) -> tensor<?x?x32xf32> {
  %s = xfmr.add %x, %t : tensor<?x?x32xf32>, tensor<1x1x32xf32> -> tensor<?x?x32xf32>
  %y = xfmr.layer_norm %s, %g, %g eps(1.0e-5) : tensor<?x?x32xf32>, tensor<32xf32>
  return %y : tensor<?x?x32xf32>
}
