func.func @f(%s: tensor<?x4x?x?xf32>) -> tensor<?x4x?x?xf32> {
  %0 = xfmr.softmax %s axis(4) : tensor<?x4x?x?xf32>
  return %0 : tensor<?x4x?x?xf32>
}
