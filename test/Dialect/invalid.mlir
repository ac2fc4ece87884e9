// RUN: xfmr-opt %s -split-input-file -verify-diagnostics

// One case per emitOpError of dialect/XfmrOps.cpp (the shared helpers through
// at least one caller each) and the ODS constraints that matter.

//===----------------------------------------------------------------------===//
// xfmr.weight_decl / xfmr.weight
//===----------------------------------------------------------------------===//

// expected-error @+1 {{declared type must have a static shape, got 'tensor<?x32xf32>'}}
xfmr.weight_decl @w key("w") : tensor<?x32xf32>

// -----

// expected-error @+1 {{key must not be empty}}
xfmr.weight_decl @w key("") : tensor<4x32xf32>

// -----

// expected-error @+1 {{a weight in panels must be [out / P, in, P], got 'tensor<4x8xf32>'}}
xfmr.weight_decl @w key("w") panels : tensor<4x8xf32>

// -----

// expected-error @+1 {{attribute 'type' failed to satisfy constraint: type attribute of ranked tensor of 32-bit float values}}
xfmr.weight_decl @w key("w") : tensor<4x32xi32>

// -----

func.func @f() -> tensor<4xf32> {
  // expected-error @+1 {{'missing' does not name an xfmr.weight_decl}}
  %0 = xfmr.weight @missing : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func private @g()
func.func @f() -> tensor<4xf32> {
  // expected-error @+1 {{'g' does not name an xfmr.weight_decl}}
  %0 = xfmr.weight @g : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

xfmr.weight_decl @w key("w") : tensor<4x32xf32>
func.func @f() -> tensor<32x4xf32> {
  // expected-error @+1 {{result type 'tensor<32x4xf32>' differs from the declared type 'tensor<4x32xf32>'}}
  %0 = xfmr.weight @w : tensor<32x4xf32>
  return %0 : tensor<32x4xf32>
}

//===----------------------------------------------------------------------===//
// xfmr.embedding
//===----------------------------------------------------------------------===//

// -----

func.func @f(%ids: tensor<?x?xi64>, %t: tensor<100xf32>) -> tensor<?x?x32xf32> {
  // expected-error @+1 {{table must be [rows, width], got 'tensor<100xf32>'}}
  %0 = xfmr.embedding %ids, %t : tensor<?x?xi64>, tensor<100xf32> -> tensor<?x?x32xf32>
  return %0 : tensor<?x?x32xf32>
}

// -----

func.func @f(%ids: tensor<?x?xi64>, %t: tensor<100x32xf32>) -> tensor<?x32xf32> {
  // expected-error @+1 {{result must have rank 3 (ids rank + 1), got 'tensor<?x32xf32>'}}
  %0 = xfmr.embedding %ids, %t : tensor<?x?xi64>, tensor<100x32xf32> -> tensor<?x32xf32>
  return %0 : tensor<?x32xf32>
}

// -----

func.func @f(%ids: tensor<2x7xi64>, %t: tensor<100x32xf32>) -> tensor<2x8x32xf32> {
  // expected-error @+1 {{result dimension 1 is 8, expected ids dimension 1 (7)}}
  %0 = xfmr.embedding %ids, %t : tensor<2x7xi64>, tensor<100x32xf32> -> tensor<2x8x32xf32>
  return %0 : tensor<2x8x32xf32>
}

// -----

func.func @f(%ids: tensor<?x?xi64>, %t: tensor<100x32xf32>) -> tensor<?x?x64xf32> {
  // expected-error @+1 {{result width 64 differs from the table width 32}}
  %0 = xfmr.embedding %ids, %t : tensor<?x?xi64>, tensor<100x32xf32> -> tensor<?x?x64xf32>
  return %0 : tensor<?x?x64xf32>
}

// -----

func.func @f(%ids: tensor<?x?xi32>, %t: tensor<100x32xf32>) -> tensor<?x?x32xf32> {
  // expected-error @+1 {{operand #0 must be ranked tensor of 64-bit signless integer values}}
  %0 = xfmr.embedding %ids, %t : tensor<?x?xi32>, tensor<100x32xf32> -> tensor<?x?x32xf32>
  return %0 : tensor<?x?x32xf32>
}

//===----------------------------------------------------------------------===//
// xfmr.add_positions
//===----------------------------------------------------------------------===//

// -----

func.func @f(%x: tensor<?x32xf32>) -> tensor<?x32xf32> {
  // expected-error @+1 {{input must be [batch, seq, d], got 'tensor<?x32xf32>'}}
  %0 = xfmr.add_positions sinusoidal %x : tensor<?x32xf32>
  return %0 : tensor<?x32xf32>
}

// -----

func.func @f(%x: tensor<?x?x32xf32>, %t: tensor<64x32xf32>) -> tensor<?x?x32xf32> {
  // expected-error @+1 {{sinusoidal positions take no table}}
  %0 = xfmr.add_positions sinusoidal %x, %t : tensor<?x?x32xf32>, tensor<64x32xf32>
  return %0 : tensor<?x?x32xf32>
}

// -----

func.func @f(%x: tensor<?x?x32xf32>) -> tensor<?x?x32xf32> {
  // expected-error @+1 {{learned positions need a table operand}}
  %0 = xfmr.add_positions learned %x : tensor<?x?x32xf32>
  return %0 : tensor<?x?x32xf32>
}

// -----

// A rank-0 table used to assert in the verifier (table.getDimSize(0)).
func.func @f(%x: tensor<?x?x32xf32>, %t: tensor<f32>) -> tensor<?x?x32xf32> {
  // expected-error @+1 {{table must have rank 2, got 'tensor<f32>'}}
  %0 = xfmr.add_positions learned %x, %t : tensor<?x?x32xf32>, tensor<f32>
  return %0 : tensor<?x?x32xf32>
}

// -----

func.func @f(%x: tensor<?x?x32xf32>, %t: tensor<64x16xf32>) -> tensor<?x?x32xf32> {
  // expected-error @+1 {{table dimension 1 (d) is 16, expected 32}}
  %0 = xfmr.add_positions learned %x, %t : tensor<?x?x32xf32>, tensor<64x16xf32>
  return %0 : tensor<?x?x32xf32>
}

// -----

func.func @f(%x: tensor<?x65x32xf32>, %t: tensor<64x32xf32>) -> tensor<?x65x32xf32> {
  // expected-error @+1 {{sequence length 65 exceeds the 64 positions of the table}}
  %0 = xfmr.add_positions learned %x, %t : tensor<?x65x32xf32>, tensor<64x32xf32>
  return %0 : tensor<?x65x32xf32>
}

//===----------------------------------------------------------------------===//
// xfmr.padding_mask
//===----------------------------------------------------------------------===//

// -----

func.func @f(%m: tensor<?xi64>) -> tensor<?x1x1x?xf32> {
  // expected-error @+1 {{mask must be [batch, seq], got 'tensor<?xi64>'}}
  %0 = xfmr.padding_mask %m mask(<fill = neg_inf, fully_masked = zero>) : tensor<?xi64> -> tensor<?x1x1x?xf32>
  return %0 : tensor<?x1x1x?xf32>
}

// -----

func.func @f(%m: tensor<?x?xi64>) -> tensor<?x1x?xf32> {
  // expected-error @+1 {{result must have rank 4, got 'tensor<?x1x?xf32>'}}
  %0 = xfmr.padding_mask %m mask(<fill = neg_inf, fully_masked = zero>) : tensor<?x?xi64> -> tensor<?x1x?xf32>
  return %0 : tensor<?x1x?xf32>
}

// -----

func.func @f(%m: tensor<?x?xi64>) -> tensor<?x4x1x?xf32> {
  // expected-error @+1 {{result dimension 1 (heads) is 4, expected 1}}
  %0 = xfmr.padding_mask %m mask(<fill = lowest, fully_masked = uniform>) : tensor<?x?xi64> -> tensor<?x4x1x?xf32>
  return %0 : tensor<?x4x1x?xf32>
}

// -----

// The fill is the #xfmr.mask of masked_softmax (one encoding of masking).
func.func @f(%m: tensor<?x?xi64>) -> tensor<?x1x1x?xf32> {
  // expected-error @+1 {{expected neg_inf, lowest or value(...), got zero}}
  %0 = xfmr.padding_mask %m mask(<fill = zero, fully_masked = zero>) : tensor<?x?xi64> -> tensor<?x1x1x?xf32>
  return %0 : tensor<?x1x1x?xf32>
}

// -----

func.func @f(%m: tensor<?x?xi64>) -> tensor<?x1x1x?xf32> {
  // expected-error @+1 {{a value fill must be finite (use neg_inf)}}
  %0 = xfmr.padding_mask %m mask(<fill = value(0xFFF0000000000000), fully_masked = zero>) : tensor<?x?xi64> -> tensor<?x1x1x?xf32>
  return %0 : tensor<?x1x1x?xf32>
}

//===----------------------------------------------------------------------===//
// xfmr.causal_mask
//===----------------------------------------------------------------------===//

// -----

func.func @f(%s: tensor<?x?x?xf32>) -> tensor<1x1x?x?xf32> {
  // expected-error @+1 {{needs [batch, heads, queries, keys] scores, got 'tensor<?x?x?xf32>'}}
  %0 = xfmr.causal_mask %s : tensor<?x?x?xf32> -> tensor<1x1x?x?xf32>
  return %0 : tensor<1x1x?x?xf32>
}

// -----

func.func @f(%s: tensor<?x4x?x?xf32>) -> tensor<1x?x?xf32> {
  // expected-error @+1 {{result must have rank 4, got 'tensor<1x?x?xf32>'}}
  %0 = xfmr.causal_mask %s : tensor<?x4x?x?xf32> -> tensor<1x?x?xf32>
  return %0 : tensor<1x?x?xf32>
}

// -----

func.func @f(%s: tensor<?x4x?x?xf32>) -> tensor<2x1x?x?xf32> {
  // expected-error @+1 {{result dimension 0 (batch) is 2, expected 1}}
  %0 = xfmr.causal_mask %s : tensor<?x4x?x?xf32> -> tensor<2x1x?x?xf32>
  return %0 : tensor<2x1x?x?xf32>
}

// -----

func.func @f(%s: tensor<?x4x5x?xf32>) -> tensor<1x1x4x?xf32> {
  // expected-error @+1 {{result dimension 2 (queries) is 4, expected 5}}
  %0 = xfmr.causal_mask %s : tensor<?x4x5x?xf32> -> tensor<1x1x4x?xf32>
  return %0 : tensor<1x1x4x?xf32>
}

//===----------------------------------------------------------------------===//
// xfmr.attention
//===----------------------------------------------------------------------===//

// -----

func.func @f(%x: tensor<?x?x32xf32>, %kv: tensor<2x?x4x?x8xf32>, %w: tensor<32x32xf32>) -> tensor<?x?x32xf32> {
  // expected-error @+1 {{a cache needs the mask: its key count is the number of cached tokens}}
  %0, %1 = xfmr.attention %x cache(%kv) q(%w) k(%w) v(%w) o(%w) {causal, num_heads = 4 : i64, scale = 0.5 : f32}
      : (tensor<?x?x32xf32>, tensor<2x?x4x?x8xf32>, tensor<32x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>)
      -> (tensor<?x?x32xf32>, tensor<2x?x4x?x8xf32>)
  return %0 : tensor<?x?x32xf32>
}

// -----

func.func @f(%x: tensor<?x?x32xf32>, %m: tensor<?x1x1x?xf32>, %kv: tensor<2x?x2x?x8xf32>, %w: tensor<32x32xf32>) -> tensor<?x?x32xf32> {
  // expected-error @+1 {{cache dimension 2 (kv_heads) is 2, expected 4}}
  %0, %1 = xfmr.attention %x mask(%m) cache(%kv) q(%w) k(%w) v(%w) o(%w) {causal, num_heads = 4 : i64, scale = 0.5 : f32}
      : (tensor<?x?x32xf32>, tensor<?x1x1x?xf32>, tensor<2x?x2x?x8xf32>, tensor<32x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>)
      -> (tensor<?x?x32xf32>, tensor<2x?x2x?x8xf32>)
  return %0 : tensor<?x?x32xf32>
}

// -----

func.func @f(%x: tensor<?x?x32xf32>, %m: tensor<?x1x1x?xf32>, %kv: tensor<2x?x4x?x8xf32>, %w: tensor<32x32xf32>) -> tensor<?x?x32xf32> {
  // expected-error @+1 {{with a cache, the second result must be the updated cache, of type 'tensor<2x?x4x?x8xf32>'}}
  %0 = xfmr.attention %x mask(%m) cache(%kv) q(%w) k(%w) v(%w) o(%w) {causal, num_heads = 4 : i64, scale = 0.5 : f32}
      : (tensor<?x?x32xf32>, tensor<?x1x1x?xf32>, tensor<2x?x4x?x8xf32>, tensor<32x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>)
      -> tensor<?x?x32xf32>
  return %0 : tensor<?x?x32xf32>
}

// -----

func.func @f(%x: tensor<?x?x32xf32>, %w: tensor<32x32xf32>) -> tensor<?x?x32xf32> {
  // expected-error @+1 {{an updated cache needs the cache operand}}
  %0, %1 = xfmr.attention %x q(%w) k(%w) v(%w) o(%w) {causal, num_heads = 4 : i64, scale = 0.5 : f32}
      : (tensor<?x?x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>)
      -> (tensor<?x?x32xf32>, tensor<2x?x4x?x8xf32>)
  return %0 : tensor<?x?x32xf32>
}

// -----

func.func @f(%x: tensor<?x32xf32>, %w: tensor<32x32xf32>) -> tensor<?x32xf32> {
  // expected-error @+1 {{input must be [batch, seq, d], got 'tensor<?x32xf32>'}}
  %0 = xfmr.attention %x q(%w) k(%w) v(%w) o(%w) {num_heads = 4 : i64, scale = 0.5 : f32}
      : (tensor<?x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>) -> tensor<?x32xf32>
  return %0 : tensor<?x32xf32>
}

// -----

func.func @f(%x: tensor<?x?x?xf32>, %w: tensor<32x32xf32>) -> tensor<?x?x?xf32> {
  // expected-error @+1 {{input must have a static last dimension, got 'tensor<?x?x?xf32>'}}
  %0 = xfmr.attention %x q(%w) k(%w) v(%w) o(%w) {num_heads = 4 : i64, scale = 0.5 : f32}
      : (tensor<?x?x?xf32>, tensor<32x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>) -> tensor<?x?x?xf32>
  return %0 : tensor<?x?x?xf32>
}

// -----

func.func @f(%x: tensor<?x?x32xf32>, %w: tensor<32x32xf32>) -> tensor<?x?x32xf32> {
  // expected-error @+1 {{num_heads (5) must be positive and divide the query width (32)}}
  %0 = xfmr.attention %x q(%w) k(%w) v(%w) o(%w) {num_heads = 5 : i64, scale = 0.5 : f32}
      : (tensor<?x?x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>) -> tensor<?x?x32xf32>
  return %0 : tensor<?x?x32xf32>
}

// -----

func.func @f(%x: tensor<?x?x32xf32>, %w: tensor<32x32xf32>) -> tensor<?x?x32xf32> {
  // expected-error @+1 {{num_heads (0) must be positive and divide the query width (32)}}
  %0 = xfmr.attention %x q(%w) k(%w) v(%w) o(%w) {num_heads = 0 : i64, scale = 0.5 : f32}
      : (tensor<?x?x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>) -> tensor<?x?x32xf32>
  return %0 : tensor<?x?x32xf32>
}

// -----

func.func @f(%x: tensor<?x?x32xf32>, %w: tensor<32x32xf32>, %b: tensor<32xf32>) -> tensor<?x?x32xf32> {
  // expected-error @+1 {{the query, key and value biases must be given together or not at all}}
  %0 = xfmr.attention %x q(%w, %b) k(%w, %b) v(%w) o(%w) {num_heads = 4 : i64, scale = 0.5 : f32}
      : (tensor<?x?x32xf32>, tensor<32x32xf32>, tensor<32xf32>, tensor<32x32xf32>, tensor<32xf32>, tensor<32x32xf32>, tensor<32x32xf32>) -> tensor<?x?x32xf32>
  return %0 : tensor<?x?x32xf32>
}

// -----

func.func @f(%x: tensor<?x?x32xf32>, %w: tensor<32x32xf32>, %wq: tensor<32x16xf32>) -> tensor<?x?x32xf32> {
  // expected-error @+1 {{query weight dimension 1 (in_features) is 16, expected 32}}
  %0 = xfmr.attention %x q(%wq) k(%w) v(%w) o(%w) {num_heads = 4 : i64, scale = 0.5 : f32}
      : (tensor<?x?x32xf32>, tensor<32x16xf32>, tensor<32x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>) -> tensor<?x?x32xf32>
  return %0 : tensor<?x?x32xf32>
}

// -----

func.func @f(%x: tensor<?x?x32xf32>, %w: tensor<32x32xf32>, %b: tensor<32xf32>, %bk: tensor<16xf32>) -> tensor<?x?x32xf32> {
  // expected-error @+1 {{key bias dimension 0 (out_features) is 16, expected 32}}
  %0 = xfmr.attention %x q(%w, %b) k(%w, %bk) v(%w, %b) o(%w, %b) {num_heads = 4 : i64, scale = 0.5 : f32}
      : (tensor<?x?x32xf32>, tensor<32x32xf32>, tensor<32xf32>, tensor<32x32xf32>, tensor<16xf32>, tensor<32x32xf32>, tensor<32xf32>, tensor<32x32xf32>, tensor<32xf32>) -> tensor<?x?x32xf32>
  return %0 : tensor<?x?x32xf32>
}

// -----

func.func @f(%x: tensor<?x?x32xf32>, %w: tensor<32x32xf32>, %wv: tensor<32xf32>) -> tensor<?x?x32xf32> {
  // expected-error @+1 {{value weight must have rank 2, got 'tensor<32xf32>'}}
  %0 = xfmr.attention %x q(%w) k(%w) v(%wv) o(%w) {num_heads = 4 : i64, scale = 0.5 : f32}
      : (tensor<?x?x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>, tensor<32xf32>, tensor<32x32xf32>) -> tensor<?x?x32xf32>
  return %0 : tensor<?x?x32xf32>
}

// -----

func.func @f(%x: tensor<?x?x32xf32>, %w: tensor<32x32xf32>, %wo: tensor<64x32xf32>) -> tensor<?x?x32xf32> {
  // expected-error @+1 {{output weight dimension 0 (out_features) is 64, expected 32}}
  %0 = xfmr.attention %x q(%w) k(%w) v(%w) o(%wo) {num_heads = 4 : i64, scale = 0.5 : f32}
      : (tensor<?x?x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>, tensor<64x32xf32>) -> tensor<?x?x32xf32>
  return %0 : tensor<?x?x32xf32>
}

// -----

func.func @f(%x: tensor<?x?x32xf32>, %m: tensor<?x?xf32>, %w: tensor<32x32xf32>) -> tensor<?x?x32xf32> {
  // expected-error @+1 {{mask must be [batch, heads, queries, keys] (size-1 dimensions broadcast), got 'tensor<?x?xf32>'}}
  %0 = xfmr.attention %x mask(%m) q(%w) k(%w) v(%w) o(%w) {num_heads = 4 : i64, scale = 0.5 : f32}
      : (tensor<?x?x32xf32>, tensor<?x?xf32>, tensor<32x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>) -> tensor<?x?x32xf32>
  return %0 : tensor<?x?x32xf32>
}

// -----

func.func @f(%x: tensor<?x?x32xf32>, %m: tensor<?x2x1x?xf32>, %w: tensor<32x32xf32>) -> tensor<?x?x32xf32> {
  // expected-error @+1 {{mask dimension 1 (heads) is 2, expected 1 or 4}}
  %0 = xfmr.attention %x mask(%m) q(%w) k(%w) v(%w) o(%w) {num_heads = 4 : i64, scale = 0.5 : f32}
      : (tensor<?x?x32xf32>, tensor<?x2x1x?xf32>, tensor<32x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>) -> tensor<?x?x32xf32>
  return %0 : tensor<?x?x32xf32>
}

// -----

func.func @f(%x: tensor<?x?x32xf32>, %w: tensor<32x32xf32>) -> tensor<?x?x32xf32> {
  // expected-error @+1 {{dropout_rate must be in [0, 1), got 1}}
  %0 = xfmr.attention %x q(%w) k(%w) v(%w) o(%w) {num_heads = 4 : i64, scale = 0.5 : f32, dropout_rate = 1.0 : f32}
      : (tensor<?x?x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>) -> tensor<?x?x32xf32>
  return %0 : tensor<?x?x32xf32>
}

// -----

func.func @f(%x: tensor<?x?x32xf32>, %w: tensor<32x32xf32>) -> tensor<2x?x32xf32> {
  // expected-error @+1 {{result type 'tensor<2x?x32xf32>' must equal the input type 'tensor<?x?x32xf32>'}}
  %0 = xfmr.attention %x q(%w) k(%w) v(%w) o(%w) {num_heads = 4 : i64, scale = 0.5 : f32}
      : (tensor<?x?x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>) -> tensor<2x?x32xf32>
  return %0 : tensor<2x?x32xf32>
}

// -----

func.func @f(%x: tensor<?x?x32xf32>, %w: tensor<32x32xf32>) -> tensor<?x?x32xf32> {
  // expected-error @+1 {{requires attribute 'num_heads'}}
  %0 = xfmr.attention %x q(%w) k(%w) v(%w) o(%w) {scale = 0.5 : f32}
      : (tensor<?x?x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>) -> tensor<?x?x32xf32>
  return %0 : tensor<?x?x32xf32>
}

//===----------------------------------------------------------------------===//
// xfmr.ffn
//===----------------------------------------------------------------------===//

// -----

func.func @f(%x: tensor<?x?x?xf32>, %w1: tensor<64x32xf32>, %w2: tensor<32x64xf32>) -> tensor<?x?x?xf32> {
  // expected-error @+1 {{input must have a static last dimension, got 'tensor<?x?x?xf32>'}}
  %0 = xfmr.ffn relu %x up(%w1) down(%w2) : tensor<?x?x?xf32>, tensor<64x32xf32>, tensor<32x64xf32> -> tensor<?x?x?xf32>
  return %0 : tensor<?x?x?xf32>
}

// -----

func.func @f(%x: tensor<?x?x32xf32>, %w1: tensor<?x32xf32>, %w2: tensor<32x64xf32>) -> tensor<?x?x32xf32> {
  // expected-error @+1 {{operand #1 must be statically shaped tensor of 32-bit float values, but got 'tensor<?x32xf32>'}}
  %0 = xfmr.ffn relu %x up(%w1) down(%w2) : tensor<?x?x32xf32>, tensor<?x32xf32>, tensor<32x64xf32> -> tensor<?x?x32xf32>
  return %0 : tensor<?x?x32xf32>
}

// -----

func.func @f(%x: tensor<?x?x32xf32>, %w1: tensor<64xf32>, %w2: tensor<32x64xf32>) -> tensor<?x?x32xf32> {
  // expected-error @+1 {{up weight must be a static [ffn, d] matrix, got 'tensor<64xf32>'}}
  %0 = xfmr.ffn relu %x up(%w1) down(%w2) : tensor<?x?x32xf32>, tensor<64xf32>, tensor<32x64xf32> -> tensor<?x?x32xf32>
  return %0 : tensor<?x?x32xf32>
}

// -----

// Sinusoidal positions are computed for a known width.
func.func @f(%x: tensor<?x?x?xf32>) -> tensor<?x?x?xf32> {
  // expected-error @+1 {{input must have a static last dimension, got 'tensor<?x?x?xf32>'}}
  %0 = xfmr.add_positions sinusoidal %x : tensor<?x?x?xf32>
  return %0 : tensor<?x?x?xf32>
}

// -----

// Model parameters have static shapes.
func.func @f(%x: tensor<?x?x8xf32>, %w: tensor<?x8xf32>) -> tensor<?x?x?xf32> {
  // expected-error @+1 {{operand #1 must be statically shaped tensor of 32-bit float values, but got 'tensor<?x8xf32>'}}
  %0 = xfmr.linear %x, %w : tensor<?x?x8xf32>, tensor<?x8xf32> -> tensor<?x?x?xf32>
  return %0 : tensor<?x?x?xf32>
}

// -----

func.func @f(%x: tensor<?x?x32xf32>, %w1: tensor<64x16xf32>, %w2: tensor<32x64xf32>) -> tensor<?x?x32xf32> {
  // expected-error @+1 {{up weight dimension 1 (in_features) is 16, expected 32}}
  %0 = xfmr.ffn relu %x up(%w1) down(%w2) : tensor<?x?x32xf32>, tensor<64x16xf32>, tensor<32x64xf32> -> tensor<?x?x32xf32>
  return %0 : tensor<?x?x32xf32>
}

// -----

func.func @f(%x: tensor<?x?x32xf32>, %w1: tensor<64x32xf32>, %b1: tensor<32xf32>, %w2: tensor<32x64xf32>) -> tensor<?x?x32xf32> {
  // expected-error @+1 {{up bias dimension 0 (out_features) is 32, expected 64}}
  %0 = xfmr.ffn gelu %x up(%w1, %b1 : tensor<32xf32>) down(%w2) : tensor<?x?x32xf32>, tensor<64x32xf32>, tensor<32x64xf32> -> tensor<?x?x32xf32>
  return %0 : tensor<?x?x32xf32>
}

// -----

func.func @f(%x: tensor<?x?x32xf32>, %w1: tensor<64x32xf32>, %w2: tensor<32x32xf32>) -> tensor<?x?x32xf32> {
  // expected-error @+1 {{down weight dimension 1 (in_features) is 32, expected 64}}
  %0 = xfmr.ffn gelu %x up(%w1) down(%w2) : tensor<?x?x32xf32>, tensor<64x32xf32>, tensor<32x32xf32> -> tensor<?x?x32xf32>
  return %0 : tensor<?x?x32xf32>
}

// -----

func.func @f(%x: tensor<?x?x32xf32>, %w1: tensor<64x32xf32>, %w2: tensor<32x64xf32>, %b2: tensor<64xf32>) -> tensor<?x?x32xf32> {
  // expected-error @+1 {{down bias dimension 0 (out_features) is 64, expected 32}}
  %0 = xfmr.ffn gelu_tanh %x up(%w1) down(%w2, %b2 : tensor<64xf32>) : tensor<?x?x32xf32>, tensor<64x32xf32>, tensor<32x64xf32> -> tensor<?x?x32xf32>
  return %0 : tensor<?x?x32xf32>
}

// -----

func.func @f(%x: tensor<?x?x32xf32>, %w1: tensor<64x32xf32>, %w2: tensor<32x64xf32>) -> tensor<?x?x64xf32> {
  // expected-error @+1 {{result type 'tensor<?x?x64xf32>' must equal the input type 'tensor<?x?x32xf32>'}}
  %0 = xfmr.ffn relu %x up(%w1) down(%w2) : tensor<?x?x32xf32>, tensor<64x32xf32>, tensor<32x64xf32> -> tensor<?x?x64xf32>
  return %0 : tensor<?x?x64xf32>
}

// -----

func.func @f(%x: tensor<?x?x32xf32>, %w1: tensor<64x32xf32>, %w2: tensor<32x64xf32>) -> tensor<?x?x32xf32> {
  // expected-error @+1 {{expected string or keyword containing one of the following enum values for attribute 'activation' [gelu, gelu_tanh, relu, silu]}}
  %0 = xfmr.ffn swish %x up(%w1) down(%w2) : tensor<?x?x32xf32>, tensor<64x32xf32>, tensor<32x64xf32> -> tensor<?x?x32xf32>
  return %0 : tensor<?x?x32xf32>
}

//===----------------------------------------------------------------------===//
// xfmr.linear
//===----------------------------------------------------------------------===//

// -----

func.func @f(%x: tensor<f32>, %w: tensor<4x1xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{input must have a static last dimension, got 'tensor<f32>'}}
  %0 = xfmr.linear %x, %w : tensor<f32>, tensor<4x1xf32> -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @f(%x: tensor<?x32xf32>, %w: tensor<32xf32>) -> tensor<?x4xf32> {
  // expected-error @+1 {{weight must be [out_features, in_features] or panels [out_features / P, in_features, P], got 'tensor<32xf32>'}}
  %0 = xfmr.linear %x, %w : tensor<?x32xf32>, tensor<32xf32> -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

func.func @f(%x: tensor<?x32xf32>, %w: tensor<4x16xf32>) -> tensor<?x4xf32> {
  // expected-error @+1 {{linear weight dimension 1 (in_features) is 16, expected 32}}
  %0 = xfmr.linear %x, %w : tensor<?x32xf32>, tensor<4x16xf32> -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

// A weight in column panels [out / P, in, P] is checked in that order.
func.func @f(%x: tensor<?x32xf32>, %w: tensor<2x16x16xf32>) -> tensor<?x32xf32> {
  // expected-error @+1 {{linear weight dimension 1 (in_features) is 16, expected 32}}
  %0 = xfmr.linear %x, %w : tensor<?x32xf32>, tensor<2x16x16xf32> -> tensor<?x32xf32>
  return %0 : tensor<?x32xf32>
}

// -----

func.func @f(%x: tensor<?x32xf32>, %w: tensor<2x32x16xf32>, %b: tensor<8xf32>) -> tensor<?x32xf32> {
  // expected-error @+1 {{linear bias dimension 0 (out_features) is 8, expected 32}}
  %0 = xfmr.linear %x, %w, %b : tensor<?x32xf32>, tensor<2x32x16xf32>, tensor<8xf32> -> tensor<?x32xf32>
  return %0 : tensor<?x32xf32>
}

// -----

func.func @f(%x: tensor<?x32xf32>, %w: tensor<4x32xf32>, %b: tensor<4x1xf32>) -> tensor<?x4xf32> {
  // expected-error @+1 {{linear bias must have rank 1, got 'tensor<4x1xf32>'}}
  %0 = xfmr.linear %x, %w, %b : tensor<?x32xf32>, tensor<4x32xf32>, tensor<4x1xf32> -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

func.func @f(%x: tensor<3x32xf32>, %w: tensor<4x32xf32>) -> tensor<5x4xf32> {
  // expected-error @+1 {{result dimension 0 (leading) is 5, expected 3}}
  %0 = xfmr.linear %x, %w : tensor<3x32xf32>, tensor<4x32xf32> -> tensor<5x4xf32>
  return %0 : tensor<5x4xf32>
}

// -----

func.func @f(%x: tensor<?x32xf32>, %w: tensor<4x32xf32>) -> tensor<?x8xf32> {
  // expected-error @+1 {{result dimension 1 (out_features) is 8, expected 4}}
  %0 = xfmr.linear %x, %w : tensor<?x32xf32>, tensor<4x32xf32> -> tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}

// -----

func.func @f(%x: tensor<?x32xf32>, %w: tensor<4x32xf32>) -> tensor<?x4x5xf32> {
  // expected-error @+1 {{result must have rank 2, got 'tensor<?x4x5xf32>'}}
  %0 = xfmr.linear %x, %w : tensor<?x32xf32>, tensor<4x32xf32> -> tensor<?x4x5xf32>
  return %0 : tensor<?x4x5xf32>
}

// -----

func.func @f(%x: tensor<?x32xi32>, %w: tensor<4x32xf32>) -> tensor<?x4xf32> {
  // expected-error @+1 {{operand #0 must be ranked tensor of 32-bit float values, but got 'tensor<?x32xi32>'}}
  %0 = xfmr.linear %x, %w : tensor<?x32xi32>, tensor<4x32xf32> -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

func.func @f(%x: tensor<*xf32>, %w: tensor<4x32xf32>) -> tensor<?x4xf32> {
  // expected-error @+1 {{operand #0 must be ranked tensor of 32-bit float values, but got 'tensor<*xf32>'}}
  %0 = "xfmr.linear"(%x, %w) : (tensor<*xf32>, tensor<4x32xf32>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

//===----------------------------------------------------------------------===//
// xfmr.split_heads / xfmr.merge_heads
//===----------------------------------------------------------------------===//

// -----

func.func @f(%x: tensor<?x32xf32>) -> tensor<?x4x?x8xf32> {
  // expected-error @+1 {{input must be [batch, seq, d], got 'tensor<?x32xf32>'}}
  %0 = xfmr.split_heads %x heads(4) : tensor<?x32xf32> -> tensor<?x4x?x8xf32>
  return %0 : tensor<?x4x?x8xf32>
}

// -----

func.func @f(%x: tensor<?x?x?xf32>) -> tensor<?x4x?x8xf32> {
  // expected-error @+1 {{input must have a static last dimension, got 'tensor<?x?x?xf32>'}}
  %0 = xfmr.split_heads %x heads(4) : tensor<?x?x?xf32> -> tensor<?x4x?x8xf32>
  return %0 : tensor<?x4x?x8xf32>
}

// -----

func.func @f(%x: tensor<?x?x32xf32>) -> tensor<?x3x?x8xf32> {
  // expected-error @+1 {{num_heads (3) must be positive and divide the width (32)}}
  %0 = xfmr.split_heads %x heads(3) : tensor<?x?x32xf32> -> tensor<?x3x?x8xf32>
  return %0 : tensor<?x3x?x8xf32>
}

// -----

func.func @f(%x: tensor<?x?x32xf32>) -> tensor<?x4x?x8xf32> {
  // expected-error @+1 {{num_heads (-4) must be positive and divide the width (32)}}
  %0 = xfmr.split_heads %x heads(-4) : tensor<?x?x32xf32> -> tensor<?x4x?x8xf32>
  return %0 : tensor<?x4x?x8xf32>
}

// -----

func.func @f(%x: tensor<?x?x32xf32>) -> tensor<?x4x?x16xf32> {
  // expected-error @+1 {{result dimension 3 (head_dim) is 16, expected 8}}
  %0 = xfmr.split_heads %x heads(4) : tensor<?x?x32xf32> -> tensor<?x4x?x16xf32>
  return %0 : tensor<?x4x?x16xf32>
}

// -----

func.func @f(%x: tensor<?x?x?x8xf32>) -> tensor<?x?x32xf32> {
  // expected-error @+1 {{input must be [batch, heads, seq, head_dim] with static heads and head_dim, got 'tensor<?x?x?x8xf32>'}}
  %0 = xfmr.merge_heads %x : tensor<?x?x?x8xf32> -> tensor<?x?x32xf32>
  return %0 : tensor<?x?x32xf32>
}

// -----

func.func @f(%x: tensor<?x4x?x8xf32>) -> tensor<?x?x16xf32> {
  // expected-error @+1 {{result dimension 2 (d) is 16, expected 32}}
  %0 = xfmr.merge_heads %x : tensor<?x4x?x8xf32> -> tensor<?x?x16xf32>
  return %0 : tensor<?x?x16xf32>
}

//===----------------------------------------------------------------------===//
// xfmr.matmul
//===----------------------------------------------------------------------===//

// -----

func.func @f(%a: tensor<?x4x?x8xf32>, %b: tensor<?x8xf32>) -> tensor<?x4x?x?xf32> {
  // expected-error @+1 {{operands must have the same rank (at least 2), got 'tensor<?x4x?x8xf32>' and 'tensor<?x8xf32>'}}
  %0 = xfmr.matmul %a, %b : tensor<?x4x?x8xf32>, tensor<?x8xf32> -> tensor<?x4x?x?xf32>
  return %0 : tensor<?x4x?x?xf32>
}

// -----

func.func @f(%a: tensor<8xf32>, %b: tensor<8xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{operands must have the same rank (at least 2), got 'tensor<8xf32>' and 'tensor<8xf32>'}}
  %0 = xfmr.matmul %a, %b : tensor<8xf32>, tensor<8xf32> -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

func.func @f(%a: tensor<?x4x?x8xf32>, %b: tensor<?x3x?x8xf32>) -> tensor<?x4x?x?xf32> {
  // expected-error @+1 {{batch dimension 1 differs: 4 vs 3 (fewer rhs heads must be static and divide the lhs heads)}}
  %0 = xfmr.matmul %a, %b transpose_rhs : tensor<?x4x?x8xf32>, tensor<?x3x?x8xf32> -> tensor<?x4x?x?xf32>
  return %0 : tensor<?x4x?x?xf32>
}

// -----

func.func @f(%a: tensor<?x4x?x8xf32>, %b: tensor<?x4x?x16xf32>) -> tensor<?x4x?x?xf32> {
  // expected-error @+1 {{contraction dimension differs: lhs has 8, rhs has 16}}
  %0 = xfmr.matmul %a, %b transpose_rhs : tensor<?x4x?x8xf32>, tensor<?x4x?x16xf32> -> tensor<?x4x?x?xf32>
  return %0 : tensor<?x4x?x?xf32>
}

// -----

// Without transpose_rhs the contraction runs over rhs dimension -2.
func.func @f(%a: tensor<?x4x?x8xf32>, %b: tensor<?x4x16x8xf32>) -> tensor<?x4x?x8xf32> {
  // expected-error @+1 {{contraction dimension differs: lhs has 8, rhs has 16}}
  %0 = xfmr.matmul %a, %b : tensor<?x4x?x8xf32>, tensor<?x4x16x8xf32> -> tensor<?x4x?x8xf32>
  return %0 : tensor<?x4x?x8xf32>
}

// -----

func.func @f(%a: tensor<3x8xf32>, %b: tensor<8x5xf32>) -> tensor<3x6xf32> {
  // expected-error @+1 {{result dimension 1 (n) is 6, expected 5}}
  %0 = xfmr.matmul %a, %b : tensor<3x8xf32>, tensor<8x5xf32> -> tensor<3x6xf32>
  return %0 : tensor<3x6xf32>
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

// -----

func.func @f(%a: tensor<?x4x?x?xf32>, %m: tensor<?x?xf32>) -> tensor<?x4x?x?xf32> {
  // expected-error @+1 {{rhs must have the result's rank (4), got 'tensor<?x?xf32>'}}
  %0 = xfmr.add %a, %m : tensor<?x4x?x?xf32>, tensor<?x?xf32> -> tensor<?x4x?x?xf32>
  return %0 : tensor<?x4x?x?xf32>
}

// -----

func.func @f(%a: tensor<3x4xf32>, %b: tensor<?x1x4xf32>) -> tensor<?x3x4xf32> {
  // expected-error @+1 {{lhs must have the result's rank (3), got 'tensor<3x4xf32>'}}
  %0 = xfmr.add %a, %b : tensor<3x4xf32>, tensor<?x1x4xf32> -> tensor<?x3x4xf32>
  return %0 : tensor<?x3x4xf32>
}

// -----

func.func @f(%a: tensor<?x4x?x?xf32>, %m: tensor<?x2x1x?xf32>) -> tensor<?x4x?x?xf32> {
  // expected-error @+1 {{rhs dimension 1 is 2, expected 1 or 4}}
  %0 = xfmr.add %a, %m : tensor<?x4x?x?xf32>, tensor<?x2x1x?xf32> -> tensor<?x4x?x?xf32>
  return %0 : tensor<?x4x?x?xf32>
}

// -----

func.func @f(%a: tensor<?x8xf32>) -> tensor<?x4xf32> {
  // expected-error @+1 {{lhs dimension 1 is 8, expected 1 or 4}}
  %0 = xfmr.add %a, %a : tensor<?x8xf32>, tensor<?x8xf32> -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

func.func @f(%a: tensor<?x8xf32>) -> tensor<?x4xf32> {
  // expected-error @+1 {{requires the same type for all operands and results}}
  %0 = "xfmr.scale"(%a) {factor = 2.0 : f32} : (tensor<?x8xf32>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

// A softmax over no dimension used to crash the lowering.
func.func @f(%a: tensor<f32>) -> tensor<f32> {
  // expected-error @+1 {{'xfmr.softmax' op input must have at least one dimension}}
  %0 = xfmr.softmax %a : tensor<f32>
  return %0 : tensor<f32>
}

//===----------------------------------------------------------------------===//
// xfmr.layer_norm
//===----------------------------------------------------------------------===//

// -----

func.func @f(%x: tensor<?x?x?xf32>, %g: tensor<32xf32>) -> tensor<?x?x?xf32> {
  // expected-error @+1 {{the normalised dimension 2 must be static, got 'tensor<?x?x?xf32>'}}
  %0 = xfmr.layer_norm %x, %g, %g eps(1.0e-5) : tensor<?x?x?xf32>, tensor<32xf32>
  return %0 : tensor<?x?x?xf32>
}

// -----

func.func @f(%x: tensor<?x?x32xf32>, %g: tensor<16xf32>) -> tensor<?x?x32xf32> {
  // expected-error @+1 {{gamma dimension 0 (d) is 16, expected 32}}
  %0 = xfmr.layer_norm %x, %g, %g eps(1.0e-5) : tensor<?x?x32xf32>, tensor<16xf32>
  return %0 : tensor<?x?x32xf32>
}

// -----

func.func @f(%x: tensor<?x?x32xf32>, %g: tensor<1x32xf32>) -> tensor<?x?x32xf32> {
  // expected-error @+1 {{gamma must have rank 1, got 'tensor<1x32xf32>'}}
  %0 = xfmr.layer_norm %x, %g, %g eps(1.0e-5) : tensor<?x?x32xf32>, tensor<1x32xf32>
  return %0 : tensor<?x?x32xf32>
}

// -----

// gamma and beta must have one type (ODS), so the separate beta shape check
// of the verifier is reached only through this constraint.
func.func @f(%x: tensor<?x?x32xf32>, %g: tensor<32xf32>, %b: tensor<16xf32>) -> tensor<?x?x32xf32> {
  // expected-error @+1 {{all of {gamma, beta} have same type}}
  %0 = "xfmr.layer_norm"(%x, %g, %b) {eps = 1.0e-5 : f32} : (tensor<?x?x32xf32>, tensor<32xf32>, tensor<16xf32>) -> tensor<?x?x32xf32>
  return %0 : tensor<?x?x32xf32>
}

// -----

func.func @f(%x: tensor<?x?x32xf32>, %g: tensor<32xf32>) -> tensor<?x?x32xf32> {
  // expected-error @+1 {{eps must be positive, got 0}}
  %0 = xfmr.layer_norm %x, %g, %g eps(0.0) : tensor<?x?x32xf32>, tensor<32xf32>
  return %0 : tensor<?x?x32xf32>
}

//===----------------------------------------------------------------------===//
// xfmr.dropout
//===----------------------------------------------------------------------===//

// -----

func.func @f(%x: tensor<?x?x32xf32>) -> tensor<?x?x32xf32> {
  // expected-error @+1 {{rate must be in [0, 1), got 1}}
  %0 = xfmr.dropout %x rate(1.0) inverted : tensor<?x?x32xf32>
  return %0 : tensor<?x?x32xf32>
}

// -----

func.func @f(%x: tensor<?x?x32xf32>) -> tensor<?x?x32xf32> {
  // expected-error @+1 {{rate must be in [0, 1), got -1.000000e-01}}
  %0 = xfmr.dropout %x rate(-0.1) classic : tensor<?x?x32xf32>
  return %0 : tensor<?x?x32xf32>
}

// -----

func.func @f(%x: tensor<?x?x32xf32>) -> tensor<?x?x32xf32> {
  // expected-error @+1 {{expected string or keyword containing one of the following enum values for attribute 'mode' [inverted, classic]}}
  %0 = xfmr.dropout %x rate(0.1) gaussian : tensor<?x?x32xf32>
  return %0 : tensor<?x?x32xf32>
}

//===----------------------------------------------------------------------===//
// axis of xfmr.softmax and xfmr.layer_norm
//===----------------------------------------------------------------------===//

// -----

func.func @f(%s: tensor<?x4x?x?xf32>) -> tensor<?x4x?x?xf32> {
  // expected-error @+1 {{axis 4 is out of range for rank 4}}
  %0 = xfmr.softmax %s axis(4) : tensor<?x4x?x?xf32>
  return %0 : tensor<?x4x?x?xf32>
}

// -----

func.func @f(%s: tensor<?x4x?x?xf32>) -> tensor<?x4x?x?xf32> {
  // expected-error @+1 {{axis -5 is out of range for rank 4}}
  %0 = xfmr.softmax %s axis(-5) : tensor<?x4x?x?xf32>
  return %0 : tensor<?x4x?x?xf32>
}

// -----

func.func @f(%x: tensor<?x?x32xf32>, %g: tensor<32xf32>) -> tensor<?x?x32xf32> {
  // expected-error @+1 {{axis 3 is out of range for rank 3}}
  %0 = xfmr.layer_norm %x, %g, %g eps(1.0e-5) axis(3) : tensor<?x?x32xf32>, tensor<32xf32>
  return %0 : tensor<?x?x32xf32>
}

// -----

func.func @f(%a: tensor<f32>, %g: tensor<1xf32>) -> tensor<f32> {
  // expected-error @+1 {{'xfmr.layer_norm' op input must have at least one dimension}}
  %0 = xfmr.layer_norm %a, %g, %g eps(1.0e-5) : tensor<f32>, tensor<1xf32>
  return %0 : tensor<f32>
}

// -----

func.func @f(%x: tensor<?x?x32xf32>, %g: tensor<32xf32>) -> tensor<?x?x32xf32> {
  // expected-error @+1 {{the normalised dimension 1 must be static, got 'tensor<?x?x32xf32>'}}
  %0 = xfmr.layer_norm %x, %g, %g eps(1.0e-5) axis(1) : tensor<?x?x32xf32>, tensor<32xf32>
  return %0 : tensor<?x?x32xf32>
}

// -----

// gamma and beta have the size of the normalised dimension, not the last one.
func.func @f(%x: tensor<2x?x32xf32>, %g: tensor<32xf32>) -> tensor<2x?x32xf32> {
  // expected-error @+1 {{gamma dimension 0 (d) is 32, expected 2}}
  %0 = xfmr.layer_norm %x, %g, %g eps(1.0e-5) axis(-3) : tensor<2x?x32xf32>, tensor<32xf32>
  return %0 : tensor<2x?x32xf32>
}

//===----------------------------------------------------------------------===//
// xfmr.masked_softmax
//===----------------------------------------------------------------------===//

// -----

func.func @f(%s: tensor<?x?x?xf32>) -> tensor<?x?x?xf32> {
  // expected-error @+1 {{scores must be [batch, heads, queries, keys], got 'tensor<?x?x?xf32>'}}
  %0 = xfmr.masked_softmax %s scale(1.0) mask(<fill = neg_inf, fully_masked = zero>) : tensor<?x?x?xf32>
  return %0 : tensor<?x?x?xf32>
}

// -----

func.func @f(%s: tensor<?x4x?x?xf32>, %m: tensor<?xi64>) -> tensor<?x4x?x?xf32> {
  // expected-error @+1 {{key_padding must have rank 2, got 'tensor<?xi64>'}}
  %0 = xfmr.masked_softmax %s key_padding(%m : tensor<?xi64>) scale(1.0) mask(<fill = neg_inf, fully_masked = zero>) : tensor<?x4x?x?xf32>
  return %0 : tensor<?x4x?x?xf32>
}

// -----

func.func @f(%s: tensor<2x4x3x7xf32>, %m: tensor<3x7xi64>) -> tensor<2x4x3x7xf32> {
  // expected-error @+1 {{key_padding dimension 0 (batch) is 3, expected 2}}
  %0 = xfmr.masked_softmax %s key_padding(%m : tensor<3x7xi64>) scale(1.0) mask(<fill = neg_inf, fully_masked = zero>) : tensor<2x4x3x7xf32>
  return %0 : tensor<2x4x3x7xf32>
}

// -----

func.func @f(%s: tensor<2x4x3x7xf32>, %m: tensor<2x5xi64>) -> tensor<2x4x3x7xf32> {
  // expected-error @+1 {{key_padding dimension 1 (keys) is 5, expected 7}}
  %0 = xfmr.masked_softmax %s key_padding(%m : tensor<2x5xi64>) scale(1.0) mask(<fill = neg_inf, fully_masked = zero>) : tensor<2x4x3x7xf32>
  return %0 : tensor<2x4x3x7xf32>
}

// -----

// The padding mask is the 0/1 integer mask, not the additive one.
func.func @f(%s: tensor<?x4x?x?xf32>, %m: tensor<?x?xf32>) -> tensor<?x4x?x?xf32> {
  // expected-error @+1 {{operand #1 must be ranked tensor of 64-bit signless integer values, but got 'tensor<?x?xf32>'}}
  %0 = xfmr.masked_softmax %s key_padding(%m : tensor<?x?xf32>) scale(1.0) mask(<fill = neg_inf, fully_masked = zero>) : tensor<?x4x?x?xf32>
  return %0 : tensor<?x4x?x?xf32>
}

// -----

func.func @f(%s: tensor<?x4x?x?xf32>, %b: tensor<?x1x?xf32>) -> tensor<?x4x?x?xf32> {
  // expected-error @+1 {{bias must have rank 4 (size-1 dimensions broadcast), got 'tensor<?x1x?xf32>'}}
  %0 = xfmr.masked_softmax %s bias(%b : tensor<?x1x?xf32>) scale(1.0) mask(<fill = neg_inf, fully_masked = zero>) : tensor<?x4x?x?xf32>
  return %0 : tensor<?x4x?x?xf32>
}

// -----

func.func @f(%s: tensor<?x4x?x?xf32>, %b: tensor<?x3x1x?xf32>) -> tensor<?x4x?x?xf32> {
  // expected-error @+1 {{bias dimension 1 is 3, expected 1 or 4}}
  %0 = xfmr.masked_softmax %s bias(%b : tensor<?x3x1x?xf32>) scale(1.0) mask(<fill = neg_inf, fully_masked = zero>) : tensor<?x4x?x?xf32>
  return %0 : tensor<?x4x?x?xf32>
}

// -----

func.func @f(%s: tensor<?x4x?x?xf32>) -> tensor<?x4x?x8xf32> {
  // expected-error @+1 {{all of {scores, result} have same type}}
  %0 = "xfmr.masked_softmax"(%s) {scale = 1.0 : f32, mask = #xfmr.mask<fill = neg_inf, fully_masked = zero>, operandSegmentSizes = array<i32: 1, 0, 0>} : (tensor<?x4x?x?xf32>) -> tensor<?x4x?x8xf32>
  return %0 : tensor<?x4x?x8xf32>
}

//===----------------------------------------------------------------------===//
// #xfmr.mask
//===----------------------------------------------------------------------===//

// -----

func.func @f(%s: tensor<?x4x?x?xf32>) -> tensor<?x4x?x?xf32> {
  // expected-error @+1 {{expected neg_inf, lowest or value(...), got zero}}
  %0 = xfmr.masked_softmax %s scale(1.0) mask(<fill = zero, fully_masked = zero>) : tensor<?x4x?x?xf32>
  return %0 : tensor<?x4x?x?xf32>
}

// -----

func.func @f(%s: tensor<?x4x?x?xf32>) -> tensor<?x4x?x?xf32> {
  // expected-error @+1 {{expected zero or uniform, got nan}}
  %0 = xfmr.masked_softmax %s scale(1.0) mask(<fill = lowest, fully_masked = nan>) : tensor<?x4x?x?xf32>
  return %0 : tensor<?x4x?x?xf32>
}

// -----

// 1e39 is finite as a double but not as an f32.
func.func @f(%s: tensor<?x4x?x?xf32>) -> tensor<?x4x?x?xf32> {
  // expected-error @+1 {{a value fill must be finite (use neg_inf)}}
  %0 = xfmr.masked_softmax %s scale(1.0) mask(<fill = value(-1.0e+39), fully_masked = zero>) : tensor<?x4x?x?xf32>
  return %0 : tensor<?x4x?x?xf32>
}

// -----

// NaN, spelled as the bits of an f64.
// expected-error @+1 {{a value fill must be finite (use neg_inf)}}
func.func private @g() attributes {m = #xfmr.mask<fill = value(0x7FF8000000000000), fully_masked = zero>}

// -----

func.func @f(%s: tensor<?x4x?x?xf32>) -> tensor<?x4x?x?xf32> {
  // expected-error @+1 {{expected '('}}
  %0 = xfmr.masked_softmax %s scale(1.0) mask(<fill = value, fully_masked = zero>) : tensor<?x4x?x?xf32>
  return %0 : tensor<?x4x?x?xf32>
}

// -----

func.func @f(%s: tensor<?x4x?x?xf32>) -> tensor<?x4x?x?xf32> {
  // expected-error @+1 {{expected ','}}
  %0 = xfmr.masked_softmax %s scale(1.0) mask(<fill = neg_inf(2.0), fully_masked = zero>) : tensor<?x4x?x?xf32>
  return %0 : tensor<?x4x?x?xf32>
}

// -----

func.func @f(%s: tensor<?x4x?x?xf32>) -> tensor<?x4x?x?xf32> {
  // expected-error @+1 {{expected ','}}
  %0 = xfmr.masked_softmax %s scale(1.0) mask(<fill = neg_inf>) : tensor<?x4x?x?xf32>
  return %0 : tensor<?x4x?x?xf32>
}

// -----

// The parameters come in a fixed order.
func.func @f(%s: tensor<?x4x?x?xf32>) -> tensor<?x4x?x?xf32> {
  // expected-error @+1 {{expected 'fill'}}
  %0 = xfmr.masked_softmax %s scale(1.0) mask(<fully_masked = zero, fill = neg_inf>) : tensor<?x4x?x?xf32>
  return %0 : tensor<?x4x?x?xf32>
}

//===----------------------------------------------------------------------===//
// xfmr.residual_layer_norm
//===----------------------------------------------------------------------===//

// -----

func.func @f(%x: tensor<?x?x?xf32>, %g: tensor<32xf32>) -> tensor<?x?x?xf32> {
  // expected-error @+1 {{input must have a static last dimension, got 'tensor<?x?x?xf32>'}}
  %0, %1 = xfmr.residual_layer_norm %x, %x, %g, %g eps(1.0e-5) : tensor<?x?x?xf32>, tensor<32xf32>
  return %0 : tensor<?x?x?xf32>
}

// -----

func.func @f(%x: tensor<?x?x32xf32>, %g: tensor<16xf32>) -> tensor<?x?x32xf32> {
  // expected-error @+1 {{gamma dimension 0 (d) is 16, expected 32}}
  %0, %1 = xfmr.residual_layer_norm %x, %x, %g, %g eps(1.0e-5) : tensor<?x?x32xf32>, tensor<16xf32>
  return %0 : tensor<?x?x32xf32>
}

// -----

func.func @f(%x: tensor<?x?x32xf32>, %b: tensor<16xf32>, %g: tensor<32xf32>) -> tensor<?x?x32xf32> {
  // expected-error @+1 {{bias dimension 0 (d) is 16, expected 32}}
  %0, %1 = xfmr.residual_layer_norm %x, %x bias(%b : tensor<16xf32>), %g, %g eps(1.0e-5) : tensor<?x?x32xf32>, tensor<32xf32>
  return %0 : tensor<?x?x32xf32>
}

// -----

func.func @f(%x: tensor<?x?x32xf32>, %b: tensor<1x32xf32>, %g: tensor<32xf32>) -> tensor<?x?x32xf32> {
  // expected-error @+1 {{bias must have rank 1, got 'tensor<1x32xf32>'}}
  %0, %1 = xfmr.residual_layer_norm %x, %x bias(%b : tensor<1x32xf32>), %g, %g eps(1.0e-5) : tensor<?x?x32xf32>, tensor<32xf32>
  return %0 : tensor<?x?x32xf32>
}

// -----

func.func @f(%x: tensor<?x?x32xf32>, %g: tensor<32xf32>) -> tensor<?x?x32xf32> {
  // expected-error @+1 {{eps must be positive, got -1}}
  %0, %1 = xfmr.residual_layer_norm %x, %x, %g, %g eps(-1.0) : tensor<?x?x32xf32>, tensor<32xf32>
  return %0 : tensor<?x?x32xf32>
}

// -----

// No broadcasting of the residual: input, residual and both results agree.
func.func @f(%x: tensor<?x?x32xf32>, %r: tensor<?x1x32xf32>, %g: tensor<32xf32>) -> tensor<?x?x32xf32> {
  // expected-error @+1 {{all of {input, residual, result, sum} have same type}}
  %0, %1 = "xfmr.residual_layer_norm"(%x, %r, %g, %g) {eps = 1.0e-5 : f32, operandSegmentSizes = array<i32: 1, 1, 0, 1, 1>} : (tensor<?x?x32xf32>, tensor<?x1x32xf32>, tensor<32xf32>, tensor<32xf32>) -> (tensor<?x?x32xf32>, tensor<?x?x32xf32>)
  return %0 : tensor<?x?x32xf32>
}

// -----

func.func @f(%m: tensor<?x?xi64>) -> tensor<?x?x1x?xf32> {
  // expected-error @+1 {{result dimension 1 must be 1 (it broadcasts), got 'tensor<?x?x1x?xf32>'}}
  %0 = xfmr.padding_mask %m mask(<fill = neg_inf, fully_masked = zero>) : tensor<?x?xi64> -> tensor<?x?x1x?xf32>
  return %0 : tensor<?x?x1x?xf32>
}

// -----

func.func @f(%s: tensor<?x4x?x?xf32>) -> tensor<?x1x?x?xf32> {
  // expected-error @+1 {{result dimension 0 must be 1 (it broadcasts), got 'tensor<?x1x?x?xf32>'}}
  %0 = xfmr.causal_mask %s : tensor<?x4x?x?xf32> -> tensor<?x1x?x?xf32>
  return %0 : tensor<?x1x?x?xf32>
}

// -----

func.func @f(%h: tensor<?x32xf32>, %m: tensor<?x?xi64>) -> tensor<?x32xf32> {
  // expected-error @+1 {{hidden must be [batch, seq, d], got 'tensor<?x32xf32>'}}
  %0 = xfmr.pool mean %h, %m : tensor<?x32xf32>, tensor<?x?xi64> -> tensor<?x32xf32>
  return %0 : tensor<?x32xf32>
}

// -----

func.func @f(%h: tensor<?x?x32xf32>, %m: tensor<?x?x?xi64>) -> tensor<?x32xf32> {
  // expected-error @+1 {{mask must have rank 2, got 'tensor<?x?x?xi64>'}}
  %0 = xfmr.pool mean %h, %m : tensor<?x?x32xf32>, tensor<?x?x?xi64> -> tensor<?x32xf32>
  return %0 : tensor<?x32xf32>
}

// -----

func.func @f(%h: tensor<?x?x32xf32>, %m: tensor<?x?xi64>) -> tensor<?x16xf32> {
  // expected-error @+1 {{result dimension 1 (d) is 16, expected 32}}
  %0 = xfmr.pool cls %h, %m : tensor<?x?x32xf32>, tensor<?x?xi64> -> tensor<?x16xf32>
  return %0 : tensor<?x16xf32>
}

// -----

func.func @f(%x: tensor<f32>) -> tensor<f32> {
  // expected-error @+1 {{input must have at least one dimension}}
  %0 = xfmr.l2_normalize %x eps(1.0e-12) : tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @f(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  // expected-error @+1 {{eps must be positive, got 0}}
  %0 = xfmr.l2_normalize %x eps(0.0) : tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}

// -----

func.func @f(%q: tensor<?x4x8xf32>, %k: tensor<?x4x?x8xf32>, %v: tensor<?x4x?x8xf32>) -> tensor<?x4x?x8xf32> {
  // expected-error @+1 {{q must be [batch, heads, seq, head_dim], got 'tensor<?x4x8xf32>'}}
  %0 = xfmr.fused_attention %q, %k, %v scale(0.125) mask(<fill = neg_inf, fully_masked = zero>)
      : tensor<?x4x8xf32>, tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x8xf32>
  return %0 : tensor<?x4x?x8xf32>
}

// -----

func.func @f(%q: tensor<?x4x?x?xf32>, %k: tensor<?x4x?x?xf32>, %v: tensor<?x4x?x8xf32>) -> tensor<?x4x?x8xf32> {
  // expected-error @+1 {{q must have a static head_dim, got 'tensor<?x4x?x?xf32>'}}
  %0 = xfmr.fused_attention %q, %k, %v scale(0.125) mask(<fill = neg_inf, fully_masked = zero>)
      : tensor<?x4x?x?xf32>, tensor<?x4x?x?xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x8xf32>
  return %0 : tensor<?x4x?x8xf32>
}

// -----

func.func @f(%q: tensor<?x4x?x8xf32>, %k: tensor<?x3x?x8xf32>, %v: tensor<?x4x?x8xf32>) -> tensor<?x4x?x8xf32> {
  // expected-error @+1 {{k dimension 1 (heads) is 3, expected 4}}
  %0 = xfmr.fused_attention %q, %k, %v scale(0.125) mask(<fill = neg_inf, fully_masked = zero>)
      : tensor<?x4x?x8xf32>, tensor<?x3x?x8xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x8xf32>
  return %0 : tensor<?x4x?x8xf32>
}

// -----

// Grouped K/V: K's two heads make V's four a mismatch.
func.func @f(%q: tensor<?x4x?x8xf32>, %k: tensor<?x2x?x8xf32>, %v: tensor<?x4x?x8xf32>) -> tensor<?x4x?x8xf32> {
  // expected-error @+1 {{v dimension 1 (heads) is 4, expected 2}}
  %0 = xfmr.fused_attention %q, %k, %v scale(0.125) mask(<fill = neg_inf, fully_masked = zero>)
      : tensor<?x4x?x8xf32>, tensor<?x2x?x8xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x8xf32>
  return %0 : tensor<?x4x?x8xf32>
}

// -----

func.func @f(%q: tensor<?x4x?x8xf32>, %k: tensor<?x4x?x16xf32>, %v: tensor<?x4x?x8xf32>) -> tensor<?x4x?x8xf32> {
  // expected-error @+1 {{k dimension 3 (head_dim) is 16, expected 8}}
  %0 = xfmr.fused_attention %q, %k, %v scale(0.125) mask(<fill = neg_inf, fully_masked = zero>)
      : tensor<?x4x?x8xf32>, tensor<?x4x?x16xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x8xf32>
  return %0 : tensor<?x4x?x8xf32>
}

// -----

func.func @f(%q: tensor<?x4x?x8xf32>, %k: tensor<?x4x5x8xf32>, %v: tensor<?x4x6x8xf32>) -> tensor<?x4x?x8xf32> {
  // expected-error @+1 {{v dimension 2 (seq) is 6, expected 5}}
  %0 = xfmr.fused_attention %q, %k, %v scale(0.125) mask(<fill = neg_inf, fully_masked = zero>)
      : tensor<?x4x?x8xf32>, tensor<?x4x5x8xf32>, tensor<?x4x6x8xf32> -> tensor<?x4x?x8xf32>
  return %0 : tensor<?x4x?x8xf32>
}

// -----

func.func @f(%q: tensor<?x4x?x8xf32>, %k: tensor<?x4x5x8xf32>, %v: tensor<?x4x5x8xf32>, %m: tensor<?x6xi64>) -> tensor<?x4x?x8xf32> {
  // expected-error @+1 {{key_padding dimension 1 (keys) is 6, expected 5}}
  %0 = xfmr.fused_attention %q, %k, %v key_padding(%m : tensor<?x6xi64>) scale(0.125) mask(<fill = neg_inf, fully_masked = zero>)
      : tensor<?x4x?x8xf32>, tensor<?x4x5x8xf32>, tensor<?x4x5x8xf32> -> tensor<?x4x?x8xf32>
  return %0 : tensor<?x4x?x8xf32>
}

// -----

func.func @f(%q: tensor<?x4x?x8xf32>, %k: tensor<?x4x5x8xf32>, %v: tensor<?x4x5x8xf32>, %b: tensor<1x1x1x7xf32>) -> tensor<?x4x?x8xf32> {
  // expected-error @+1 {{bias dimension 3 is 7, expected 1 or 5}}
  %0 = xfmr.fused_attention %q, %k, %v bias(%b : tensor<1x1x1x7xf32>) scale(0.125) mask(<fill = neg_inf, fully_masked = zero>)
      : tensor<?x4x?x8xf32>, tensor<?x4x5x8xf32>, tensor<?x4x5x8xf32> -> tensor<?x4x?x8xf32>
  return %0 : tensor<?x4x?x8xf32>
}

// -----

func.func @f(%q: tensor<?x4x?x8xf32>, %k: tensor<?x4x?x8xf32>, %v: tensor<?x4x?x16xf32>) -> tensor<?x4x?x8xf32> {
  // expected-error @+1 {{result dimension 3 (head_dim) is 8, expected 16}}
  %0 = xfmr.fused_attention %q, %k, %v scale(0.125) mask(<fill = neg_inf, fully_masked = zero>)
      : tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32>, tensor<?x4x?x16xf32> -> tensor<?x4x?x8xf32>
  return %0 : tensor<?x4x?x8xf32>
}

//===----------------------------------------------------------------------===//
// xfmr.remove_padding / xfmr.restore_padding
//===----------------------------------------------------------------------===//

// -----

func.func @f(%x: tensor<?xf32>, %m: tensor<?x?xi64>) -> tensor<?xf32> {
  // expected-error @+1 {{input must be [batch, seq, ...], got 'tensor<?xf32>'}}
  %0 = xfmr.remove_padding %x, %m : tensor<?xf32>, tensor<?x?xi64> -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

func.func @f(%x: tensor<?x?x32xf32>, %m: tensor<?xi64>) -> tensor<?x32xf32> {
  // expected-error @+1 {{mask must be [batch, seq], got 'tensor<?xi64>'}}
  %0 = xfmr.remove_padding %x, %m : tensor<?x?x32xf32>, tensor<?xi64> -> tensor<?x32xf32>
  return %0 : tensor<?x32xf32>
}

// -----

func.func @f(%x: tensor<2x8x32xf32>, %m: tensor<2x7xi64>) -> tensor<?x32xf32> {
  // expected-error @+1 {{mask dimension 1 (seq) is 7, expected 8}}
  %0 = xfmr.remove_padding %x, %m : tensor<2x8x32xf32>, tensor<2x7xi64> -> tensor<?x32xf32>
  return %0 : tensor<?x32xf32>
}

// -----

func.func @f(%x: tensor<?x?x32xf32>, %m: tensor<?x?xi64>) -> tensor<?x16xf32> {
  // expected-error @+1 {{result dimension 1 (d) is 16, expected 32}}
  %0 = xfmr.remove_padding %x, %m : tensor<?x?x32xf32>, tensor<?x?xi64> -> tensor<?x16xf32>
  return %0 : tensor<?x16xf32>
}

// -----

func.func @f(%t: tensor<f32>, %m: tensor<?x?xi64>) -> tensor<?x?xf32> {
  // expected-error @+1 {{input must be [tokens, ...], got 'tensor<f32>'}}
  %0 = xfmr.restore_padding %t, %m : tensor<f32>, tensor<?x?xi64> -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

func.func @f(%t: tensor<?x32xf32>, %m: tensor<?x?x?xi64>) -> tensor<?x?x32xf32> {
  // expected-error @+1 {{mask must be [batch, seq], got 'tensor<?x?x?xi64>'}}
  %0 = xfmr.restore_padding %t, %m : tensor<?x32xf32>, tensor<?x?x?xi64> -> tensor<?x?x32xf32>
  return %0 : tensor<?x?x32xf32>
}

// -----

func.func @f(%t: tensor<?x32xf32>, %m: tensor<2x?xi64>) -> tensor<3x?x32xf32> {
  // expected-error @+1 {{result dimension 0 (batch) is 3, expected 2}}
  %0 = xfmr.restore_padding %t, %m : tensor<?x32xf32>, tensor<2x?xi64> -> tensor<3x?x32xf32>
  return %0 : tensor<3x?x32xf32>
}

// -----

// Grouped-query attention: the K/V heads must divide the query heads.
func.func @f(%x: tensor<?x?x32xf32>, %w: tensor<32x32xf32>, %wkv: tensor<24x32xf32>) -> tensor<?x?x32xf32> {
  // expected-error @+1 {{num_kv_heads (3) must be positive and divide num_heads (4)}}
  %0 = xfmr.attention %x q(%w) k(%wkv) v(%wkv) o(%w) {num_heads = 4 : i64, num_kv_heads = 3 : i64, scale = 0.5 : f32}
      : (tensor<?x?x32xf32>, tensor<32x32xf32>, tensor<24x32xf32>, tensor<24x32xf32>, tensor<32x32xf32>) -> tensor<?x?x32xf32>
  return %0 : tensor<?x?x32xf32>
}

// -----

func.func @f(%x: tensor<?x?x32xf32>, %w: tensor<32x32xf32>) -> tensor<?x?x32xf32> {
  // expected-error @+1 {{key weight dimension 0 (out_features) is 32, expected 16}}
  %0 = xfmr.attention %x q(%w) k(%w) v(%w) o(%w) {num_heads = 4 : i64, num_kv_heads = 2 : i64, scale = 0.5 : f32}
      : (tensor<?x?x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>) -> tensor<?x?x32xf32>
  return %0 : tensor<?x?x32xf32>
}

// -----

func.func @f(%x: tensor<?x?x32xf32>, %w: tensor<32x32xf32>) -> tensor<?x?x32xf32> {
  // expected-error @+1 {{rotary positions need the positions operand}}
  %0 = xfmr.attention %x q(%w) k(%w) v(%w) o(%w) {num_heads = 4 : i64, scale = 0.5 : f32,
      rotary = #xfmr.rotary<theta = 1.0e+04 : f32, scaling = 1.0 : f32, layout = half_split>}
      : (tensor<?x?x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>) -> tensor<?x?x32xf32>
  return %0 : tensor<?x?x32xf32>
}

// -----

func.func @f(%x: tensor<?x?x32xf32>, %p: tensor<?x?xi64>, %w: tensor<32x32xf32>) -> tensor<?x?x32xf32> {
  // expected-error @+1 {{positions are only read by rotary positions}}
  %0 = xfmr.attention %x positions(%p) q(%w) k(%w) v(%w) o(%w) {num_heads = 4 : i64, scale = 0.5 : f32}
      : (tensor<?x?x32xf32>, tensor<?x?xi64>, tensor<32x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>) -> tensor<?x?x32xf32>
  return %0 : tensor<?x?x32xf32>
}

// -----

// Eight heads of 3: rotary positions rotate pairs of features.
func.func @f(%x: tensor<?x?x32xf32>, %p: tensor<?x?xi64>, %w: tensor<24x32xf32>, %wo: tensor<32x24xf32>) -> tensor<?x?x32xf32> {
  // expected-error @+1 {{rotary positions need an even head_dim, got 3}}
  %0 = xfmr.attention %x positions(%p) q(%w) k(%w) v(%w) o(%wo) {num_heads = 8 : i64, scale = 0.5 : f32,
      rotary = #xfmr.rotary<theta = 1.0e+04 : f32, scaling = 1.0 : f32, layout = interleaved>}
      : (tensor<?x?x32xf32>, tensor<?x?xi64>, tensor<24x32xf32>, tensor<24x32xf32>, tensor<24x32xf32>, tensor<32x24xf32>) -> tensor<?x?x32xf32>
  return %0 : tensor<?x?x32xf32>
}

// -----

func.func @f(%x: tensor<?x4x?x8xf32>, %p: tensor<?x?xi64>) -> tensor<?x4x?x8xf32> {
  // expected-error @+1 {{theta must be finite and positive, got 0}}
  %0 = xfmr.rotary %x at(%p) {rotary = #xfmr.rotary<theta = 0.0 : f32, scaling = 1.0 : f32, layout = half_split>}
      : tensor<?x4x?x8xf32>, tensor<?x?xi64>
  return %0 : tensor<?x4x?x8xf32>
}

// -----

func.func @f(%x: tensor<?x4x?x7xf32>, %p: tensor<?x?xi64>) -> tensor<?x4x?x7xf32> {
  // expected-error @+1 {{head_dim must be static and even, got 'tensor<?x4x?x7xf32>'}}
  %0 = xfmr.rotary %x at(%p) {rotary = #xfmr.rotary<theta = 1.0e+04 : f32, scaling = 1.0 : f32, layout = half_split>}
      : tensor<?x4x?x7xf32>, tensor<?x?xi64>
  return %0 : tensor<?x4x?x7xf32>
}

// -----

func.func @f(%x: tensor<2x4x5x8xf32>, %p: tensor<2x6xi64>) -> tensor<2x4x5x8xf32> {
  // expected-error @+1 {{positions dimension 1 (seq) is 6, expected 5}}
  %0 = xfmr.rotary %x at(%p) {rotary = #xfmr.rotary<theta = 1.0e+04 : f32, scaling = 1.0 : f32, layout = half_split>}
      : tensor<2x4x5x8xf32>, tensor<2x6xi64>
  return %0 : tensor<2x4x5x8xf32>
}

// -----

func.func @f(%x: tensor<?x?x32xf32>, %g: tensor<16xf32>) -> tensor<?x?x32xf32> {
  // expected-error @+1 {{gamma dimension 0 (d) is 16, expected 32}}
  %0 = xfmr.rms_norm %x, %g eps(1.0e-06) : tensor<?x?x32xf32>, tensor<16xf32>
  return %0 : tensor<?x?x32xf32>
}

// -----

func.func @f(%x: tensor<?x?x32xf32>, %g: tensor<32xf32>) -> tensor<?x?x32xf32> {
  // expected-error @+1 {{eps must be positive}}
  %0 = xfmr.rms_norm %x, %g eps(0.0) : tensor<?x?x32xf32>, tensor<32xf32>
  return %0 : tensor<?x?x32xf32>
}

// -----

func.func @f(%x: tensor<?x?x32xf32>, %wg: tensor<48x32xf32>, %w1: tensor<64x32xf32>, %w2: tensor<32x64xf32>) -> tensor<?x?x32xf32> {
  // expected-error @+1 {{gate weight dimension 0 (out_features) is 48, expected 64}}
  %0 = xfmr.ffn silu %x gate(%wg : tensor<48x32xf32>) up(%w1) down(%w2) : tensor<?x?x32xf32>, tensor<64x32xf32>, tensor<32x64xf32> -> tensor<?x?x32xf32>
  return %0 : tensor<?x?x32xf32>
}

// -----

func.func @f(%x: tensor<2x5x32xf32>, %t: tensor<64x32xf32>, %p: tensor<2x4xi64>) -> tensor<2x5x32xf32> {
  // expected-error @+1 {{positions dimension 1 (seq) is 4, expected 5}}
  %0 = xfmr.add_positions learned %x, %t at(%p : tensor<2x4xi64>) : tensor<2x5x32xf32>, tensor<64x32xf32>
  return %0 : tensor<2x5x32xf32>
}

// -----

func.func @f(%m: tensor<?xi64>) -> tensor<?xi64> {
  // expected-error @+1 {{mask must be [batch, seq], got 'tensor<?xi64>'}}
  %0 = xfmr.token_positions %m : tensor<?xi64>
  return %0 : tensor<?xi64>
}

// -----

func.func @f(%m: tensor<?xi64>) -> tensor<?x4x1x?xf32> {
  // expected-error @+1 {{mask must be [batch, keys], got 'tensor<?xi64>'}}
  %0 = xfmr.alibi_bias %m {num_heads = 4 : i64} : tensor<?xi64> -> tensor<?x4x1x?xf32>
  return %0 : tensor<?x4x1x?xf32>
}

// -----

func.func @f(%m: tensor<?x?xi64>) -> tensor<?x0x1x?xf32> {
  // expected-error @+1 {{num_heads must be positive, got 0}}
  %0 = xfmr.alibi_bias %m {num_heads = 0 : i64} : tensor<?x?xi64> -> tensor<?x0x1x?xf32>
  return %0 : tensor<?x0x1x?xf32>
}

// -----

func.func @f(%m: tensor<?x?xi64>) -> tensor<?x6x1x?xf32> {
  // expected-error @+1 {{result dimension 1 (heads) is 6, expected 4}}
  %0 = xfmr.alibi_bias %m {num_heads = 4 : i64} : tensor<?x?xi64> -> tensor<?x6x1x?xf32>
  return %0 : tensor<?x6x1x?xf32>
}

// -----

func.func @f(%m: tensor<?x?xi64>) -> tensor<?x4x?x?xf32> {
  // expected-error @+1 {{result dimension 2 must be 1 (it broadcasts), got 'tensor<?x4x?x?xf32>'}}
  %0 = xfmr.alibi_bias %m {num_heads = 4 : i64} : tensor<?x?xi64> -> tensor<?x4x?x?xf32>
  return %0 : tensor<?x4x?x?xf32>
}

// -----

func.func @f(%x: tensor<?x?x32xf32>, %b: tensor<?x3x1x?xf32>, %w: tensor<32x32xf32>) -> tensor<?x?x32xf32> {
  // expected-error @+1 {{score_bias dimension 1 is 3, expected 1 or 4}}
  %0 = xfmr.attention %x score_bias(%b) q(%w) k(%w) v(%w) o(%w) {causal, num_heads = 4 : i64, scale = 0.5 : f32}
      : (tensor<?x?x32xf32>, tensor<?x3x1x?xf32>, tensor<32x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>)
      -> tensor<?x?x32xf32>
  return %0 : tensor<?x?x32xf32>
}

// -----

func.func @f(%x: tensor<?x?x32xf32>, %b: tensor<?x4x?xf32>, %w: tensor<32x32xf32>) -> tensor<?x?x32xf32> {
  // expected-error @+1 {{score_bias must have rank 4 (size-1 dimensions broadcast), got 'tensor<?x4x?xf32>'}}
  %0 = xfmr.attention %x score_bias(%b) q(%w) k(%w) v(%w) o(%w) {causal, num_heads = 4 : i64, scale = 0.5 : f32}
      : (tensor<?x?x32xf32>, tensor<?x4x?xf32>, tensor<32x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>)
      -> tensor<?x?x32xf32>
  return %0 : tensor<?x?x32xf32>
}

// -----

func.func @f(%x: tensor<?x?x32xf32>, %m: tensor<?x1x1x7xf32>, %b: tensor<?x4x1x5xf32>, %kv: tensor<2x?x4x?x8xf32>, %w: tensor<32x32xf32>) -> tensor<?x?x32xf32> {
  // expected-error @+1 {{score_bias dimension 3 is 5, expected 1 or 7}}
  %0, %1 = xfmr.attention %x mask(%m) score_bias(%b) cache(%kv) q(%w) k(%w) v(%w) o(%w) {causal, num_heads = 4 : i64, scale = 0.5 : f32}
      : (tensor<?x?x32xf32>, tensor<?x1x1x7xf32>, tensor<?x4x1x5xf32>, tensor<2x?x4x?x8xf32>, tensor<32x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>)
      -> (tensor<?x?x32xf32>, tensor<2x?x4x?x8xf32>)
  return %0 : tensor<?x?x32xf32>
}

// -----

// expected-error @+1 {{rows must be (begin, end of count) with 0 <= begin, end - begin = 32 and end <= count}}
xfmr.weight_decl @k key("c_attn.weight") transposed rows(32, 60 of 96) : tensor<32x32xf32>

// -----

// expected-error @+1 {{only a matrix can be stored transposed, got 'tensor<32xf32>'}}
xfmr.weight_decl @b key("c_attn.bias") transposed : tensor<32xf32>
