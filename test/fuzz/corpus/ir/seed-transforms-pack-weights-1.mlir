module {
  xfmr.weight_decl @e key("e") : tensor<10x4xf32>
  func.func @encode(%ids: tensor<?x?xi64>) -> tensor<?x?x10xf32> {
    %e = xfmr.weight @e : tensor<10x4xf32>
    %x = xfmr.embedding %ids, %e : tensor<?x?xi64>, tensor<10x4xf32> -> tensor<?x?x4xf32>
    %y = xfmr.linear %x, %e : tensor<?x?x4xf32>, tensor<10x4xf32> -> tensor<?x?x10xf32>
    return %y : tensor<?x?x10xf32>
  }
}
