// RUN: xfmr-opt %s --xfmr-decompose | FileCheck %s
// Pass statistics exist only in LLVM builds with statistics (lit feature
// `stats`, see lit.cfg.py).
// RUN: %if stats %{ xfmr-opt %s --xfmr-decompose --mlir-pass-statistics -o /dev/null 2>&1 | FileCheck %s --check-prefix=STATS %}

// STATS: XfmrDecompose
// STATS-DAG: (S) 6 attention - attention blocks decomposed
// STATS-DAG: (S) 4 ffn - feed-forward blocks decomposed

// CHECK-LABEL: func.func @attention_mask_bias
// CHECK-SAME: (%[[X:[^:]*]]: tensor<?x?x32xf32>, %[[M:[^:]*]]: tensor<?x1x1x?xf32>, %[[WQ:[^:]*]]: tensor<32x32xf32>, %[[BQ:[^:]*]]: tensor<32xf32>, %[[WK:[^:]*]]: tensor<32x32xf32>, %[[BK:[^:]*]]: tensor<32xf32>, %[[WV:[^:]*]]: tensor<32x32xf32>, %[[BV:[^:]*]]: tensor<32xf32>, %[[WO:[^:]*]]: tensor<32x32xf32>, %[[BO:[^:]*]]: tensor<32xf32>)
// CHECK-NEXT: %[[Q:.*]] = xfmr.linear %[[X]], %[[WQ]], %[[BQ]] : tensor<?x?x32xf32>, tensor<32x32xf32>, tensor<32xf32> -> tensor<?x?x32xf32>
// CHECK-NEXT: %[[QH:.*]] = xfmr.split_heads %[[Q]] heads(4) : tensor<?x?x32xf32> -> tensor<?x4x?x8xf32>
// CHECK-NEXT: %[[K:.*]] = xfmr.linear %[[X]], %[[WK]], %[[BK]] : tensor<?x?x32xf32>, tensor<32x32xf32>, tensor<32xf32> -> tensor<?x?x32xf32>
// CHECK-NEXT: %[[KH:.*]] = xfmr.split_heads %[[K]] heads(4) : tensor<?x?x32xf32> -> tensor<?x4x?x8xf32>
// CHECK-NEXT: %[[V:.*]] = xfmr.linear %[[X]], %[[WV]], %[[BV]] : tensor<?x?x32xf32>, tensor<32x32xf32>, tensor<32xf32> -> tensor<?x?x32xf32>
// CHECK-NEXT: %[[VH:.*]] = xfmr.split_heads %[[V]] heads(4) : tensor<?x?x32xf32> -> tensor<?x4x?x8xf32>
// CHECK-NEXT: %[[S:.*]] = xfmr.matmul %[[QH]], %[[KH]] transpose_rhs : tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x?xf32>
// CHECK-NEXT: %[[SS:.*]] = xfmr.scale %[[S]] by 0.353553385 : tensor<?x4x?x?xf32>
// CHECK-NEXT: %[[SM:.*]] = xfmr.add %[[SS]], %[[M]] : tensor<?x4x?x?xf32>, tensor<?x1x1x?xf32> -> tensor<?x4x?x?xf32>
// CHECK-NEXT: %[[P:.*]] = xfmr.softmax %[[SM]] : tensor<?x4x?x?xf32>
// CHECK-NEXT: %[[C:.*]] = xfmr.matmul %[[P]], %[[VH]] : tensor<?x4x?x?xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x8xf32>
// CHECK-NEXT: %[[MH:.*]] = xfmr.merge_heads %[[C]] : tensor<?x4x?x8xf32> -> tensor<?x?x32xf32>
// CHECK-NEXT: %[[O:.*]] = xfmr.linear %[[MH]], %[[WO]], %[[BO]] : tensor<?x?x32xf32>, tensor<32x32xf32>, tensor<32xf32> -> tensor<?x?x32xf32>
// CHECK-NEXT: return %[[O]]
func.func @attention_mask_bias(%x: tensor<?x?x32xf32>, %m: tensor<?x1x1x?xf32>,
    %wq: tensor<32x32xf32>, %bq: tensor<32xf32>, %wk: tensor<32x32xf32>, %bk: tensor<32xf32>,
    %wv: tensor<32x32xf32>, %bv: tensor<32xf32>, %wo: tensor<32x32xf32>, %bo: tensor<32xf32>)
    -> tensor<?x?x32xf32> {
  %0 = xfmr.attention %x mask(%m) q(%wq, %bq) k(%wk, %bk) v(%wv, %bv) o(%wo, %bo)
      {num_heads = 4 : i64, scale = 0.353553385 : f32}
      : (tensor<?x?x32xf32>, tensor<?x1x1x?xf32>,
         tensor<32x32xf32>, tensor<32xf32>, tensor<32x32xf32>, tensor<32xf32>,
         tensor<32x32xf32>, tensor<32xf32>, tensor<32x32xf32>, tensor<32xf32>)
      -> tensor<?x?x32xf32>
  return %0 : tensor<?x?x32xf32>
}

// No mask: no xfmr.add between scale and softmax. No biases: two-operand
// linears. Static shapes flow into the intermediate types.
// CHECK-LABEL: func.func @attention_plain
// CHECK-SAME: (%[[X:[^:]*]]: tensor<2x5x16xf32>, %[[W:[^:]*]]: tensor<16x16xf32>)
// CHECK-NEXT: %[[Q:.*]] = xfmr.linear %[[X]], %[[W]] : tensor<2x5x16xf32>, tensor<16x16xf32> -> tensor<2x5x16xf32>
// CHECK-NEXT: %[[QH:.*]] = xfmr.split_heads %[[Q]] heads(2) : tensor<2x5x16xf32> -> tensor<2x2x5x8xf32>
// CHECK-NEXT: xfmr.linear %[[X]], %[[W]] :
// CHECK-NEXT: %[[KH:.*]] = xfmr.split_heads
// CHECK-NEXT: xfmr.linear %[[X]], %[[W]] :
// CHECK-NEXT: %[[VH:.*]] = xfmr.split_heads
// CHECK-NEXT: %[[S:.*]] = xfmr.matmul %[[QH]], %[[KH]] transpose_rhs : tensor<2x2x5x8xf32>, tensor<2x2x5x8xf32> -> tensor<2x2x5x5xf32>
// CHECK-NEXT: %[[SS:.*]] = xfmr.scale %[[S]] by 2.500000e-01 : tensor<2x2x5x5xf32>
// CHECK-NEXT: %[[P:.*]] = xfmr.softmax %[[SS]] : tensor<2x2x5x5xf32>
// CHECK-NEXT: %[[C:.*]] = xfmr.matmul %[[P]], %[[VH]] : tensor<2x2x5x5xf32>, tensor<2x2x5x8xf32> -> tensor<2x2x5x8xf32>
// CHECK-NEXT: %[[MH:.*]] = xfmr.merge_heads %[[C]] : tensor<2x2x5x8xf32> -> tensor<2x5x16xf32>
// CHECK-NEXT: %[[O:.*]] = xfmr.linear %[[MH]], %[[W]] : tensor<2x5x16xf32>, tensor<16x16xf32> -> tensor<2x5x16xf32>
// CHECK-NEXT: return %[[O]]
func.func @attention_plain(%x: tensor<2x5x16xf32>, %w: tensor<16x16xf32>) -> tensor<2x5x16xf32> {
  %0 = xfmr.attention %x q(%w) k(%w) v(%w) o(%w)
      {num_heads = 2 : i64, scale = 0.25 : f32, dropout_rate = 0.0 : f32}
      : (tensor<2x5x16xf32>, tensor<16x16xf32>, tensor<16x16xf32>,
         tensor<16x16xf32>, tensor<16x16xf32>) -> tensor<2x5x16xf32>
  return %0 : tensor<2x5x16xf32>
}

// A nonzero dropout_rate becomes an xfmr.dropout on the probabilities, with
// the mode carried over.
// CHECK-LABEL: func.func @attention_dropout_inverted
// CHECK: %[[P:.*]] = xfmr.softmax %{{.*}} : tensor<?x4x?x?xf32>
// CHECK-NEXT: %[[D:.*]] = xfmr.dropout %[[P]] rate(1.000000e-01) inverted : tensor<?x4x?x?xf32>
// CHECK-NEXT: xfmr.matmul %[[D]], %{{.*}} : tensor<?x4x?x?xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x8xf32>
func.func @attention_dropout_inverted(%x: tensor<?x?x32xf32>, %w: tensor<32x32xf32>) -> tensor<?x?x32xf32> {
  %0 = xfmr.attention %x q(%w) k(%w) v(%w) o(%w)
      {num_heads = 4 : i64, scale = 0.5 : f32, dropout_rate = 0.1 : f32}
      : (tensor<?x?x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>,
         tensor<32x32xf32>, tensor<32x32xf32>) -> tensor<?x?x32xf32>
  return %0 : tensor<?x?x32xf32>
}

// CHECK-LABEL: func.func @attention_dropout_classic
// CHECK: %[[P:.*]] = xfmr.softmax
// CHECK-NEXT: %[[D:.*]] = xfmr.dropout %[[P]] rate(2.500000e-01) classic : tensor<?x4x?x?xf32>
// CHECK-NEXT: xfmr.matmul %[[D]], %{{.*}} :
func.func @attention_dropout_classic(%x: tensor<?x?x32xf32>, %w: tensor<32x32xf32>) -> tensor<?x?x32xf32> {
  %0 = xfmr.attention %x q(%w) k(%w) v(%w) o(%w)
      {num_heads = 4 : i64, scale = 0.5 : f32, dropout_rate = 0.25 : f32, dropout_mode = 1 : i32}
      : (tensor<?x?x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>,
         tensor<32x32xf32>, tensor<32x32xf32>) -> tensor<?x?x32xf32>
  return %0 : tensor<?x?x32xf32>
}

// CHECK-LABEL: func.func @ffn_gelu
// CHECK-SAME: (%[[X:[^:]*]]: tensor<?x?x32xf32>, %[[W1:[^:]*]]: tensor<64x32xf32>, %[[B1:[^:]*]]: tensor<64xf32>, %[[W2:[^:]*]]: tensor<32x64xf32>, %[[B2:[^:]*]]: tensor<32xf32>)
// CHECK-NEXT: %[[H:.*]] = xfmr.linear %[[X]], %[[W1]], %[[B1]] : tensor<?x?x32xf32>, tensor<64x32xf32>, tensor<64xf32> -> tensor<?x?x64xf32>
// CHECK-NEXT: %[[A:.*]] = xfmr.gelu %[[H]] : tensor<?x?x64xf32>
// CHECK-NEXT: %[[O:.*]] = xfmr.linear %[[A]], %[[W2]], %[[B2]] : tensor<?x?x64xf32>, tensor<32x64xf32>, tensor<32xf32> -> tensor<?x?x32xf32>
// CHECK-NEXT: return %[[O]]
func.func @ffn_gelu(%x: tensor<?x?x32xf32>, %w1: tensor<64x32xf32>, %b1: tensor<64xf32>,
                    %w2: tensor<32x64xf32>, %b2: tensor<32xf32>) -> tensor<?x?x32xf32> {
  %0 = xfmr.ffn gelu %x up(%w1, %b1 : tensor<64xf32>) down(%w2, %b2 : tensor<32xf32>)
      : tensor<?x?x32xf32>, tensor<64x32xf32>, tensor<32x64xf32> -> tensor<?x?x32xf32>
  return %0 : tensor<?x?x32xf32>
}

// CHECK-LABEL: func.func @ffn_gelu_tanh
// CHECK-SAME: (%[[X:[^:]*]]: tensor<3x32xf32>, %[[W1:[^:]*]]: tensor<64x32xf32>, %[[W2:[^:]*]]: tensor<32x64xf32>)
// CHECK-NEXT: %[[H:.*]] = xfmr.linear %[[X]], %[[W1]] : tensor<3x32xf32>, tensor<64x32xf32> -> tensor<3x64xf32>
// CHECK-NEXT: %[[A:.*]] = xfmr.gelu %[[H]] tanh : tensor<3x64xf32>
// CHECK-NEXT: %[[O:.*]] = xfmr.linear %[[A]], %[[W2]] : tensor<3x64xf32>, tensor<32x64xf32> -> tensor<3x32xf32>
// CHECK-NEXT: return %[[O]]
func.func @ffn_gelu_tanh(%x: tensor<3x32xf32>, %w1: tensor<64x32xf32>, %w2: tensor<32x64xf32>) -> tensor<3x32xf32> {
  %0 = xfmr.ffn gelu_tanh %x up(%w1) down(%w2)
      : tensor<3x32xf32>, tensor<64x32xf32>, tensor<32x64xf32> -> tensor<3x32xf32>
  return %0 : tensor<3x32xf32>
}

// CHECK-LABEL: func.func @ffn_relu
// CHECK-SAME: (%[[X:[^:]*]]: tensor<?x?x32xf32>, %[[W1:[^:]*]]: tensor<64x32xf32>, %[[B1:[^:]*]]: tensor<64xf32>, %[[W2:[^:]*]]: tensor<32x64xf32>)
// CHECK-NEXT: %[[H:.*]] = xfmr.linear %[[X]], %[[W1]], %[[B1]] : tensor<?x?x32xf32>, tensor<64x32xf32>, tensor<64xf32> -> tensor<?x?x64xf32>
// CHECK-NEXT: %[[A:.*]] = xfmr.relu %[[H]] : tensor<?x?x64xf32>
// CHECK-NEXT: %[[O:.*]] = xfmr.linear %[[A]], %[[W2]] : tensor<?x?x64xf32>, tensor<32x64xf32> -> tensor<?x?x32xf32>
// CHECK-NEXT: return %[[O]]
func.func @ffn_relu(%x: tensor<?x?x32xf32>, %w1: tensor<64x32xf32>, %b1: tensor<64xf32>,
                    %w2: tensor<32x64xf32>) -> tensor<?x?x32xf32> {
  %0 = xfmr.ffn relu %x up(%w1, %b1 : tensor<64xf32>) down(%w2)
      : tensor<?x?x32xf32>, tensor<64x32xf32>, tensor<32x64xf32> -> tensor<?x?x32xf32>
  return %0 : tensor<?x?x32xf32>
}

// Primitives are left alone; nothing block-level remains anywhere.
// CHECK-LABEL: func.func @primitives_untouched
// CHECK-NEXT: xfmr.softmax
// CHECK-NEXT: return
func.func @primitives_untouched(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %0 = xfmr.softmax %x : tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}

// CHECK-NOT: xfmr.attention
// CHECK-NOT: xfmr.ffn

// Grouped-query attention with rotary positions: K and V keep their two
// heads (never copied per query head), Q and K are rotated at the
// positions, and both products read K/V head h / 2 for query head h.
// CHECK-LABEL: func.func @attention_grouped_rotary
// CHECK-SAME: (%[[X:[^:]*]]: tensor<?x?x32xf32>, %[[P:[^:]*]]: tensor<?x?xi64>, %[[WQ:[^:]*]]: tensor<32x32xf32>, %[[WKV:[^:]*]]: tensor<16x32xf32>)
// CHECK-NEXT: %[[Q:.*]] = xfmr.linear %[[X]], %[[WQ]] :
// CHECK-NEXT: %[[QH:.*]] = xfmr.split_heads %[[Q]] heads(4) : tensor<?x?x32xf32> -> tensor<?x4x?x8xf32>
// CHECK-NEXT: %[[K:.*]] = xfmr.linear %[[X]], %[[WKV]] : tensor<?x?x32xf32>, tensor<16x32xf32> -> tensor<?x?x16xf32>
// CHECK-NEXT: %[[KH:.*]] = xfmr.split_heads %[[K]] heads(2) : tensor<?x?x16xf32> -> tensor<?x2x?x8xf32>
// CHECK-NEXT: %[[V:.*]] = xfmr.linear %[[X]], %[[WKV]] :
// CHECK-NEXT: %[[VH:.*]] = xfmr.split_heads %[[V]] heads(2)
// CHECK-NEXT: %[[QR:.*]] = xfmr.rotary %[[QH]] at(%[[P]]) {rotary = #xfmr.rotary<theta = 1.000000e+04 : f32, scaling = 1.000000e+00 : f32, layout = half_split>} : tensor<?x4x?x8xf32>
// CHECK-NEXT: %[[KR:.*]] = xfmr.rotary %[[KH]] at(%[[P]]) {{.*}} : tensor<?x2x?x8xf32>
// CHECK-NEXT: %[[S:.*]] = xfmr.matmul %[[QR]], %[[KR]] transpose_rhs : tensor<?x4x?x8xf32>, tensor<?x2x?x8xf32> -> tensor<?x4x?x?xf32>
// CHECK-NEXT: %[[SS:.*]] = xfmr.scale %[[S]]
// CHECK-NEXT: %[[CM:.*]] = xfmr.causal_mask %[[S]]
// CHECK-NEXT: %[[SC:.*]] = xfmr.add %[[SS]], %[[CM]]
// CHECK-NEXT: %[[PR:.*]] = xfmr.softmax %[[SC]]
// CHECK-NEXT: %[[C:.*]] = xfmr.matmul %[[PR]], %[[VH]] : tensor<?x4x?x?xf32>, tensor<?x2x?x8xf32> -> tensor<?x4x?x8xf32>
// CHECK-NEXT: %[[MH:.*]] = xfmr.merge_heads %[[C]]
// CHECK-NEXT: xfmr.linear %[[MH]], %[[WQ]]
func.func @attention_grouped_rotary(%x: tensor<?x?x32xf32>, %p: tensor<?x?xi64>,
    %wq: tensor<32x32xf32>, %wkv: tensor<16x32xf32>) -> tensor<?x?x32xf32> {
  %0 = xfmr.attention %x positions(%p) q(%wq) k(%wkv) v(%wkv) o(%wq)
      {causal, num_heads = 4 : i64, num_kv_heads = 2 : i64, scale = 0.353553385 : f32,
       rotary = #xfmr.rotary<theta = 1.0e+04 : f32, scaling = 1.0 : f32, layout = half_split>}
      : (tensor<?x?x32xf32>, tensor<?x?xi64>, tensor<32x32xf32>, tensor<16x32xf32>,
         tensor<16x32xf32>, tensor<32x32xf32>) -> tensor<?x?x32xf32>
  return %0 : tensor<?x?x32xf32>
}

// A gated FFN (SwiGLU): silu of the gate projection times the up
// projection, then down.
// CHECK-LABEL: func.func @ffn_gated
// CHECK-SAME: (%[[X:[^:]*]]: tensor<?x?x32xf32>, %[[WG:[^:]*]]: tensor<48x32xf32>, %[[WU:[^:]*]]: tensor<48x32xf32>, %[[WD:[^:]*]]: tensor<32x48xf32>)
// CHECK-NEXT: %[[U:.*]] = xfmr.linear %[[X]], %[[WU]] :
// CHECK-NEXT: %[[G:.*]] = xfmr.linear %[[X]], %[[WG]] :
// CHECK-NEXT: %[[A:.*]] = xfmr.silu %[[G]] : tensor<?x?x48xf32>
// CHECK-NEXT: %[[H:.*]] = xfmr.mul %[[A]], %[[U]] : tensor<?x?x48xf32>
// CHECK-NEXT: %[[D:.*]] = xfmr.linear %[[H]], %[[WD]] :
// CHECK-NEXT: return %[[D]]
func.func @ffn_gated(%x: tensor<?x?x32xf32>, %wg: tensor<48x32xf32>, %wu: tensor<48x32xf32>,
                     %wd: tensor<32x48xf32>) -> tensor<?x?x32xf32> {
  %0 = xfmr.ffn silu %x gate(%wg : tensor<48x32xf32>) up(%wu) down(%wd)
      : tensor<?x?x32xf32>, tensor<48x32xf32>, tensor<32x48xf32> -> tensor<?x?x32xf32>
  return %0 : tensor<?x?x32xf32>
}

// With a cache, the new keys and values go to slots [kv_len - seq, kv_len)
// (kv_len from the mask) and the products read slots [0, kv_len).
// CHECK-LABEL: func.func @attention_cache
// CHECK-SAME: (%[[X:[^:]*]]: tensor<?x?x32xf32>, %[[M:[^:]*]]: tensor<?x1x1x?xf32>, %[[KV:[^:]*]]: tensor<2x?x2x?x8xf32>
// CHECK: %[[K:.*]] = xfmr.split_heads %{{.*}} heads(2) : tensor<?x?x16xf32> -> tensor<?x2x?x8xf32>
// CHECK: %[[V:.*]] = xfmr.split_heads %{{.*}} heads(2) : tensor<?x?x16xf32> -> tensor<?x2x?x8xf32>
// CHECK-DAG: %[[KVLEN:.*]] = tensor.dim %[[M]], %c3
// CHECK-DAG: %[[SEQ:.*]] = tensor.dim %[[K]], %c2
// CHECK: %[[SLOT:.*]] = arith.subi %[[KVLEN]], %[[SEQ]] : index
// CHECK: %[[C1:.*]] = tensor.insert_slice %[[K]] into %[[KV]][0, 0, 0, %[[SLOT]], 0] [1, %{{.*}}, 2, %[[SEQ]], 8] [1, 1, 1, 1, 1] : tensor<?x2x?x8xf32> into tensor<2x?x2x?x8xf32>
// CHECK: %[[C2:.*]] = tensor.insert_slice %[[V]] into %[[C1]][1, 0, 0, %[[SLOT]], 0] [1, %{{.*}}, 2, %[[SEQ]], 8]
// CHECK: %[[KALL:.*]] = tensor.extract_slice %[[C2]][0, 0, 0, 0, 0] [1, %{{.*}}, 2, %[[KVLEN]], 8] [1, 1, 1, 1, 1] : tensor<2x?x2x?x8xf32> to tensor<?x2x?x8xf32>
// CHECK: %[[VALL:.*]] = tensor.extract_slice %[[C2]][1, 0, 0, 0, 0] [1, %{{.*}}, 2, %[[KVLEN]], 8]
// CHECK: xfmr.matmul %{{.*}}, %[[KALL]] transpose_rhs : tensor<?x4x?x8xf32>, tensor<?x2x?x8xf32> -> tensor<?x4x?x?xf32>
// CHECK: xfmr.causal_mask
// CHECK: xfmr.matmul %{{.*}}, %[[VALL]] : tensor<?x4x?x?xf32>, tensor<?x2x?x8xf32> -> tensor<?x4x?x8xf32>
// CHECK: %[[O:.*]] = xfmr.linear
// CHECK: return %[[O]], %[[C2]]
func.func @attention_cache(%x: tensor<?x?x32xf32>, %m: tensor<?x1x1x?xf32>, %kv: tensor<2x?x2x?x8xf32>,
    %wq: tensor<32x32xf32>, %wkv: tensor<16x32xf32>) -> (tensor<?x?x32xf32>, tensor<2x?x2x?x8xf32>) {
  %0, %1 = xfmr.attention %x mask(%m) cache(%kv) q(%wq) k(%wkv) v(%wkv) o(%wq)
      {causal, num_heads = 4 : i64, num_kv_heads = 2 : i64, scale = 0.353553 : f32}
      : (tensor<?x?x32xf32>, tensor<?x1x1x?xf32>, tensor<2x?x2x?x8xf32>, tensor<32x32xf32>,
         tensor<16x32xf32>, tensor<16x32xf32>, tensor<32x32xf32>)
      -> (tensor<?x?x32xf32>, tensor<2x?x2x?x8xf32>)
  return %0, %1 : tensor<?x?x32xf32>, tensor<2x?x2x?x8xf32>
}

// A score bias (ALiBi's) is added to the scaled scores, before the masks.
// CHECK-LABEL: func.func @attention_score_bias
// CHECK-SAME: %[[B:[^:]*]]: tensor<?x4x1x?xf32>
// CHECK: %[[S:.*]] = xfmr.scale
// CHECK-NEXT: %[[SB:.*]] = xfmr.add %[[S]], %[[B]] : tensor<?x4x?x?xf32>, tensor<?x4x1x?xf32> -> tensor<?x4x?x?xf32>
// CHECK-NEXT: %[[SM:.*]] = xfmr.add %[[SB]], %{{.*}} : tensor<?x4x?x?xf32>, tensor<?x1x1x?xf32>
// CHECK: xfmr.causal_mask
// CHECK: xfmr.softmax
func.func @attention_score_bias(%x: tensor<?x?x32xf32>, %m: tensor<?x1x1x?xf32>, %b: tensor<?x4x1x?xf32>,
    %w: tensor<32x32xf32>) -> tensor<?x?x32xf32> {
  %0 = xfmr.attention %x mask(%m) score_bias(%b) q(%w) k(%w) v(%w) o(%w)
      {causal, num_heads = 4 : i64, scale = 0.353553 : f32}
      : (tensor<?x?x32xf32>, tensor<?x1x1x?xf32>, tensor<?x4x1x?xf32>, tensor<32x32xf32>,
         tensor<32x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>) -> tensor<?x?x32xf32>
  return %0 : tensor<?x?x32xf32>
}
