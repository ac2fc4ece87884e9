// A hand-written model: the token embedding times 2, nothing else. Its ABI is
// all in the IR (docs/abi.md): the model attribute, the entry role and the
// argument and result names.
module @lookup attributes {xfmr.model = {name = "lookup", weights_file = "",
    config = {vocab_size = 99 : i64, d_model = 32 : i64, num_layers = 0 : i64,
              num_heads = 1 : i64, max_positions = 64 : i64,
              type_vocab_size = 0 : i64}}} {
  xfmr.weight_decl @wte key("embeddings.word_embeddings.weight") : tensor<99x32xf32>
  func.func @encode(%ids: tensor<?x?xi64> {xfmr.name = "input_ids"},
                    %mask: tensor<?x?xi64> {xfmr.name = "attention_mask"})
      -> (tensor<?x?x32xf32> {xfmr.name = "last_hidden_state"})
      attributes {xfmr.entry = #xfmr.entry<encode>} {
    %w = xfmr.weight @wte : tensor<99x32xf32>
    %e = xfmr.embedding %ids, %w {scale = 2.0 : f32}
        : tensor<?x?xi64>, tensor<99x32xf32> -> tensor<?x?x32xf32>
    return %e : tensor<?x?x32xf32>
  }
}
