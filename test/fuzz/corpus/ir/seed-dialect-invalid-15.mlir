func.func @f(%x: tensor<?x?x32xf32>, %t: tensor<f32>) -> tensor<?x?x32xf32> {
  %0 = xfmr.add_positions learned %x, %t : tensor<?x?x32xf32>, tensor<f32>
  return %0 : tensor<?x?x32xf32>
}
