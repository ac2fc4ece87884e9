func.func @f(%x: tensor<?x?x32xf32>, %w: tensor<32x32xf32>) -> tensor<?x?x32xf32> {
  %0 = xfmr.attention %x q(%w) k(%w) v(%w) o(%w) {num_heads = 5 : i64, scale = 0.5 : f32}
      : (tensor<?x?x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>) -> tensor<?x?x32xf32>
  return %0 : tensor<?x?x32xf32>
}
