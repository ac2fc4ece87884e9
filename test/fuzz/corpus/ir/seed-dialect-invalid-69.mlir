func.func @f(%x: tensor<?x4x?x8xf32>) -> tensor<?x?x16xf32> {
  %0 = xfmr.merge_heads %x : tensor<?x4x?x8xf32> -> tensor<?x?x16xf32>
  return %0 : tensor<?x?x16xf32>
}
