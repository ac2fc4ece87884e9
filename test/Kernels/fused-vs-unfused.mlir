// The fusions change no result: the same program run with and without
// --xfmr-fuse-masked-softmax / --xfmr-fuse-residual-layernorm prints the same
// digits (printMemrefF32's buffer addresses removed before comparing).
// RUN: xfmr-opt %s --xfmr-to-linalg-pipeline --xfmr-linalg-to-llvm-pipeline=runtime-allocator=false \
// RUN:   | %mlir-runner -e main -entry-point-result=void -shared-libs=%mlir_runner_libs \
// RUN:   | sed -e 's/base@ = 0x[0-9a-fA-F]*//' > %t.unfused
// RUN: xfmr-opt %s --xfmr-fuse-masked-softmax --xfmr-fuse-residual-layernorm \
// RUN:   --xfmr-to-linalg-pipeline --xfmr-linalg-to-llvm-pipeline=runtime-allocator=false \
// RUN:   | %mlir-runner -e main -entry-point-result=void -shared-libs=%mlir_runner_libs \
// RUN:   | sed -e 's/base@ = 0x[0-9a-fA-F]*//' > %t.fused
// RUN: diff %t.unfused %t.fused
// RUN: FileCheck %s --implicit-check-not=nan < %t.fused
// Every chain below but the last softmax is one the fusions take (so the
// comparison is one of fused against unfused code); the last one must not
// fuse, since the fused op could not say what it computes.
// RUN: xfmr-opt %s --xfmr-fuse-masked-softmax --xfmr-fuse-residual-layernorm \
// RUN:   --xfmr-check-fusions="report=true" -o /dev/null 2>&1 \
// RUN:   | FileCheck %s --check-prefix=FUSED
// FUSED: remark: fusions: masked-softmax 4 fused, 1 missed; residual-layernorm 2 fused, 0 missed

// Scores: Q·Kᵀ with Q = [[1, 0], [0, 1]], K = [[2, 0], [0, 2], [2, 2], [4, 0]],
// scaled by 0.5: query 0 [1, 0, 1, 2], query 1 [0, 1, 1, 0]. Expected values
// computed in double precision:
//   softmax([1, 0, 2]) = [0.244728, 0.0900306, 0.665241] (keys 0, 1, 3)
//   softmax([0, 1, 0]) = [0.211942, 0.576117, 0.211942]
//   softmax([1, 0, 1]) = [0.422319, 0.155362, 0.422319]
//   softmax([0, 1, 1]) = [0.155362, 0.422319, 0.422319]

func.func private @printMemrefF32(tensor<*xf32>) attributes {llvm.emit_c_interface}

func.func @print(%t: tensor<1x1x2x4xf32>) {
  %u = tensor.cast %t : tensor<1x1x2x4xf32> to tensor<*xf32>
  func.call @printMemrefF32(%u) : (tensor<*xf32>) -> ()
  return
}

func.func @print3(%t: tensor<1x2x4xf32>) {
  %u = tensor.cast %t : tensor<1x2x4xf32> to tensor<*xf32>
  func.call @printMemrefF32(%u) : (tensor<*xf32>) -> ()
  return
}

func.func @main() {
  %q = arith.constant dense<[[[[1.0, 0.0], [0.0, 1.0]]]]> : tensor<1x1x2x2xf32>
  %k = arith.constant dense<[[[[2.0, 0.0], [0.0, 2.0], [2.0, 2.0], [4.0, 0.0]]]]> : tensor<1x1x4x2xf32>
  %s = xfmr.matmul %q, %k transpose_rhs : tensor<1x1x2x2xf32>, tensor<1x1x4x2xf32> -> tensor<1x1x2x4xf32>
  %key2_padded = arith.constant dense<[[1, 1, 0, 1]]> : tensor<1x4xi64>
  %key3_padded = arith.constant dense<[[1, 1, 1, 0]]> : tensor<1x4xi64>
  %all_padded = arith.constant dense<[[0, 0, 0, 0]]> : tensor<1x4xi64>

  // Padding (-inf) added after the scale.
  // CHECK: sizes = [1, 1, 2, 4]
  // CHECK-NEXT: [0.244728, 0.0900306, 0, 0.665241]
  // CHECK-NEXT: [0.211942, 0.576117, 0, 0.211942]
  %pad1 = xfmr.padding_mask %key2_padded mask(<fill = neg_inf, fully_masked = zero>) : tensor<1x4xi64> -> tensor<1x1x1x4xf32>
  %s1 = xfmr.scale %s by 0.5 : tensor<1x1x2x4xf32>
  %a1 = xfmr.add %s1, %pad1 : tensor<1x1x2x4xf32>, tensor<1x1x1x4xf32> -> tensor<1x1x2x4xf32>
  %p1 = xfmr.softmax %a1 : tensor<1x1x2x4xf32>
  func.call @print(%p1) : (tensor<1x1x2x4xf32>) -> ()

  // Every key padded, -inf (added before the scale): the safe softmax's zeros.
  // CHECK: sizes = [1, 1, 2, 4]
  // CHECK-NEXT: [0, 0, 0, 0]
  // CHECK-NEXT: [0, 0, 0, 0]
  %pad2 = xfmr.padding_mask %all_padded mask(<fill = neg_inf, fully_masked = zero>) : tensor<1x4xi64> -> tensor<1x1x1x4xf32>
  %a2 = xfmr.add %s, %pad2 : tensor<1x1x2x4xf32>, tensor<1x1x1x4xf32> -> tensor<1x1x2x4xf32>
  %s2 = xfmr.scale %a2 by 0.5 : tensor<1x1x2x4xf32>
  %p2 = xfmr.softmax %s2 : tensor<1x1x2x4xf32>
  func.call @print(%p2) : (tensor<1x1x2x4xf32>) -> ()

  // Every key padded with the lowest f32 (BERT): equal scores, a uniform row.
  // CHECK: sizes = [1, 1, 2, 4]
  // CHECK-NEXT: [0.25, 0.25, 0.25, 0.25]
  // CHECK-NEXT: [0.25, 0.25, 0.25, 0.25]
  %pad3 = xfmr.padding_mask %all_padded mask(<fill = lowest, fully_masked = uniform>) : tensor<1x4xi64> -> tensor<1x1x1x4xf32>
  %s3 = xfmr.scale %s by 0.5 : tensor<1x1x2x4xf32>
  %a3 = xfmr.add %s3, %pad3 : tensor<1x1x2x4xf32>, tensor<1x1x1x4xf32> -> tensor<1x1x2x4xf32>
  %p3 = xfmr.softmax %a3 : tensor<1x1x2x4xf32>
  func.call @print(%p3) : (tensor<1x1x2x4xf32>) -> ()

  // Causal (2 queries after 2 cached keys) and padding of key 3.
  // CHECK: sizes = [1, 1, 2, 4]
  // CHECK-NEXT: [0.422319, 0.155362, 0.422319, 0]
  // CHECK-NEXT: [0.155362, 0.422319, 0.422319, 0]
  %pad4 = xfmr.padding_mask %key3_padded mask(<fill = neg_inf, fully_masked = zero>) : tensor<1x4xi64> -> tensor<1x1x1x4xf32>
  %s4 = xfmr.scale %s by 0.5 : tensor<1x1x2x4xf32>
  %c4 = xfmr.causal_mask %s4 : tensor<1x1x2x4xf32> -> tensor<1x1x2x4xf32>
  %a4 = xfmr.add %s4, %c4 : tensor<1x1x2x4xf32>, tensor<1x1x2x4xf32> -> tensor<1x1x2x4xf32>
  %b4 = xfmr.add %a4, %pad4 : tensor<1x1x2x4xf32>, tensor<1x1x1x4xf32> -> tensor<1x1x2x4xf32>
  %p4 = xfmr.softmax %b4 : tensor<1x1x2x4xf32>
  func.call @print(%p4) : (tensor<1x1x2x4xf32>) -> ()

  // Causal and every key padded with the lowest f32: the padded scores are
  // equal, the causal mask's -inf keeps the future out, so query 0 spreads
  // over keys 0..2 and query 1 over all four. (A fused `uniform` would give
  // key 3 to query 0: this chain stays unfused.)
  // CHECK: sizes = [1, 1, 2, 4]
  // CHECK-NEXT: [0.333333, 0.333333, 0.333333, 0]
  // CHECK-NEXT: [0.25, 0.25, 0.25, 0.25]
  %s5 = xfmr.scale %s by 0.5 : tensor<1x1x2x4xf32>
  %c5 = xfmr.causal_mask %s5 : tensor<1x1x2x4xf32> -> tensor<1x1x2x4xf32>
  %a5 = xfmr.add %s5, %c5 : tensor<1x1x2x4xf32>, tensor<1x1x2x4xf32> -> tensor<1x1x2x4xf32>
  %b5 = xfmr.add %a5, %pad3 : tensor<1x1x2x4xf32>, tensor<1x1x1x4xf32> -> tensor<1x1x2x4xf32>
  %p5 = xfmr.softmax %b5 : tensor<1x1x2x4xf32>
  func.call @print(%p5) : (tensor<1x1x2x4xf32>) -> ()

  // Residual layer norm. linear = 2x + b: row 0 [3, 3, 6.5, 8], row 1
  // [1, -1, 0.5, 0]; plus the residual: [3, 3, 6.5, 8] and [2, 0, 1.5, 1].
  // gamma [1, 1.5, 1, 0.5], beta [0, 0.25, 0, -1], eps 1e-5:
  //   row 0 [-0.97024, -1.20536, 0.627803, -0.343661]
  //   row 1 [1.18321, -2.0319, 0.507088, -1.08451]
  // (Digits on a rounding edge are matched loosely; the diff above compares
  // fused and unfused exactly.)
  %x = arith.constant dense<[[[1.0, 2.0, 3.0, 4.0], [0.0, 0.0, 0.0, 0.0]]]> : tensor<1x2x4xf32>
  %w = arith.constant dense<[[2.0, 0.0, 0.0, 0.0], [0.0, 2.0, 0.0, 0.0],
                             [0.0, 0.0, 2.0, 0.0], [0.0, 0.0, 0.0, 2.0]]> : tensor<4x4xf32>
  %b = arith.constant dense<[1.0, -1.0, 0.5, 0.0]> : tensor<4xf32>
  %r = arith.constant dense<[[[0.0, 0.0, 0.0, 0.0], [1.0, 1.0, 1.0, 1.0]]]> : tensor<1x2x4xf32>
  %gamma = arith.constant dense<[1.0, 1.5, 1.0, 0.5]> : tensor<4xf32>
  %beta = arith.constant dense<[0.0, 0.25, 0.0, -1.0]> : tensor<4xf32>

  // Post-LN, the linear's bias folded into the fused op.
  // CHECK: sizes = [1, 2, 4]
  // CHECK-NEXT: [-0.97024, -1.20536, 0.6278{{[0-9]*}}, -0.343661]
  // CHECK-NEXT: [1.18321, -2.031{{[0-9]*}}, 0.507088, -1.08451]
  %l = xfmr.linear %x, %w, %b : tensor<1x2x4xf32>, tensor<4x4xf32>, tensor<4xf32> -> tensor<1x2x4xf32>
  %sum = xfmr.add %l, %r : tensor<1x2x4xf32>, tensor<1x2x4xf32> -> tensor<1x2x4xf32>
  %y = xfmr.layer_norm %sum, %gamma, %beta eps(1.0e-5) : tensor<1x2x4xf32>, tensor<4xf32>
  func.call @print3(%y) : (tensor<1x2x4xf32>) -> ()

  // Pre-LN: the sum is used again (the fused op's second result).
  // CHECK: sizes = [1, 2, 4]
  // CHECK-NEXT: [-0.97024, -1.20536, 0.6278{{[0-9]*}}, -0.343661]
  // CHECK-NEXT: [1.18321, -2.031{{[0-9]*}}, 0.507088, -1.08451]
  // CHECK: sizes = [1, 2, 4]
  // CHECK-NEXT: [3, 3, 6.5, 8]
  // CHECK-NEXT: [2, 0, 1.5, 1]
  %l2 = xfmr.linear %x, %w, %b : tensor<1x2x4xf32>, tensor<4x4xf32>, tensor<4xf32> -> tensor<1x2x4xf32>
  %sum2 = xfmr.add %l2, %r : tensor<1x2x4xf32>, tensor<1x2x4xf32> -> tensor<1x2x4xf32>
  %y2 = xfmr.layer_norm %sum2, %gamma, %beta eps(1.0e-5) : tensor<1x2x4xf32>, tensor<4xf32>
  func.call @print3(%y2) : (tensor<1x2x4xf32>) -> ()
  func.call @print3(%sum2) : (tensor<1x2x4xf32>) -> ()
  return
}
