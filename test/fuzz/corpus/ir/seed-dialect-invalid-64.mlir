func.func @f(%x: tensor<?x?x?xf32>) -> tensor<?x4x?x8xf32> {
  %0 = xfmr.split_heads %x heads(4) : tensor<?x?x?xf32> -> tensor<?x4x?x8xf32>
  return %0 : tensor<?x4x?x8xf32>
}
