func.func @scale_by_one(%x: tensor<?x4x?x?xf32>) -> tensor<?x4x?x?xf32> {
  %0 = xfmr.scale %x by 1.0 : tensor<?x4x?x?xf32>
  return %0 : tensor<?x4x?x?xf32>
}
func.func @scale_of_scale(%x: tensor<?x4x?x?xf32>) -> tensor<?x4x?x?xf32> {
  %0 = xfmr.scale %x by 0.5 : tensor<?x4x?x?xf32>
  %1 = xfmr.scale %0 by 0.3 : tensor<?x4x?x?xf32>
  return %1 : tensor<?x4x?x?xf32>
}
