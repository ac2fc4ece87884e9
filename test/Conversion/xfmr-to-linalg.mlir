// RUN: xfmr-opt %s --convert-xfmr-to-linalg --split-input-file --verify-diagnostics --mlir-print-local-scope | FileCheck %s

// One small function per op; the structure that matters is checked, the
// shape arithmetic (tensor.dim) is not.

// CHECK-LABEL: func.func @linear_bias
// CHECK-SAME: (%[[X:[^:]*]]: tensor<?x?x32xf32>, %[[W:[^:]*]]: tensor<64x32xf32>, %[[B:[^:]*]]: tensor<64xf32>)
// The accumulator starts as the bias broadcast along the last dimension.
// CHECK: %[[INIT:.*]] = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[B]] : tensor<64xf32>)
// CHECK-NEXT: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: linalg.yield %[[IN]] : f32
// Loops (d0, d1, n, k): input[d0, d1, k] * weight[n, k], k innermost.
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>, affine_map<(d0, d1, d2, d3) -> (d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
// CHECK-SAME: ins(%[[X]], %[[W]] : tensor<?x?x32xf32>, tensor<64x32xf32>) outs(%[[INIT]] : tensor<?x?x64xf32>)
// CHECK-NEXT: ^bb0(%[[A:.*]]: f32, %[[BB:.*]]: f32, %[[ACC:.*]]: f32):
// CHECK-NEXT: %[[P:.*]] = arith.mulf %[[A]], %[[BB]] : f32
// CHECK-NEXT: %[[S:.*]] = arith.addf %[[ACC]], %[[P]] : f32
// CHECK-NEXT: linalg.yield %[[S]] : f32
// CHECK: return %[[R]]
func.func @linear_bias(%x: tensor<?x?x32xf32>, %w: tensor<64x32xf32>, %b: tensor<64xf32>) -> tensor<?x?x64xf32> {
  %0 = xfmr.linear %x, %w, %b : tensor<?x?x32xf32>, tensor<64x32xf32>, tensor<64xf32> -> tensor<?x?x64xf32>
  return %0 : tensor<?x?x64xf32>
}

// Without a bias the accumulator is a zero fill.
// CHECK-LABEL: func.func @linear_no_bias
// CHECK-SAME: (%[[X:[^:]*]]: tensor<?x32xf32>, %[[W:[^:]*]]: tensor<64x32xf32>)
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[E:.*]] = tensor.empty(%{{.*}}) : tensor<?x64xf32>
// CHECK: %[[INIT:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[E]] : tensor<?x64xf32>)
// CHECK: linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK-SAME: ins(%[[X]], %[[W]] : tensor<?x32xf32>, tensor<64x32xf32>) outs(%[[INIT]] : tensor<?x64xf32>)
func.func @linear_no_bias(%x: tensor<?x32xf32>, %w: tensor<64x32xf32>) -> tensor<?x64xf32> {
  %0 = xfmr.linear %x, %w : tensor<?x32xf32>, tensor<64x32xf32> -> tensor<?x64xf32>
  return %0 : tensor<?x64xf32>
}

// Q·Kᵀ: loops (b, h, m, n, k), rhs read as [b, h, n, k].
// CHECK-LABEL: func.func @matmul_transpose_rhs
// CHECK-SAME: (%[[Q:[^:]*]]: tensor<?x4x?x8xf32>, %[[K:[^:]*]]: tensor<?x4x?x8xf32>)
// CHECK: %[[INIT:.*]] = linalg.fill
// CHECK-SAME: -> tensor<?x4x?x?xf32>
// CHECK: linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d3, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
// CHECK-SAME: ins(%[[Q]], %[[K]] : tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32>) outs(%[[INIT]] : tensor<?x4x?x?xf32>)
// CHECK: arith.mulf
// CHECK-NEXT: arith.addf
func.func @matmul_transpose_rhs(%q: tensor<?x4x?x8xf32>, %k: tensor<?x4x?x8xf32>) -> tensor<?x4x?x?xf32> {
  %0 = xfmr.matmul %q, %k transpose_rhs : tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x?xf32>
  return %0 : tensor<?x4x?x?xf32>
}

// P·V: rhs read as [b, h, k, n].
// CHECK-LABEL: func.func @matmul
// CHECK-SAME: (%[[P:[^:]*]]: tensor<?x4x?x?xf32>, %[[V:[^:]*]]: tensor<?x4x?x8xf32>)
// CHECK: linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d4, d3)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
// CHECK-SAME: ins(%[[P]], %[[V]] : tensor<?x4x?x?xf32>, tensor<?x4x?x8xf32>)
func.func @matmul(%p: tensor<?x4x?x?xf32>, %v: tensor<?x4x?x8xf32>) -> tensor<?x4x?x8xf32> {
  %0 = xfmr.matmul %p, %v : tensor<?x4x?x?xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x8xf32>
  return %0 : tensor<?x4x?x8xf32>
}

// The [b, 1, 1, s] mask is read at index 0 of its size-1 dimensions.
// CHECK-LABEL: func.func @add_broadcast
// CHECK-SAME: (%[[S:[^:]*]]: tensor<?x4x?x?xf32>, %[[M:[^:]*]]: tensor<?x1x1x?xf32>)
// CHECK: linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, 0, 0, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
// CHECK-SAME: ins(%[[S]], %[[M]] : tensor<?x4x?x?xf32>, tensor<?x1x1x?xf32>)
// CHECK-NEXT: ^bb0(%[[A:.*]]: f32, %[[B:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[SUM:.*]] = arith.addf %[[A]], %[[B]] : f32
// CHECK-NEXT: linalg.yield %[[SUM]]
func.func @add_broadcast(%s: tensor<?x4x?x?xf32>, %m: tensor<?x1x1x?xf32>) -> tensor<?x4x?x?xf32> {
  %0 = xfmr.add %s, %m : tensor<?x4x?x?xf32>, tensor<?x1x1x?xf32> -> tensor<?x4x?x?xf32>
  return %0 : tensor<?x4x?x?xf32>
}

// CHECK-LABEL: func.func @split_heads
// CHECK-SAME: (%[[X:.*]]: tensor<?x?x32xf32>)
// CHECK: %[[E:.*]] = tensor.expand_shape %[[X]] {{\[}}[0], [1], [2, 3]] output_shape [%{{.*}}, %{{.*}}, 4, 8] : tensor<?x?x32xf32> into tensor<?x?x4x8xf32>
// CHECK: %[[INIT:.*]] = tensor.empty(%{{.*}}, %{{.*}}) : tensor<?x4x?x8xf32>
// CHECK: %[[T:.*]] = linalg.transpose ins(%[[E]] : tensor<?x?x4x8xf32>) outs(%[[INIT]] : tensor<?x4x?x8xf32>) permutation = [0, 2, 1, 3]
// CHECK: return %[[T]]
func.func @split_heads(%x: tensor<?x?x32xf32>) -> tensor<?x4x?x8xf32> {
  %0 = xfmr.split_heads %x heads(4) : tensor<?x?x32xf32> -> tensor<?x4x?x8xf32>
  return %0 : tensor<?x4x?x8xf32>
}

// CHECK-LABEL: func.func @merge_heads
// CHECK-SAME: (%[[X:.*]]: tensor<?x4x?x8xf32>)
// CHECK: %[[INIT:.*]] = tensor.empty(%{{.*}}, %{{.*}}) : tensor<?x?x4x8xf32>
// CHECK: %[[T:.*]] = linalg.transpose ins(%[[X]] : tensor<?x4x?x8xf32>) outs(%[[INIT]] : tensor<?x?x4x8xf32>) permutation = [0, 2, 1, 3]
// CHECK: %[[C:.*]] = tensor.collapse_shape %[[T]] {{\[}}[0], [1], [2, 3]] : tensor<?x?x4x8xf32> into tensor<?x?x32xf32>
// CHECK: return %[[C]]
func.func @merge_heads(%x: tensor<?x4x?x8xf32>) -> tensor<?x?x32xf32> {
  %0 = xfmr.merge_heads %x : tensor<?x4x?x8xf32> -> tensor<?x?x32xf32>
  return %0 : tensor<?x?x32xf32>
}

// Exact GELU: 0.5·x·(1 + erf(x/√2)).
// CHECK-LABEL: func.func @gelu
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "parallel"]
// CHECK: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK-DAG: %[[HALF:.*]] = arith.constant 5.000000e-01 : f32
// CHECK-DAG: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-DAG: %[[RSQRT2:.*]] = arith.constant 0.707106769 : f32
// CHECK: %[[XS:.*]] = arith.mulf %[[IN]], %[[RSQRT2]] : f32
// CHECK-NEXT: %[[ERF:.*]] = math.erf %[[XS]] : f32
// CHECK-NEXT: %[[HX:.*]] = arith.mulf %[[HALF]], %[[IN]] : f32
// CHECK-NEXT: %[[T:.*]] = arith.addf %[[ONE]], %[[ERF]] : f32
// CHECK-NEXT: %[[R:.*]] = arith.mulf %[[HX]], %[[T]] : f32
// CHECK-NEXT: linalg.yield %[[R]]
// CHECK-NOT: math.tanh
// CHECK-LABEL: func.func @gelu_tanh
func.func @gelu(%x: tensor<?x64xf32>) -> tensor<?x64xf32> {
  %0 = xfmr.gelu %x : tensor<?x64xf32>
  return %0 : tensor<?x64xf32>
}

// GPT-2's approximation: tanh(√(2/π)·(x + 0.044715·x³)), no erf.
// CHECK-NOT: math.erf
// CHECK: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK: %[[X2:.*]] = arith.mulf %[[IN]], %[[IN]] : f32
// CHECK-NEXT: %[[X3:.*]] = arith.mulf %[[IN]], %[[X2]] : f32
// CHECK-NEXT: %[[C:.*]] = arith.constant 4.471500e-02 : f32
// CHECK-NEXT: %[[CX3:.*]] = arith.mulf %[[C]], %[[X3]] : f32
// CHECK-NEXT: %[[INNER:.*]] = arith.addf %[[IN]], %[[CX3]] : f32
// CHECK-NEXT: %[[K:.*]] = arith.constant 0.797884583 : f32
// CHECK-NEXT: %[[ARG:.*]] = arith.mulf %[[K]], %[[INNER]] : f32
// CHECK-NEXT: math.tanh %[[ARG]] : f32
// CHECK-NOT: math.erf
// CHECK-LABEL: func.func @relu
func.func @gelu_tanh(%x: tensor<?x64xf32>) -> tensor<?x64xf32> {
  %0 = xfmr.gelu %x tanh : tensor<?x64xf32>
  return %0 : tensor<?x64xf32>
}

// CHECK: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[Z:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[R:.*]] = arith.maximumf %[[IN]], %[[Z]] : f32
// CHECK-NEXT: linalg.yield %[[R]]
func.func @relu(%x: tensor<?x64xf32>) -> tensor<?x64xf32> {
  %0 = xfmr.relu %x : tensor<?x64xf32>
  return %0 : tensor<?x64xf32>
}

// CHECK-LABEL: func.func @scale
// CHECK: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[F:.*]] = arith.constant 1.250000e-01 : f32
// CHECK-NEXT: %[[R:.*]] = arith.mulf %[[IN]], %[[F]] : f32
// CHECK-NEXT: linalg.yield %[[R]]
func.func @scale(%x: tensor<?x64xf32>) -> tensor<?x64xf32> {
  %0 = xfmr.scale %x by 0.125 : tensor<?x64xf32>
  return %0 : tensor<?x64xf32>
}

// Safe softmax: a row maximum, a guarded sum of exponentials, a guarded
// division. A row whose maximum is -inf contributes zeros, never NaN.
// CHECK-LABEL: func.func @softmax
// CHECK-SAME: (%[[X:.*]]: tensor<?x4x?x?xf32>)
// CHECK: %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK: %[[MAXINIT:.*]] = linalg.fill ins(%[[NEGINF]] : f32)
// CHECK: %[[MAX:.*]] = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%[[X]] : tensor<?x4x?x?xf32>) outs(%[[MAXINIT]] : tensor<?x4x?xf32>)
// CHECK: arith.maximumf
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%[[X]], %[[MAX]] : tensor<?x4x?x?xf32>, tensor<?x4x?xf32>)
// CHECK-NEXT: ^bb0(%[[E:.*]]: f32, %[[M:.*]]: f32, %[[ACC:.*]]: f32):
// CHECK-NEXT: %[[NI:.*]] = arith.constant 0xFF800000 : f32
// CHECK-NEXT: %[[MASKED:.*]] = arith.cmpf oeq, %[[M]], %[[NI]] : f32
// CHECK-NEXT: %[[D:.*]] = arith.subf %[[E]], %[[M]] : f32
// CHECK-NEXT: %[[EXP:.*]] = math.exp %[[D]] : f32
// CHECK-NEXT: %[[Z:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[G:.*]] = arith.select %[[MASKED]], %[[Z]], %[[EXP]] : f32
// CHECK-NEXT: arith.addf %[[ACC]], %[[G]] : f32
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%[[X]], %[[MAX]], %[[SUM]] :
// CHECK: arith.cmpf oeq
// CHECK: arith.select
// CHECK: %[[POS:.*]] = arith.cmpf ogt
// CHECK-NEXT: %[[Q:.*]] = arith.divf
// CHECK-NEXT: arith.select %[[POS]], %[[Q]]
func.func @softmax(%x: tensor<?x4x?x?xf32>) -> tensor<?x4x?x?xf32> {
  %0 = xfmr.softmax %x : tensor<?x4x?x?xf32>
  return %0 : tensor<?x4x?x?xf32>
}

// A rank-1 softmax reduces to a rank-0 row tensor (this used to crash: the
// row map was the null map).
// CHECK-LABEL: func.func @softmax_rank1
// CHECK: linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> ()>], iterator_types = ["reduction"]}
// CHECK-SAME: outs(%{{.*}} : tensor<f32>)
func.func @softmax_rank1(%x: tensor<8xf32>) -> tensor<8xf32> {
  %0 = xfmr.softmax %x : tensor<8xf32>
  return %0 : tensor<8xf32>
}

// Sum, centred squared deviations, normalisation: three generics.
// CHECK-LABEL: func.func @layer_norm
// CHECK-SAME: (%[[X:[^:]*]]: tensor<?x?x32xf32>, %[[G:[^:]*]]: tensor<32xf32>, %[[B:[^:]*]]: tensor<32xf32>)
// CHECK: %[[SUM:.*]] = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[X]] : tensor<?x?x32xf32>)
// CHECK: %[[SQ:.*]] = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[X]], %[[SUM]] :
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d2)>, affine_map<(d0, d1, d2) -> (d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[X]], %[[SUM]], %[[SQ]], %[[G]], %[[B]] :
// CHECK: arith.constant 9.99999996E-13 : f32
// CHECK: math.sqrt
// CHECK-NOT: linalg.generic
// CHECK: return %[[R]]
func.func @layer_norm(%x: tensor<?x?x32xf32>, %g: tensor<32xf32>, %b: tensor<32xf32>) -> tensor<?x?x32xf32> {
  %0 = xfmr.layer_norm %x, %g, %b eps(1.0e-12) : tensor<?x?x32xf32>, tensor<32xf32>
  return %0 : tensor<?x?x32xf32>
}

// A gather: the ids drive the iteration, the table is read with tensor.extract.
// CHECK-LABEL: func.func @embedding
// CHECK-SAME: (%[[IDS:[^:]*]]: tensor<?x?xi64>, %[[T:[^:]*]]: tensor<100x32xf32>)
// CHECK: linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[IDS]] : tensor<?x?xi64>) outs(%{{.*}} : tensor<?x?x32xf32>)
// CHECK-NEXT: ^bb0(%[[ID:.*]]: i64, %{{.*}}: f32):
// CHECK-NEXT: %[[ROW:.*]] = arith.index_cast %[[ID]] : i64 to index
// CHECK-NEXT: %[[COL:.*]] = linalg.index 2 : index
// CHECK-NEXT: %[[V:.*]] = tensor.extract %[[T]][%[[ROW]], %[[COL]]] : tensor<100x32xf32>
// CHECK-NEXT: %[[SC:.*]] = arith.constant 2.000000e+00 : f32
// CHECK-NEXT: %[[R:.*]] = arith.mulf %[[V]], %[[SC]] : f32
// CHECK-NEXT: linalg.yield %[[R]]
func.func @embedding(%ids: tensor<?x?xi64>, %t: tensor<100x32xf32>) -> tensor<?x?x32xf32> {
  %0 = xfmr.embedding %ids, %t {scale = 2.0 : f32} : tensor<?x?xi64>, tensor<100x32xf32> -> tensor<?x?x32xf32>
  return %0 : tensor<?x?x32xf32>
}

// Without a scale there is no multiplication.
// CHECK-LABEL: func.func @embedding_unscaled
// CHECK: %[[V:.*]] = tensor.extract
// CHECK-NEXT: linalg.yield %[[V]] : f32
func.func @embedding_unscaled(%ids: tensor<?xi64>, %t: tensor<100x32xf32>) -> tensor<?x32xf32> {
  %0 = xfmr.embedding %ids, %t : tensor<?xi64>, tensor<100x32xf32> -> tensor<?x32xf32>
  return %0 : tensor<?x32xf32>
}

// Rank-0 ids: one row; the ids map is `(d0) -> ()` (this used to crash).
// CHECK-LABEL: func.func @embedding_rank0_ids
// CHECK: linalg.generic {indexing_maps = [affine_map<(d0) -> ()>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]}
// CHECK: tensor.extract
func.func @embedding_rank0_ids(%id: tensor<i64>, %t: tensor<100x32xf32>) -> tensor<32xf32> {
  %0 = xfmr.embedding %id, %t : tensor<i64>, tensor<100x32xf32> -> tensor<32xf32>
  return %0 : tensor<32xf32>
}

// Learned: rows [0, seq) of the table, broadcast over the batch.
// CHECK-LABEL: func.func @positions_learned
// CHECK-SAME: (%[[X:[^:]*]]: tensor<?x?x32xf32>, %[[T:[^:]*]]: tensor<64x32xf32>)
// CHECK: %[[C1:.*]] = arith.constant 1 : index
// CHECK: %[[SEQ:.*]] = tensor.dim %[[X]], %[[C1]]
// CHECK: %[[ROWS:.*]] = tensor.extract_slice %[[T]][0, 0] [%[[SEQ]], 32] [1, 1] : tensor<64x32xf32> to tensor<?x32xf32>
// CHECK: linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[X]], %[[ROWS]] : tensor<?x?x32xf32>, tensor<?x32xf32>)
// CHECK: arith.addf
// CHECK-NOT: math.sin
func.func @positions_learned(%x: tensor<?x?x32xf32>, %t: tensor<64x32xf32>) -> tensor<?x?x32xf32> {
  %0 = xfmr.add_positions learned %x, %t : tensor<?x?x32xf32>, tensor<64x32xf32>
  return %0 : tensor<?x?x32xf32>
}

// Sinusoidal: computed in f64 from the position and feature indices;
// sin on even features, cos on odd ones. -ln(10000)/32 = -0.2878...
// CHECK-LABEL: func.func @positions_sinusoidal
// CHECK-NOT: tensor.extract_slice
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[S:.*]] = linalg.index 1 : index
// CHECK-NEXT: %[[D:.*]] = linalg.index 2 : index
// CHECK: arith.constant -0.287823136624{{[0-9]*}} : f64
// CHECK: math.exp %{{.*}} : f64
// CHECK: %[[ODD:.*]] = arith.cmpi ne
// CHECK: %[[SIN:.*]] = math.sin %[[ANGLE:.*]] : f64
// CHECK-NEXT: %[[COS:.*]] = math.cos %[[ANGLE]] : f64
// CHECK-NEXT: %[[P:.*]] = arith.select %[[ODD]], %[[COS]], %[[SIN]] : f64
// CHECK-NEXT: %[[P32:.*]] = arith.truncf %[[P]] : f64 to f32
// CHECK-NEXT: %[[R:.*]] = arith.addf %[[IN]], %[[P32]] : f32
// CHECK-NEXT: linalg.yield %[[R]]
func.func @positions_sinusoidal(%x: tensor<?x?x32xf32>) -> tensor<?x?x32xf32> {
  %0 = xfmr.add_positions sinusoidal %x : tensor<?x?x32xf32>
  return %0 : tensor<?x?x32xf32>
}

// [b, s] → [b, 1, 1, s]: -inf (0xFF800000) where the mask is 0.
// CHECK-LABEL: func.func @padding_mask_neg_inf
// CHECK-SAME: (%[[M:.*]]: tensor<?x?xi64>)
// CHECK: linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%[[M]] : tensor<?x?xi64>) outs(%{{.*}} : tensor<?x1x1x?xf32>)
// CHECK-NEXT: ^bb0(%[[IN:.*]]: i64, %{{.*}}: f32):
// CHECK-NEXT: %[[Z:.*]] = arith.constant 0 : i64
// CHECK-NEXT: %[[PAD:.*]] = arith.cmpi eq, %[[IN]], %[[Z]] : i64
// CHECK-NEXT: %[[ZF:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[FILL:.*]] = arith.constant 0xFF800000 : f32
// CHECK-NEXT: %[[R:.*]] = arith.select %[[PAD]], %[[FILL]], %[[ZF]] : f32
// CHECK-NEXT: linalg.yield %[[R]]
func.func @padding_mask_neg_inf(%m: tensor<?x?xi64>) -> tensor<?x1x1x?xf32> {
  %0 = xfmr.padding_mask %m fill(neg_inf) : tensor<?x?xi64> -> tensor<?x1x1x?xf32>
  return %0 : tensor<?x1x1x?xf32>
}

// lowest: the most negative finite f32 (bits 0xFF7FFFFF), which the printer
// spells -3.40282347E+38.
// CHECK-LABEL: func.func @padding_mask_lowest
// CHECK: %[[PAD:.*]] = arith.cmpi eq
// CHECK-NEXT: %[[ZF:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[FILL:.*]] = arith.constant -3.40282347E+38 : f32
// CHECK-NEXT: %[[R:.*]] = arith.select %[[PAD]], %[[FILL]], %[[ZF]] : f32
// CHECK-NOT: 0xFF800000
// CHECK: return
func.func @padding_mask_lowest(%m: tensor<?x?xi64>) -> tensor<?x1x1x?xf32> {
  %0 = xfmr.padding_mask %m fill(lowest) : tensor<?x?xi64> -> tensor<?x1x1x?xf32>
  return %0 : tensor<?x1x1x?xf32>
}

// Nothing of xfmr survives the conversion.
// CHECK-NOT: xfmr.

// -----

// Block-level ops must be decomposed first: the full conversion fails.
func.func @attention(%x: tensor<?x?x32xf32>, %w: tensor<32x32xf32>) -> tensor<?x?x32xf32> {
  // expected-error @+1 {{failed to legalize operation 'xfmr.attention'}}
  %0 = xfmr.attention %x q(%w) k(%w) v(%w) o(%w) {num_heads = 4 : i64, scale = 0.5 : f32}
      : (tensor<?x?x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>) -> tensor<?x?x32xf32>
  return %0 : tensor<?x?x32xf32>
}

// -----

// So must dropout (xfmr-strip-dropout).
func.func @dropout(%x: tensor<?x32xf32>) -> tensor<?x32xf32> {
  // expected-error @+1 {{failed to legalize operation 'xfmr.dropout'}}
  %0 = xfmr.dropout %x rate(0.1) inverted : tensor<?x32xf32>
  return %0 : tensor<?x32xf32>
}

// -----

// And weights must be bound (xfmr-bind-weights); the declaration is the
// first op the conversion meets.
// expected-error @+1 {{failed to legalize operation 'xfmr.weight_decl'}}
xfmr.weight_decl @w key("w") : tensor<4xf32>
func.func @weight() -> tensor<4xf32> {
  %0 = xfmr.weight @w : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// A static result size where the operands only know it at run time: the
// destination takes the result's static size.
// CHECK-LABEL: func.func @add_static_result
// CHECK: tensor.empty() : tensor<3x4xf32>
// CHECK: linalg.generic
// CHECK: } -> tensor<3x4xf32>
func.func @add_static_result(%a: tensor<?x4xf32>, %b: tensor<?x4xf32>) -> tensor<3x4xf32> {
  %0 = xfmr.add %a, %b : tensor<?x4xf32>, tensor<?x4xf32> -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}
