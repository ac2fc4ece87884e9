func.func @f(%a: tensor<f32>, %g: tensor<1xf32>) -> tensor<f32> {
  %0 = xfmr.layer_norm %a, %g, %g eps(1.0e-5) : tensor<f32>, tensor<1xf32>
  return %0 : tensor<f32>
}
