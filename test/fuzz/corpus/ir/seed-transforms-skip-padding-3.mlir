module {
  xfmr.weight_decl @wte key("wte") : tensor<10x8xf32>
  xfmr.weight_decl @w key("w") : tensor<8x8xf32>
  func.func private @ffn(%x: tensor<?x?x8xf32>, %m: tensor<?x?xi64>, %w: tensor<8x8xf32>) -> tensor<?x?x8xf32> {
    %y = xfmr.linear %x, %w : tensor<?x?x8xf32>, tensor<8x8xf32> -> tensor<?x?x8xf32>
    return %y : tensor<?x?x8xf32>
  }
  func.func @encode(%ids: tensor<?x?xi64> {xfmr.name = "input_ids"}, %mask: tensor<?x?xi64> {xfmr.name = "attention_mask"})
      -> (tensor<?x?x8xf32> {xfmr.name = "last_hidden_state"}) attributes {xfmr.entry = #xfmr.entry<encode>} {
    %wte = xfmr.weight @wte : tensor<10x8xf32>
    %e = xfmr.embedding %ids, %wte : tensor<?x?xi64>, tensor<10x8xf32> -> tensor<?x?x8xf32>
    %w = xfmr.weight @w : tensor<8x8xf32>
    %y = call @ffn(%e, %mask, %w) : (tensor<?x?x8xf32>, tensor<?x?xi64>, tensor<8x8xf32>) -> tensor<?x?x8xf32>
    return %y : tensor<?x?x8xf32>
  }
  func.func @cls(%ids: tensor<?x?xi64> {xfmr.name = "input_ids"}, %mask: tensor<?x?xi64> {xfmr.name = "attention_mask"})
      -> (tensor<?x8xf32> {xfmr.name = "sentence_embedding"}) attributes {xfmr.entry = #xfmr.entry<embed>, xfmr.pooling = "cls"} {
    %wte = xfmr.weight @wte : tensor<10x8xf32>
    %e = xfmr.embedding %ids, %wte : tensor<?x?xi64>, tensor<10x8xf32> -> tensor<?x?x8xf32>
    %w = xfmr.weight @w : tensor<8x8xf32>
    %y = call @ffn(%e, %mask, %w) : (tensor<?x?x8xf32>, tensor<?x?xi64>, tensor<8x8xf32>) -> tensor<?x?x8xf32>
    %pooled = xfmr.pool cls %y, %mask : tensor<?x?x8xf32>, tensor<?x?xi64> -> tensor<?x8xf32>
    return %pooled : tensor<?x8xf32>
  }
}
