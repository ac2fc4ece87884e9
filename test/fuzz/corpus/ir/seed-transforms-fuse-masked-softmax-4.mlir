func.func @mask_not_broadcasting(%s: tensor<?x4x?x?xf32>, %bias: tensor<2x1x1x7xf32>) -> tensor<?x4x?x?xf32> {
  %scaled = xfmr.scale %s by 0.125 : tensor<?x4x?x?xf32>
  %a = xfmr.add %scaled, %bias : tensor<?x4x?x?xf32>, tensor<2x1x1x7xf32> -> tensor<?x4x?x?xf32>
  %p = xfmr.softmax %a : tensor<?x4x?x?xf32>
  return %p : tensor<?x4x?x?xf32>
}
