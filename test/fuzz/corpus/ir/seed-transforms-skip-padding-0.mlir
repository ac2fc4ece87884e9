module {
  xfmr.weight_decl @wte key("wte") : tensor<10x8xf32>
  xfmr.weight_decl @wpe key("wpe") : tensor<16x8xf32>
  xfmr.weight_decl @w key("w") : tensor<8x8xf32>
  xfmr.weight_decl @b key("b") : tensor<8xf32>
  func.func private @layer(%x: tensor<?x?x8xf32>, %m: tensor<?x?xi64>, %w: tensor<8x8xf32>, %b: tensor<8xf32>) -> tensor<?x?x8xf32> {
    %q = xfmr.linear %x, %w, %b : tensor<?x?x8xf32>, tensor<8x8xf32>, tensor<8xf32> -> tensor<?x?x8xf32>
    %qh = xfmr.split_heads %q heads(2) : tensor<?x?x8xf32> -> tensor<?x2x?x4xf32>
    %k = xfmr.linear %x, %w : tensor<?x?x8xf32>, tensor<8x8xf32> -> tensor<?x?x8xf32>
    %kh = xfmr.split_heads %k heads(2) : tensor<?x?x8xf32> -> tensor<?x2x?x4xf32>
    %ctx = xfmr.fused_attention %qh, %kh, %kh key_padding(%m : tensor<?x?xi64>) scale(0.5)
        mask(<fill = neg_inf, fully_masked = zero>)
        : tensor<?x2x?x4xf32>, tensor<?x2x?x4xf32>, tensor<?x2x?x4xf32> -> tensor<?x2x?x4xf32>
    %merged = xfmr.merge_heads %ctx : tensor<?x2x?x4xf32> -> tensor<?x?x8xf32>
    %o = xfmr.linear %merged, %w : tensor<?x?x8xf32>, tensor<8x8xf32> -> tensor<?x?x8xf32>
    %ln, %sum = xfmr.residual_layer_norm %o, %x bias(%b : tensor<8xf32>), %b, %b eps(1.0e-12)
        : tensor<?x?x8xf32>, tensor<8xf32>
    %g = xfmr.gelu %ln : tensor<?x?x8xf32>
    %y = xfmr.layer_norm %g, %b, %b eps(1.0e-12) axis(2) : tensor<?x?x8xf32>, tensor<8xf32>
    return %y : tensor<?x?x8xf32>
  }
  func.func @encode(%ids: tensor<?x?xi64> {xfmr.name = "input_ids"}, %mask: tensor<?x?xi64> {xfmr.name = "attention_mask"})
      -> (tensor<?x?x8xf32> {xfmr.name = "last_hidden_state"}) attributes {xfmr.entry = #xfmr.entry<encode>} {
    %wte = xfmr.weight @wte : tensor<10x8xf32>
    %e0 = xfmr.embedding %ids, %wte : tensor<?x?xi64>, tensor<10x8xf32> -> tensor<?x?x8xf32>
    %wpe = xfmr.weight @wpe : tensor<16x8xf32>
    %e = xfmr.add_positions learned %e0, %wpe : tensor<?x?x8xf32>, tensor<16x8xf32>
    %w = xfmr.weight @w : tensor<8x8xf32>
    %b = xfmr.weight @b : tensor<8xf32>
    %l0 = call @layer(%e, %mask, %w, %b) : (tensor<?x?x8xf32>, tensor<?x?xi64>, tensor<8x8xf32>, tensor<8xf32>) -> tensor<?x?x8xf32>
    %l1 = call @layer(%l0, %mask, %w, %b) : (tensor<?x?x8xf32>, tensor<?x?xi64>, tensor<8x8xf32>, tensor<8xf32>) -> tensor<?x?x8xf32>
    return %l1 : tensor<?x?x8xf32>
  }
}
