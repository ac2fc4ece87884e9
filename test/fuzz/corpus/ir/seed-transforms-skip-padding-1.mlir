module {
  xfmr.weight_decl @wte key("wte") : tensor<10x8xf32>
  xfmr.weight_decl @w key("w") : tensor<8x8xf32>
  func.func @embed(%ids: tensor<?x?xi64> {xfmr.name = "input_ids"}, %mask: tensor<?x?xi64> {xfmr.name = "attention_mask"})
      -> (tensor<?x8xf32> {xfmr.name = "sentence_embedding"}) attributes {xfmr.entry = #xfmr.entry<embed>, xfmr.pooling = "mean"} {
    %pm = xfmr.padding_mask %mask mask(<fill = lowest, fully_masked = uniform>) : tensor<?x?xi64> -> tensor<?x1x1x?xf32>
    %wte = xfmr.weight @wte : tensor<10x8xf32>
    %e = xfmr.embedding %ids, %wte : tensor<?x?xi64>, tensor<10x8xf32> -> tensor<?x?x8xf32>
    %w = xfmr.weight @w : tensor<8x8xf32>
    %p = xfmr.linear %e, %w : tensor<?x?x8xf32>, tensor<8x8xf32> -> tensor<?x?x8xf32>
    %h = xfmr.split_heads %p heads(2) : tensor<?x?x8xf32> -> tensor<?x2x?x4xf32>
    %s = xfmr.matmul %h, %h transpose_rhs : tensor<?x2x?x4xf32>, tensor<?x2x?x4xf32> -> tensor<?x2x?x?xf32>
    %sc = xfmr.scale %s by 0.5 : tensor<?x2x?x?xf32>
    %ms = xfmr.add %sc, %pm : tensor<?x2x?x?xf32>, tensor<?x1x1x?xf32> -> tensor<?x2x?x?xf32>
    %probs = xfmr.softmax %ms : tensor<?x2x?x?xf32>
    %ctx = xfmr.matmul %probs, %h : tensor<?x2x?x?xf32>, tensor<?x2x?x4xf32> -> tensor<?x2x?x4xf32>
    %merged = xfmr.merge_heads %ctx : tensor<?x2x?x4xf32> -> tensor<?x?x8xf32>
    %sum = xfmr.add %merged, %e : tensor<?x?x8xf32>, tensor<?x?x8xf32> -> tensor<?x?x8xf32>
    %pooled = xfmr.pool mean %sum, %mask : tensor<?x?x8xf32>, tensor<?x?xi64> -> tensor<?x8xf32>
    return %pooled : tensor<?x8xf32>
  }
}
