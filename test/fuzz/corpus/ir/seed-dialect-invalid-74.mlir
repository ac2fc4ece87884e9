func.func @f(%a: tensor<?x4x?x8xf32>, %b: tensor<?x4x16x8xf32>) -> tensor<?x4x?x8xf32> {
  %0 = xfmr.matmul %a, %b : tensor<?x4x?x8xf32>, tensor<?x4x16x8xf32> -> tensor<?x4x?x8xf32>
  return %0 : tensor<?x4x?x8xf32>
}
