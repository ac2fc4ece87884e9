// Modules whose ABI is incomplete; xfmrc reports each (xfmrc-mlir.test).
module @m attributes {xfmr.model = {name = "m", config = {vocab_size = 9 : i64,
    d_model = 4 : i64, num_layers = 0 : i64, num_heads = 1 : i64,
    max_positions = 8 : i64, type_vocab_size = 0 : i64}}} {
  func.func @encode(%ids: tensor<?x?xi64>) -> (tensor<?x?xi64> {xfmr.name = "out"})
      attributes {xfmr.entry = #xfmr.entry<encode>} {
    return %ids : tensor<?x?xi64>
  }
}
