// RUN: xfmr-opt %s --xfmr-skip-padding --split-input-file | FileCheck %s
// Pass statistics exist only in LLVM builds with statistics (lit feature
// `stats`, see lit.cfg.py).
// RUN: %if stats %{ xfmr-opt %s --xfmr-skip-padding --split-input-file --mlir-pass-statistics -o /dev/null 2>&1 | FileCheck %s --check-prefix=STATS %}

// The first case's counts: one entry; six ops of the layer and two calls.
// STATS: XfmrSkipPadding
// STATS-DAG: (S) 1 functions - entry points whose token-wise work runs on the real tokens
// STATS-DAG: (S) 8 packed-ops - token-wise ops and layer calls moved to the real tokens
// STATS-DAG: (S) 2 gathers - xfmr.remove_padding ops placed
// STATS-DAG: (S) 4 scatters - xfmr.restore_padding ops placed

// A fused encoder layer: the projections, the residual layer norms and the
// FFN run on the packed tokens [?, 8]; Q, K and V are scattered back for the
// attention (masked by the same mask) and its result gathered again. The
// entry gathers the embeddings once and scatters the last layer's tokens
// for its result; the layer keeps its name and takes the tokens packed.
// CHECK-LABEL: func.func private @layer
// CHECK-SAME: (%[[X:[^:]*]]: tensor<?x8xf32>, %[[M:[^:]*]]: tensor<?x?xi64>, %[[W:[^:]*]]: tensor<8x8xf32>, %[[B:[^:]*]]: tensor<8xf32>) -> tensor<?x8xf32>
// CHECK: %[[Q:.*]] = xfmr.linear %[[X]], %[[W]], %[[B]] : tensor<?x8xf32>, tensor<8x8xf32>, tensor<8xf32> -> tensor<?x8xf32>
// CHECK: %[[QR:.*]] = xfmr.restore_padding %[[Q]], %[[M]] : tensor<?x8xf32>, tensor<?x?xi64> -> tensor<?x?x8xf32>
// CHECK: %[[QH:.*]] = xfmr.split_heads %[[QR]] heads(2)
// CHECK: %[[KR:.*]] = xfmr.restore_padding %{{.*}}, %[[M]]
// CHECK: %[[KH:.*]] = xfmr.split_heads %[[KR]] heads(2)
// CHECK: %[[CTX:.*]] = xfmr.fused_attention %[[QH]], %[[KH]], %[[KH]] key_padding(%[[M]] : tensor<?x?xi64>)
// CHECK: %[[MERGED:.*]] = xfmr.merge_heads %[[CTX]]
// CHECK: %[[PACKED:.*]] = xfmr.remove_padding %[[MERGED]], %[[M]] : tensor<?x?x8xf32>, tensor<?x?xi64> -> tensor<?x8xf32>
// CHECK: %[[O:.*]] = xfmr.linear %[[PACKED]], %[[W]] : tensor<?x8xf32>
// CHECK: %[[LN:[^,]*]], %{{.*}} = xfmr.residual_layer_norm %[[O]], %[[X]] bias(%[[B]] : tensor<8xf32>), %[[B]], %[[B]] eps(9.99999996E-13) : tensor<?x8xf32>, tensor<8xf32>
// CHECK: %[[G:.*]] = xfmr.gelu %[[LN]] : tensor<?x8xf32>
// CHECK: %[[Y:.*]] = xfmr.layer_norm %[[G]], %[[B]], %[[B]] eps(9.99999996E-13) : tensor<?x8xf32>, tensor<8xf32>
// CHECK: return %[[Y]] : tensor<?x8xf32>
// CHECK-LABEL: func.func @encode
// CHECK-SAME: (%[[IDS:[^:]*]]: tensor<?x?xi64> {xfmr.name = "input_ids"}, %[[MASK:[^:]*]]: tensor<?x?xi64> {xfmr.name = "attention_mask"})
// CHECK: %[[E:.*]] = xfmr.add_positions
// CHECK: %[[T:.*]] = xfmr.remove_padding %[[E]], %[[MASK]] : tensor<?x?x8xf32>, tensor<?x?xi64> -> tensor<?x8xf32>
// CHECK: %[[L0:.*]] = call @layer(%[[T]], %[[MASK]], %{{.*}}, %{{.*}}) : (tensor<?x8xf32>, tensor<?x?xi64>, tensor<8x8xf32>, tensor<8xf32>) -> tensor<?x8xf32>
// CHECK: %[[L1:.*]] = call @layer(%[[L0]], %[[MASK]], %{{.*}}, %{{.*}})
// CHECK: %[[OUT:.*]] = xfmr.restore_padding %[[L1]], %[[MASK]] : tensor<?x8xf32>, tensor<?x?xi64> -> tensor<?x?x8xf32>
// CHECK: return %[[OUT]]
// CHECK-NOT: func.func private @layer
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

// -----

// Unfused attention: the scores of the scattered Q and K, the padding mask
// added, the softmax and the product with V keep padded keys out, so the
// projections and the residual add pack. A mean pooling weighs the padded
// rows by 0: it reads the scattered tokens.
// CHECK-LABEL: func.func @embed
// CHECK-SAME: %[[MASK:[^:]*]]: tensor<?x?xi64> {xfmr.name = "attention_mask"}
// CHECK: %[[PM:.*]] = xfmr.padding_mask %[[MASK]]
// CHECK: %[[T:.*]] = xfmr.remove_padding %{{.*}}, %[[MASK]]
// CHECK: %[[P:.*]] = xfmr.linear %[[T]], %{{.*}} : tensor<?x8xf32>, tensor<8x8xf32> -> tensor<?x8xf32>
// CHECK: %[[PR:.*]] = xfmr.restore_padding %[[P]], %[[MASK]]
// CHECK: %[[H:.*]] = xfmr.split_heads %[[PR]]
// CHECK: %[[S:.*]] = xfmr.matmul %[[H]], %[[H]] transpose_rhs
// CHECK: %[[SC:.*]] = xfmr.scale %[[S]] by 5.000000e-01
// CHECK: %[[MS:.*]] = xfmr.add %[[SC]], %[[PM]]
// CHECK: %[[PROBS:.*]] = xfmr.softmax %[[MS]]
// CHECK: %[[CTX:.*]] = xfmr.matmul %[[PROBS]], %[[H]]
// CHECK: %[[MERGED:.*]] = xfmr.merge_heads %[[CTX]]
// CHECK: %[[MP:.*]] = xfmr.remove_padding %[[MERGED]], %[[MASK]]
// CHECK: %[[SUM:.*]] = xfmr.add %[[MP]], %[[T]] : tensor<?x8xf32>, tensor<?x8xf32> -> tensor<?x8xf32>
// CHECK: %[[SR:.*]] = xfmr.restore_padding %[[SUM]], %[[MASK]]
// CHECK: %[[POOLED:.*]] = xfmr.pool mean %[[SR]], %[[MASK]]
// CHECK: return %[[POOLED]]
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

// -----

// Left alone: an entry without an attention mask; attention whose keys the
// mask does not mask (padded tokens' keys count there); a cls pooling (the
// first position of a left-padded row is padding). A layer called from an
// entry left alone keeps its [b, s, d] signature.
// CHECK-LABEL: func.func @no_mask
// CHECK-NOT: xfmr.remove_padding
// CHECK: xfmr.linear %{{.*}} : tensor<?x?x8xf32>
// CHECK-LABEL: func.func @unmasked_attention
// CHECK-NOT: xfmr.remove_padding
// CHECK: xfmr.linear %{{.*}} : tensor<?x?x8xf32>
// CHECK: xfmr.fused_attention
// CHECK-NOT: key_padding
// CHECK-LABEL: func.func @cls
// CHECK-NOT: xfmr.remove_padding
// CHECK: call @ffn(%{{.*}}) : (tensor<?x?x8xf32>, tensor<?x?xi64>, tensor<8x8xf32>) -> tensor<?x?x8xf32>
// CHECK-LABEL: func.func private @ffn
// CHECK-SAME: -> tensor<?x?x8xf32>
// CHECK-NOT: xfmr.remove_padding
module {
  xfmr.weight_decl @wte key("wte") : tensor<10x8xf32>
  xfmr.weight_decl @w key("w") : tensor<8x8xf32>
  func.func @no_mask(%ids: tensor<?x?xi64> {xfmr.name = "input_ids"})
      -> (tensor<?x?x8xf32> {xfmr.name = "last_hidden_state"}) attributes {xfmr.entry = #xfmr.entry<encode>} {
    %wte = xfmr.weight @wte : tensor<10x8xf32>
    %e = xfmr.embedding %ids, %wte : tensor<?x?xi64>, tensor<10x8xf32> -> tensor<?x?x8xf32>
    %w = xfmr.weight @w : tensor<8x8xf32>
    %y = xfmr.linear %e, %w : tensor<?x?x8xf32>, tensor<8x8xf32> -> tensor<?x?x8xf32>
    return %y : tensor<?x?x8xf32>
  }
  func.func @unmasked_attention(%ids: tensor<?x?xi64> {xfmr.name = "input_ids"}, %mask: tensor<?x?xi64> {xfmr.name = "attention_mask"})
      -> (tensor<?x?x8xf32> {xfmr.name = "last_hidden_state"}) attributes {xfmr.entry = #xfmr.entry<encode>} {
    %wte = xfmr.weight @wte : tensor<10x8xf32>
    %e = xfmr.embedding %ids, %wte : tensor<?x?xi64>, tensor<10x8xf32> -> tensor<?x?x8xf32>
    %w = xfmr.weight @w : tensor<8x8xf32>
    %p = xfmr.linear %e, %w : tensor<?x?x8xf32>, tensor<8x8xf32> -> tensor<?x?x8xf32>
    %h = xfmr.split_heads %p heads(2) : tensor<?x?x8xf32> -> tensor<?x2x?x4xf32>
    %ctx = xfmr.fused_attention %h, %h, %h scale(0.5) mask(<fill = neg_inf, fully_masked = zero>)
        : tensor<?x2x?x4xf32>, tensor<?x2x?x4xf32>, tensor<?x2x?x4xf32> -> tensor<?x2x?x4xf32>
    %merged = xfmr.merge_heads %ctx : tensor<?x2x?x4xf32> -> tensor<?x?x8xf32>
    return %merged : tensor<?x?x8xf32>
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
  func.func private @ffn(%x: tensor<?x?x8xf32>, %m: tensor<?x?xi64>, %w: tensor<8x8xf32>) -> tensor<?x?x8xf32> {
    %y = xfmr.linear %x, %w : tensor<?x?x8xf32>, tensor<8x8xf32> -> tensor<?x?x8xf32>
    %r = xfmr.relu %y : tensor<?x?x8xf32>
    return %r : tensor<?x?x8xf32>
  }
}

// -----

// Two entries share a layer; one is left alone (cls pooling), so the packed
// copy gets a name of its own and the original stays for it.
// CHECK-LABEL: func.func private @ffn_packed
// CHECK-SAME: (%{{[^:]*}}: tensor<?x8xf32>, %{{[^:]*}}: tensor<?x?xi64>, %{{[^:]*}}: tensor<8x8xf32>) -> tensor<?x8xf32>
// CHECK-LABEL: func.func private @ffn
// CHECK-SAME: -> tensor<?x?x8xf32>
// CHECK-LABEL: func.func @encode
// CHECK: call @ffn_packed
// CHECK-LABEL: func.func @cls
// CHECK: call @ffn(
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
