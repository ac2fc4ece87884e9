func.func @attention_mask_bias(%x: tensor<?x?x32xf32>, %m: tensor<?x1x1x?xf32>,
    %wq: tensor<32x32xf32>, %bq: tensor<32xf32>, %wk: tensor<32x32xf32>, %bk: tensor<32xf32>,
    %wv: tensor<32x32xf32>, %bv: tensor<32xf32>, %wo: tensor<32x32xf32>, %bo: tensor<32xf32>)
    -> tensor<?x?x32xf32> {
  %0 = xfmr.attention %x mask(%m) q(%wq, %bq) k(%wk, %bk) v(%wv, %bv) o(%wo, %bo)
      {num_heads = 4 : i64, scale = 0.353553385 : f32}
      : (tensor<?x?x32xf32>, tensor<?x1x1x?xf32>,
         tensor<32x32xf32>, tensor<32xf32>, tensor<32x32xf32>, tensor<32xf32>,
         tensor<32x32xf32>, tensor<32xf32>, tensor<32x32xf32>, tensor<32xf32>)
      -> tensor<?x?x32xf32>
  return %0 : tensor<?x?x32xf32>
}
func.func @attention_plain(%x: tensor<2x5x16xf32>, %w: tensor<16x16xf32>) -> tensor<2x5x16xf32> {
  %0 = xfmr.attention %x q(%w) k(%w) v(%w) o(%w)
      {num_heads = 2 : i64, scale = 0.25 : f32, dropout_rate = 0.0 : f32}
      : (tensor<2x5x16xf32>, tensor<16x16xf32>, tensor<16x16xf32>,
         tensor<16x16xf32>, tensor<16x16xf32>) -> tensor<2x5x16xf32>
  return %0 : tensor<2x5x16xf32>
}
func.func @attention_dropout_inverted(%x: tensor<?x?x32xf32>, %w: tensor<32x32xf32>) -> tensor<?x?x32xf32> {
  %0 = xfmr.attention %x q(%w) k(%w) v(%w) o(%w)
      {num_heads = 4 : i64, scale = 0.5 : f32, dropout_rate = 0.1 : f32}
      : (tensor<?x?x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>,
         tensor<32x32xf32>, tensor<32x32xf32>) -> tensor<?x?x32xf32>
  return %0 : tensor<?x?x32xf32>
}
func.func @attention_dropout_classic(%x: tensor<?x?x32xf32>, %w: tensor<32x32xf32>) -> tensor<?x?x32xf32> {
  %0 = xfmr.attention %x q(%w) k(%w) v(%w) o(%w)
      {num_heads = 4 : i64, scale = 0.5 : f32, dropout_rate = 0.25 : f32, dropout_mode = 1 : i32}
      : (tensor<?x?x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>,
         tensor<32x32xf32>, tensor<32x32xf32>) -> tensor<?x?x32xf32>
  return %0 : tensor<?x?x32xf32>
}
func.func @ffn_gelu(%x: tensor<?x?x32xf32>, %w1: tensor<64x32xf32>, %b1: tensor<64xf32>,
                    %w2: tensor<32x64xf32>, %b2: tensor<32xf32>) -> tensor<?x?x32xf32> {
  %0 = xfmr.ffn gelu %x up(%w1, %b1 : tensor<64xf32>) down(%w2, %b2 : tensor<32xf32>)
      : tensor<?x?x32xf32>, tensor<64x32xf32>, tensor<32x64xf32> -> tensor<?x?x32xf32>
  return %0 : tensor<?x?x32xf32>
}
func.func @ffn_gelu_tanh(%x: tensor<3x32xf32>, %w1: tensor<64x32xf32>, %w2: tensor<32x64xf32>) -> tensor<3x32xf32> {
  %0 = xfmr.ffn gelu_tanh %x up(%w1) down(%w2)
      : tensor<3x32xf32>, tensor<64x32xf32>, tensor<32x64xf32> -> tensor<3x32xf32>
  return %0 : tensor<3x32xf32>
}
func.func @ffn_relu(%x: tensor<?x?x32xf32>, %w1: tensor<64x32xf32>, %b1: tensor<64xf32>,
                    %w2: tensor<32x64xf32>) -> tensor<?x?x32xf32> {
  %0 = xfmr.ffn relu %x up(%w1, %b1 : tensor<64xf32>) down(%w2)
      : tensor<?x?x32xf32>, tensor<64x32xf32>, tensor<32x64xf32> -> tensor<?x?x32xf32>
  return %0 : tensor<?x?x32xf32>
}
func.func @primitives_untouched(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %0 = xfmr.softmax %x : tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}
