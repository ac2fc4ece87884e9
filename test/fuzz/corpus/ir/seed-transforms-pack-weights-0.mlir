module {
  xfmr.weight_decl @w key("w") : tensor<8x4xf32>
  xfmr.weight_decl @e key("e") : tensor<10x4xf32>
  func.func @encode(%ids: tensor<?x?xi64>) -> tensor<?x?x8xf32> {
    %e = xfmr.weight @e : tensor<10x4xf32>
    %x = xfmr.embedding %ids, %e : tensor<?x?xi64>, tensor<10x4xf32> -> tensor<?x?x4xf32>
    %w = xfmr.weight @w : tensor<8x4xf32>
    %y = call @layer(%x, %w) : (tensor<?x?x4xf32>, tensor<8x4xf32>) -> tensor<?x?x8xf32>
    return %y : tensor<?x?x8xf32>
  }
  func.func private @layer(%x: tensor<?x?x4xf32>, %w: tensor<8x4xf32>) -> tensor<?x?x8xf32> {
    %y = xfmr.linear %x, %w : tensor<?x?x4xf32>, tensor<8x4xf32> -> tensor<?x?x8xf32>
    return %y : tensor<?x?x8xf32>
  }
}
