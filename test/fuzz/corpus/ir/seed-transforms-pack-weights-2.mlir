module {
  xfmr.weight_decl @w key("w") : tensor<4x4xf32>
  func.func @encode(%x: tensor<?x?x4xf32>, %v: tensor<4x4xf32>) -> tensor<?x?x4xf32> {
    %w = xfmr.weight @w : tensor<4x4xf32>
    %a = call @layer(%x, %w) : (tensor<?x?x4xf32>, tensor<4x4xf32>) -> tensor<?x?x4xf32>
    %b = call @layer(%a, %v) : (tensor<?x?x4xf32>, tensor<4x4xf32>) -> tensor<?x?x4xf32>
    return %b : tensor<?x?x4xf32>
  }
  func.func private @layer(%x: tensor<?x?x4xf32>, %w: tensor<4x4xf32>) -> tensor<?x?x4xf32> {
    %y = xfmr.linear %x, %w : tensor<?x?x4xf32>, tensor<4x4xf32> -> tensor<?x?x4xf32>
    return %y : tensor<?x?x4xf32>
  }
}
