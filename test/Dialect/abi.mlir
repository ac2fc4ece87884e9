// RUN: xfmr-opt %s | xfmr-opt | FileCheck %s

// The library ABI stated in the IR (docs/abi.md) round-trips.
// CHECK: module @m attributes {xfmr.model = {config = {d_model = 4 : i64, max_positions = 8 : i64, num_heads = 1 : i64, num_layers = 0 : i64, type_vocab_size = 0 : i64, vocab_size = 9 : i64}, name = "m", weights_file = ""}}
module @m attributes {xfmr.model = {name = "m", weights_file = "", config = {
    vocab_size = 9 : i64, d_model = 4 : i64, num_layers = 0 : i64,
    num_heads = 1 : i64, max_positions = 8 : i64, type_vocab_size = 0 : i64}}} {
  // CHECK-LABEL: func.func @encode(
  // CHECK-SAME: {xfmr.name = "input_ids"}
  // CHECK-SAME: -> (tensor<?x?xi64> {xfmr.name = "out"})
  // CHECK-SAME: attributes {xfmr.entry = #xfmr.entry<encode>}
  func.func @encode(%ids: tensor<?x?xi64> {xfmr.name = "input_ids"})
      -> (tensor<?x?xi64> {xfmr.name = "out"})
      attributes {xfmr.entry = #xfmr.entry<encode>} {
    return %ids : tensor<?x?xi64>
  }
  // CHECK-LABEL: func.func @embed(
  // CHECK-SAME: attributes {xfmr.entry = #xfmr.entry<embed>, xfmr.normalize, xfmr.pooling = "cls"}
  func.func @embed(%ids: tensor<?x?xi64> {xfmr.name = "input_ids"})
      -> (tensor<?x?xi64> {xfmr.name = "out"})
      attributes {xfmr.entry = #xfmr.entry<embed>, xfmr.pooling = "cls", xfmr.normalize} {
    return %ids : tensor<?x?xi64>
  }
  // The roles to come parse already.
  // CHECK: #xfmr.entry<decode_step>
  func.func private @decode() attributes {xfmr.entry = #xfmr.entry<decode_step>}
}
