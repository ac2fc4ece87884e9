func.func @f() -> tensor<4xf32> {
  %0 = xfmr.weight @missing : tensor<4xf32>
  return %0 : tensor<4xf32>
}
