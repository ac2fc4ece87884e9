// RUN: xfmr-opt %s --canonicalize --split-input-file | FileCheck %s

// The identities of the dialect are folders and canonicalization patterns,
// so every pass that folds (the canonicalizer, the greedy driver, dialect
// conversion) applies them.

// At inference an inverted dropout is the identity, and so is any dropout of
// rate 0.
// CHECK-LABEL: func.func @dropout_identities
// CHECK-SAME: (%[[X:[^:]*]]: tensor<?x32xf32>)
// CHECK-NOT: xfmr.dropout
// CHECK: return %[[X]], %[[X]]
func.func @dropout_identities(%x: tensor<?x32xf32>) -> (tensor<?x32xf32>, tensor<?x32xf32>) {
  %0 = xfmr.dropout %x rate(0.1) inverted : tensor<?x32xf32>
  %1 = xfmr.dropout %x rate(0.0) classic : tensor<?x32xf32>
  return %0, %1 : tensor<?x32xf32>, tensor<?x32xf32>
}

// A classic dropout is a scale by 1 - p, which xfmr-strip-dropout places:
// not an identity.
// CHECK-LABEL: func.func @classic_dropout_stays
// CHECK: xfmr.dropout %{{.*}} rate(1.000000e-01) classic
func.func @classic_dropout_stays(%x: tensor<?x32xf32>) -> tensor<?x32xf32> {
  %0 = xfmr.dropout %x rate(0.1) classic : tensor<?x32xf32>
  return %0 : tensor<?x32xf32>
}

// -----

// CHECK-LABEL: func.func @scale_by_one
// CHECK-SAME: (%[[X:[^:]*]]: tensor<?x4x?x?xf32>)
// CHECK-NEXT: return %[[X]]
func.func @scale_by_one(%x: tensor<?x4x?x?xf32>) -> tensor<?x4x?x?xf32> {
  %0 = xfmr.scale %x by 1.0 : tensor<?x4x?x?xf32>
  return %0 : tensor<?x4x?x?xf32>
}

// Two scales in a row stay two: (x * a) * b is not x * (a * b) in f32.
// CHECK-LABEL: func.func @scale_of_scale
// CHECK: %[[A:.*]] = xfmr.scale %{{.*}} by 5.000000e-01
// CHECK: xfmr.scale %[[A]] by 3.000000e-01
func.func @scale_of_scale(%x: tensor<?x4x?x?xf32>) -> tensor<?x4x?x?xf32> {
  %0 = xfmr.scale %x by 0.5 : tensor<?x4x?x?xf32>
  %1 = xfmr.scale %0 by 0.3 : tensor<?x4x?x?xf32>
  return %1 : tensor<?x4x?x?xf32>
}

// -----

// x + (-0) is x, on either side, when x has the result's type.
// CHECK-LABEL: func.func @add_zero
// CHECK-SAME: (%[[X:[^:]*]]: tensor<?x32xf32>)
// CHECK-NOT: xfmr.add
// CHECK: return %[[X]], %[[X]]
func.func @add_zero(%x: tensor<?x32xf32>) -> (tensor<?x32xf32>, tensor<?x32xf32>) {
  %zero = arith.constant dense<-0.0> : tensor<1x32xf32>
  %0 = xfmr.add %x, %zero : tensor<?x32xf32>, tensor<1x32xf32> -> tensor<?x32xf32>
  %1 = xfmr.add %zero, %x : tensor<1x32xf32>, tensor<?x32xf32> -> tensor<?x32xf32>
  return %0, %1 : tensor<?x32xf32>, tensor<?x32xf32>
}

// Not when x broadcasts to the result (the add materialises the broadcast),
// nor for a non-zero constant, nor for +0 (-0 + +0 is +0: not x bit for bit).
// CHECK-LABEL: func.func @add_not_identity
// CHECK-COUNT-3: xfmr.add
func.func @add_not_identity(%x: tensor<1x32xf32>, %y: tensor<?x32xf32>) -> (tensor<?x32xf32>, tensor<?x32xf32>, tensor<?x32xf32>) {
  %zero = arith.constant dense<-0.0> : tensor<4x32xf32>
  %one = arith.constant dense<1.0> : tensor<1x32xf32>
  %pos = arith.constant dense<0.0> : tensor<1x32xf32>
  %0 = xfmr.add %x, %zero : tensor<1x32xf32>, tensor<4x32xf32> -> tensor<?x32xf32>
  %1 = xfmr.add %y, %one : tensor<?x32xf32>, tensor<1x32xf32> -> tensor<?x32xf32>
  %2 = xfmr.add %y, %pos : tensor<?x32xf32>, tensor<1x32xf32> -> tensor<?x32xf32>
  return %0, %1, %2 : tensor<?x32xf32>, tensor<?x32xf32>, tensor<?x32xf32>
}

// -----

// An output scale of exactly 1 is no scale.
// CHECK-LABEL: func.func @unit_output_scales
// CHECK: xfmr.linear %{{[^ ]*}}, %{{[^ ]*}} :
// CHECK-NOT: scale
// CHECK: xfmr.matmul %{{[^ ]*}}, %{{[^ ]*}} transpose_rhs :
// CHECK-NOT: scale
// CHECK: xfmr.matmul {{.*}}scale = 5.000000e-01
func.func @unit_output_scales(%x: tensor<?x?x32xf32>, %w: tensor<64x32xf32>, %q: tensor<?x4x?x8xf32>)
    -> (tensor<?x?x64xf32>, tensor<?x4x?x?xf32>, tensor<?x4x?x?xf32>) {
  %0 = xfmr.linear %x, %w {scale = 1.0 : f32} : tensor<?x?x32xf32>, tensor<64x32xf32> -> tensor<?x?x64xf32>
  %1 = xfmr.matmul %q, %q transpose_rhs {scale = 1.0 : f32} : tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x?xf32>
  %2 = xfmr.matmul %q, %q transpose_rhs {scale = 0.5 : f32} : tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x?xf32>
  return %0, %1, %2 : tensor<?x?x64xf32>, tensor<?x4x?x?xf32>, tensor<?x4x?x?xf32>
}

// -----

// Gathering the tokens just scattered by the same mask gives them back; the
// other way round is no identity (the scatter zeroes the padding).
// CHECK-LABEL: func.func @padding_round_trip
// CHECK-SAME: (%[[T:.*]]: tensor<?x32xf32>, %[[M:.*]]: tensor<?x?xi64>, %[[N:.*]]: tensor<?x?xi64>, %[[X:.*]]: tensor<?x?x32xf32>)
// CHECK: %[[R:.*]] = xfmr.restore_padding %[[T]], %[[M]]
// CHECK: %[[OTHER:.*]] = xfmr.remove_padding %[[R]], %[[N]]
// CHECK: %[[G:.*]] = xfmr.remove_padding %[[X]], %[[M]]
// CHECK: %[[S:.*]] = xfmr.restore_padding %[[G]], %[[M]]
// CHECK: return %[[T]], %[[OTHER]], %[[S]]
func.func @padding_round_trip(%t: tensor<?x32xf32>, %m: tensor<?x?xi64>, %n: tensor<?x?xi64>, %x: tensor<?x?x32xf32>)
    -> (tensor<?x32xf32>, tensor<?x32xf32>, tensor<?x?x32xf32>) {
  %r = xfmr.restore_padding %t, %m : tensor<?x32xf32>, tensor<?x?xi64> -> tensor<?x?x32xf32>
  %0 = xfmr.remove_padding %r, %m : tensor<?x?x32xf32>, tensor<?x?xi64> -> tensor<?x32xf32>
  %1 = xfmr.remove_padding %r, %n : tensor<?x?x32xf32>, tensor<?x?xi64> -> tensor<?x32xf32>
  %g = xfmr.remove_padding %x, %m : tensor<?x?x32xf32>, tensor<?x?xi64> -> tensor<?x32xf32>
  %2 = xfmr.restore_padding %g, %m : tensor<?x32xf32>, tensor<?x?xi64> -> tensor<?x?x32xf32>
  return %0, %1, %2 : tensor<?x32xf32>, tensor<?x32xf32>, tensor<?x?x32xf32>
}
