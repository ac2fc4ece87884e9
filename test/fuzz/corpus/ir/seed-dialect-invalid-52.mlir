func.func @f(%x: tensor<f32>, %w: tensor<4x1xf32>) -> tensor<4xf32> {
  %0 = xfmr.linear %x, %w : tensor<f32>, tensor<4x1xf32> -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
