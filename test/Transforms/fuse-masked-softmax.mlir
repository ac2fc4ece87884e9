// RUN: xfmr-opt %s --xfmr-fuse-masked-softmax --split-input-file | FileCheck %s
// Pass statistics exist only in LLVM builds with statistics (lit feature
// `stats`, see lit.cfg.py).
// RUN: %if stats %{ xfmr-opt %s --xfmr-fuse-masked-softmax --mlir-pass-statistics -o /dev/null 2>&1 | FileCheck %s --check-prefix=STATS %}
// The same count, on every build:
// RUN: xfmr-opt %s --xfmr-fuse-masked-softmax --xfmr-check-fusions=report=true -o /dev/null 2>&1 | FileCheck %s --check-prefix=COUNT

// STATS: XfmrFuseMaskedSoftmax
// STATS: (S) 13 fused - softmaxes fused with their scale and masks
// COUNT: remark: fusions: masked-softmax 13 fused, 8 missed;

//===----------------------------------------------------------------------===//
// Spellings of softmax(scale · Q·Kᵀ + mask) that fuse
//===----------------------------------------------------------------------===//

// The decomposed attention: xfmr.scale after the matmul, the padding mask
// added after the scale. The mask's 0/1 source becomes key_padding; the
// additive mask, the scale and the add are gone.
// CHECK-LABEL: func.func @scale_op_then_padding
// CHECK-SAME: (%[[Q:[^:]*]]: tensor<?x4x?x8xf32>, %[[K:[^:]*]]: tensor<?x4x?x8xf32>, %[[M:[^:]*]]: tensor<?x?xi64>)
// CHECK-NEXT: %[[S:.*]] = xfmr.matmul %[[Q]], %[[K]] transpose_rhs : tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x?xf32>
// CHECK-NEXT: %[[P:.*]] = xfmr.masked_softmax %[[S]] key_padding(%[[M]] : tensor<?x?xi64>) scale(1.250000e-01) mask(<fill = neg_inf, fully_masked = zero>) : tensor<?x4x?x?xf32>
// CHECK-NEXT: return %[[P]]
func.func @scale_op_then_padding(%q: tensor<?x4x?x8xf32>, %k: tensor<?x4x?x8xf32>, %m: tensor<?x?xi64>) -> tensor<?x4x?x?xf32> {
  %pad = xfmr.padding_mask %m mask(<fill = neg_inf, fully_masked = zero>) : tensor<?x?xi64> -> tensor<?x1x1x?xf32>
  %s = xfmr.matmul %q, %k transpose_rhs : tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x?xf32>
  %scaled = xfmr.scale %s by 0.125 : tensor<?x4x?x?xf32>
  %masked = xfmr.add %scaled, %pad : tensor<?x4x?x?xf32>, tensor<?x1x1x?xf32> -> tensor<?x4x?x?xf32>
  %p = xfmr.softmax %masked : tensor<?x4x?x?xf32>
  return %p : tensor<?x4x?x?xf32>
}

// The scale as the matmul's output scale moves into the fused op (the matmul
// loses it); the mask on the left of the add works as well.
// CHECK-LABEL: func.func @matmul_scale_attr
// CHECK-SAME: (%[[Q:[^:]*]]: tensor<?x4x?x8xf32>, %[[K:[^:]*]]: tensor<?x4x?x8xf32>, %[[M:[^:]*]]: tensor<?x?xi64>)
// CHECK-NEXT: %[[S:.*]] = xfmr.matmul %[[Q]], %[[K]] transpose_rhs : tensor<?x4x?x8xf32>
// CHECK-NEXT: %[[P:.*]] = xfmr.masked_softmax %[[S]] key_padding(%[[M]] : tensor<?x?xi64>) scale(2.500000e-01) mask(<fill = neg_inf, fully_masked = zero>)
// CHECK-NEXT: return %[[P]]
func.func @matmul_scale_attr(%q: tensor<?x4x?x8xf32>, %k: tensor<?x4x?x8xf32>, %m: tensor<?x?xi64>) -> tensor<?x4x?x?xf32> {
  %pad = xfmr.padding_mask %m mask(<fill = neg_inf, fully_masked = zero>) : tensor<?x?xi64> -> tensor<?x1x1x?xf32>
  %s = xfmr.matmul %q, %k transpose_rhs {scale = 0.25 : f32} : tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x?xf32>
  %masked = xfmr.add %pad, %s : tensor<?x1x1x?xf32>, tensor<?x4x?x?xf32> -> tensor<?x4x?x?xf32>
  %p = xfmr.softmax %masked : tensor<?x4x?x?xf32>
  return %p : tensor<?x4x?x?xf32>
}

// Q scaled before Q·Kᵀ (Vaswani's spelling in many codebases): the matmul
// reads Q itself, the scale is the fused op's.
// CHECK-LABEL: func.func @scale_on_q
// CHECK-SAME: (%[[Q:[^:]*]]: tensor<?x4x?x8xf32>, %[[K:[^:]*]]: tensor<?x4x?x8xf32>, %[[M:[^:]*]]: tensor<?x?xi64>)
// CHECK-NOT: xfmr.scale
// CHECK: %[[S:.*]] = xfmr.matmul %[[Q]], %[[K]] transpose_rhs
// CHECK-NEXT: %[[P:.*]] = xfmr.masked_softmax %[[S]] key_padding(%[[M]] : tensor<?x?xi64>) scale(1.250000e-01)
// CHECK-NOT: xfmr.scale
// CHECK: return %[[P]]
func.func @scale_on_q(%q: tensor<?x4x?x8xf32>, %k: tensor<?x4x?x8xf32>, %m: tensor<?x?xi64>) -> tensor<?x4x?x?xf32> {
  %pad = xfmr.padding_mask %m mask(<fill = neg_inf, fully_masked = zero>) : tensor<?x?xi64> -> tensor<?x1x1x?xf32>
  %qs = xfmr.scale %q by 0.125 : tensor<?x4x?x8xf32>
  %s = xfmr.matmul %qs, %k transpose_rhs : tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x?xf32>
  %masked = xfmr.add %s, %pad : tensor<?x4x?x?xf32>, tensor<?x1x1x?xf32> -> tensor<?x4x?x?xf32>
  %p = xfmr.softmax %masked : tensor<?x4x?x?xf32>
  return %p : tensor<?x4x?x?xf32>
}

// Every scale on the way multiplies: K scaled by 0.5, the matmul by 0.5 and an
// xfmr.scale by 0.5 give 0.125.
// CHECK-LABEL: func.func @scales_multiply
// CHECK-SAME: (%[[Q:[^:]*]]: tensor<?x4x?x8xf32>, %[[K:[^:]*]]: tensor<?x4x?x8xf32>, %[[M:[^:]*]]: tensor<?x?xi64>)
// CHECK-NEXT: %[[S:.*]] = xfmr.matmul %[[Q]], %[[K]] transpose_rhs : tensor<?x4x?x8xf32>
// CHECK-NEXT: xfmr.masked_softmax %[[S]] key_padding(%[[M]] : tensor<?x?xi64>) scale(1.250000e-01)
func.func @scales_multiply(%q: tensor<?x4x?x8xf32>, %k: tensor<?x4x?x8xf32>, %m: tensor<?x?xi64>) -> tensor<?x4x?x?xf32> {
  %pad = xfmr.padding_mask %m mask(<fill = neg_inf, fully_masked = zero>) : tensor<?x?xi64> -> tensor<?x1x1x?xf32>
  %ks = xfmr.scale %k by 0.5 : tensor<?x4x?x8xf32>
  %s = xfmr.matmul %q, %ks transpose_rhs {scale = 0.5 : f32} : tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x?xf32>
  %scaled = xfmr.scale %s by 0.5 : tensor<?x4x?x?xf32>
  %masked = xfmr.add %scaled, %pad : tensor<?x4x?x?xf32>, tensor<?x1x1x?xf32> -> tensor<?x4x?x?xf32>
  %p = xfmr.softmax %masked : tensor<?x4x?x?xf32>
  return %p : tensor<?x4x?x?xf32>
}

// The padding mask added before the scale: scale · (s + mask) masks the same
// keys, so it fuses too.
// CHECK-LABEL: func.func @padding_then_scale
// CHECK-SAME: (%[[S:[^:]*]]: tensor<?x4x?x?xf32>, %[[M:[^:]*]]: tensor<?x?xi64>)
// CHECK-NEXT: %[[P:.*]] = xfmr.masked_softmax %[[S]] key_padding(%[[M]] : tensor<?x?xi64>) scale(1.250000e-01) mask(<fill = neg_inf, fully_masked = zero>)
// CHECK-NEXT: return %[[P]]
func.func @padding_then_scale(%s: tensor<?x4x?x?xf32>, %m: tensor<?x?xi64>) -> tensor<?x4x?x?xf32> {
  %pad = xfmr.padding_mask %m mask(<fill = neg_inf, fully_masked = zero>) : tensor<?x?xi64> -> tensor<?x1x1x?xf32>
  %masked = xfmr.add %s, %pad : tensor<?x4x?x?xf32>, tensor<?x1x1x?xf32> -> tensor<?x4x?x?xf32>
  %scaled = xfmr.scale %masked by 0.125 : tensor<?x4x?x?xf32>
  %p = xfmr.softmax %scaled : tensor<?x4x?x?xf32>
  return %p : tensor<?x4x?x?xf32>
}

// The lowest-f32 fill (BERT) gives a fully masked row equal scores, hence a
// uniform row: the fused op keeps that meaning.
// CHECK-LABEL: func.func @lowest_fill
// CHECK-SAME: (%[[S:[^:]*]]: tensor<?x4x?x?xf32>, %[[M:[^:]*]]: tensor<?x?xi64>)
// CHECK-NEXT: %[[P:.*]] = xfmr.masked_softmax %[[S]] key_padding(%[[M]] : tensor<?x?xi64>) scale(1.250000e-01) mask(<fill = lowest, fully_masked = uniform>)
// CHECK-NEXT: return %[[P]]
func.func @lowest_fill(%s: tensor<?x4x?x?xf32>, %m: tensor<?x?xi64>) -> tensor<?x4x?x?xf32> {
  %pad = xfmr.padding_mask %m mask(<fill = lowest, fully_masked = uniform>) : tensor<?x?xi64> -> tensor<?x1x1x?xf32>
  %scaled = xfmr.scale %s by 0.125 : tensor<?x4x?x?xf32>
  %masked = xfmr.add %scaled, %pad : tensor<?x4x?x?xf32>, tensor<?x1x1x?xf32> -> tensor<?x4x?x?xf32>
  %p = xfmr.softmax %masked : tensor<?x4x?x?xf32>
  return %p : tensor<?x4x?x?xf32>
}

// A causal mask becomes the `causal` attribute: the mask is never built. With
// no padding mask the fill stays the default -inf (rows are never fully
// masked: the last key visible to a query is never in its future).
// CHECK-LABEL: func.func @causal
// CHECK-SAME: (%[[S:[^:]*]]: tensor<?x4x?x?xf32>)
// CHECK-NOT: xfmr.causal_mask
// CHECK-NEXT: %[[P:.*]] = xfmr.masked_softmax %[[S]] scale(1.250000e-01) causal mask(<fill = neg_inf, fully_masked = zero>) : tensor<?x4x?x?xf32>
// CHECK-NEXT: return %[[P]]
func.func @causal(%s: tensor<?x4x?x?xf32>) -> tensor<?x4x?x?xf32> {
  %c = xfmr.causal_mask %s : tensor<?x4x?x?xf32> -> tensor<1x1x?x?xf32>
  %scaled = xfmr.scale %s by 0.125 : tensor<?x4x?x?xf32>
  %masked = xfmr.add %scaled, %c : tensor<?x4x?x?xf32>, tensor<1x1x?x?xf32> -> tensor<?x4x?x?xf32>
  %p = xfmr.softmax %masked : tensor<?x4x?x?xf32>
  return %p : tensor<?x4x?x?xf32>
}

// Both masks (a decoder with padding), in either order; no scale at all is
// fine when something else fuses.
// CHECK-LABEL: func.func @both_masks
// CHECK-SAME: (%[[S:[^:]*]]: tensor<?x4x?x?xf32>, %[[M:[^:]*]]: tensor<?x?xi64>)
// CHECK-NEXT: %[[P:.*]] = xfmr.masked_softmax %[[S]] key_padding(%[[M]] : tensor<?x?xi64>) scale(1.000000e+00) causal mask(<fill = neg_inf, fully_masked = zero>)
// CHECK-NEXT: return %[[P]]
func.func @both_masks(%s: tensor<?x4x?x?xf32>, %m: tensor<?x?xi64>) -> tensor<?x4x?x?xf32> {
  %pad = xfmr.padding_mask %m mask(<fill = neg_inf, fully_masked = zero>) : tensor<?x?xi64> -> tensor<?x1x1x?xf32>
  %c = xfmr.causal_mask %s : tensor<?x4x?x?xf32> -> tensor<1x1x?x?xf32>
  %a = xfmr.add %s, %c : tensor<?x4x?x?xf32>, tensor<1x1x?x?xf32> -> tensor<?x4x?x?xf32>
  %b = xfmr.add %a, %pad : tensor<?x4x?x?xf32>, tensor<?x1x1x?xf32> -> tensor<?x4x?x?xf32>
  %p = xfmr.softmax %b : tensor<?x4x?x?xf32>
  return %p : tensor<?x4x?x?xf32>
}

// Any other additive f32 tensor added after the scale (a relative-position
// bias, an additive mask from the caller) becomes `bias`, next to a padding
// mask.
// CHECK-LABEL: func.func @bias_after_scale
// CHECK-SAME: (%[[S:[^:]*]]: tensor<?x4x?x?xf32>, %[[B:[^:]*]]: tensor<1x4x?x?xf32>, %[[M:[^:]*]]: tensor<?x?xi64>)
// CHECK-NEXT: %[[P:.*]] = xfmr.masked_softmax %[[S]] key_padding(%[[M]] : tensor<?x?xi64>) bias(%[[B]] : tensor<1x4x?x?xf32>) scale(1.250000e-01) mask(<fill = neg_inf, fully_masked = zero>)
// CHECK-NEXT: return %[[P]]
func.func @bias_after_scale(%s: tensor<?x4x?x?xf32>, %bias: tensor<1x4x?x?xf32>, %m: tensor<?x?xi64>) -> tensor<?x4x?x?xf32> {
  %pad = xfmr.padding_mask %m mask(<fill = neg_inf, fully_masked = zero>) : tensor<?x?xi64> -> tensor<?x1x1x?xf32>
  %scaled = xfmr.scale %s by 0.125 : tensor<?x4x?x?xf32>
  %a = xfmr.add %scaled, %bias : tensor<?x4x?x?xf32>, tensor<1x4x?x?xf32> -> tensor<?x4x?x?xf32>
  %b = xfmr.add %a, %pad : tensor<?x4x?x?xf32>, tensor<?x1x1x?xf32> -> tensor<?x4x?x?xf32>
  %p = xfmr.softmax %b : tensor<?x4x?x?xf32>
  return %p : tensor<?x4x?x?xf32>
}

// An additive mask that arrives as a function argument (no padding_mask in
// sight) is only a bias: the fill and the policy stay the defaults.
// CHECK-LABEL: func.func @additive_argument
// CHECK-SAME: (%[[S:[^:]*]]: tensor<?x4x?x?xf32>, %[[A:[^:]*]]: tensor<?x1x1x?xf32>)
// CHECK-NEXT: xfmr.masked_softmax %[[S]] bias(%[[A]] : tensor<?x1x1x?xf32>) scale(1.250000e-01) mask(<fill = neg_inf, fully_masked = zero>)
// CHECK-NOT: key_padding
func.func @additive_argument(%s: tensor<?x4x?x?xf32>, %add: tensor<?x1x1x?xf32>) -> tensor<?x4x?x?xf32> {
  %scaled = xfmr.scale %s by 0.125 : tensor<?x4x?x?xf32>
  %a = xfmr.add %scaled, %add : tensor<?x4x?x?xf32>, tensor<?x1x1x?xf32> -> tensor<?x4x?x?xf32>
  %p = xfmr.softmax %a : tensor<?x4x?x?xf32>
  return %p : tensor<?x4x?x?xf32>
}

//===----------------------------------------------------------------------===//
// What stays unfused
//===----------------------------------------------------------------------===//

// -----

// The masked scores have another use: fusing would compute them twice.
// CHECK-LABEL: func.func @masked_scores_reused
// CHECK: %[[A:.*]] = xfmr.add
// CHECK-NEXT: %[[P:.*]] = xfmr.softmax %[[A]]
// CHECK-NOT: xfmr.masked_softmax
func.func @masked_scores_reused(%s: tensor<?x4x?x?xf32>, %m: tensor<?x?xi64>) -> (tensor<?x4x?x?xf32>, tensor<?x4x?x?xf32>) {
  %pad = xfmr.padding_mask %m mask(<fill = neg_inf, fully_masked = zero>) : tensor<?x?xi64> -> tensor<?x1x1x?xf32>
  %scaled = xfmr.scale %s by 0.125 : tensor<?x4x?x?xf32>
  %a = xfmr.add %scaled, %pad : tensor<?x4x?x?xf32>, tensor<?x1x1x?xf32> -> tensor<?x4x?x?xf32>
  %p = xfmr.softmax %a : tensor<?x4x?x?xf32>
  return %p, %a : tensor<?x4x?x?xf32>, tensor<?x4x?x?xf32>
}

// -----

// A scaled matmul whose result has another use keeps its scale: the chain
// stops there and only the mask fuses (the fused op's scale is 1).
// CHECK-LABEL: func.func @scaled_matmul_reused
// CHECK-SAME: (%[[Q:[^:]*]]: tensor<?x4x?x8xf32>, %[[K:[^:]*]]: tensor<?x4x?x8xf32>, %[[M:[^:]*]]: tensor<?x?xi64>)
// CHECK-NEXT: %[[S:.*]] = xfmr.matmul %[[Q]], %[[K]] transpose_rhs {scale = 1.250000e-01 : f32}
// CHECK-NEXT: %[[P:.*]] = xfmr.masked_softmax %[[S]] key_padding(%[[M]] : tensor<?x?xi64>) scale(1.000000e+00)
// CHECK-NEXT: return %[[P]], %[[S]]
func.func @scaled_matmul_reused(%q: tensor<?x4x?x8xf32>, %k: tensor<?x4x?x8xf32>, %m: tensor<?x?xi64>) -> (tensor<?x4x?x?xf32>, tensor<?x4x?x?xf32>) {
  %pad = xfmr.padding_mask %m mask(<fill = neg_inf, fully_masked = zero>) : tensor<?x?xi64> -> tensor<?x1x1x?xf32>
  %s = xfmr.matmul %q, %k transpose_rhs {scale = 0.125 : f32} : tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x?xf32>
  %a = xfmr.add %s, %pad : tensor<?x4x?x?xf32>, tensor<?x1x1x?xf32> -> tensor<?x4x?x?xf32>
  %p = xfmr.softmax %a : tensor<?x4x?x?xf32>
  return %p, %s : tensor<?x4x?x?xf32>, tensor<?x4x?x?xf32>
}

// -----

// A scaled Q used elsewhere (the scale op stays) is not taken into the fused
// op either.
// CHECK-LABEL: func.func @scaled_q_reused
// CHECK-SAME: (%[[Q:[^:]*]]: tensor<?x4x?x8xf32>, %[[K:[^:]*]]: tensor<?x4x?x8xf32>, %[[M:[^:]*]]: tensor<?x?xi64>)
// CHECK: %[[QS:.*]] = xfmr.scale %[[Q]] by 1.250000e-01
// CHECK-NEXT: %[[S:.*]] = xfmr.matmul %[[QS]], %[[K]] transpose_rhs
// CHECK-NEXT: xfmr.masked_softmax %[[S]] key_padding(%[[M]] : tensor<?x?xi64>) scale(1.000000e+00)
func.func @scaled_q_reused(%q: tensor<?x4x?x8xf32>, %k: tensor<?x4x?x8xf32>, %m: tensor<?x?xi64>) -> (tensor<?x4x?x?xf32>, tensor<?x4x?x8xf32>) {
  %pad = xfmr.padding_mask %m mask(<fill = neg_inf, fully_masked = zero>) : tensor<?x?xi64> -> tensor<?x1x1x?xf32>
  %qs = xfmr.scale %q by 0.125 : tensor<?x4x?x8xf32>
  %s = xfmr.matmul %qs, %k transpose_rhs : tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x?xf32>
  %a = xfmr.add %s, %pad : tensor<?x4x?x?xf32>, tensor<?x1x1x?xf32> -> tensor<?x4x?x?xf32>
  %p = xfmr.softmax %a : tensor<?x4x?x?xf32>
  return %p, %qs : tensor<?x4x?x?xf32>, tensor<?x4x?x8xf32>
}

// -----

// A mask that cannot be shown to broadcast to the scores (batch 2 against a
// dynamic batch) stays an add.
// CHECK-LABEL: func.func @mask_not_broadcasting
// CHECK: xfmr.add
// CHECK-NEXT: xfmr.softmax
// CHECK-NOT: xfmr.masked_softmax
func.func @mask_not_broadcasting(%s: tensor<?x4x?x?xf32>, %bias: tensor<2x1x1x7xf32>) -> tensor<?x4x?x?xf32> {
  %scaled = xfmr.scale %s by 0.125 : tensor<?x4x?x?xf32>
  %a = xfmr.add %scaled, %bias : tensor<?x4x?x?xf32>, tensor<2x1x1x7xf32> -> tensor<?x4x?x?xf32>
  %p = xfmr.softmax %a : tensor<?x4x?x?xf32>
  return %p : tensor<?x4x?x?xf32>
}

// -----

// Neither addend has the scores' shape (the add itself broadcasts both): there
// are no scores to fuse into.
// CHECK-LABEL: func.func @both_addends_broadcast
// CHECK: xfmr.add
// CHECK-NEXT: xfmr.softmax
// CHECK-NOT: xfmr.masked_softmax
func.func @both_addends_broadcast(%a: tensor<?x1x?x?xf32>, %m: tensor<?x?xi64>) -> tensor<?x4x?x?xf32> {
  %pad = xfmr.padding_mask %m mask(<fill = neg_inf, fully_masked = zero>) : tensor<?x?xi64> -> tensor<?x1x1x?xf32>
  %b = xfmr.add %a, %pad : tensor<?x1x?x?xf32>, tensor<?x1x1x?xf32> -> tensor<?x4x?x?xf32>
  %p = xfmr.softmax %b : tensor<?x4x?x?xf32>
  return %p : tensor<?x4x?x?xf32>
}

// -----

// A softmax over queries (axis 2) is not attention's softmax over keys.
// CHECK-LABEL: func.func @axis_not_last
// CHECK: xfmr.add
// CHECK-NEXT: xfmr.softmax %{{.*}} axis(2)
// CHECK-NOT: xfmr.masked_softmax
func.func @axis_not_last(%s: tensor<?x4x?x?xf32>, %m: tensor<?x?xi64>) -> tensor<?x4x?x?xf32> {
  %pad = xfmr.padding_mask %m mask(<fill = neg_inf, fully_masked = zero>) : tensor<?x?xi64> -> tensor<?x1x1x?xf32>
  %scaled = xfmr.scale %s by 0.125 : tensor<?x4x?x?xf32>
  %a = xfmr.add %scaled, %pad : tensor<?x4x?x?xf32>, tensor<?x1x1x?xf32> -> tensor<?x4x?x?xf32>
  %p = xfmr.softmax %a axis(2) : tensor<?x4x?x?xf32>
  return %p : tensor<?x4x?x?xf32>
}

// -----

// axis(-1) and axis(3) are the same (last) axis: both fuse.
// CHECK-LABEL: func.func @axis_spelled_out
// CHECK-NEXT: xfmr.masked_softmax
// CHECK-NEXT: return
func.func @axis_spelled_out(%s: tensor<?x4x?x?xf32>) -> tensor<?x4x?x?xf32> {
  %scaled = xfmr.scale %s by 0.125 : tensor<?x4x?x?xf32>
  %p = xfmr.softmax %scaled axis(3) : tensor<?x4x?x?xf32>
  return %p : tensor<?x4x?x?xf32>
}

// -----

// A bias added before a scale would be scaled too, which `bias` cannot say.
// CHECK-LABEL: func.func @bias_before_scale
// CHECK: xfmr.add
// CHECK-NEXT: xfmr.scale
// CHECK-NEXT: xfmr.softmax
// CHECK-NOT: xfmr.masked_softmax
func.func @bias_before_scale(%s: tensor<?x4x?x?xf32>, %bias: tensor<1x4x?x?xf32>) -> tensor<?x4x?x?xf32> {
  %a = xfmr.add %s, %bias : tensor<?x4x?x?xf32>, tensor<1x4x?x?xf32> -> tensor<?x4x?x?xf32>
  %scaled = xfmr.scale %a by 0.125 : tensor<?x4x?x?xf32>
  %p = xfmr.softmax %scaled : tensor<?x4x?x?xf32>
  return %p : tensor<?x4x?x?xf32>
}

// -----

// A finite fill (-10000 of older checkpoints) leaves a fully padded row
// neither zero nor uniform: only the unfused form says what it is.
// CHECK-LABEL: func.func @value_fill
// CHECK: xfmr.padding_mask %{{.*}} mask(<fill = value(-1.000000e+04), fully_masked = zero>)
// CHECK: xfmr.add
// CHECK-NEXT: xfmr.softmax
// CHECK-NOT: xfmr.masked_softmax
func.func @value_fill(%s: tensor<?x4x?x?xf32>, %m: tensor<?x?xi64>) -> tensor<?x4x?x?xf32> {
  %pad = xfmr.padding_mask %m mask(<fill = value(-1.0e+04), fully_masked = zero>) : tensor<?x?xi64> -> tensor<?x1x1x?xf32>
  %scaled = xfmr.scale %s by 0.125 : tensor<?x4x?x?xf32>
  %a = xfmr.add %scaled, %pad : tensor<?x4x?x?xf32>, tensor<?x1x1x?xf32> -> tensor<?x4x?x?xf32>
  %p = xfmr.softmax %a : tensor<?x4x?x?xf32>
  return %p : tensor<?x4x?x?xf32>
}

// -----

// Two padding masks: the fused op has room for one.
// CHECK-LABEL: func.func @two_padding_masks
// CHECK-COUNT-2: xfmr.add
// CHECK-NEXT: xfmr.softmax
// CHECK-NOT: xfmr.masked_softmax
func.func @two_padding_masks(%s: tensor<?x4x?x?xf32>, %m: tensor<?x?xi64>, %n: tensor<?x?xi64>) -> tensor<?x4x?x?xf32> {
  %p1 = xfmr.padding_mask %m mask(<fill = neg_inf, fully_masked = zero>) : tensor<?x?xi64> -> tensor<?x1x1x?xf32>
  %p2 = xfmr.padding_mask %n mask(<fill = neg_inf, fully_masked = zero>) : tensor<?x?xi64> -> tensor<?x1x1x?xf32>
  %a = xfmr.add %s, %p1 : tensor<?x4x?x?xf32>, tensor<?x1x1x?xf32> -> tensor<?x4x?x?xf32>
  %b = xfmr.add %a, %p2 : tensor<?x4x?x?xf32>, tensor<?x1x1x?xf32> -> tensor<?x4x?x?xf32>
  %p = xfmr.softmax %b : tensor<?x4x?x?xf32>
  return %p : tensor<?x4x?x?xf32>
}

// -----

// Nothing to fuse: a softmax of plain scores, of an unscaled matmul, and a
// softmax that is not over [b, h, q, k] scores.
// CHECK-LABEL: func.func @plain
// CHECK: xfmr.softmax
// CHECK: xfmr.matmul
// CHECK-NEXT: xfmr.softmax
// CHECK: xfmr.scale
// CHECK-NEXT: xfmr.softmax
// CHECK-NOT: xfmr.masked_softmax
func.func @plain(%s: tensor<?x4x?x?xf32>, %q: tensor<?x4x?x8xf32>, %x: tensor<?x64xf32>)
    -> (tensor<?x4x?x?xf32>, tensor<?x4x?x?xf32>, tensor<?x64xf32>) {
  %0 = xfmr.softmax %s : tensor<?x4x?x?xf32>
  %mm = xfmr.matmul %q, %q transpose_rhs : tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x?xf32>
  %1 = xfmr.softmax %mm : tensor<?x4x?x?xf32>
  %xs = xfmr.scale %x by 0.5 : tensor<?x64xf32>
  %2 = xfmr.softmax %xs : tensor<?x64xf32>
  return %0, %1, %2 : tensor<?x4x?x?xf32>, tensor<?x4x?x?xf32>, tensor<?x64xf32>
}

// -----

// Under the lowest fill a fully padded row is uniform over the keys that the
// causal mask leaves visible (the causal mask adds -inf), not over every key
// as the fused op's `uniform` would be: a lowest-filled padding mask fuses
// only on its own.
// CHECK-LABEL: func.func @lowest_fill_and_causal
// CHECK-COUNT-2: xfmr.add
// CHECK-NEXT: xfmr.softmax
// CHECK-NOT: xfmr.masked_softmax
func.func @lowest_fill_and_causal(%s: tensor<?x4x?x?xf32>, %m: tensor<?x?xi64>) -> tensor<?x4x?x?xf32> {
  %pad = xfmr.padding_mask %m mask(<fill = lowest, fully_masked = uniform>) : tensor<?x?xi64> -> tensor<?x1x1x?xf32>
  %c = xfmr.causal_mask %s : tensor<?x4x?x?xf32> -> tensor<1x1x?x?xf32>
  %a = xfmr.add %s, %c : tensor<?x4x?x?xf32>, tensor<1x1x?x?xf32> -> tensor<?x4x?x?xf32>
  %b = xfmr.add %a, %pad : tensor<?x4x?x?xf32>, tensor<?x1x1x?xf32> -> tensor<?x4x?x?xf32>
  %p = xfmr.softmax %b : tensor<?x4x?x?xf32>
  return %p : tensor<?x4x?x?xf32>
}

// -----

// Likewise with a bias, which may hold -inf.
// CHECK-LABEL: func.func @lowest_fill_and_bias
// CHECK-COUNT-2: xfmr.add
// CHECK-NEXT: xfmr.softmax
// CHECK-NOT: xfmr.masked_softmax
func.func @lowest_fill_and_bias(%s: tensor<?x4x?x?xf32>, %bias: tensor<1x4x?x?xf32>, %m: tensor<?x?xi64>) -> tensor<?x4x?x?xf32> {
  %pad = xfmr.padding_mask %m mask(<fill = lowest, fully_masked = uniform>) : tensor<?x?xi64> -> tensor<?x1x1x?xf32>
  %a = xfmr.add %s, %bias : tensor<?x4x?x?xf32>, tensor<1x4x?x?xf32> -> tensor<?x4x?x?xf32>
  %b = xfmr.add %a, %pad : tensor<?x4x?x?xf32>, tensor<?x1x1x?xf32> -> tensor<?x4x?x?xf32>
  %p = xfmr.softmax %b : tensor<?x4x?x?xf32>
  return %p : tensor<?x4x?x?xf32>
}
