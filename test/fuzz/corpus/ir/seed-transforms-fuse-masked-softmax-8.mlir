func.func @bias_before_scale(%s: tensor<?x4x?x?xf32>, %bias: tensor<1x4x?x?xf32>) -> tensor<?x4x?x?xf32> {
  %a = xfmr.add %s, %bias : tensor<?x4x?x?xf32>, tensor<1x4x?x?xf32> -> tensor<?x4x?x?xf32>
  %scaled = xfmr.scale %a by 0.125 : tensor<?x4x?x?xf32>
  %p = xfmr.softmax %scaled : tensor<?x4x?x?xf32>
  return %p : tensor<?x4x?x?xf32>
}
