func.func @f(%x: tensor<?x?x8xf32>, %w: tensor<?x8xf32>) -> tensor<?x?x?xf32> {
  %0 = xfmr.linear %x, %w : tensor<?x?x8xf32>, tensor<?x8xf32> -> tensor<?x?x?xf32>
  return %0 : tensor<?x?x?xf32>
}
