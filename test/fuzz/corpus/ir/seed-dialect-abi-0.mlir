module @m attributes {xfmr.model = {name = "m", weights_file = "", config = {
    vocab_size = 9 : i64, d_model = 4 : i64, num_layers = 0 : i64,
    num_heads = 1 : i64, max_positions = 8 : i64, type_vocab_size = 0 : i64}}} {
  func.func @encode(%ids: tensor<?x?xi64> {xfmr.name = "input_ids"})
      -> (tensor<?x?xi64> {xfmr.name = "out"})
      attributes {xfmr.entry = #xfmr.entry<encode>} {
    return %ids : tensor<?x?xi64>
  }
  func.func @embed(%ids: tensor<?x?xi64> {xfmr.name = "input_ids"})
      -> (tensor<?x?xi64> {xfmr.name = "out"})
      attributes {xfmr.entry = #xfmr.entry<embed>, xfmr.pooling = "cls", xfmr.normalize} {
    return %ids : tensor<?x?xi64>
  }
  func.func private @decode() attributes {xfmr.entry = #xfmr.entry<decode_step>}
}
