func.func @axis_spelled_out(%s: tensor<?x4x?x?xf32>) -> tensor<?x4x?x?xf32> {
  %scaled = xfmr.scale %s by 0.125 : tensor<?x4x?x?xf32>
  %p = xfmr.softmax %scaled axis(3) : tensor<?x4x?x?xf32>
  return %p : tensor<?x4x?x?xf32>
}
