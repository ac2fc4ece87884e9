// RUN: xfmr-opt %s --convert-xfmr-to-linalg --canonicalize | FileCheck %s

// One scf.forall iteration per (batch, head, query tile of 16) on tensors; an
// scf.for over key tiles of 32 from the first real key to one past the last
// (computed per batch row from the padding mask), static tiles, no [q, k]
// tensor; masked scores selected to -inf, padded value rows to 0.
// CHECK-LABEL: func.func @attention
// CHECK: %[[RANGES:.*]]:2 = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK: scf.forall (%[[B:.*]], %[[H:.*]], %[[T:.*]]) in (%{{.*}}, 4, %{{.*}}) shared_outs(
// CHECK: %[[FIRST:.*]] = tensor.extract %[[RANGES]]#0[%[[B]]]
// CHECK: %[[END:.*]] = tensor.extract %[[RANGES]]#1[%[[B]]]
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c32 iter_args({{.*}}) -> (tensor<16xf32>, tensor<16xf32>, tensor<16x8xf32>)
// CHECK-NOT: tensor<?x?xf32>
// CHECK: math.exp
// CHECK: arith.select %{{.*}}, %{{.*}}, %cst{{.*}} : f32
// CHECK: scf.yield
// CHECK: scf.forall.in_parallel
// CHECK-NEXT: tensor.parallel_insert_slice
func.func @attention(%q: tensor<?x4x?x8xf32>, %k: tensor<?x4x?x8xf32>, %v: tensor<?x4x?x8xf32>, %m: tensor<?x?xi64>) -> tensor<?x4x?x8xf32> {
  %c = xfmr.fused_attention %q, %k, %v key_padding(%m : tensor<?x?xi64>) scale(0.125)
      mask(<fill = neg_inf, fully_masked = zero>)
      : tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x8xf32>
  return %c : tensor<?x4x?x8xf32>
}

// Causal: the loop stops at the query tile's diagonal.
// CHECK-LABEL: func.func @causal
// CHECK: scf.forall
// CHECK: arith.minsi
// CHECK: scf.for
// CHECK: arith.cmpi sle
func.func @causal(%q: tensor<?x4x?x8xf32>) -> tensor<?x4x?x8xf32> {
  %c = xfmr.fused_attention %q, %q, %q scale(0.125) causal
      mask(<fill = neg_inf, fully_masked = zero>)
      : tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x8xf32>
  return %c : tensor<?x4x?x8xf32>
}
