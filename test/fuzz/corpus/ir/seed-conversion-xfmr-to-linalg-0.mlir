func.func @linear_bias(%x: tensor<?x?x32xf32>, %w: tensor<64x32xf32>, %b: tensor<64xf32>) -> tensor<?x?x64xf32> {
  %0 = xfmr.linear %x, %w, %b : tensor<?x?x32xf32>, tensor<64x32xf32>, tensor<64xf32> -> tensor<?x?x64xf32>
  return %0 : tensor<?x?x64xf32>
}
func.func @linear_bias_scale(%x: tensor<?x32xf32>, %w: tensor<64x32xf32>, %b: tensor<64xf32>) -> tensor<?x64xf32> {
  %0 = xfmr.linear %x, %w, %b {scale = 0.9 : f32} : tensor<?x32xf32>, tensor<64x32xf32>, tensor<64xf32> -> tensor<?x64xf32>
  return %0 : tensor<?x64xf32>
}
func.func @linear_scale(%x: tensor<?x32xf32>, %w: tensor<64x32xf32>) -> tensor<?x64xf32> {
  %0 = xfmr.linear %x, %w {scale = 0.5 : f32} : tensor<?x32xf32>, tensor<64x32xf32> -> tensor<?x64xf32>
  return %0 : tensor<?x64xf32>
}
func.func @linear_no_bias(%x: tensor<?x32xf32>, %w: tensor<64x32xf32>) -> tensor<?x64xf32> {
  %0 = xfmr.linear %x, %w : tensor<?x32xf32>, tensor<64x32xf32> -> tensor<?x64xf32>
  return %0 : tensor<?x64xf32>
}
func.func @matmul_transpose_rhs(%q: tensor<?x4x?x8xf32>, %k: tensor<?x4x?x8xf32>) -> tensor<?x4x?x?xf32> {
  %0 = xfmr.matmul %q, %k transpose_rhs : tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x?xf32>
  return %0 : tensor<?x4x?x?xf32>
}
func.func @matmul_scale(%q: tensor<?x4x?x8xf32>, %k: tensor<?x4x?x8xf32>) -> tensor<?x4x?x?xf32> {
  %0 = xfmr.matmul %q, %k transpose_rhs {scale = 0.125 : f32} : tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x?xf32>
  return %0 : tensor<?x4x?x?xf32>
}
func.func @matmul(%p: tensor<?x4x?x?xf32>, %v: tensor<?x4x?x8xf32>) -> tensor<?x4x?x8xf32> {
  %0 = xfmr.matmul %p, %v : tensor<?x4x?x?xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x8xf32>
  return %0 : tensor<?x4x?x8xf32>
}
func.func @add_broadcast(%s: tensor<?x4x?x?xf32>, %m: tensor<?x1x1x?xf32>) -> tensor<?x4x?x?xf32> {
  %0 = xfmr.add %s, %m : tensor<?x4x?x?xf32>, tensor<?x1x1x?xf32> -> tensor<?x4x?x?xf32>
  return %0 : tensor<?x4x?x?xf32>
}
func.func @split_heads(%x: tensor<?x?x32xf32>) -> tensor<?x4x?x8xf32> {
  %0 = xfmr.split_heads %x heads(4) : tensor<?x?x32xf32> -> tensor<?x4x?x8xf32>
  return %0 : tensor<?x4x?x8xf32>
}
func.func @merge_heads(%x: tensor<?x4x?x8xf32>) -> tensor<?x?x32xf32> {
  %0 = xfmr.merge_heads %x : tensor<?x4x?x8xf32> -> tensor<?x?x32xf32>
  return %0 : tensor<?x?x32xf32>
}
func.func @gelu(%x: tensor<?x64xf32>) -> tensor<?x64xf32> {
  %0 = xfmr.gelu %x : tensor<?x64xf32>
  return %0 : tensor<?x64xf32>
}
func.func @gelu_tanh(%x: tensor<?x64xf32>) -> tensor<?x64xf32> {
  %0 = xfmr.gelu %x tanh : tensor<?x64xf32>
  return %0 : tensor<?x64xf32>
}
func.func @relu(%x: tensor<?x64xf32>) -> tensor<?x64xf32> {
  %0 = xfmr.relu %x : tensor<?x64xf32>
  return %0 : tensor<?x64xf32>
}
func.func @scale(%x: tensor<?x64xf32>) -> tensor<?x64xf32> {
  %0 = xfmr.scale %x by 0.125 : tensor<?x64xf32>
  return %0 : tensor<?x64xf32>
}
func.func @softmax(%x: tensor<?x4x?x?xf32>) -> tensor<?x4x?x?xf32> {
  %0 = xfmr.softmax %x : tensor<?x4x?x?xf32>
  return %0 : tensor<?x4x?x?xf32>
}
func.func @softmax_rank1(%x: tensor<8xf32>) -> tensor<8xf32> {
  %0 = xfmr.softmax %x : tensor<8xf32>
  return %0 : tensor<8xf32>
}
func.func @softmax_axis1(%x: tensor<?x4x?x?xf32>) -> tensor<?x4x?x?xf32> {
  %0 = xfmr.softmax %x axis(1) : tensor<?x4x?x?xf32>
  return %0 : tensor<?x4x?x?xf32>
}
func.func @layer_norm(%x: tensor<?x?x32xf32>, %g: tensor<32xf32>, %b: tensor<32xf32>) -> tensor<?x?x32xf32> {
  %0 = xfmr.layer_norm %x, %g, %b eps(1.0e-12) : tensor<?x?x32xf32>, tensor<32xf32>
  return %0 : tensor<?x?x32xf32>
}
func.func @layer_norm_axis(%x: tensor<?x16x?xf32>, %g: tensor<16xf32>) -> tensor<?x16x?xf32> {
  %0 = xfmr.layer_norm %x, %g, %g eps(1.0e-5) axis(-2) : tensor<?x16x?xf32>, tensor<16xf32>
  return %0 : tensor<?x16x?xf32>
}
func.func @residual_layer_norm(%x: tensor<?x?x32xf32>, %r: tensor<?x?x32xf32>, %b: tensor<32xf32>,
                               %g: tensor<32xf32>, %beta: tensor<32xf32>) -> (tensor<?x?x32xf32>, tensor<?x?x32xf32>) {
  %y, %s = xfmr.residual_layer_norm %x, %r bias(%b : tensor<32xf32>), %g, %beta eps(1.0e-12) : tensor<?x?x32xf32>, tensor<32xf32>
  return %y, %s : tensor<?x?x32xf32>, tensor<?x?x32xf32>
}
func.func @residual_layer_norm_no_bias(%x: tensor<?x?x32xf32>, %r: tensor<?x?x32xf32>, %g: tensor<32xf32>) -> tensor<?x?x32xf32> {
  %y, %s = xfmr.residual_layer_norm %x, %r, %g, %g eps(1.0e-5) : tensor<?x?x32xf32>, tensor<32xf32>
  return %y : tensor<?x?x32xf32>
}
func.func @masked_softmax_padding(%s: tensor<?x4x?x?xf32>, %m: tensor<?x?xi64>) -> tensor<?x4x?x?xf32> {
  %0 = xfmr.masked_softmax %s key_padding(%m : tensor<?x?xi64>) scale(0.125) mask(<fill = neg_inf, fully_masked = zero>) : tensor<?x4x?x?xf32>
  return %0 : tensor<?x4x?x?xf32>
}
func.func @masked_softmax_causal_bias(%s: tensor<?x4x?x?xf32>, %b: tensor<1x4x1x?xf32>) -> tensor<?x4x?x?xf32> {
  %0 = xfmr.masked_softmax %s bias(%b : tensor<1x4x1x?xf32>) scale(1.0) causal mask(<fill = lowest, fully_masked = uniform>) : tensor<?x4x?x?xf32>
  return %0 : tensor<?x4x?x?xf32>
}
func.func @masked_softmax_unmasked(%s: tensor<?x4x?x?xf32>, %b: tensor<?x1x1x?xf32>) -> tensor<?x4x?x?xf32> {
  %0 = xfmr.masked_softmax %s bias(%b : tensor<?x1x1x?xf32>) scale(0.5) mask(<fill = neg_inf, fully_masked = zero>) : tensor<?x4x?x?xf32>
  return %0 : tensor<?x4x?x?xf32>
}
func.func @causal_mask(%s: tensor<?x4x?x?xf32>) -> tensor<1x1x?x?xf32> {
  %0 = xfmr.causal_mask %s : tensor<?x4x?x?xf32> -> tensor<1x1x?x?xf32>
  return %0 : tensor<1x1x?x?xf32>
}
func.func @embedding(%ids: tensor<?x?xi64>, %t: tensor<100x32xf32>) -> tensor<?x?x32xf32> {
  %0 = xfmr.embedding %ids, %t {scale = 2.0 : f32} : tensor<?x?xi64>, tensor<100x32xf32> -> tensor<?x?x32xf32>
  return %0 : tensor<?x?x32xf32>
}
func.func @embedding_unscaled(%ids: tensor<?xi64>, %t: tensor<100x32xf32>) -> tensor<?x32xf32> {
  %0 = xfmr.embedding %ids, %t : tensor<?xi64>, tensor<100x32xf32> -> tensor<?x32xf32>
  return %0 : tensor<?x32xf32>
}
func.func @embedding_rank0_ids(%id: tensor<i64>, %t: tensor<100x32xf32>) -> tensor<32xf32> {
  %0 = xfmr.embedding %id, %t : tensor<i64>, tensor<100x32xf32> -> tensor<32xf32>
  return %0 : tensor<32xf32>
}
func.func @positions_learned(%x: tensor<?x?x32xf32>, %t: tensor<64x32xf32>) -> tensor<?x?x32xf32> {
  %0 = xfmr.add_positions learned %x, %t : tensor<?x?x32xf32>, tensor<64x32xf32>
  return %0 : tensor<?x?x32xf32>
}
func.func @positions_sinusoidal(%x: tensor<?x?x32xf32>) -> tensor<?x?x32xf32> {
  %0 = xfmr.add_positions sinusoidal %x : tensor<?x?x32xf32>
  return %0 : tensor<?x?x32xf32>
}
func.func @padding_mask_neg_inf(%m: tensor<?x?xi64>) -> tensor<?x1x1x?xf32> {
  %0 = xfmr.padding_mask %m mask(<fill = neg_inf, fully_masked = zero>) : tensor<?x?xi64> -> tensor<?x1x1x?xf32>
  return %0 : tensor<?x1x1x?xf32>
}
func.func @padding_mask_lowest(%m: tensor<?x?xi64>) -> tensor<?x1x1x?xf32> {
  %0 = xfmr.padding_mask %m mask(<fill = lowest, fully_masked = uniform>) : tensor<?x?xi64> -> tensor<?x1x1x?xf32>
  return %0 : tensor<?x1x1x?xf32>
}
func.func @padding_mask_value(%m: tensor<?x?xi64>) -> tensor<?x1x1x?xf32> {
  %0 = xfmr.padding_mask %m mask(<fill = value(-1.0e+04), fully_masked = zero>) : tensor<?x?xi64> -> tensor<?x1x1x?xf32>
  return %0 : tensor<?x1x1x?xf32>
}
func.func @masked_softmax_value(%s: tensor<?x4x?x?xf32>, %m: tensor<?x?xi64>) -> tensor<?x4x?x?xf32> {
  %0 = xfmr.masked_softmax %s key_padding(%m : tensor<?x?xi64>) scale(1.0)
      mask(<fill = value(-1.0e+04), fully_masked = zero>) : tensor<?x4x?x?xf32>
  return %0 : tensor<?x4x?x?xf32>
}
