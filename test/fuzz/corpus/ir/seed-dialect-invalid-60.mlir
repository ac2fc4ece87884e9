func.func @f(%x: tensor<?x32xf32>, %w: tensor<4x32xf32>) -> tensor<?x4x5xf32> {
  %0 = xfmr.linear %x, %w : tensor<?x32xf32>, tensor<4x32xf32> -> tensor<?x4x5xf32>
  return %0 : tensor<?x4x5xf32>
}
