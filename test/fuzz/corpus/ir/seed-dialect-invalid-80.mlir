func.func @f(%a: tensor<?x8xf32>) -> tensor<?x4xf32> {
  %0 = "xfmr.scale"(%a) {factor = 2.0 : f32} : (tensor<?x8xf32>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}
