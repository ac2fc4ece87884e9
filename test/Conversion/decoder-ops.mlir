// RUN: xfmr-opt %s --convert-xfmr-to-linalg --split-input-file | FileCheck %s

// Grouped-query scores: query head h reads K head h floordiv 2, straight
// from K's two heads (no copy per query head).
// CHECK-DAG: #[[KMAP:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1 floordiv 2, d3, d4)>
// CHECK-LABEL: func.func @grouped_scores
// CHECK: linalg.transpose
// CHECK: linalg.generic {{.*}}#[[KMAP]]{{.*}} iterator_types = ["parallel", "parallel", "parallel", "reduction", "parallel"]{{.*}} ins(%{{.*}}, %{{.*}} : tensor<?x4x?x8xf32>, tensor<?x2x8x?xf32>)
func.func @grouped_scores(%q: tensor<?x4x?x8xf32>, %k: tensor<?x2x?x8xf32>) -> tensor<?x4x?x?xf32> {
  %s = xfmr.matmul %q, %k transpose_rhs : tensor<?x4x?x8xf32>, tensor<?x2x?x8xf32> -> tensor<?x4x?x?xf32>
  return %s : tensor<?x4x?x?xf32>
}

// -----

// Rotary, half_split: each feature with its partner half a head away, the
// angle from the token's position over the scaling. cos and the signed sin
// are tables [b, s, d] (read through (b, s)), computed once for every head.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[POS:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[TABLE:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[PERHEAD:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>
// CHECK-LABEL: func.func @rotary
// CHECK: %[[COS:.*]] = linalg.generic {indexing_maps = [#[[POS]], #[[TABLE]]]
// CHECK: arith.cmpi ult, %{{.*}}, %c4
// CHECK: arith.constant 2.000000e+00 : f64
// CHECK: math.cos
// CHECK: } -> tensor<?x?x8xf32>
// CHECK: %[[SIN:.*]] = linalg.generic {indexing_maps = [#[[POS]], #[[TABLE]]]
// CHECK: math.sin
// CHECK: arith.negf
// CHECK: } -> tensor<?x?x8xf32>
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[PERHEAD]], #[[PERHEAD]], #[[ID]]]
// CHECK-SAME: ins(%{{.*}}, %[[COS]], %[[SIN]] :
// CHECK: tensor.extract %{{.*}}[%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}] : tensor<?x4x?x8xf32>
// CHECK-NOT: math.
// CHECK: } -> tensor<?x4x?x8xf32>
func.func @rotary(%q: tensor<?x4x?x8xf32>, %p: tensor<?x?xi64>) -> tensor<?x4x?x8xf32> {
  %r = xfmr.rotary %q at(%p) {rotary = #xfmr.rotary<theta = 1.0e+04 : f32, scaling = 2.0 : f32, layout = half_split>}
      : tensor<?x4x?x8xf32>, tensor<?x?xi64>
  return %r : tensor<?x4x?x8xf32>
}

// -----

// Interleaved: pairs (2j, 2j + 1).
// CHECK-LABEL: func.func @rotary_interleaved
// CHECK: arith.divui %{{.*}}, %c2
// CHECK: arith.remui %{{.*}}, %c2
func.func @rotary_interleaved(%q: tensor<?x4x?x8xf32>, %p: tensor<?x?xi64>) -> tensor<?x4x?x8xf32> {
  %r = xfmr.rotary %q at(%p) {rotary = #xfmr.rotary<theta = 1.0e+04 : f32, scaling = 1.0 : f32, layout = interleaved>}
      : tensor<?x4x?x8xf32>, tensor<?x?xi64>
  return %r : tensor<?x4x?x8xf32>
}

// -----

// RMSNorm: the sum of squares per row, then x / sqrt(sum / 48 + eps) · gamma.
// CHECK-LABEL: func.func @rms_norm
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel"]
// CHECK: arith.divf %{{.*}}, %cst
// CHECK: math.sqrt
// CHECK: arith.divf
// CHECK: arith.mulf
func.func @rms_norm(%x: tensor<?x?x48xf32>, %g: tensor<48xf32>) -> tensor<?x?x48xf32> {
  %n = xfmr.rms_norm %x, %g eps(1.0e-6) : tensor<?x?x48xf32>, tensor<48xf32>
  return %n : tensor<?x?x48xf32>
}

// -----

// SiLU x / (1 + exp(-x)) and the gate's product.
// CHECK-LABEL: func.func @silu_mul
// CHECK: arith.negf
// CHECK: math.exp
// CHECK: arith.addf
// CHECK: arith.divf
// CHECK: linalg.generic
// CHECK: arith.mulf
func.func @silu_mul(%a: tensor<?x?x48xf32>) -> tensor<?x?x48xf32> {
  %s = xfmr.silu %a : tensor<?x?x48xf32>
  %y = xfmr.mul %s, %a : tensor<?x?x48xf32>
  return %y : tensor<?x?x48xf32>
}

// -----

// Positions: per (b, s), the mask summed over the keys t < s.
// CHECK-LABEL: func.func @token_positions
// CHECK: linalg.fill ins(%c0_i64
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]{{.*}} ins(%{{.*}} : tensor<?x?xi64>) outs(%{{.*}} : tensor<?x?xi64>)
// CHECK: linalg.index 1
// CHECK: linalg.index 2
// CHECK: arith.cmpi ult
// CHECK: arith.select
// CHECK: arith.addi
func.func @token_positions(%m: tensor<?x?xi64>) -> tensor<?x?xi64> {
  %p = xfmr.token_positions %m : tensor<?x?xi64>
  return %p : tensor<?x?xi64>
}

// -----

// ALiBi: a backward scan of each row counts the real tokens after each key
// (i64 mask, f32 counts); then [b, h, 1, k] = -m_h · count, the six slopes
// of a non-power of two (2^-2 .. 2^-8, then 2^-1, 2^-3) a constant.
// CHECK-LABEL: func.func @alibi_bias
// CHECK: %[[ROWS:.*]] = scf.for %[[B:[^ ]*]] = {{.*}} iter_args(%[[C:[^ ]*]] = %{{.*}}) -> (tensor<?x?xf32>)
// CHECK: scf.for %[[STEP:[^ ]*]] = {{.*}} iter_args(%{{.*}} = %[[C]], %[[AFTER:[^ ]*]] = %{{.*}}) -> (tensor<?x?xf32>, f32)
// CHECK: %[[KEY:.*]] = arith.subi %{{.*}}, %[[STEP]]
// CHECK: tensor.insert %[[AFTER]] into %{{.*}}[%[[B]], %[[KEY]]]
// CHECK: tensor.extract %arg0[%[[B]], %[[KEY]]]
// CHECK: arith.cmpi ne
// CHECK: arith.addf %[[AFTER]]
// CHECK: %[[SLOPES:.*]] = arith.constant dense<[-2.500000e-01, -6.250000e-02, -1.562500e-02, -3.906250e-03, -5.000000e-01, -1.250000e-01]> : tensor<6xf32>
// CHECK: linalg.generic {{.*}} ins(%[[ROWS]], %[[SLOPES]] : tensor<?x?xf32>, tensor<6xf32>) outs(%{{.*}} : tensor<?x6x1x?xf32>)
// CHECK: arith.mulf
func.func @alibi_bias(%m: tensor<?x?xi64>) -> tensor<?x6x1x?xf32> {
  %b = xfmr.alibi_bias %m {num_heads = 6 : i64} : tensor<?x?xi64> -> tensor<?x6x1x?xf32>
  return %b : tensor<?x6x1x?xf32>
}

// -----

// Learned positions at the tokens' positions: a row of the table per (b, s).
// CHECK-LABEL: func.func @positions_at
// CHECK-SAME: (%[[X:.*]]: tensor<?x?x48xf32>, %[[T:.*]]: tensor<64x48xf32>, %[[P:.*]]: tensor<?x?xi64>)
// CHECK: linalg.generic {{.*}} ins(%[[X]], %[[P]] : tensor<?x?x48xf32>, tensor<?x?xi64>)
// CHECK: arith.index_cast
// CHECK: tensor.extract %[[T]]
// CHECK: arith.addf
func.func @positions_at(%x: tensor<?x?x48xf32>, %t: tensor<64x48xf32>, %p: tensor<?x?xi64>) -> tensor<?x?x48xf32> {
  %h = xfmr.add_positions learned %x, %t at(%p : tensor<?x?xi64>) : tensor<?x?x48xf32>, tensor<64x48xf32>
  return %h : tensor<?x?x48xf32>
}
