func.func @f(%x: tensor<?x?x?x8xf32>) -> tensor<?x?x32xf32> {
  %0 = xfmr.merge_heads %x : tensor<?x?x?x8xf32> -> tensor<?x?x32xf32>
  return %0 : tensor<?x?x32xf32>
}
