// RUN: xfmr-opt %s --xfmr-fuse-attention --split-input-file | FileCheck %s
// The count, on every build:
// RUN: xfmr-opt %s --xfmr-fuse-attention --xfmr-check-fusions=report=true -o /dev/null 2>&1 | FileCheck %s --check-prefix=COUNT
// COUNT: remark: fusions: {{.*}}; attention 3 fused, 3 missed

// Q·Kᵀ → masked softmax → ·V: the softmax's operands and attributes move into
// the fused op; neither product nor the softmax is left.
// CHECK-LABEL: func.func @masked
// CHECK-SAME: (%[[Q:[^:]*]]: tensor<?x4x?x8xf32>, %[[K:[^:]*]]: tensor<?x4x?x8xf32>, %[[V:[^:]*]]: tensor<?x4x?x16xf32>, %[[M:[^:]*]]: tensor<?x?xi64>)
// CHECK-NEXT: %[[C:.*]] = xfmr.fused_attention %[[Q]], %[[K]], %[[V]] key_padding(%[[M]] : tensor<?x?xi64>) scale(1.250000e-01) causal mask(<fill = lowest, fully_masked = uniform>) : tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32>, tensor<?x4x?x16xf32> -> tensor<?x4x?x16xf32>
// CHECK-NEXT: return %[[C]]
func.func @masked(%q: tensor<?x4x?x8xf32>, %k: tensor<?x4x?x8xf32>, %v: tensor<?x4x?x16xf32>, %m: tensor<?x?xi64>) -> tensor<?x4x?x16xf32> {
  %s = xfmr.matmul %q, %k transpose_rhs : tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x?xf32>
  %p = xfmr.masked_softmax %s key_padding(%m : tensor<?x?xi64>) scale(0.125) causal
      mask(<fill = lowest, fully_masked = uniform>) : tensor<?x4x?x?xf32>
  %c = xfmr.matmul %p, %v : tensor<?x4x?x?xf32>, tensor<?x4x?x16xf32> -> tensor<?x4x?x16xf32>
  return %c : tensor<?x4x?x16xf32>
}

// An additive bias (relative positions) goes along.
// CHECK-LABEL: func.func @bias
// CHECK: xfmr.fused_attention {{.*}} bias(%{{.*}} : tensor<1x4x?x?xf32>) scale(1.000000e+00) mask(<fill = neg_inf, fully_masked = zero>)
// CHECK-NOT: xfmr.matmul
func.func @bias(%q: tensor<?x4x?x8xf32>, %b: tensor<1x4x?x?xf32>) -> tensor<?x4x?x8xf32> {
  %s = xfmr.matmul %q, %q transpose_rhs : tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x?xf32>
  %p = xfmr.masked_softmax %s bias(%b : tensor<1x4x?x?xf32>) scale(1.0)
      mask(<fill = neg_inf, fully_masked = zero>) : tensor<?x4x?x?xf32>
  %c = xfmr.matmul %p, %q : tensor<?x4x?x?xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x8xf32>
  return %c : tensor<?x4x?x8xf32>
}

// A plain softmax over the keys: scale 1, nothing masked.
// CHECK-LABEL: func.func @plain
// CHECK-NEXT: %[[C:.*]] = xfmr.fused_attention %{{.*}} scale(1.000000e+00) mask(<fill = neg_inf, fully_masked = zero>)
// CHECK-NEXT: return %[[C]]
func.func @plain(%q: tensor<2x4x5x8xf32>) -> tensor<2x4x5x8xf32> {
  %s = xfmr.matmul %q, %q transpose_rhs : tensor<2x4x5x8xf32>, tensor<2x4x5x8xf32> -> tensor<2x4x5x5xf32>
  %p = xfmr.softmax %s : tensor<2x4x5x5xf32>
  %c = xfmr.matmul %p, %q : tensor<2x4x5x5xf32>, tensor<2x4x5x8xf32> -> tensor<2x4x5x8xf32>
  return %c : tensor<2x4x5x8xf32>
}

//===----------------------------------------------------------------------===//
// Nothing fuses
//===----------------------------------------------------------------------===//

// The probabilities have another use (they are returned).
// CHECK-LABEL: func.func @probs_used
// CHECK: xfmr.masked_softmax
// CHECK: xfmr.matmul
// CHECK-NOT: xfmr.fused_attention
func.func @probs_used(%q: tensor<?x4x?x8xf32>) -> (tensor<?x4x?x8xf32>, tensor<?x4x?x?xf32>) {
  %s = xfmr.matmul %q, %q transpose_rhs : tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x?xf32>
  %p = xfmr.masked_softmax %s scale(0.5) mask(<fill = neg_inf, fully_masked = zero>) : tensor<?x4x?x?xf32>
  %c = xfmr.matmul %p, %q : tensor<?x4x?x?xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x8xf32>
  return %c, %p : tensor<?x4x?x8xf32>, tensor<?x4x?x?xf32>
}

// The scores have another use.
// CHECK-LABEL: func.func @scores_used
// CHECK-NOT: xfmr.fused_attention
func.func @scores_used(%q: tensor<?x4x?x8xf32>) -> (tensor<?x4x?x8xf32>, tensor<?x4x?x?xf32>) {
  %s = xfmr.matmul %q, %q transpose_rhs : tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x?xf32>
  %p = xfmr.masked_softmax %s scale(0.5) mask(<fill = neg_inf, fully_masked = zero>) : tensor<?x4x?x?xf32>
  %c = xfmr.matmul %p, %q : tensor<?x4x?x?xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x8xf32>
  return %c, %s : tensor<?x4x?x8xf32>, tensor<?x4x?x?xf32>
}

// A scale on the product with V (a classic dropout folded in) has no place
// in the fused op.
// CHECK-LABEL: func.func @scaled_context
// CHECK-NOT: xfmr.fused_attention
func.func @scaled_context(%q: tensor<?x4x?x8xf32>) -> tensor<?x4x?x8xf32> {
  %s = xfmr.matmul %q, %q transpose_rhs : tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x?xf32>
  %p = xfmr.masked_softmax %s scale(0.5) mask(<fill = neg_inf, fully_masked = zero>) : tensor<?x4x?x?xf32>
  %c = xfmr.matmul %p, %q {scale = 0.9 : f32} : tensor<?x4x?x?xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x8xf32>
  return %c : tensor<?x4x?x8xf32>
}

// Softmax over another axis is not attention.
// CHECK-LABEL: func.func @other_axis
// CHECK-NOT: xfmr.fused_attention
func.func @other_axis(%q: tensor<?x4x?x8xf32>) -> tensor<?x4x?x8xf32> {
  %s = xfmr.matmul %q, %q transpose_rhs : tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x?xf32>
  %p = xfmr.softmax %s axis(2) : tensor<?x4x?x?xf32>
  %c = xfmr.matmul %p, %q : tensor<?x4x?x?xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x8xf32>
  return %c : tensor<?x4x?x8xf32>
}
