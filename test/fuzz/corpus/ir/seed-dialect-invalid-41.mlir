func.func @f(%x: tensor<?x?x?xf32>, %w1: tensor<64x32xf32>, %w2: tensor<32x64xf32>) -> tensor<?x?x?xf32> {
  %0 = xfmr.ffn relu %x up(%w1) down(%w2) : tensor<?x?x?xf32>, tensor<64x32xf32>, tensor<32x64xf32> -> tensor<?x?x?xf32>
  return %0 : tensor<?x?x?xf32>
}
