func.func @f(%a: tensor<f32>) -> tensor<f32> {
  %0 = xfmr.softmax %a : tensor<f32>
  return %0 : tensor<f32>
}
