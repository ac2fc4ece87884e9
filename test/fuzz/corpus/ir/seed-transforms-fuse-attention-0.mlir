func.func @masked(%q: tensor<?x4x?x8xf32>, %k: tensor<?x4x?x8xf32>, %v: tensor<?x4x?x16xf32>, %m: tensor<?x?xi64>) -> tensor<?x4x?x16xf32> {
  %s = xfmr.matmul %q, %k transpose_rhs : tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x?xf32>
  %p = xfmr.masked_softmax %s key_padding(%m : tensor<?x?xi64>) scale(0.125) causal
      mask(<fill = lowest, fully_masked = uniform>) : tensor<?x4x?x?xf32>
  %c = xfmr.matmul %p, %v : tensor<?x4x?x?xf32>, tensor<?x4x?x16xf32> -> tensor<?x4x?x16xf32>
  return %c : tensor<?x4x?x16xf32>
}
func.func @bias(%q: tensor<?x4x?x8xf32>, %b: tensor<1x4x?x?xf32>) -> tensor<?x4x?x8xf32> {
  %s = xfmr.matmul %q, %q transpose_rhs : tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x?xf32>
  %p = xfmr.masked_softmax %s bias(%b : tensor<1x4x?x?xf32>) scale(1.0)
      mask(<fill = neg_inf, fully_masked = zero>) : tensor<?x4x?x?xf32>
  %c = xfmr.matmul %p, %q : tensor<?x4x?x?xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x8xf32>
  return %c : tensor<?x4x?x8xf32>
}
func.func @plain(%q: tensor<2x4x5x8xf32>) -> tensor<2x4x5x8xf32> {
  %s = xfmr.matmul %q, %q transpose_rhs : tensor<2x4x5x8xf32>, tensor<2x4x5x8xf32> -> tensor<2x4x5x5xf32>
  %p = xfmr.softmax %s : tensor<2x4x5x5xf32>
  %c = xfmr.matmul %p, %q : tensor<2x4x5x5xf32>, tensor<2x4x5x8xf32> -> tensor<2x4x5x8xf32>
  return %c : tensor<2x4x5x8xf32>
}
func.func @probs_used(%q: tensor<?x4x?x8xf32>) -> (tensor<?x4x?x8xf32>, tensor<?x4x?x?xf32>) {
  %s = xfmr.matmul %q, %q transpose_rhs : tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x?xf32>
  %p = xfmr.masked_softmax %s scale(0.5) mask(<fill = neg_inf, fully_masked = zero>) : tensor<?x4x?x?xf32>
  %c = xfmr.matmul %p, %q : tensor<?x4x?x?xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x8xf32>
  return %c, %p : tensor<?x4x?x8xf32>, tensor<?x4x?x?xf32>
}
func.func @scores_used(%q: tensor<?x4x?x8xf32>) -> (tensor<?x4x?x8xf32>, tensor<?x4x?x?xf32>) {
  %s = xfmr.matmul %q, %q transpose_rhs : tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x?xf32>
  %p = xfmr.masked_softmax %s scale(0.5) mask(<fill = neg_inf, fully_masked = zero>) : tensor<?x4x?x?xf32>
  %c = xfmr.matmul %p, %q : tensor<?x4x?x?xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x8xf32>
  return %c, %s : tensor<?x4x?x8xf32>, tensor<?x4x?x?xf32>
}
func.func @scaled_context(%q: tensor<?x4x?x8xf32>) -> tensor<?x4x?x8xf32> {
  %s = xfmr.matmul %q, %q transpose_rhs : tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x?xf32>
  %p = xfmr.masked_softmax %s scale(0.5) mask(<fill = neg_inf, fully_masked = zero>) : tensor<?x4x?x?xf32>
  %c = xfmr.matmul %p, %q {scale = 0.9 : f32} : tensor<?x4x?x?xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x8xf32>
  return %c : tensor<?x4x?x8xf32>
}
func.func @other_axis(%q: tensor<?x4x?x8xf32>) -> tensor<?x4x?x8xf32> {
  %s = xfmr.matmul %q, %q transpose_rhs : tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x?xf32>
  %p = xfmr.softmax %s axis(2) : tensor<?x4x?x?xf32>
  %c = xfmr.matmul %p, %q : tensor<?x4x?x?xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x8xf32>
  return %c : tensor<?x4x?x8xf32>
}
