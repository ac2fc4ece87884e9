func.func @attention(%q: tensor<?x4x?x8xf32>, %k: tensor<?x4x?x8xf32>, %v: tensor<?x4x?x8xf32>, %m: tensor<?x?xi64>) -> tensor<?x4x?x8xf32> {
  %c = xfmr.fused_attention %q, %k, %v key_padding(%m : tensor<?x?xi64>) scale(0.125)
      mask(<fill = neg_inf, fully_masked = zero>)
      : tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x8xf32>
  return %c : tensor<?x4x?x8xf32>
}
func.func @causal(%q: tensor<?x4x?x8xf32>) -> tensor<?x4x?x8xf32> {
  %c = xfmr.fused_attention %q, %q, %q scale(0.125) causal
      mask(<fill = neg_inf, fully_masked = zero>)
      : tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x8xf32>
  return %c : tensor<?x4x?x8xf32>
}
