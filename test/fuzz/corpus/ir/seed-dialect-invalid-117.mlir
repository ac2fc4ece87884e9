func.func @f(%x: tensor<?x?x32xf32>, %r: tensor<?x1x32xf32>, %g: tensor<32xf32>) -> tensor<?x?x32xf32> {
  %0, %1 = "xfmr.residual_layer_norm"(%x, %r, %g, %g) {eps = 1.0e-5 : f32, operandSegmentSizes = array<i32: 1, 1, 0, 1, 1>} : (tensor<?x?x32xf32>, tensor<?x1x32xf32>, tensor<32xf32>, tensor<32xf32>) -> (tensor<?x?x32xf32>, tensor<?x?x32xf32>)
  return %0 : tensor<?x?x32xf32>
}
