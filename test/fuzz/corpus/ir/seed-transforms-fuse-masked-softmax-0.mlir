func.func @scale_op_then_padding(%q: tensor<?x4x?x8xf32>, %k: tensor<?x4x?x8xf32>, %m: tensor<?x?xi64>) -> tensor<?x4x?x?xf32> {
  %pad = xfmr.padding_mask %m mask(<fill = neg_inf, fully_masked = zero>) : tensor<?x?xi64> -> tensor<?x1x1x?xf32>
  %s = xfmr.matmul %q, %k transpose_rhs : tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x?xf32>
  %scaled = xfmr.scale %s by 0.125 : tensor<?x4x?x?xf32>
  %masked = xfmr.add %scaled, %pad : tensor<?x4x?x?xf32>, tensor<?x1x1x?xf32> -> tensor<?x4x?x?xf32>
  %p = xfmr.softmax %masked : tensor<?x4x?x?xf32>
  return %p : tensor<?x4x?x?xf32>
}
func.func @matmul_scale_attr(%q: tensor<?x4x?x8xf32>, %k: tensor<?x4x?x8xf32>, %m: tensor<?x?xi64>) -> tensor<?x4x?x?xf32> {
  %pad = xfmr.padding_mask %m mask(<fill = neg_inf, fully_masked = zero>) : tensor<?x?xi64> -> tensor<?x1x1x?xf32>
  %s = xfmr.matmul %q, %k transpose_rhs {scale = 0.25 : f32} : tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x?xf32>
  %masked = xfmr.add %pad, %s : tensor<?x1x1x?xf32>, tensor<?x4x?x?xf32> -> tensor<?x4x?x?xf32>
  %p = xfmr.softmax %masked : tensor<?x4x?x?xf32>
  return %p : tensor<?x4x?x?xf32>
}
func.func @scale_on_q(%q: tensor<?x4x?x8xf32>, %k: tensor<?x4x?x8xf32>, %m: tensor<?x?xi64>) -> tensor<?x4x?x?xf32> {
  %pad = xfmr.padding_mask %m mask(<fill = neg_inf, fully_masked = zero>) : tensor<?x?xi64> -> tensor<?x1x1x?xf32>
  %qs = xfmr.scale %q by 0.125 : tensor<?x4x?x8xf32>
  %s = xfmr.matmul %qs, %k transpose_rhs : tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x?xf32>
  %masked = xfmr.add %s, %pad : tensor<?x4x?x?xf32>, tensor<?x1x1x?xf32> -> tensor<?x4x?x?xf32>
  %p = xfmr.softmax %masked : tensor<?x4x?x?xf32>
  return %p : tensor<?x4x?x?xf32>
}
func.func @scales_multiply(%q: tensor<?x4x?x8xf32>, %k: tensor<?x4x?x8xf32>, %m: tensor<?x?xi64>) -> tensor<?x4x?x?xf32> {
  %pad = xfmr.padding_mask %m mask(<fill = neg_inf, fully_masked = zero>) : tensor<?x?xi64> -> tensor<?x1x1x?xf32>
  %ks = xfmr.scale %k by 0.5 : tensor<?x4x?x8xf32>
  %s = xfmr.matmul %q, %ks transpose_rhs {scale = 0.5 : f32} : tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x?xf32>
  %scaled = xfmr.scale %s by 0.5 : tensor<?x4x?x?xf32>
  %masked = xfmr.add %scaled, %pad : tensor<?x4x?x?xf32>, tensor<?x1x1x?xf32> -> tensor<?x4x?x?xf32>
  %p = xfmr.softmax %masked : tensor<?x4x?x?xf32>
  return %p : tensor<?x4x?x?xf32>
}
func.func @padding_then_scale(%s: tensor<?x4x?x?xf32>, %m: tensor<?x?xi64>) -> tensor<?x4x?x?xf32> {
  %pad = xfmr.padding_mask %m mask(<fill = neg_inf, fully_masked = zero>) : tensor<?x?xi64> -> tensor<?x1x1x?xf32>
  %masked = xfmr.add %s, %pad : tensor<?x4x?x?xf32>, tensor<?x1x1x?xf32> -> tensor<?x4x?x?xf32>
  %scaled = xfmr.scale %masked by 0.125 : tensor<?x4x?x?xf32>
  %p = xfmr.softmax %scaled : tensor<?x4x?x?xf32>
  return %p : tensor<?x4x?x?xf32>
}
func.func @lowest_fill(%s: tensor<?x4x?x?xf32>, %m: tensor<?x?xi64>) -> tensor<?x4x?x?xf32> {
  %pad = xfmr.padding_mask %m mask(<fill = lowest, fully_masked = uniform>) : tensor<?x?xi64> -> tensor<?x1x1x?xf32>
  %scaled = xfmr.scale %s by 0.125 : tensor<?x4x?x?xf32>
  %masked = xfmr.add %scaled, %pad : tensor<?x4x?x?xf32>, tensor<?x1x1x?xf32> -> tensor<?x4x?x?xf32>
  %p = xfmr.softmax %masked : tensor<?x4x?x?xf32>
  return %p : tensor<?x4x?x?xf32>
}
func.func @causal(%s: tensor<?x4x?x?xf32>) -> tensor<?x4x?x?xf32> {
  %c = xfmr.causal_mask %s : tensor<?x4x?x?xf32> -> tensor<1x1x?x?xf32>
  %scaled = xfmr.scale %s by 0.125 : tensor<?x4x?x?xf32>
  %masked = xfmr.add %scaled, %c : tensor<?x4x?x?xf32>, tensor<1x1x?x?xf32> -> tensor<?x4x?x?xf32>
  %p = xfmr.softmax %masked : tensor<?x4x?x?xf32>
  return %p : tensor<?x4x?x?xf32>
}
func.func @both_masks(%s: tensor<?x4x?x?xf32>, %m: tensor<?x?xi64>) -> tensor<?x4x?x?xf32> {
  %pad = xfmr.padding_mask %m mask(<fill = neg_inf, fully_masked = zero>) : tensor<?x?xi64> -> tensor<?x1x1x?xf32>
  %c = xfmr.causal_mask %s : tensor<?x4x?x?xf32> -> tensor<1x1x?x?xf32>
  %a = xfmr.add %s, %c : tensor<?x4x?x?xf32>, tensor<1x1x?x?xf32> -> tensor<?x4x?x?xf32>
  %b = xfmr.add %a, %pad : tensor<?x4x?x?xf32>, tensor<?x1x1x?xf32> -> tensor<?x4x?x?xf32>
  %p = xfmr.softmax %b : tensor<?x4x?x?xf32>
  return %p : tensor<?x4x?x?xf32>
}
func.func @bias_after_scale(%s: tensor<?x4x?x?xf32>, %bias: tensor<1x4x?x?xf32>, %m: tensor<?x?xi64>) -> tensor<?x4x?x?xf32> {
  %pad = xfmr.padding_mask %m mask(<fill = neg_inf, fully_masked = zero>) : tensor<?x?xi64> -> tensor<?x1x1x?xf32>
  %scaled = xfmr.scale %s by 0.125 : tensor<?x4x?x?xf32>
  %a = xfmr.add %scaled, %bias : tensor<?x4x?x?xf32>, tensor<1x4x?x?xf32> -> tensor<?x4x?x?xf32>
  %b = xfmr.add %a, %pad : tensor<?x4x?x?xf32>, tensor<?x1x1x?xf32> -> tensor<?x4x?x?xf32>
  %p = xfmr.softmax %b : tensor<?x4x?x?xf32>
  return %p : tensor<?x4x?x?xf32>
}
func.func @additive_argument(%s: tensor<?x4x?x?xf32>, %add: tensor<?x1x1x?xf32>) -> tensor<?x4x?x?xf32> {
  %scaled = xfmr.scale %s by 0.125 : tensor<?x4x?x?xf32>
  %a = xfmr.add %scaled, %add : tensor<?x4x?x?xf32>, tensor<?x1x1x?xf32> -> tensor<?x4x?x?xf32>
  %p = xfmr.softmax %a : tensor<?x4x?x?xf32>
  return %p : tensor<?x4x?x?xf32>
}
