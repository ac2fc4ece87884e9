// RUN: xfmr-opt %s | xfmr-opt | FileCheck %s
// RUN: xfmr-opt %s --mlir-print-op-generic | xfmr-opt | FileCheck %s

// Every xfmr op in every assembly variant survives a print/parse round trip,
// in the custom and in the generic form.

// CHECK: xfmr.weight_decl @wte key("embeddings.word_embeddings.weight") : tensor<100x32xf32>
xfmr.weight_decl @wte key("embeddings.word_embeddings.weight") : tensor<100x32xf32>
// CHECK: xfmr.weight_decl @wpe key("embeddings.position_embeddings.weight") {note = "extra"} : tensor<64x32xf32>
xfmr.weight_decl @wpe key("embeddings.position_embeddings.weight") {note = "extra"} : tensor<64x32xf32>
// Views of a stored tensor: the transpose, and rows of it.
// CHECK: xfmr.weight_decl @k key("h.0.attn.c_attn.weight") transposed rows(32, 64 of 96) : tensor<32x32xf32>
xfmr.weight_decl @k key("h.0.attn.c_attn.weight") transposed rows(32, 64 of 96) : tensor<32x32xf32>
// CHECK: xfmr.weight_decl @kb key("h.0.attn.c_attn.bias") rows(32, 64 of 96) : tensor<32xf32>
xfmr.weight_decl @kb key("h.0.attn.c_attn.bias") rows(32, 64 of 96) : tensor<32xf32>

// CHECK-LABEL: func.func @weights
func.func @weights() -> (tensor<100x32xf32>, tensor<64x32xf32>) {
  // CHECK: %[[A:.*]] = xfmr.weight @wte : tensor<100x32xf32>
  %0 = xfmr.weight @wte : tensor<100x32xf32>
  // CHECK: %[[B:.*]] = xfmr.weight @wpe : tensor<64x32xf32>
  %1 = xfmr.weight @wpe : tensor<64x32xf32>
  // CHECK: return %[[A]], %[[B]]
  return %0, %1 : tensor<100x32xf32>, tensor<64x32xf32>
}

// CHECK-LABEL: func.func @embedding
// CHECK-SAME: (%[[IDS:.*]]: tensor<?x?xi64>, %[[T:.*]]: tensor<100x32xf32>)
func.func @embedding(%ids: tensor<?x?xi64>, %t: tensor<100x32xf32>)
    -> (tensor<?x?x32xf32>, tensor<?x?x32xf32>) {
  // CHECK: xfmr.embedding %[[IDS]], %[[T]] : tensor<?x?xi64>, tensor<100x32xf32> -> tensor<?x?x32xf32>
  %0 = xfmr.embedding %ids, %t : tensor<?x?xi64>, tensor<100x32xf32> -> tensor<?x?x32xf32>
  // CHECK: xfmr.embedding %[[IDS]], %[[T]] {scale = 5.65685415 : f32} : tensor<?x?xi64>, tensor<100x32xf32> -> tensor<?x?x32xf32>
  %1 = xfmr.embedding %ids, %t {scale = 5.65685415 : f32} : tensor<?x?xi64>, tensor<100x32xf32> -> tensor<?x?x32xf32>
  return %0, %1 : tensor<?x?x32xf32>, tensor<?x?x32xf32>
}

// CHECK-LABEL: func.func @positions
// CHECK-SAME: (%[[X:.*]]: tensor<?x?x32xf32>, %[[T:.*]]: tensor<64x32xf32>)
func.func @positions(%x: tensor<?x?x32xf32>, %t: tensor<64x32xf32>)
    -> (tensor<?x?x32xf32>, tensor<?x?x32xf32>) {
  // CHECK: xfmr.add_positions learned %[[X]], %[[T]] : tensor<?x?x32xf32>, tensor<64x32xf32>
  %0 = xfmr.add_positions learned %x, %t : tensor<?x?x32xf32>, tensor<64x32xf32>
  // CHECK: xfmr.add_positions sinusoidal %[[X]] : tensor<?x?x32xf32>
  %1 = xfmr.add_positions sinusoidal %x : tensor<?x?x32xf32>
  return %0, %1 : tensor<?x?x32xf32>, tensor<?x?x32xf32>
}

// CHECK-LABEL: func.func @padding_mask
// CHECK-SAME: (%[[M:.*]]: tensor<?x?xi64>)
func.func @padding_mask(%m: tensor<?x?xi64>)
    -> (tensor<?x1x1x?xf32>, tensor<2x1x1x7xf32>) {
  // CHECK: xfmr.padding_mask %[[M]] mask(<fill = neg_inf, fully_masked = zero>) : tensor<?x?xi64> -> tensor<?x1x1x?xf32>
  %0 = xfmr.padding_mask %m mask(<fill = neg_inf, fully_masked = zero>) : tensor<?x?xi64> -> tensor<?x1x1x?xf32>
  // CHECK: xfmr.padding_mask %[[M]] mask(<fill = lowest, fully_masked = uniform>) : tensor<?x?xi64> -> tensor<2x1x1x7xf32>
  %1 = xfmr.padding_mask %m mask(<fill = lowest, fully_masked = uniform>) : tensor<?x?xi64> -> tensor<2x1x1x7xf32>
  return %0, %1 : tensor<?x1x1x?xf32>, tensor<2x1x1x7xf32>
}

// CHECK-LABEL: func.func @attention
// CHECK-SAME: (%[[X:[^:]*]]: tensor<?x?x32xf32>, %[[M:[^:]*]]: tensor<?x1x1x?xf32>, %[[W:[^:]*]]: tensor<32x32xf32>, %[[B:[^:]*]]: tensor<32xf32>)
func.func @attention(%x: tensor<?x?x32xf32>, %m: tensor<?x1x1x?xf32>,
                     %w: tensor<32x32xf32>, %b: tensor<32xf32>)
    -> (tensor<?x?x32xf32>, tensor<?x?x32xf32>, tensor<?x?x32xf32>) {
  // Mask and biases, dropout defaulted (not printed).
  // CHECK: xfmr.attention %[[X]] mask(%[[M]]) q(%[[W]], %[[B]]) k(%[[W]], %[[B]]) v(%[[W]], %[[B]]) o(%[[W]], %[[B]])
  // CHECK-SAME: {num_heads = 4 : i64, scale = 0.353553385 : f32}
  // CHECK-SAME: : (tensor<?x?x32xf32>, tensor<?x1x1x?xf32>, tensor<32x32xf32>, tensor<32xf32>, tensor<32x32xf32>, tensor<32xf32>, tensor<32x32xf32>, tensor<32xf32>, tensor<32x32xf32>, tensor<32xf32>) -> tensor<?x?x32xf32>
  %0 = xfmr.attention %x mask(%m) q(%w, %b) k(%w, %b) v(%w, %b) o(%w, %b)
      {num_heads = 4 : i64, scale = 0.353553385 : f32}
      : (tensor<?x?x32xf32>, tensor<?x1x1x?xf32>,
         tensor<32x32xf32>, tensor<32xf32>, tensor<32x32xf32>, tensor<32xf32>,
         tensor<32x32xf32>, tensor<32xf32>, tensor<32x32xf32>, tensor<32xf32>)
      -> tensor<?x?x32xf32>
  // No mask, no biases, inverted dropout.
  // CHECK: xfmr.attention %[[X]] q(%[[W]]) k(%[[W]]) v(%[[W]]) o(%[[W]])
  // CHECK-SAME: dropout_rate = 1.000000e-01 : f32
  // CHECK-SAME: : (tensor<?x?x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>) -> tensor<?x?x32xf32>
  %1 = xfmr.attention %x q(%w) k(%w) v(%w) o(%w)
      {num_heads = 2 : i64, scale = 0.25 : f32, dropout_rate = 0.1 : f32}
      : (tensor<?x?x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>,
         tensor<32x32xf32>, tensor<32x32xf32>) -> tensor<?x?x32xf32>
  // Classic dropout, no mask, biases.
  // CHECK: xfmr.attention %[[X]] q(%[[W]], %[[B]]) k(%[[W]], %[[B]]) v(%[[W]], %[[B]]) o(%[[W]], %[[B]])
  // CHECK-SAME: dropout_mode = 1 : i32
  // CHECK-SAME: dropout_rate = 2.000000e-01 : f32
  %2 = xfmr.attention %x q(%w, %b) k(%w, %b) v(%w, %b) o(%w, %b)
      {num_heads = 8 : i64, scale = 0.5 : f32, dropout_rate = 0.2 : f32,
       dropout_mode = 1 : i32}
      : (tensor<?x?x32xf32>, tensor<32x32xf32>, tensor<32xf32>,
         tensor<32x32xf32>, tensor<32xf32>, tensor<32x32xf32>, tensor<32xf32>,
         tensor<32x32xf32>, tensor<32xf32>) -> tensor<?x?x32xf32>
  return %0, %1, %2 : tensor<?x?x32xf32>, tensor<?x?x32xf32>, tensor<?x?x32xf32>
}

// CHECK-LABEL: func.func @ffn
// CHECK-SAME: (%[[X:[^:]*]]: tensor<?x?x32xf32>, %[[W1:[^:]*]]: tensor<64x32xf32>, %[[B1:[^:]*]]: tensor<64xf32>, %[[W2:[^:]*]]: tensor<32x64xf32>, %[[B2:[^:]*]]: tensor<32xf32>)
func.func @ffn(%x: tensor<?x?x32xf32>, %w1: tensor<64x32xf32>, %b1: tensor<64xf32>,
               %w2: tensor<32x64xf32>, %b2: tensor<32xf32>)
    -> (tensor<?x?x32xf32>, tensor<?x?x32xf32>, tensor<?x?x32xf32>) {
  // CHECK: xfmr.ffn gelu %[[X]] up(%[[W1]], %[[B1]] : tensor<64xf32>) down(%[[W2]], %[[B2]] : tensor<32xf32>) : tensor<?x?x32xf32>, tensor<64x32xf32>, tensor<32x64xf32> -> tensor<?x?x32xf32>
  %0 = xfmr.ffn gelu %x up(%w1, %b1 : tensor<64xf32>) down(%w2, %b2 : tensor<32xf32>)
      : tensor<?x?x32xf32>, tensor<64x32xf32>, tensor<32x64xf32> -> tensor<?x?x32xf32>
  // CHECK: xfmr.ffn gelu_tanh %[[X]] up(%[[W1]]) down(%[[W2]]) : tensor<?x?x32xf32>, tensor<64x32xf32>, tensor<32x64xf32> -> tensor<?x?x32xf32>
  %1 = xfmr.ffn gelu_tanh %x up(%w1) down(%w2)
      : tensor<?x?x32xf32>, tensor<64x32xf32>, tensor<32x64xf32> -> tensor<?x?x32xf32>
  // CHECK: xfmr.ffn relu %[[X]] up(%[[W1]], %[[B1]] : tensor<64xf32>) down(%[[W2]]) : tensor<?x?x32xf32>, tensor<64x32xf32>, tensor<32x64xf32> -> tensor<?x?x32xf32>
  %2 = xfmr.ffn relu %x up(%w1, %b1 : tensor<64xf32>) down(%w2)
      : tensor<?x?x32xf32>, tensor<64x32xf32>, tensor<32x64xf32> -> tensor<?x?x32xf32>
  return %0, %1, %2 : tensor<?x?x32xf32>, tensor<?x?x32xf32>, tensor<?x?x32xf32>
}

// CHECK-LABEL: func.func @linear
// CHECK-SAME: (%[[X:[^:]*]]: tensor<?x?x32xf32>, %[[W:[^:]*]]: tensor<64x32xf32>, %[[B:[^:]*]]: tensor<64xf32>)
func.func @linear(%x: tensor<?x?x32xf32>, %w: tensor<64x32xf32>, %b: tensor<64xf32>)
    -> (tensor<?x?x64xf32>, tensor<?x?x64xf32>) {
  // CHECK: xfmr.linear %[[X]], %[[W]], %[[B]] : tensor<?x?x32xf32>, tensor<64x32xf32>, tensor<64xf32> -> tensor<?x?x64xf32>
  %0 = xfmr.linear %x, %w, %b : tensor<?x?x32xf32>, tensor<64x32xf32>, tensor<64xf32> -> tensor<?x?x64xf32>
  // CHECK: xfmr.linear %[[X]], %[[W]] : tensor<?x?x32xf32>, tensor<64x32xf32> -> tensor<?x?x64xf32>
  %1 = xfmr.linear %x, %w : tensor<?x?x32xf32>, tensor<64x32xf32> -> tensor<?x?x64xf32>
  return %0, %1 : tensor<?x?x64xf32>, tensor<?x?x64xf32>
}

// CHECK-LABEL: func.func @heads
// CHECK-SAME: (%[[X:.*]]: tensor<?x?x32xf32>)
func.func @heads(%x: tensor<?x?x32xf32>) -> tensor<?x?x32xf32> {
  // CHECK: %[[H:.*]] = xfmr.split_heads %[[X]] heads(4) : tensor<?x?x32xf32> -> tensor<?x4x?x8xf32>
  %h = xfmr.split_heads %x heads(4) : tensor<?x?x32xf32> -> tensor<?x4x?x8xf32>
  // CHECK: xfmr.merge_heads %[[H]] : tensor<?x4x?x8xf32> -> tensor<?x?x32xf32>
  %m = xfmr.merge_heads %h : tensor<?x4x?x8xf32> -> tensor<?x?x32xf32>
  return %m : tensor<?x?x32xf32>
}

// CHECK-LABEL: func.func @matmul
// CHECK-SAME: (%[[Q:.*]]: tensor<?x4x?x8xf32>, %[[P:.*]]: tensor<?x4x?x?xf32>)
func.func @matmul(%q: tensor<?x4x?x8xf32>, %p: tensor<?x4x?x?xf32>)
    -> (tensor<?x4x?x?xf32>, tensor<?x4x?x8xf32>) {
  // CHECK: xfmr.matmul %[[Q]], %[[Q]] transpose_rhs : tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x?xf32>
  %s = xfmr.matmul %q, %q transpose_rhs : tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x?xf32>
  // CHECK: xfmr.matmul %[[P]], %[[Q]] : tensor<?x4x?x?xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x8xf32>
  %c = xfmr.matmul %p, %q : tensor<?x4x?x?xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x8xf32>
  return %s, %c : tensor<?x4x?x?xf32>, tensor<?x4x?x8xf32>
}

// CHECK-LABEL: func.func @elementwise
// CHECK-SAME: (%[[S:.*]]: tensor<?x4x?x?xf32>, %[[M:.*]]: tensor<?x1x1x?xf32>)
func.func @elementwise(%s: tensor<?x4x?x?xf32>, %m: tensor<?x1x1x?xf32>) -> tensor<?x4x?x?xf32> {
  // CHECK: %[[A:.*]] = xfmr.scale %[[S]] by 1.250000e-01 : tensor<?x4x?x?xf32>
  %0 = xfmr.scale %s by 0.125 : tensor<?x4x?x?xf32>
  // CHECK: %[[B:.*]] = xfmr.add %[[A]], %[[M]] : tensor<?x4x?x?xf32>, tensor<?x1x1x?xf32> -> tensor<?x4x?x?xf32>
  %1 = xfmr.add %0, %m : tensor<?x4x?x?xf32>, tensor<?x1x1x?xf32> -> tensor<?x4x?x?xf32>
  // CHECK: %[[C:.*]] = xfmr.softmax %[[B]] : tensor<?x4x?x?xf32>
  %2 = xfmr.softmax %1 : tensor<?x4x?x?xf32>
  // CHECK: %[[D:.*]] = xfmr.gelu %[[C]] : tensor<?x4x?x?xf32>
  %3 = xfmr.gelu %2 : tensor<?x4x?x?xf32>
  // CHECK: %[[E:.*]] = xfmr.gelu %[[D]] tanh : tensor<?x4x?x?xf32>
  %4 = xfmr.gelu %3 tanh : tensor<?x4x?x?xf32>
  // CHECK: %[[F:.*]] = xfmr.relu %[[E]] : tensor<?x4x?x?xf32>
  %5 = xfmr.relu %4 : tensor<?x4x?x?xf32>
  // CHECK: %[[G:.*]] = xfmr.dropout %[[F]] rate(1.000000e-01) inverted : tensor<?x4x?x?xf32>
  %6 = xfmr.dropout %5 rate(0.1) inverted : tensor<?x4x?x?xf32>
  // CHECK: %[[H:.*]] = xfmr.dropout %[[G]] rate(0.000000e+00) classic : tensor<?x4x?x?xf32>
  %7 = xfmr.dropout %6 rate(0.0) classic : tensor<?x4x?x?xf32>
  // CHECK: return %[[H]]
  return %7 : tensor<?x4x?x?xf32>
}

// CHECK-LABEL: func.func @layer_norm
// CHECK-SAME: (%[[X:.*]]: tensor<?x?x32xf32>, %[[G:.*]]: tensor<32xf32>, %[[B:.*]]: tensor<32xf32>)
func.func @layer_norm(%x: tensor<?x?x32xf32>, %g: tensor<32xf32>, %b: tensor<32xf32>) -> tensor<?x?x32xf32> {
  // CHECK: xfmr.layer_norm %[[X]], %[[G]], %[[B]] eps(9.99999996E-13) : tensor<?x?x32xf32>, tensor<32xf32>
  %0 = xfmr.layer_norm %x, %g, %b eps(1.0e-12) : tensor<?x?x32xf32>, tensor<32xf32>
  return %0 : tensor<?x?x32xf32>
}

// Optional `axis`: printed only when not the default (-1).
// CHECK-LABEL: func.func @axes
// CHECK-SAME: (%[[X:.*]]: tensor<?x?x32xf32>, %[[G:.*]]: tensor<32xf32>, %[[S:.*]]: tensor<?x4x?x?xf32>)
func.func @axes(%x: tensor<?x?x32xf32>, %g: tensor<32xf32>, %s: tensor<?x4x?x?xf32>)
    -> (tensor<?x?x32xf32>, tensor<?x?x32xf32>, tensor<?x4x?x?xf32>, tensor<?x4x?x?xf32>) {
  // CHECK: xfmr.layer_norm %[[X]], %[[G]], %[[G]] eps(9.99999974E-6) axis(2) : tensor<?x?x32xf32>, tensor<32xf32>
  %0 = xfmr.layer_norm %x, %g, %g eps(1.0e-5) axis(2) : tensor<?x?x32xf32>, tensor<32xf32>
  // CHECK: xfmr.layer_norm %[[X]], %[[G]], %[[G]] eps(9.99999974E-6) : tensor<?x?x32xf32>, tensor<32xf32>
  %1 = xfmr.layer_norm %x, %g, %g eps(1.0e-5) axis(-1) : tensor<?x?x32xf32>, tensor<32xf32>
  // CHECK: xfmr.softmax %[[S]] axis(2) : tensor<?x4x?x?xf32>
  %2 = xfmr.softmax %s axis(2) : tensor<?x4x?x?xf32>
  // CHECK: xfmr.softmax %[[S]] axis(-3) : tensor<?x4x?x?xf32>
  %3 = xfmr.softmax %s axis(-3) : tensor<?x4x?x?xf32>
  return %0, %1, %2, %3 : tensor<?x?x32xf32>, tensor<?x?x32xf32>, tensor<?x4x?x?xf32>, tensor<?x4x?x?xf32>
}

// Output scales of the contractions (where a classic dropout is folded).
// CHECK-LABEL: func.func @scaled_contractions
// CHECK-SAME: (%[[X:[^:]*]]: tensor<?x?x32xf32>, %[[W:[^:]*]]: tensor<64x32xf32>, %[[B:[^:]*]]: tensor<64xf32>, %[[Q:[^:]*]]: tensor<?x4x?x8xf32>)
func.func @scaled_contractions(%x: tensor<?x?x32xf32>, %w: tensor<64x32xf32>, %b: tensor<64xf32>,
                               %q: tensor<?x4x?x8xf32>)
    -> (tensor<?x?x64xf32>, tensor<?x?x64xf32>, tensor<?x4x?x?xf32>) {
  // CHECK: xfmr.linear %[[X]], %[[W]], %[[B]] {scale = 0.899999976 : f32} : tensor<?x?x32xf32>, tensor<64x32xf32>, tensor<64xf32> -> tensor<?x?x64xf32>
  %0 = xfmr.linear %x, %w, %b {scale = 0.9 : f32} : tensor<?x?x32xf32>, tensor<64x32xf32>, tensor<64xf32> -> tensor<?x?x64xf32>
  // CHECK: xfmr.linear %[[X]], %[[W]] {scale = 5.000000e-01 : f32} : tensor<?x?x32xf32>, tensor<64x32xf32> -> tensor<?x?x64xf32>
  %1 = xfmr.linear %x, %w {scale = 0.5 : f32} : tensor<?x?x32xf32>, tensor<64x32xf32> -> tensor<?x?x64xf32>
  // CHECK: xfmr.matmul %[[Q]], %[[Q]] transpose_rhs {scale = 1.250000e-01 : f32} : tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x?xf32>
  %2 = xfmr.matmul %q, %q transpose_rhs {scale = 0.125 : f32} : tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x?xf32>
  return %0, %1, %2 : tensor<?x?x64xf32>, tensor<?x?x64xf32>, tensor<?x4x?x?xf32>
}

// CHECK-LABEL: func.func @value_fill_and_causal
// CHECK-SAME: (%[[M:[^:]*]]: tensor<?x?xi64>, %[[S:[^:]*]]: tensor<?x4x?x?xf32>, %[[X:[^:]*]]: tensor<?x?x32xf32>, %[[W:[^:]*]]: tensor<32x32xf32>)
func.func @value_fill_and_causal(%m: tensor<?x?xi64>, %s: tensor<?x4x?x?xf32>,
                                 %x: tensor<?x?x32xf32>, %w: tensor<32x32xf32>)
    -> (tensor<?x1x1x?xf32>, tensor<1x1x?x?xf32>, tensor<?x?x32xf32>) {
  // CHECK: xfmr.padding_mask %[[M]] mask(<fill = value(-1.000000e+04), fully_masked = zero>) : tensor<?x?xi64> -> tensor<?x1x1x?xf32>
  %0 = xfmr.padding_mask %m mask(<fill = value(-1.0e+04), fully_masked = zero>) : tensor<?x?xi64> -> tensor<?x1x1x?xf32>
  // CHECK: xfmr.causal_mask %[[S]] : tensor<?x4x?x?xf32> -> tensor<1x1x?x?xf32>
  %1 = xfmr.causal_mask %s : tensor<?x4x?x?xf32> -> tensor<1x1x?x?xf32>
  // CHECK: xfmr.attention %[[X]] q(%[[W]]) k(%[[W]]) v(%[[W]]) o(%[[W]]) {causal, num_heads = 4 : i64, scale = 5.000000e-01 : f32}
  %2 = xfmr.attention %x q(%w) k(%w) v(%w) o(%w) {causal, num_heads = 4 : i64, scale = 0.5 : f32}
      : (tensor<?x?x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>) -> tensor<?x?x32xf32>
  return %0, %1, %2 : tensor<?x1x1x?xf32>, tensor<1x1x?x?xf32>, tensor<?x?x32xf32>
}

// Every fill and fully-masked policy of #xfmr.mask, with and without each
// optional operand and `causal`.
// CHECK-LABEL: func.func @masked_softmax
// CHECK-SAME: (%[[S:[^:]*]]: tensor<?x4x?x?xf32>, %[[M:[^:]*]]: tensor<?x?xi64>, %[[B:[^:]*]]: tensor<?x1x1x?xf32>)
func.func @masked_softmax(%s: tensor<?x4x?x?xf32>, %m: tensor<?x?xi64>, %b: tensor<?x1x1x?xf32>)
    -> (tensor<?x4x?x?xf32>, tensor<?x4x?x?xf32>, tensor<?x4x?x?xf32>, tensor<?x4x?x?xf32>, tensor<?x4x?x?xf32>) {
  // CHECK: xfmr.masked_softmax %[[S]] key_padding(%[[M]] : tensor<?x?xi64>) scale(1.250000e-01) mask(<fill = neg_inf, fully_masked = zero>) : tensor<?x4x?x?xf32>
  %0 = xfmr.masked_softmax %s key_padding(%m : tensor<?x?xi64>) scale(0.125)
      mask(<fill = neg_inf, fully_masked = zero>) : tensor<?x4x?x?xf32>
  // CHECK: xfmr.masked_softmax %[[S]] key_padding(%[[M]] : tensor<?x?xi64>) scale(1.000000e+00) causal mask(<fill = lowest, fully_masked = uniform>) : tensor<?x4x?x?xf32>
  %1 = xfmr.masked_softmax %s key_padding(%m : tensor<?x?xi64>) scale(1.0) causal
      mask(<fill = lowest, fully_masked = uniform>) : tensor<?x4x?x?xf32>
  // CHECK: xfmr.masked_softmax %[[S]] bias(%[[B]] : tensor<?x1x1x?xf32>) scale(5.000000e-01) mask(<fill = value(-1.000000e+04), fully_masked = uniform>) : tensor<?x4x?x?xf32>
  %2 = xfmr.masked_softmax %s bias(%b : tensor<?x1x1x?xf32>) scale(0.5)
      mask(<fill = value(-1.0e+04), fully_masked = uniform>) : tensor<?x4x?x?xf32>
  // CHECK: xfmr.masked_softmax %[[S]] key_padding(%[[M]] : tensor<?x?xi64>) bias(%[[B]] : tensor<?x1x1x?xf32>) scale(2.000000e+00) causal mask(<fill = value(-1.000000e+00), fully_masked = zero>) : tensor<?x4x?x?xf32>
  %3 = xfmr.masked_softmax %s key_padding(%m : tensor<?x?xi64>) bias(%b : tensor<?x1x1x?xf32>)
      scale(2.0) causal mask(<fill = value(-1.0), fully_masked = zero>) : tensor<?x4x?x?xf32>
  // The mask attribute spelled in full, no masks at all.
  // CHECK: xfmr.masked_softmax %[[S]] scale(1.000000e+00) mask(<fill = lowest, fully_masked = zero>) : tensor<?x4x?x?xf32>
  %4 = xfmr.masked_softmax %s scale(1.0) mask(#xfmr.mask<fill = lowest, fully_masked = zero>) : tensor<?x4x?x?xf32>
  return %0, %1, %2, %3, %4 : tensor<?x4x?x?xf32>, tensor<?x4x?x?xf32>, tensor<?x4x?x?xf32>, tensor<?x4x?x?xf32>, tensor<?x4x?x?xf32>
}

// CHECK-LABEL: func.func @residual_layer_norm
// CHECK-SAME: (%[[X:[^:]*]]: tensor<?x?x32xf32>, %[[R:[^:]*]]: tensor<?x?x32xf32>, %[[B:[^:]*]]: tensor<32xf32>, %[[G:[^:]*]]: tensor<32xf32>)
func.func @residual_layer_norm(%x: tensor<?x?x32xf32>, %r: tensor<?x?x32xf32>,
                               %b: tensor<32xf32>, %g: tensor<32xf32>)
    -> (tensor<?x?x32xf32>, tensor<?x?x32xf32>, tensor<?x?x32xf32>) {
  // CHECK: %[[Y:[^,]*]], %[[SUM:[^ ]*]] = xfmr.residual_layer_norm %[[X]], %[[R]] bias(%[[B]] : tensor<32xf32>), %[[G]], %[[G]] eps(9.99999996E-13) : tensor<?x?x32xf32>, tensor<32xf32>
  %y, %sum = xfmr.residual_layer_norm %x, %r bias(%b : tensor<32xf32>), %g, %g eps(1.0e-12)
      : tensor<?x?x32xf32>, tensor<32xf32>
  // CHECK: %[[Z:[^,]*]], %{{[^ ]*}} = xfmr.residual_layer_norm %[[Y]], %[[SUM]], %[[G]], %[[G]] eps(9.99999974E-6) : tensor<?x?x32xf32>, tensor<32xf32>
  %z, %sum2 = xfmr.residual_layer_norm %y, %sum, %g, %g eps(1.0e-5) : tensor<?x?x32xf32>, tensor<32xf32>
  // CHECK: return %[[Y]], %[[SUM]], %[[Z]]
  return %y, %sum, %z : tensor<?x?x32xf32>, tensor<?x?x32xf32>, tensor<?x?x32xf32>
}

// CHECK-LABEL: func.func @pooling
// CHECK-SAME: (%[[H:.*]]: tensor<?x?x32xf32>, %[[M:.*]]: tensor<?x?xi64>)
func.func @pooling(%h: tensor<?x?x32xf32>, %m: tensor<?x?xi64>) -> (tensor<?x32xf32>, tensor<?x32xf32>) {
  // CHECK: %[[MEAN:.*]] = xfmr.pool mean %[[H]], %[[M]] : tensor<?x?x32xf32>, tensor<?x?xi64> -> tensor<?x32xf32>
  %0 = xfmr.pool mean %h, %m : tensor<?x?x32xf32>, tensor<?x?xi64> -> tensor<?x32xf32>
  // CHECK: xfmr.pool cls %[[H]], %[[M]]
  %1 = xfmr.pool cls %h, %m : tensor<?x?x32xf32>, tensor<?x?xi64> -> tensor<?x32xf32>
  // CHECK: xfmr.l2_normalize %[[MEAN]] eps(9.99999996E-13) : tensor<?x32xf32>
  %2 = xfmr.l2_normalize %0 eps(1.0e-12) : tensor<?x32xf32>
  return %2, %1 : tensor<?x32xf32>, tensor<?x32xf32>
}

// CHECK-LABEL: func.func @fused_attention
// CHECK: xfmr.fused_attention %{{.*}}, %{{.*}}, %{{.*}} key_padding(%{{.*}} : tensor<?x?xi64>) bias(%{{.*}} : tensor<1x4x?x?xf32>) scale(1.250000e-01) causal mask(<fill = value(-1.000000e+04), fully_masked = uniform>) : tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32>, tensor<?x4x?x16xf32> -> tensor<?x4x?x16xf32>
func.func @fused_attention(%q: tensor<?x4x?x8xf32>, %v: tensor<?x4x?x16xf32>, %m: tensor<?x?xi64>, %b: tensor<1x4x?x?xf32>) -> tensor<?x4x?x16xf32> {
  %c = xfmr.fused_attention %q, %q, %v key_padding(%m : tensor<?x?xi64>) bias(%b : tensor<1x4x?x?xf32>) scale(0.125) causal
      mask(<fill = value(-1.0e+04), fully_masked = uniform>)
      : tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32>, tensor<?x4x?x16xf32> -> tensor<?x4x?x16xf32>
  return %c : tensor<?x4x?x16xf32>
}

// CHECK-LABEL: func.func @padding
// CHECK-SAME: (%[[X:.*]]: tensor<?x?x32xf32>, %[[M:.*]]: tensor<?x?xi64>)
func.func @padding(%x: tensor<?x?x32xf32>, %m: tensor<?x?xi64>) -> tensor<?x?x32xf32> {
  // CHECK: %[[T:.*]] = xfmr.remove_padding %[[X]], %[[M]] : tensor<?x?x32xf32>, tensor<?x?xi64> -> tensor<?x32xf32>
  %t = xfmr.remove_padding %x, %m : tensor<?x?x32xf32>, tensor<?x?xi64> -> tensor<?x32xf32>
  // CHECK: xfmr.restore_padding %[[T]], %[[M]] : tensor<?x32xf32>, tensor<?x?xi64> -> tensor<?x?x32xf32>
  %r = xfmr.restore_padding %t, %m : tensor<?x32xf32>, tensor<?x?xi64> -> tensor<?x?x32xf32>
  return %r : tensor<?x?x32xf32>
}

// The decoder's ops: positions from the mask, learned positions at them,
// grouped-query attention with rotary positions, RMSNorm, a SwiGLU FFN.
// CHECK-LABEL: func.func @decoder_ops
// CHECK-SAME: (%[[X:.*]]: tensor<?x?x32xf32>, %[[M:.*]]: tensor<?x?xi64>
func.func @decoder_ops(%x: tensor<?x?x32xf32>, %m: tensor<?x?xi64>, %t: tensor<64x32xf32>,
                       %wq: tensor<32x32xf32>, %wkv: tensor<16x32xf32>, %g: tensor<32xf32>,
                       %wg: tensor<48x32xf32>, %wd: tensor<32x48xf32>) -> tensor<?x?x32xf32> {
  // CHECK: %[[P:.*]] = xfmr.token_positions %[[M]] : tensor<?x?xi64>
  %p = xfmr.token_positions %m : tensor<?x?xi64>
  // CHECK: xfmr.add_positions learned %[[X]], %{{.*}} at(%[[P]] : tensor<?x?xi64>) : tensor<?x?x32xf32>, tensor<64x32xf32>
  %h = xfmr.add_positions learned %x, %t at(%p : tensor<?x?xi64>) : tensor<?x?x32xf32>, tensor<64x32xf32>
  // CHECK: %[[N:.*]] = xfmr.rms_norm %{{.*}}, %{{.*}} eps(9.99999997E-7) : tensor<?x?x32xf32>, tensor<32xf32>
  %n = xfmr.rms_norm %h, %g eps(1.0e-6) : tensor<?x?x32xf32>, tensor<32xf32>
  // CHECK: xfmr.attention %[[N]] positions(%[[P]]) q(%{{.*}}) k(%{{.*}}) v(%{{.*}}) o(%{{.*}}) {causal, num_heads = 4 : i64, num_kv_heads = 2 : i64, rotary = #xfmr.rotary<theta = 5.000000e+05 : f32, scaling = 2.000000e+00 : f32, layout = half_split>, scale = 3.535530e-01 : f32}
  %a = xfmr.attention %n positions(%p) q(%wq) k(%wkv) v(%wkv) o(%wq)
      {causal, num_heads = 4 : i64, num_kv_heads = 2 : i64, scale = 0.353553 : f32,
       rotary = #xfmr.rotary<theta = 5.0e+05 : f32, scaling = 2.0 : f32, layout = half_split>}
      : (tensor<?x?x32xf32>, tensor<?x?xi64>, tensor<32x32xf32>, tensor<16x32xf32>, tensor<16x32xf32>, tensor<32x32xf32>) -> tensor<?x?x32xf32>
  // CHECK: xfmr.ffn silu %{{.*}} gate(%{{.*}} : tensor<48x32xf32>) up(%{{.*}}) down(%{{.*}}) : tensor<?x?x32xf32>, tensor<48x32xf32>, tensor<32x48xf32> -> tensor<?x?x32xf32>
  %f = xfmr.ffn silu %a gate(%wg : tensor<48x32xf32>) up(%wg) down(%wd) : tensor<?x?x32xf32>, tensor<48x32xf32>, tensor<32x48xf32> -> tensor<?x?x32xf32>
  return %f : tensor<?x?x32xf32>
}

// CHECK-LABEL: func.func @decoder_primitives
func.func @decoder_primitives(%q: tensor<?x4x?x8xf32>, %kv: tensor<?x2x?x8xf32>, %p: tensor<?x?xi64>,
                              %a: tensor<?x?x48xf32>) -> (tensor<?x4x?x8xf32>, tensor<?x?x48xf32>) {
  // CHECK: xfmr.rotary %{{.*}} at(%{{.*}}) {rotary = #xfmr.rotary<theta = 1.000000e+04 : f32, scaling = 1.000000e+00 : f32, layout = interleaved>} : tensor<?x4x?x8xf32>, tensor<?x?xi64>
  %r = xfmr.rotary %q at(%p) {rotary = #xfmr.rotary<theta = 1.0e+04 : f32, scaling = 1.0 : f32, layout = interleaved>}
      : tensor<?x4x?x8xf32>, tensor<?x?xi64>
  // Query heads 2i and 2i + 1 read K/V head i.
  // CHECK: xfmr.matmul %{{.*}}, %{{.*}} transpose_rhs : tensor<?x4x?x8xf32>, tensor<?x2x?x8xf32> -> tensor<?x4x?x?xf32>
  %s = xfmr.matmul %r, %kv transpose_rhs : tensor<?x4x?x8xf32>, tensor<?x2x?x8xf32> -> tensor<?x4x?x?xf32>
  // CHECK: xfmr.fused_attention %{{.*}}, %{{.*}}, %{{.*}} scale(1.250000e-01) causal mask(<fill = neg_inf, fully_masked = zero>) : tensor<?x4x?x8xf32>, tensor<?x2x?x8xf32>, tensor<?x2x?x8xf32> -> tensor<?x4x?x8xf32>
  %c = xfmr.fused_attention %r, %kv, %kv scale(0.125) causal mask(<fill = neg_inf, fully_masked = zero>)
      : tensor<?x4x?x8xf32>, tensor<?x2x?x8xf32>, tensor<?x2x?x8xf32> -> tensor<?x4x?x8xf32>
  // CHECK: %[[S:.*]] = xfmr.silu %{{.*}} : tensor<?x?x48xf32>
  %g = xfmr.silu %a : tensor<?x?x48xf32>
  // CHECK: xfmr.mul %[[S]], %{{.*}} : tensor<?x?x48xf32>
  %y = xfmr.mul %g, %a : tensor<?x?x48xf32>
  return %c, %y : tensor<?x4x?x8xf32>, tensor<?x?x48xf32>
}

// Attention with a K/V cache: the new tokens' keys and values go to the
// cache, the second result.
// CHECK-LABEL: func.func @cached_attention
// CHECK: %{{.*}}, %{{.*}} = xfmr.attention %{{.*}} mask(%{{.*}}) positions(%{{.*}}) cache(%{{.*}}) q(%{{.*}}) k(%{{.*}}) v(%{{.*}}) o(%{{.*}}) {causal, num_heads = 4 : i64, num_kv_heads = 2 : i64, rotary = #xfmr.rotary<theta = 1.000000e+04 : f32, scaling = 1.000000e+00 : f32, layout = half_split>, scale = 3.535530e-01 : f32} : (tensor<?x1x32xf32>, tensor<?x1x1x?xf32>, tensor<?x1xi64>, tensor<2x?x2x?x8xf32>, tensor<32x32xf32>, tensor<16x32xf32>, tensor<16x32xf32>, tensor<32x32xf32>) -> (tensor<?x1x32xf32>, tensor<2x?x2x?x8xf32>)
func.func @cached_attention(%x: tensor<?x1x32xf32>, %m: tensor<?x1x1x?xf32>, %p: tensor<?x1xi64>,
                            %kv: tensor<2x?x2x?x8xf32>, %wq: tensor<32x32xf32>, %wkv: tensor<16x32xf32>)
    -> (tensor<?x1x32xf32>, tensor<2x?x2x?x8xf32>) {
  %y, %kv1 = xfmr.attention %x mask(%m) positions(%p) cache(%kv) q(%wq) k(%wkv) v(%wkv) o(%wq)
      {causal, num_heads = 4 : i64, num_kv_heads = 2 : i64, scale = 0.353553 : f32,
       rotary = #xfmr.rotary<theta = 1.0e+04 : f32, scaling = 1.0 : f32, layout = half_split>}
      : (tensor<?x1x32xf32>, tensor<?x1x1x?xf32>, tensor<?x1xi64>, tensor<2x?x2x?x8xf32>,
         tensor<32x32xf32>, tensor<16x32xf32>, tensor<16x32xf32>, tensor<32x32xf32>)
      -> (tensor<?x1x32xf32>, tensor<2x?x2x?x8xf32>)
  return %y, %kv1 : tensor<?x1x32xf32>, tensor<2x?x2x?x8xf32>
}

// ALiBi: the bias of the keys, computed once from the mask, added to every
// layer's scores.
// CHECK-LABEL: func.func @alibi_attention
// CHECK: %[[B:.*]] = xfmr.alibi_bias %{{.*}} {num_heads = 6 : i64} : tensor<?x?xi64> -> tensor<?x6x1x?xf32>
// CHECK: xfmr.attention %{{.*}} mask(%{{.*}}) score_bias(%[[B]]) q(%{{.*}}) k(%{{.*}}) v(%{{.*}}) o(%{{.*}}) {causal, num_heads = 6 : i64, scale = 3.535530e-01 : f32} : (tensor<?x?x32xf32>, tensor<?x1x1x?xf32>, tensor<?x6x1x?xf32>, tensor<48x32xf32>, tensor<48x32xf32>, tensor<48x32xf32>, tensor<32x48xf32>) -> tensor<?x?x32xf32>
func.func @alibi_attention(%x: tensor<?x?x32xf32>, %mask: tensor<?x?xi64>, %m: tensor<?x1x1x?xf32>,
                           %w: tensor<48x32xf32>, %wo: tensor<32x48xf32>) -> tensor<?x?x32xf32> {
  %b = xfmr.alibi_bias %mask {num_heads = 6 : i64} : tensor<?x?xi64> -> tensor<?x6x1x?xf32>
  %y = xfmr.attention %x mask(%m) score_bias(%b) q(%w) k(%w) v(%w) o(%wo)
      {causal, num_heads = 6 : i64, scale = 0.353553 : f32}
      : (tensor<?x?x32xf32>, tensor<?x1x1x?xf32>, tensor<?x6x1x?xf32>, tensor<48x32xf32>,
         tensor<48x32xf32>, tensor<48x32xf32>, tensor<32x48xf32>) -> tensor<?x?x32xf32>
  return %y : tensor<?x?x32xf32>
}
