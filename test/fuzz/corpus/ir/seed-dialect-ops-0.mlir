xfmr.weight_decl @wte key("embeddings.word_embeddings.weight") : tensor<100x32xf32>
xfmr.weight_decl @wpe key("embeddings.position_embeddings.weight") {note = "extra"} : tensor<64x32xf32>
func.func @weights() -> (tensor<100x32xf32>, tensor<64x32xf32>) {
  %0 = xfmr.weight @wte : tensor<100x32xf32>
  %1 = xfmr.weight @wpe : tensor<64x32xf32>
  return %0, %1 : tensor<100x32xf32>, tensor<64x32xf32>
}
func.func @embedding(%ids: tensor<?x?xi64>, %t: tensor<100x32xf32>)
    -> (tensor<?x?x32xf32>, tensor<?x?x32xf32>) {
  %0 = xfmr.embedding %ids, %t : tensor<?x?xi64>, tensor<100x32xf32> -> tensor<?x?x32xf32>
  %1 = xfmr.embedding %ids, %t {scale = 5.65685415 : f32} : tensor<?x?xi64>, tensor<100x32xf32> -> tensor<?x?x32xf32>
  return %0, %1 : tensor<?x?x32xf32>, tensor<?x?x32xf32>
}
func.func @positions(%x: tensor<?x?x32xf32>, %t: tensor<64x32xf32>)
    -> (tensor<?x?x32xf32>, tensor<?x?x32xf32>) {
  %0 = xfmr.add_positions learned %x, %t : tensor<?x?x32xf32>, tensor<64x32xf32>
  %1 = xfmr.add_positions sinusoidal %x : tensor<?x?x32xf32>
  return %0, %1 : tensor<?x?x32xf32>, tensor<?x?x32xf32>
}
func.func @padding_mask(%m: tensor<?x?xi64>)
    -> (tensor<?x1x1x?xf32>, tensor<2x1x1x7xf32>) {
  %0 = xfmr.padding_mask %m mask(<fill = neg_inf, fully_masked = zero>) : tensor<?x?xi64> -> tensor<?x1x1x?xf32>
  %1 = xfmr.padding_mask %m mask(<fill = lowest, fully_masked = uniform>) : tensor<?x?xi64> -> tensor<2x1x1x7xf32>
  return %0, %1 : tensor<?x1x1x?xf32>, tensor<2x1x1x7xf32>
}
func.func @attention(%x: tensor<?x?x32xf32>, %m: tensor<?x1x1x?xf32>,
                     %w: tensor<32x32xf32>, %b: tensor<32xf32>)
    -> (tensor<?x?x32xf32>, tensor<?x?x32xf32>, tensor<?x?x32xf32>) {
  %0 = xfmr.attention %x mask(%m) q(%w, %b) k(%w, %b) v(%w, %b) o(%w, %b)
      {num_heads = 4 : i64, scale = 0.353553385 : f32}
      : (tensor<?x?x32xf32>, tensor<?x1x1x?xf32>,
         tensor<32x32xf32>, tensor<32xf32>, tensor<32x32xf32>, tensor<32xf32>,
         tensor<32x32xf32>, tensor<32xf32>, tensor<32x32xf32>, tensor<32xf32>)
      -> tensor<?x?x32xf32>
  %1 = xfmr.attention %x q(%w) k(%w) v(%w) o(%w)
      {num_heads = 2 : i64, scale = 0.25 : f32, dropout_rate = 0.1 : f32}
      : (tensor<?x?x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>,
         tensor<32x32xf32>, tensor<32x32xf32>) -> tensor<?x?x32xf32>
  %2 = xfmr.attention %x q(%w, %b) k(%w, %b) v(%w, %b) o(%w, %b)
      {num_heads = 8 : i64, scale = 0.5 : f32, dropout_rate = 0.2 : f32,
       dropout_mode = 1 : i32}
      : (tensor<?x?x32xf32>, tensor<32x32xf32>, tensor<32xf32>,
         tensor<32x32xf32>, tensor<32xf32>, tensor<32x32xf32>, tensor<32xf32>,
         tensor<32x32xf32>, tensor<32xf32>) -> tensor<?x?x32xf32>
  return %0, %1, %2 : tensor<?x?x32xf32>, tensor<?x?x32xf32>, tensor<?x?x32xf32>
}
func.func @ffn(%x: tensor<?x?x32xf32>, %w1: tensor<64x32xf32>, %b1: tensor<64xf32>,
               %w2: tensor<32x64xf32>, %b2: tensor<32xf32>)
    -> (tensor<?x?x32xf32>, tensor<?x?x32xf32>, tensor<?x?x32xf32>) {
  %0 = xfmr.ffn gelu %x up(%w1, %b1 : tensor<64xf32>) down(%w2, %b2 : tensor<32xf32>)
      : tensor<?x?x32xf32>, tensor<64x32xf32>, tensor<32x64xf32> -> tensor<?x?x32xf32>
  %1 = xfmr.ffn gelu_tanh %x up(%w1) down(%w2)
      : tensor<?x?x32xf32>, tensor<64x32xf32>, tensor<32x64xf32> -> tensor<?x?x32xf32>
  %2 = xfmr.ffn relu %x up(%w1, %b1 : tensor<64xf32>) down(%w2)
      : tensor<?x?x32xf32>, tensor<64x32xf32>, tensor<32x64xf32> -> tensor<?x?x32xf32>
  return %0, %1, %2 : tensor<?x?x32xf32>, tensor<?x?x32xf32>, tensor<?x?x32xf32>
}
func.func @linear(%x: tensor<?x?x32xf32>, %w: tensor<64x32xf32>, %b: tensor<64xf32>)
    -> (tensor<?x?x64xf32>, tensor<?x?x64xf32>) {
  %0 = xfmr.linear %x, %w, %b : tensor<?x?x32xf32>, tensor<64x32xf32>, tensor<64xf32> -> tensor<?x?x64xf32>
  %1 = xfmr.linear %x, %w : tensor<?x?x32xf32>, tensor<64x32xf32> -> tensor<?x?x64xf32>
  return %0, %1 : tensor<?x?x64xf32>, tensor<?x?x64xf32>
}
func.func @heads(%x: tensor<?x?x32xf32>) -> tensor<?x?x32xf32> {
  %h = xfmr.split_heads %x heads(4) : tensor<?x?x32xf32> -> tensor<?x4x?x8xf32>
  %m = xfmr.merge_heads %h : tensor<?x4x?x8xf32> -> tensor<?x?x32xf32>
  return %m : tensor<?x?x32xf32>
}
func.func @matmul(%q: tensor<?x4x?x8xf32>, %p: tensor<?x4x?x?xf32>)
    -> (tensor<?x4x?x?xf32>, tensor<?x4x?x8xf32>) {
  %s = xfmr.matmul %q, %q transpose_rhs : tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x?xf32>
  %c = xfmr.matmul %p, %q : tensor<?x4x?x?xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x8xf32>
  return %s, %c : tensor<?x4x?x?xf32>, tensor<?x4x?x8xf32>
}
func.func @elementwise(%s: tensor<?x4x?x?xf32>, %m: tensor<?x1x1x?xf32>) -> tensor<?x4x?x?xf32> {
  %0 = xfmr.scale %s by 0.125 : tensor<?x4x?x?xf32>
  %1 = xfmr.add %0, %m : tensor<?x4x?x?xf32>, tensor<?x1x1x?xf32> -> tensor<?x4x?x?xf32>
  %2 = xfmr.softmax %1 : tensor<?x4x?x?xf32>
  %3 = xfmr.gelu %2 : tensor<?x4x?x?xf32>
  %4 = xfmr.gelu %3 tanh : tensor<?x4x?x?xf32>
  %5 = xfmr.relu %4 : tensor<?x4x?x?xf32>
  %6 = xfmr.dropout %5 rate(0.1) inverted : tensor<?x4x?x?xf32>
  %7 = xfmr.dropout %6 rate(0.0) classic : tensor<?x4x?x?xf32>
  return %7 : tensor<?x4x?x?xf32>
}
func.func @layer_norm(%x: tensor<?x?x32xf32>, %g: tensor<32xf32>, %b: tensor<32xf32>) -> tensor<?x?x32xf32> {
  %0 = xfmr.layer_norm %x, %g, %b eps(1.0e-12) : tensor<?x?x32xf32>, tensor<32xf32>
  return %0 : tensor<?x?x32xf32>
}
func.func @axes(%x: tensor<?x?x32xf32>, %g: tensor<32xf32>, %s: tensor<?x4x?x?xf32>)
    -> (tensor<?x?x32xf32>, tensor<?x?x32xf32>, tensor<?x4x?x?xf32>, tensor<?x4x?x?xf32>) {
  %0 = xfmr.layer_norm %x, %g, %g eps(1.0e-5) axis(2) : tensor<?x?x32xf32>, tensor<32xf32>
  %1 = xfmr.layer_norm %x, %g, %g eps(1.0e-5) axis(-1) : tensor<?x?x32xf32>, tensor<32xf32>
  %2 = xfmr.softmax %s axis(2) : tensor<?x4x?x?xf32>
  %3 = xfmr.softmax %s axis(-3) : tensor<?x4x?x?xf32>
  return %0, %1, %2, %3 : tensor<?x?x32xf32>, tensor<?x?x32xf32>, tensor<?x4x?x?xf32>, tensor<?x4x?x?xf32>
}
func.func @scaled_contractions(%x: tensor<?x?x32xf32>, %w: tensor<64x32xf32>, %b: tensor<64xf32>,
                               %q: tensor<?x4x?x8xf32>)
    -> (tensor<?x?x64xf32>, tensor<?x?x64xf32>, tensor<?x4x?x?xf32>) {
  %0 = xfmr.linear %x, %w, %b {scale = 0.9 : f32} : tensor<?x?x32xf32>, tensor<64x32xf32>, tensor<64xf32> -> tensor<?x?x64xf32>
  %1 = xfmr.linear %x, %w {scale = 0.5 : f32} : tensor<?x?x32xf32>, tensor<64x32xf32> -> tensor<?x?x64xf32>
  %2 = xfmr.matmul %q, %q transpose_rhs {scale = 0.125 : f32} : tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x?xf32>
  return %0, %1, %2 : tensor<?x?x64xf32>, tensor<?x?x64xf32>, tensor<?x4x?x?xf32>
}
func.func @value_fill_and_causal(%m: tensor<?x?xi64>, %s: tensor<?x4x?x?xf32>,
                                 %x: tensor<?x?x32xf32>, %w: tensor<32x32xf32>)
    -> (tensor<?x1x1x?xf32>, tensor<1x1x?x?xf32>, tensor<?x?x32xf32>) {
  %0 = xfmr.padding_mask %m mask(<fill = value(-1.0e+04), fully_masked = zero>) : tensor<?x?xi64> -> tensor<?x1x1x?xf32>
  %1 = xfmr.causal_mask %s : tensor<?x4x?x?xf32> -> tensor<1x1x?x?xf32>
  %2 = xfmr.attention %x q(%w) k(%w) v(%w) o(%w) {causal, num_heads = 4 : i64, scale = 0.5 : f32}
      : (tensor<?x?x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>) -> tensor<?x?x32xf32>
  return %0, %1, %2 : tensor<?x1x1x?xf32>, tensor<1x1x?x?xf32>, tensor<?x?x32xf32>
}
func.func @masked_softmax(%s: tensor<?x4x?x?xf32>, %m: tensor<?x?xi64>, %b: tensor<?x1x1x?xf32>)
    -> (tensor<?x4x?x?xf32>, tensor<?x4x?x?xf32>, tensor<?x4x?x?xf32>, tensor<?x4x?x?xf32>, tensor<?x4x?x?xf32>) {
  %0 = xfmr.masked_softmax %s key_padding(%m : tensor<?x?xi64>) scale(0.125)
      mask(<fill = neg_inf, fully_masked = zero>) : tensor<?x4x?x?xf32>
  %1 = xfmr.masked_softmax %s key_padding(%m : tensor<?x?xi64>) scale(1.0) causal
      mask(<fill = lowest, fully_masked = uniform>) : tensor<?x4x?x?xf32>
  %2 = xfmr.masked_softmax %s bias(%b : tensor<?x1x1x?xf32>) scale(0.5)
      mask(<fill = value(-1.0e+04), fully_masked = uniform>) : tensor<?x4x?x?xf32>
  %3 = xfmr.masked_softmax %s key_padding(%m : tensor<?x?xi64>) bias(%b : tensor<?x1x1x?xf32>)
      scale(2.0) causal mask(<fill = value(-1.0), fully_masked = zero>) : tensor<?x4x?x?xf32>
  %4 = xfmr.masked_softmax %s scale(1.0) mask(#xfmr.mask<fill = lowest, fully_masked = zero>) : tensor<?x4x?x?xf32>
  return %0, %1, %2, %3, %4 : tensor<?x4x?x?xf32>, tensor<?x4x?x?xf32>, tensor<?x4x?x?xf32>, tensor<?x4x?x?xf32>, tensor<?x4x?x?xf32>
}
func.func @residual_layer_norm(%x: tensor<?x?x32xf32>, %r: tensor<?x?x32xf32>,
                               %b: tensor<32xf32>, %g: tensor<32xf32>)
    -> (tensor<?x?x32xf32>, tensor<?x?x32xf32>, tensor<?x?x32xf32>) {
  %y, %sum = xfmr.residual_layer_norm %x, %r bias(%b : tensor<32xf32>), %g, %g eps(1.0e-12)
      : tensor<?x?x32xf32>, tensor<32xf32>
  %z, %sum2 = xfmr.residual_layer_norm %y, %sum, %g, %g eps(1.0e-5) : tensor<?x?x32xf32>, tensor<32xf32>
  return %y, %sum, %z : tensor<?x?x32xf32>, tensor<?x?x32xf32>, tensor<?x?x32xf32>
}
func.func @pooling(%h: tensor<?x?x32xf32>, %m: tensor<?x?xi64>) -> (tensor<?x32xf32>, tensor<?x32xf32>) {
  %0 = xfmr.pool mean %h, %m : tensor<?x?x32xf32>, tensor<?x?xi64> -> tensor<?x32xf32>
  %1 = xfmr.pool cls %h, %m : tensor<?x?x32xf32>, tensor<?x?xi64> -> tensor<?x32xf32>
  %2 = xfmr.l2_normalize %0 eps(1.0e-12) : tensor<?x32xf32>
  return %2, %1 : tensor<?x32xf32>, tensor<?x32xf32>
}
func.func @fused_attention(%q: tensor<?x4x?x8xf32>, %v: tensor<?x4x?x16xf32>, %m: tensor<?x?xi64>, %b: tensor<1x4x?x?xf32>) -> tensor<?x4x?x16xf32> {
  %c = xfmr.fused_attention %q, %q, %v key_padding(%m : tensor<?x?xi64>) bias(%b : tensor<1x4x?x?xf32>) scale(0.125) causal
      mask(<fill = value(-1.0e+04), fully_masked = uniform>)
      : tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32>, tensor<?x4x?x16xf32> -> tensor<?x4x?x16xf32>
  return %c : tensor<?x4x?x16xf32>
}
func.func @padding(%x: tensor<?x?x32xf32>, %m: tensor<?x?xi64>) -> tensor<?x?x32xf32> {
  %t = xfmr.remove_padding %x, %m : tensor<?x?x32xf32>, tensor<?x?xi64> -> tensor<?x32xf32>
  %r = xfmr.restore_padding %t, %m : tensor<?x32xf32>, tensor<?x?xi64> -> tensor<?x?x32xf32>
  return %r : tensor<?x?x32xf32>
}
