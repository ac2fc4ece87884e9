func.func @f(%x: tensor<?x32xf32>, %w: tensor<4x16xf32>) -> tensor<?x4xf32> {
  %0 = xfmr.linear %x, %w : tensor<?x32xf32>, tensor<4x16xf32> -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}
