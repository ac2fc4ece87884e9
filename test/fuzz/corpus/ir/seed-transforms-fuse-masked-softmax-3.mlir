func.func @scaled_q_reused(%q: tensor<?x4x?x8xf32>, %k: tensor<?x4x?x8xf32>, %m: tensor<?x?xi64>) -> (tensor<?x4x?x?xf32>, tensor<?x4x?x8xf32>) {
  %pad = xfmr.padding_mask %m mask(<fill = neg_inf, fully_masked = zero>) : tensor<?x?xi64> -> tensor<?x1x1x?xf32>
  %qs = xfmr.scale %q by 0.125 : tensor<?x4x?x8xf32>
  %s = xfmr.matmul %qs, %k transpose_rhs : tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x?xf32>
  %a = xfmr.add %s, %pad : tensor<?x4x?x?xf32>, tensor<?x1x1x?xf32> -> tensor<?x4x?x?xf32>
  %p = xfmr.softmax %a : tensor<?x4x?x?xf32>
  return %p, %qs : tensor<?x4x?x?xf32>, tensor<?x4x?x8xf32>
}
