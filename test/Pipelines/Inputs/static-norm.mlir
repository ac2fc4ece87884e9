// A model of static shape: its temporaries have sizes the compiler knows, so
// the manifest's work_memory.static_bytes counts them (xfmr-plan-work-memory).
module @static_norm attributes {xfmr.model = {name = "static_norm", weights_file = "",
    config = {vocab_size = 99 : i64, d_model = 32 : i64, num_layers = 0 : i64,
              num_heads = 1 : i64, max_positions = 64 : i64,
              type_vocab_size = 0 : i64}}} {
  xfmr.weight_decl @wte key("embeddings.word_embeddings.weight") : tensor<99x32xf32>
  xfmr.weight_decl @g key("embeddings.LayerNorm.weight") : tensor<32xf32>
  xfmr.weight_decl @b key("embeddings.LayerNorm.bias") : tensor<32xf32>
  func.func @encode(%ids: tensor<2x8xi64> {xfmr.name = "input_ids"})
      -> (tensor<2x8x32xf32> {xfmr.name = "last_hidden_state"})
      attributes {xfmr.entry = #xfmr.entry<encode>} {
    %w = xfmr.weight @wte : tensor<99x32xf32>
    %g = xfmr.weight @g : tensor<32xf32>
    %b = xfmr.weight @b : tensor<32xf32>
    %e = xfmr.embedding %ids, %w : tensor<2x8xi64>, tensor<99x32xf32> -> tensor<2x8x32xf32>
    %n = xfmr.layer_norm %e, %g, %b eps(1.0e-12) : tensor<2x8x32xf32>, tensor<32xf32>
    return %n : tensor<2x8x32xf32>
  }
}
