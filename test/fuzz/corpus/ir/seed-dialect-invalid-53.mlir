func.func @f(%x: tensor<?x32xf32>, %w: tensor<2x4x32xf32>) -> tensor<?x4xf32> {
  %0 = xfmr.linear %x, %w : tensor<?x32xf32>, tensor<2x4x32xf32> -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}
