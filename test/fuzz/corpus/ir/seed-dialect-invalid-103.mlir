func.func @f(%s: tensor<?x4x?x?xf32>) -> tensor<?x4x?x8xf32> {
  %0 = "xfmr.masked_softmax"(%s) {scale = 1.0 : f32, mask = #xfmr.mask<fill = neg_inf, fully_masked = zero>, operandSegmentSizes = array<i32: 1, 0, 0>} : (tensor<?x4x?x?xf32>) -> tensor<?x4x?x8xf32>
  return %0 : tensor<?x4x?x8xf32>
}
