func.func @f(%x: tensor<?x32xf32>, %w: tensor<4x32xf32>, %b: tensor<4x1xf32>) -> tensor<?x4xf32> {
  %0 = xfmr.linear %x, %w, %b : tensor<?x32xf32>, tensor<4x32xf32>, tensor<4x1xf32> -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}
