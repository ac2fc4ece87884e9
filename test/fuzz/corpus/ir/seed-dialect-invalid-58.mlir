func.func @f(%x: tensor<3x32xf32>, %w: tensor<4x32xf32>) -> tensor<5x4xf32> {
  %0 = xfmr.linear %x, %w : tensor<3x32xf32>, tensor<4x32xf32> -> tensor<5x4xf32>
  return %0 : tensor<5x4xf32>
}
