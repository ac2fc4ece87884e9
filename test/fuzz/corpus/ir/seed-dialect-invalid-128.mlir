func.func @f(%q: tensor<?x4x?x8xf32>, %k: tensor<?x4x?x16xf32>, %v: tensor<?x4x?x8xf32>) -> tensor<?x4x?x8xf32> {
  %0 = xfmr.fused_attention %q, %k, %v scale(0.125) mask(<fill = neg_inf, fully_masked = zero>)
      : tensor<?x4x?x8xf32>, tensor<?x4x?x16xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x8xf32>
  return %0 : tensor<?x4x?x8xf32>
}
