func.func @f(%x: tensor<f32>) -> tensor<f32> {
  %0 = xfmr.l2_normalize %x eps(1.0e-12) : tensor<f32>
  return %0 : tensor<f32>
}
