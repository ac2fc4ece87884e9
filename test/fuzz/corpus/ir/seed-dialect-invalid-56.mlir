func.func @f(%x: tensor<?x32xf32>, %w: tensor<32x4xf32>, %b: tensor<8xf32>) -> tensor<?x4xf32> {
  %0 = xfmr.linear %x, %w, %b {transposed_weight} : tensor<?x32xf32>, tensor<32x4xf32>, tensor<8xf32> -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}
