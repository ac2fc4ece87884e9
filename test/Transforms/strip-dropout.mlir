// RUN: xfmr-opt %s --xfmr-strip-dropout | FileCheck %s
// Pass statistics exist only in LLVM builds with statistics (lit feature
// `stats`, see lit.cfg.py).
// RUN: %if stats %{ xfmr-opt %s --xfmr-strip-dropout --mlir-pass-statistics -o /dev/null 2>&1 | FileCheck %s --check-prefix=STATS %}

// STATS: XfmrStripDropout
// STATS-DAG: (S) 3 removed - inverted dropouts removed
// STATS-DAG: (S) 4 scaled - classic dropouts turned into scales
// STATS-DAG: (S) 4 folded - classic dropouts folded into a linear or matmul

// Inverted dropout is the identity at inference: its uses read the input.
// CHECK-LABEL: func.func @inverted
// CHECK-SAME: (%[[X:.*]]: tensor<?x?x32xf32>)
// CHECK-NEXT: %[[R:.*]] = xfmr.relu %[[X]] : tensor<?x?x32xf32>
// CHECK-NEXT: return %[[R]], %[[X]]
func.func @inverted(%x: tensor<?x?x32xf32>) -> (tensor<?x?x32xf32>, tensor<?x?x32xf32>) {
  %0 = xfmr.dropout %x rate(0.1) inverted : tensor<?x?x32xf32>
  %1 = xfmr.relu %0 : tensor<?x?x32xf32>
  return %1, %0 : tensor<?x?x32xf32>, tensor<?x?x32xf32>
}

// Classic dropout did not rescale while training: scale by 1 - p.
// CHECK-LABEL: func.func @classic
// CHECK-SAME: (%[[X:.*]]: tensor<?x4x?x?xf32>)
// CHECK-NEXT: %[[S:.*]] = xfmr.scale %[[X]] by 7.500000e-01 : tensor<?x4x?x?xf32>
// CHECK-NEXT: %[[R:.*]] = xfmr.relu %[[S]]
// CHECK-NEXT: return %[[R]]
func.func @classic(%x: tensor<?x4x?x?xf32>) -> tensor<?x4x?x?xf32> {
  %0 = xfmr.dropout %x rate(0.25) classic : tensor<?x4x?x?xf32>
  %1 = xfmr.relu %0 : tensor<?x4x?x?xf32>
  return %1 : tensor<?x4x?x?xf32>
}

// A classic dropout of rate 0 needs no scale.
// CHECK-LABEL: func.func @classic_zero
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-NEXT: return %[[X]]
func.func @classic_zero(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = xfmr.dropout %x rate(0.0) classic : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// Chains: each dropout handled on its own.
// CHECK-LABEL: func.func @chain
// CHECK-SAME: (%[[X:.*]]: tensor<8xf32>)
// CHECK-NEXT: %[[S:.*]] = xfmr.scale %[[X]] by 5.000000e-01 : tensor<8xf32>
// CHECK-NEXT: return %[[S]]
func.func @chain(%x: tensor<8xf32>) -> tensor<8xf32> {
  %0 = xfmr.dropout %x rate(0.3) inverted : tensor<8xf32>
  %1 = xfmr.dropout %0 rate(0.5) classic : tensor<8xf32>
  return %1 : tensor<8xf32>
}


// Classic dropout right after a linear that feeds nothing else: the whole
// output, bias included, is scaled by 1 - p, so the linear's output scale
// takes it and no op is left.
// CHECK-LABEL: func.func @classic_after_linear
// CHECK-SAME: (%[[X:[^:]*]]: tensor<?x?x32xf32>, %[[W:[^:]*]]: tensor<64x32xf32>, %[[B:[^:]*]]: tensor<64xf32>)
// CHECK-NEXT: %[[L:.*]] = xfmr.linear %[[X]], %[[W]], %[[B]] {scale = 0.899999976 : f32}
// CHECK-NEXT: %[[R:.*]] = xfmr.relu %[[L]]
// CHECK-NEXT: return %[[R]]
func.func @classic_after_linear(%x: tensor<?x?x32xf32>, %w: tensor<64x32xf32>, %b: tensor<64xf32>) -> tensor<?x?x64xf32> {
  %l = xfmr.linear %x, %w, %b : tensor<?x?x32xf32>, tensor<64x32xf32>, tensor<64xf32> -> tensor<?x?x64xf32>
  %d = xfmr.dropout %l rate(0.1) classic : tensor<?x?x64xf32>
  %r = xfmr.relu %d : tensor<?x?x64xf32>
  return %r : tensor<?x?x64xf32>
}

// An existing output scale multiplies: 0.5 · (1 - 0.5).
// CHECK-LABEL: func.func @classic_after_scaled_linear
// CHECK-NEXT: %[[L:.*]] = xfmr.linear %{{.*}} {scale = 2.500000e-01 : f32}
// CHECK-NEXT: return %[[L]]
func.func @classic_after_scaled_linear(%x: tensor<?x32xf32>, %w: tensor<64x32xf32>) -> tensor<?x64xf32> {
  %l = xfmr.linear %x, %w {scale = 0.5 : f32} : tensor<?x32xf32>, tensor<64x32xf32> -> tensor<?x64xf32>
  %d = xfmr.dropout %l rate(0.5) classic : tensor<?x64xf32>
  return %d : tensor<?x64xf32>
}

// After a matmul used only by the dropout: the matmul's output scale.
// CHECK-LABEL: func.func @classic_after_matmul
// CHECK-SAME: (%[[P:[^:]*]]: tensor<?x4x?x?xf32>, %[[V:[^:]*]]: tensor<?x4x?x8xf32>)
// CHECK-NEXT: %[[C:.*]] = xfmr.matmul %[[P]], %[[V]] {scale = 7.500000e-01 : f32}
// CHECK-NEXT: return %[[C]]
func.func @classic_after_matmul(%p: tensor<?x4x?x?xf32>, %v: tensor<?x4x?x8xf32>) -> tensor<?x4x?x8xf32> {
  %c = xfmr.matmul %p, %v : tensor<?x4x?x?xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x8xf32>
  %d = xfmr.dropout %c rate(0.25) classic : tensor<?x4x?x8xf32>
  return %d : tensor<?x4x?x8xf32>
}

// The dropout on attention probabilities: the softmax is not a linear, but
// the matmul consuming the probabilities is, and scaling an operand scales
// the product. The softmax itself is untouched.
// CHECK-LABEL: func.func @classic_before_matmul
// CHECK-SAME: (%[[S:[^:]*]]: tensor<?x4x?x?xf32>, %[[V:[^:]*]]: tensor<?x4x?x8xf32>)
// CHECK-NEXT: %[[P:.*]] = xfmr.softmax %[[S]] : tensor<?x4x?x?xf32>
// CHECK-NEXT: %[[C:.*]] = xfmr.matmul %[[P]], %[[V]] {scale = 0.899999976 : f32}
// CHECK-NEXT: return %[[C]]
func.func @classic_before_matmul(%s: tensor<?x4x?x?xf32>, %v: tensor<?x4x?x8xf32>) -> tensor<?x4x?x8xf32> {
  %p = xfmr.softmax %s : tensor<?x4x?x?xf32>
  %d = xfmr.dropout %p rate(0.1) classic : tensor<?x4x?x?xf32>
  %c = xfmr.matmul %d, %v : tensor<?x4x?x?xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x8xf32>
  return %c : tensor<?x4x?x8xf32>
}

// The producer has another use (it would see the scale too) and the dropout's
// user is no matmul: an explicit xfmr.scale, the linear unchanged.
// CHECK-LABEL: func.func @classic_producer_reused
// CHECK-SAME: (%[[X:[^:]*]]: tensor<?x32xf32>, %[[W:[^:]*]]: tensor<64x32xf32>)
// CHECK-NEXT: %[[L:.*]] = xfmr.linear %[[X]], %[[W]] : tensor<?x32xf32>, tensor<64x32xf32> -> tensor<?x64xf32>
// CHECK-NEXT: %[[S:.*]] = xfmr.scale %[[L]] by 8.000000e-01 : tensor<?x64xf32>
// CHECK-NEXT: %[[R:.*]] = xfmr.relu %[[S]]
// CHECK-NEXT: return %[[R]], %[[L]]
func.func @classic_producer_reused(%x: tensor<?x32xf32>, %w: tensor<64x32xf32>) -> (tensor<?x64xf32>, tensor<?x64xf32>) {
  %l = xfmr.linear %x, %w : tensor<?x32xf32>, tensor<64x32xf32> -> tensor<?x64xf32>
  %d = xfmr.dropout %l rate(0.2) classic : tensor<?x64xf32>
  %r = xfmr.relu %d : tensor<?x64xf32>
  return %r, %l : tensor<?x64xf32>, tensor<?x64xf32>
}

// A dropout with two users cannot fold into a consumer either.
// CHECK-LABEL: func.func @classic_two_users
// CHECK-SAME: (%[[P:[^:]*]]: tensor<?x4x?x?xf32>, %[[V:[^:]*]]: tensor<?x4x?x8xf32>)
// CHECK-NEXT: %[[S:.*]] = xfmr.scale %[[P]] by 5.000000e-01
// CHECK-NEXT: %[[C:.*]] = xfmr.matmul %[[S]], %[[V]] : tensor<?x4x?x?xf32>
// CHECK-NEXT: return %[[C]], %[[S]]
func.func @classic_two_users(%p: tensor<?x4x?x?xf32>, %v: tensor<?x4x?x8xf32>) -> (tensor<?x4x?x8xf32>, tensor<?x4x?x?xf32>) {
  %d = xfmr.dropout %p rate(0.5) classic : tensor<?x4x?x?xf32>
  %c = xfmr.matmul %d, %v : tensor<?x4x?x?xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x8xf32>
  return %c, %d : tensor<?x4x?x8xf32>, tensor<?x4x?x?xf32>
}

// CHECK-NOT: xfmr.dropout
