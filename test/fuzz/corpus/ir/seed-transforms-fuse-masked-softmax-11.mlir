func.func @plain(%s: tensor<?x4x?x?xf32>, %q: tensor<?x4x?x8xf32>, %x: tensor<?x64xf32>)
    -> (tensor<?x4x?x?xf32>, tensor<?x4x?x?xf32>, tensor<?x64xf32>) {
  %0 = xfmr.softmax %s : tensor<?x4x?x?xf32>
  %mm = xfmr.matmul %q, %q transpose_rhs : tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x?xf32>
  %1 = xfmr.softmax %mm : tensor<?x4x?x?xf32>
  %xs = xfmr.scale %x by 0.5 : tensor<?x64xf32>
  %2 = xfmr.softmax %xs : tensor<?x64xf32>
  return %0, %1, %2 : tensor<?x4x?x?xf32>, tensor<?x4x?x?xf32>, tensor<?x64xf32>
}
