// RUN: xfmr-opt %s --xfmr-strip-dropout | FileCheck %s
// Pass statistics exist only in LLVM builds with statistics (lit feature
// `stats`, see lit.cfg.py).
// RUN: %if stats %{ xfmr-opt %s --xfmr-strip-dropout --mlir-pass-statistics -o /dev/null 2>&1 | FileCheck %s --check-prefix=STATS %}

// STATS: XfmrStripDropout
// STATS-DAG: (S) 3 removed - inverted dropouts removed
// STATS-DAG: (S) 2 scaled - classic dropouts turned into scales

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

// CHECK-NOT: xfmr.dropout
