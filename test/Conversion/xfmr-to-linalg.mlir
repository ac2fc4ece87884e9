// RUN: xfmr-opt %s --convert-xfmr-to-linalg --split-input-file --verify-diagnostics --mlir-print-local-scope | FileCheck %s

// One small function per op; the structure that matters is checked, the
// shape arithmetic (tensor.dim) is not.

// CHECK-LABEL: func.func @linear_bias
// CHECK-SAME: (%[[X:[^:]*]]: tensor<?x?x32xf32>, %[[W:[^:]*]]: tensor<64x32xf32>, %[[B:[^:]*]]: tensor<64xf32>)
// The contraction accumulates into zeros; the bias is added after the sum (the
// rounding the residual layer norm reproduces when it takes the bias over).
// The weight is transposed to [in, out]; loops (d0, d1, k, n):
// input[d0, d1, k] * weightT[k, n], n innermost.
// CHECK: %[[WT:.*]] = linalg.transpose ins(%[[W]] : tensor<64x32xf32>) outs(%{{.*}} : tensor<32x64xf32>) permutation = [1, 0]
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[INIT:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.*}} : tensor<?x?x64xf32>)
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>, affine_map<(d0, d1, d2, d3) -> (d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>], iterator_types = ["parallel", "parallel", "reduction", "parallel"]}
// CHECK-SAME: ins(%[[X]], %[[WT]] : tensor<?x?x32xf32>, tensor<32x64xf32>) outs(%[[INIT]] : tensor<?x?x64xf32>)
// CHECK-NEXT: ^bb0(%[[A:[^:]*]]: f32, %[[BB:[^:]*]]: f32, %[[ACC:[^:]*]]: f32):
// CHECK-NEXT: %[[P:.*]] = arith.mulf %[[A]], %[[BB]] : f32
// CHECK-NEXT: %[[S:.*]] = arith.addf %[[ACC]], %[[P]] : f32
// CHECK-NEXT: linalg.yield %[[S]] : f32
// The epilogue: the bias broadcast along the last dimension, no scale.
// CHECK: %[[E:.*]] = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[R]], %[[B]] : tensor<?x?x64xf32>, tensor<64xf32>)
// CHECK-NEXT: ^bb0(%[[V:[^:]*]]: f32, %[[BI:[^:]*]]: f32, %{{[^:]*}}: f32):
// CHECK-NEXT: %[[VB:.*]] = arith.addf %[[V]], %[[BI]] : f32
// CHECK-NEXT: linalg.yield %[[VB]] : f32
// CHECK: return %[[E]]
func.func @linear_bias(%x: tensor<?x?x32xf32>, %w: tensor<64x32xf32>, %b: tensor<64xf32>) -> tensor<?x?x64xf32> {
  %0 = xfmr.linear %x, %w, %b : tensor<?x?x32xf32>, tensor<64x32xf32>, tensor<64xf32> -> tensor<?x?x64xf32>
  return %0 : tensor<?x?x64xf32>
}

// A weight in column panels [out / P, in, P] (xfmr-pack-weights): the tokens
// flattened to rows, loops (m, p, k, j) into C [m, out / P, P], C read as
// [m, out] by the bias epilogue, the rows' shape restored.
// CHECK-LABEL: func.func @linear_panels
// CHECK-SAME: (%[[X:[^:]*]]: tensor<?x?x32xf32>, %[[W:[^:]*]]: tensor<2x32x32xf32>, %[[B:[^:]*]]: tensor<64xf32>)
// CHECK: %[[ROWS:.*]] = tensor.collapse_shape %[[X]] {{\[}}[0, 1], [2]] : tensor<?x?x32xf32> into tensor<?x32xf32>
// CHECK: %[[INIT:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<?x2x32xf32>)
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d2)>, affine_map<(d0, d1, d2, d3) -> (d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>], iterator_types = ["parallel", "parallel", "reduction", "parallel"]}
// CHECK-SAME: ins(%[[ROWS]], %[[W]] : tensor<?x32xf32>, tensor<2x32x32xf32>) outs(%[[INIT]] : tensor<?x2x32xf32>)
// CHECK-NEXT: ^bb0(%[[A:[^:]*]]: f32, %[[BB:[^:]*]]: f32, %[[ACC:[^:]*]]: f32):
// CHECK-NEXT: %[[P:.*]] = arith.mulf %[[A]], %[[BB]] : f32
// CHECK-NEXT: %[[S:.*]] = arith.addf %[[ACC]], %[[P]] : f32
// CHECK-NEXT: linalg.yield %[[S]] : f32
// CHECK: %[[C:.*]] = tensor.collapse_shape %[[R]] {{\[}}[0], [1, 2]] : tensor<?x2x32xf32> into tensor<?x64xf32>
// CHECK: %[[E:.*]] = linalg.generic {{.*}} ins(%[[C]], %[[B]] : tensor<?x64xf32>, tensor<64xf32>)
// CHECK: %[[OUT:.*]] = tensor.expand_shape %[[E]] {{\[}}[0, 1], [2]] {{.*}} : tensor<?x64xf32> into tensor<?x?x64xf32>
// CHECK: return %[[OUT]]
func.func @linear_panels(%x: tensor<?x?x32xf32>, %w: tensor<2x32x32xf32>, %b: tensor<64xf32>) -> tensor<?x?x64xf32> {
  %0 = xfmr.linear %x, %w, %b : tensor<?x?x32xf32>, tensor<2x32x32xf32>, tensor<64xf32> -> tensor<?x?x64xf32>
  return %0 : tensor<?x?x64xf32>
}

// An output scale multiplies after the bias: (acc + b) * s.
// CHECK-LABEL: func.func @linear_bias_scale
// CHECK-SAME: (%[[X:[^:]*]]: tensor<?x32xf32>, %[[W:[^:]*]]: tensor<64x32xf32>, %[[B:[^:]*]]: tensor<64xf32>)
// CHECK: %[[WT:.*]] = linalg.transpose ins(%[[W]]
// CHECK: %[[R:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "parallel"]} ins(%[[X]], %[[WT]] :
// CHECK: %[[E:.*]] = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%[[R]], %[[B]] : tensor<?x64xf32>, tensor<64xf32>)
// CHECK-NEXT: ^bb0(%[[V:[^:]*]]: f32, %[[BI:[^:]*]]: f32, %{{[^:]*}}: f32):
// CHECK-NEXT: %[[VB:.*]] = arith.addf %[[V]], %[[BI]] : f32
// CHECK-NEXT: %[[F:.*]] = arith.constant 0.899999976 : f32
// CHECK-NEXT: %[[VS:.*]] = arith.mulf %[[VB]], %[[F]] : f32
// CHECK-NEXT: linalg.yield %[[VS]] : f32
// CHECK: return %[[E]]
func.func @linear_bias_scale(%x: tensor<?x32xf32>, %w: tensor<64x32xf32>, %b: tensor<64xf32>) -> tensor<?x64xf32> {
  %0 = xfmr.linear %x, %w, %b {scale = 0.9 : f32} : tensor<?x32xf32>, tensor<64x32xf32>, tensor<64xf32> -> tensor<?x64xf32>
  return %0 : tensor<?x64xf32>
}

// A scale without a bias: the epilogue reads only the sum.
// CHECK-LABEL: func.func @linear_scale
// CHECK: %[[R:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "parallel"]}
// CHECK: %[[E:.*]] = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%[[R]] : tensor<?x64xf32>)
// CHECK-NEXT: ^bb0(%[[V:[^:]*]]: f32, %{{[^:]*}}: f32):
// CHECK-NEXT: %[[F:.*]] = arith.constant 5.000000e-01 : f32
// CHECK-NEXT: %[[VS:.*]] = arith.mulf %[[V]], %[[F]] : f32
// CHECK-NEXT: linalg.yield %[[VS]] : f32
// CHECK: return %[[E]]
func.func @linear_scale(%x: tensor<?x32xf32>, %w: tensor<64x32xf32>) -> tensor<?x64xf32> {
  %0 = xfmr.linear %x, %w {scale = 0.5 : f32} : tensor<?x32xf32>, tensor<64x32xf32> -> tensor<?x64xf32>
  return %0 : tensor<?x64xf32>
}

// Without a bias the accumulator is a zero fill.
// CHECK-LABEL: func.func @linear_no_bias
// CHECK-SAME: (%[[X:[^:]*]]: tensor<?x32xf32>, %[[W:[^:]*]]: tensor<64x32xf32>)
// CHECK: %[[WT:.*]] = linalg.transpose ins(%[[W]] : tensor<64x32xf32>)
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[E:.*]] = tensor.empty(%{{.*}}) : tensor<?x64xf32>
// CHECK: %[[INIT:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[E]] : tensor<?x64xf32>)
// CHECK: linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d2)>], iterator_types = ["parallel", "reduction", "parallel"]}
// CHECK-SAME: ins(%[[X]], %[[WT]] : tensor<?x32xf32>, tensor<32x64xf32>) outs(%[[INIT]] : tensor<?x64xf32>)
// Neither bias nor scale: no epilogue.
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @linear_no_bias(%x: tensor<?x32xf32>, %w: tensor<64x32xf32>) -> tensor<?x64xf32> {
  %0 = xfmr.linear %x, %w : tensor<?x32xf32>, tensor<64x32xf32> -> tensor<?x64xf32>
  return %0 : tensor<?x64xf32>
}

// Q·Kᵀ: K transposed to [b, h, k, n], then loops (b, h, m, k, n).
// CHECK-LABEL: func.func @matmul_transpose_rhs
// CHECK-SAME: (%[[Q:[^:]*]]: tensor<?x4x?x8xf32>, %[[K:[^:]*]]: tensor<?x4x?x8xf32>)
// CHECK: %[[KT:.*]] = linalg.transpose ins(%[[K]] : tensor<?x4x?x8xf32>) outs(%{{.*}} : tensor<?x4x8x?xf32>) permutation = [0, 1, 3, 2]
// CHECK: %[[INIT:.*]] = linalg.fill
// CHECK-SAME: -> tensor<?x4x?x?xf32>
// CHECK: linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d3, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>], iterator_types = ["parallel", "parallel", "parallel", "reduction", "parallel"]}
// CHECK-SAME: ins(%[[Q]], %[[KT]] : tensor<?x4x?x8xf32>, tensor<?x4x8x?xf32>) outs(%[[INIT]] : tensor<?x4x?x?xf32>)
// CHECK: arith.mulf
// CHECK-NEXT: arith.addf
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @matmul_transpose_rhs(%q: tensor<?x4x?x8xf32>, %k: tensor<?x4x?x8xf32>) -> tensor<?x4x?x?xf32> {
  %0 = xfmr.matmul %q, %k transpose_rhs : tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x?xf32>
  return %0 : tensor<?x4x?x?xf32>
}

// The output scale of a matmul: one elementwise pass after the contraction.
// CHECK-LABEL: func.func @matmul_scale
// CHECK: %[[R:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "reduction", "parallel"]}
// CHECK: %[[E:.*]] = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%[[R]] : tensor<?x4x?x?xf32>)
// CHECK-NEXT: ^bb0(%[[V:[^:]*]]: f32, %{{[^:]*}}: f32):
// CHECK-NEXT: %[[F:.*]] = arith.constant 1.250000e-01 : f32
// CHECK-NEXT: %[[VS:.*]] = arith.mulf %[[V]], %[[F]] : f32
// CHECK-NEXT: linalg.yield %[[VS]] : f32
// CHECK: return %[[E]]
func.func @matmul_scale(%q: tensor<?x4x?x8xf32>, %k: tensor<?x4x?x8xf32>) -> tensor<?x4x?x?xf32> {
  %0 = xfmr.matmul %q, %k transpose_rhs {scale = 0.125 : f32} : tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x?xf32>
  return %0 : tensor<?x4x?x?xf32>
}

// P·V: V is already [b, h, k, n]; no transpose.
// CHECK-LABEL: func.func @matmul
// CHECK-SAME: (%[[P:[^:]*]]: tensor<?x4x?x?xf32>, %[[V:[^:]*]]: tensor<?x4x?x8xf32>)
// CHECK-NOT: linalg.transpose
// CHECK: linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d3, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>], iterator_types = ["parallel", "parallel", "parallel", "reduction", "parallel"]}
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
// CHECK-NEXT: ^bb0(%[[A:[^:]*]]: f32, %[[B:[^:]*]]: f32, %{{[^:]*}}: f32):
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
// CHECK: ^bb0(%[[IN:[^:]*]]: f32, %{{[^:]*}}: f32):
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
// CHECK: ^bb0(%[[IN:[^:]*]]: f32, %{{[^:]*}}: f32):
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

// CHECK: ^bb0(%[[IN:[^:]*]]: f32, %{{[^:]*}}: f32):
// CHECK-NEXT: %[[Z:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[R:.*]] = arith.maximumf %[[IN]], %[[Z]] : f32
// CHECK-NEXT: linalg.yield %[[R]]
func.func @relu(%x: tensor<?x64xf32>) -> tensor<?x64xf32> {
  %0 = xfmr.relu %x : tensor<?x64xf32>
  return %0 : tensor<?x64xf32>
}

// CHECK-LABEL: func.func @scale
// CHECK: ^bb0(%[[IN:[^:]*]]: f32, %{{[^:]*}}: f32):
// CHECK-NEXT: %[[F:.*]] = arith.constant 1.250000e-01 : f32
// CHECK-NEXT: %[[R:.*]] = arith.mulf %[[IN]], %[[F]] : f32
// CHECK-NEXT: linalg.yield %[[R]]
func.func @scale(%x: tensor<?x64xf32>) -> tensor<?x64xf32> {
  %0 = xfmr.scale %x by 0.125 : tensor<?x64xf32>
  return %0 : tensor<?x64xf32>
}

// Online safe softmax: one reduction yields each row's maximum and its sum of
// exponentials together (the sum rescaled whenever the maximum grows), then
// one elementwise pass writes the probabilities. A row whose maximum is -inf
// contributes zeros, never NaN.
// CHECK-LABEL: func.func @softmax
// CHECK-SAME: (%[[X:.*]]: tensor<?x4x?x?xf32>)
// CHECK: %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[MAXINIT:.*]] = linalg.fill ins(%[[NEGINF]] : f32) outs(%{{.*}} : tensor<?x4x?xf32>)
// CHECK: %[[SUMINIT:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.*}} : tensor<?x4x?xf32>)
// CHECK: %[[STATS:.*]]:2 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%[[X]] : tensor<?x4x?x?xf32>) outs(%[[MAXINIT]], %[[SUMINIT]] : tensor<?x4x?xf32>, tensor<?x4x?xf32>)
// CHECK-NEXT: ^bb0(%[[E:[^:]*]]: f32, %[[M:[^:]*]]: f32, %[[ACC:[^:]*]]: f32):
// CHECK-NEXT: %[[NM:.*]] = arith.maximumf %[[M]], %[[E]] : f32
// exp(m - m') rescales the running sum, guarded for m' = -inf.
// CHECK-NEXT: %[[NI:.*]] = arith.constant 0xFF800000 : f32
// CHECK-NEXT: %[[G1:.*]] = arith.cmpf oeq, %[[NM]], %[[NI]] : f32
// CHECK-NEXT: %[[D1:.*]] = arith.subf %[[M]], %[[NM]] : f32
// CHECK-NEXT: %[[X1:.*]] = math.exp %[[D1]] : f32
// CHECK-NEXT: %[[Z1:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[R1:.*]] = arith.select %[[G1]], %[[Z1]], %[[X1]] : f32
// CHECK-NEXT: %[[RESCALED:.*]] = arith.mulf %[[ACC]], %[[R1]] : f32
// exp(x - m'), guarded the same way.
// CHECK: %[[G2:.*]] = arith.cmpf oeq, %[[NM]], %{{.*}} : f32
// CHECK-NEXT: %[[D2:.*]] = arith.subf %[[E]], %[[NM]] : f32
// CHECK-NEXT: %[[X2:.*]] = math.exp %[[D2]] : f32
// CHECK-NEXT: %[[Z2:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[R2:.*]] = arith.select %[[G2]], %[[Z2]], %[[X2]] : f32
// CHECK-NEXT: %[[NS:.*]] = arith.addf %[[RESCALED]], %[[R2]] : f32
// CHECK-NEXT: linalg.yield %[[NM]], %[[NS]] : f32, f32
// CHECK: %[[P:.*]] = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%[[X]], %[[STATS]]#0, %[[STATS]]#1 :
// CHECK-NEXT: ^bb0(%[[PE:[^:]*]]: f32, %[[PM:[^:]*]]: f32, %[[PS:[^:]*]]: f32, %{{[^:]*}}: f32):
// CHECK: %[[POS:.*]] = arith.cmpf ogt, %[[PS]], %{{.*}} : f32
// CHECK: arith.cmpf oeq, %[[PM]]
// CHECK: arith.subf %[[PE]], %[[PM]]
// CHECK: %[[Q:.*]] = arith.divf %{{.*}}, %[[PS]] : f32
// CHECK-NEXT: %[[PR:.*]] = arith.select %[[POS]], %[[Q]], %{{.*}} : f32
// CHECK-NEXT: linalg.yield %[[PR]] : f32
// CHECK-NOT: linalg.generic
// CHECK: return %[[P]]
func.func @softmax(%x: tensor<?x4x?x?xf32>) -> tensor<?x4x?x?xf32> {
  %0 = xfmr.softmax %x : tensor<?x4x?x?xf32>
  return %0 : tensor<?x4x?x?xf32>
}

// A rank-1 softmax reduces to rank-0 row tensors (this used to crash: the
// row map was the null map).
// CHECK-LABEL: func.func @softmax_rank1
// CHECK: linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> ()>, affine_map<(d0) -> ()>], iterator_types = ["reduction"]}
// CHECK-SAME: outs(%{{.*}}, %{{.*}} : tensor<f32>, tensor<f32>)
// CHECK: linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> ()>, affine_map<(d0) -> ()>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]}
func.func @softmax_rank1(%x: tensor<8xf32>) -> tensor<8xf32> {
  %0 = xfmr.softmax %x : tensor<8xf32>
  return %0 : tensor<8xf32>
}

// Over the heads (axis 1): d1 is the reduction, the statistics are indexed by
// the other dimensions.
// CHECK-LABEL: func.func @softmax_axis1
// CHECK-SAME: (%[[X:.*]]: tensor<?x4x?x?xf32>)
// CHECK: %[[STATS:.*]]:2 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>], iterator_types = ["parallel", "reduction", "parallel", "parallel"]} ins(%[[X]] : tensor<?x4x?x?xf32>)
// CHECK: linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%[[X]], %[[STATS]]#0, %[[STATS]]#1 :
func.func @softmax_axis1(%x: tensor<?x4x?x?xf32>) -> tensor<?x4x?x?xf32> {
  %0 = xfmr.softmax %x axis(1) : tensor<?x4x?x?xf32>
  return %0 : tensor<?x4x?x?xf32>
}

// Welford: one reduction yields the mean and the sum of squared deviations
// (count = index + 1 of the normalised dimension), then one pass normalises.
// CHECK-LABEL: func.func @layer_norm
// CHECK-SAME: (%[[X:[^:]*]]: tensor<?x?x32xf32>, %[[G:[^:]*]]: tensor<32xf32>, %[[B:[^:]*]]: tensor<32xf32>)
// CHECK: %[[STATS:.*]]:2 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[X]] : tensor<?x?x32xf32>)
// CHECK-NEXT: ^bb0(%[[IN:[^:]*]]: f32, %[[MEAN:[^:]*]]: f32, %[[M2:[^:]*]]: f32):
// CHECK-NEXT: %[[I:.*]] = linalg.index 2 : index
// CHECK: %[[N:.*]] = arith.sitofp %{{.*}} : i64 to f32
// CHECK-NEXT: %[[D:.*]] = arith.subf %[[IN]], %[[MEAN]] : f32
// CHECK-NEXT: %[[DN:.*]] = arith.divf %[[D]], %[[N]] : f32
// CHECK-NEXT: %[[NMEAN:.*]] = arith.addf %[[MEAN]], %[[DN]] : f32
// CHECK-NEXT: %[[D2:.*]] = arith.subf %[[IN]], %[[NMEAN]] : f32
// CHECK-NEXT: %[[DD:.*]] = arith.mulf %[[D]], %[[D2]] : f32
// CHECK-NEXT: %[[NM2:.*]] = arith.addf %[[M2]], %[[DD]] : f32
// CHECK-NEXT: linalg.yield %[[NMEAN]], %[[NM2]] : f32, f32
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d2)>, affine_map<(d0, d1, d2) -> (d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[X]], %[[STATS]]#0, %[[STATS]]#1, %[[G]], %[[B]] :
// CHECK: arith.constant 3.200000e+01 : f32
// CHECK: arith.constant 9.99999996E-13 : f32
// CHECK: math.sqrt
// CHECK-NOT: linalg.generic
// CHECK: return %[[R]]
func.func @layer_norm(%x: tensor<?x?x32xf32>, %g: tensor<32xf32>, %b: tensor<32xf32>) -> tensor<?x?x32xf32> {
  %0 = xfmr.layer_norm %x, %g, %b eps(1.0e-12) : tensor<?x?x32xf32>, tensor<32xf32>
  return %0 : tensor<?x?x32xf32>
}

// Over a middle dimension: d1 reduces, gamma and beta are read along d1, the
// width is that dimension's (16).
// CHECK-LABEL: func.func @layer_norm_axis
// CHECK-SAME: (%[[X:[^:]*]]: tensor<?x16x?xf32>, %[[G:[^:]*]]: tensor<16xf32>)
// CHECK: %[[STATS:.*]]:2 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d0, d2)>], iterator_types = ["parallel", "reduction", "parallel"]} ins(%[[X]] : tensor<?x16x?xf32>)
// CHECK: linalg.index 1 : index
// CHECK: linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1)>, affine_map<(d0, d1, d2) -> (d1)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[X]], %[[STATS]]#0, %[[STATS]]#1, %[[G]], %[[G]] :
// CHECK: arith.constant 1.600000e+01 : f32
func.func @layer_norm_axis(%x: tensor<?x16x?xf32>, %g: tensor<16xf32>) -> tensor<?x16x?xf32> {
  %0 = xfmr.layer_norm %x, %g, %g eps(1.0e-5) axis(-2) : tensor<?x16x?xf32>, tensor<16xf32>
  return %0 : tensor<?x16x?xf32>
}

// Residual layer norm: one pass writes the sum (input + bias) + residual,
// with the bias read along the last dimension, then the layer norm's two
// generics run on the sum; both the normalised value and the sum are results.
// CHECK-LABEL: func.func @residual_layer_norm
// CHECK-SAME: (%[[X:[^:]*]]: tensor<?x?x32xf32>, %[[RES:[^:]*]]: tensor<?x?x32xf32>, %[[B:[^:]*]]: tensor<32xf32>, %[[G:[^:]*]]: tensor<32xf32>, %[[BETA:[^:]*]]: tensor<32xf32>)
// CHECK: %[[SUM:.*]] = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[X]], %[[RES]], %[[B]] : tensor<?x?x32xf32>, tensor<?x?x32xf32>, tensor<32xf32>)
// CHECK-NEXT: ^bb0(%[[VX:[^:]*]]: f32, %[[VR:[^:]*]]: f32, %[[VB:[^:]*]]: f32, %{{[^:]*}}: f32):
// CHECK-NEXT: %[[XB:.*]] = arith.addf %[[VX]], %[[VB]] : f32
// CHECK-NEXT: %[[XBR:.*]] = arith.addf %[[XB]], %[[VR]] : f32
// CHECK-NEXT: linalg.yield %[[XBR]] : f32
// CHECK: %[[STATS:.*]]:2 = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[SUM]] : tensor<?x?x32xf32>)
// CHECK: %[[R:.*]] = linalg.generic {{.*}} ins(%[[SUM]], %[[STATS]]#0, %[[STATS]]#1, %[[G]], %[[BETA]] :
// CHECK-NOT: linalg.generic
// CHECK: return %[[R]], %[[SUM]]
func.func @residual_layer_norm(%x: tensor<?x?x32xf32>, %r: tensor<?x?x32xf32>, %b: tensor<32xf32>,
                               %g: tensor<32xf32>, %beta: tensor<32xf32>) -> (tensor<?x?x32xf32>, tensor<?x?x32xf32>) {
  %y, %s = xfmr.residual_layer_norm %x, %r bias(%b : tensor<32xf32>), %g, %beta eps(1.0e-12) : tensor<?x?x32xf32>, tensor<32xf32>
  return %y, %s : tensor<?x?x32xf32>, tensor<?x?x32xf32>
}

// Without a bias the sum reads two operands.
// CHECK-LABEL: func.func @residual_layer_norm_no_bias
// CHECK-SAME: (%[[X:[^:]*]]: tensor<?x?x32xf32>, %[[RES:[^:]*]]: tensor<?x?x32xf32>
// CHECK: linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[X]], %[[RES]] : tensor<?x?x32xf32>, tensor<?x?x32xf32>)
// CHECK-NEXT: ^bb0(%[[VX:[^:]*]]: f32, %[[VR:[^:]*]]: f32, %{{[^:]*}}: f32):
// CHECK-NEXT: %[[S:.*]] = arith.addf %[[VX]], %[[VR]] : f32
// CHECK-NEXT: linalg.yield %[[S]] : f32
func.func @residual_layer_norm_no_bias(%x: tensor<?x?x32xf32>, %r: tensor<?x?x32xf32>, %g: tensor<32xf32>) -> tensor<?x?x32xf32> {
  %y, %s = xfmr.residual_layer_norm %x, %r, %g, %g eps(1.0e-5) : tensor<?x?x32xf32>, tensor<32xf32>
  return %y : tensor<?x?x32xf32>
}

// Masked softmax with a padding mask: the 0/1 mask is read at [b, key], the
// reduction has a third output (1 once some key of the row is unmasked),
// and the masks exist only as index arithmetic. A masked score becomes
// scale * x + fill; a row with no unmasked key yields 0 (policy zero).
// CHECK-LABEL: func.func @masked_softmax_padding
// CHECK-SAME: (%[[S:[^:]*]]: tensor<?x4x?x?xf32>, %[[M:[^:]*]]: tensor<?x?xi64>)
// CHECK: %[[STATS:.*]]:3 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%[[S]], %[[M]] : tensor<?x4x?x?xf32>, tensor<?x?xi64>)
// CHECK-NEXT: ^bb0(%[[X:[^:]*]]: f32, %[[K:[^:]*]]: i64, %{{[^:]*}}: f32, %{{[^:]*}}: f32, %[[ANY:[^:]*]]: f32):
// CHECK-NEXT: %[[SC:.*]] = arith.constant 1.250000e-01 : f32
// CHECK-NEXT: %[[XS:.*]] = arith.mulf %[[X]], %[[SC]] : f32
// CHECK: %[[PAD:.*]] = arith.cmpi eq, %[[K]], %{{.*}} : i64
// CHECK-NEXT: %[[FILL:.*]] = arith.constant 0xFF800000 : f32
// CHECK-NEXT: %[[FILLED:.*]] = arith.addf %[[XS]], %[[FILL]] : f32
// CHECK-NEXT: %[[V:.*]] = arith.select %[[PAD]], %[[FILLED]], %[[XS]] : f32
// CHECK-NEXT: arith.maximumf %{{.*}}, %[[V]] : f32
// CHECK-NOT: linalg.index
// CHECK: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-NEXT: %[[NANY:.*]] = arith.select %[[PAD]], %[[ANY]], %[[ONE]] : f32
// CHECK-NEXT: linalg.yield %{{.*}}, %{{.*}}, %[[NANY]] : f32, f32, f32
// CHECK: %[[P:.*]] = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%[[S]], %[[M]], %[[STATS]]#0, %[[STATS]]#1, %[[STATS]]#2 :
// CHECK-NEXT: ^bb0(%{{[^:]*}}: f32, %{{[^:]*}}: i64, %{{[^:]*}}: f32, %{{[^:]*}}: f32, %[[PANY:[^:]*]]: f32, %{{[^:]*}}: f32):
// CHECK-NOT: linalg.index
// CHECK: %[[Q:.*]] = arith.divf
// CHECK-NEXT: %[[SAFE:.*]] = arith.select %{{.*}}, %[[Q]], %[[Z:.*]] : f32
// CHECK-NEXT: %[[UNMASKED:.*]] = arith.cmpf ogt, %[[PANY]], %[[Z]] : f32
// CHECK-NEXT: %[[R:.*]] = arith.select %[[UNMASKED]], %[[SAFE]], %[[Z]] : f32
// CHECK-NEXT: linalg.yield %[[R]] : f32
// CHECK-NOT: linalg.generic
// CHECK: return %[[P]]
func.func @masked_softmax_padding(%s: tensor<?x4x?x?xf32>, %m: tensor<?x?xi64>) -> tensor<?x4x?x?xf32> {
  %0 = xfmr.masked_softmax %s key_padding(%m : tensor<?x?xi64>) scale(0.125) mask(<fill = neg_inf, fully_masked = zero>) : tensor<?x4x?x?xf32>
  return %0 : tensor<?x4x?x?xf32>
}

// Causal: key j is masked when j > i + (keys - queries), from linalg.index 2
// (the query) and 3 (the key); the bias [1, 4, 1, k] is read at index 0 of
// its size-1 dimensions. The lowest-f32 fill; a fully masked row is uniform,
// 1 / keys.
// CHECK-LABEL: func.func @masked_softmax_causal_bias
// CHECK-SAME: (%[[S:[^:]*]]: tensor<?x4x?x?xf32>, %[[B:[^:]*]]: tensor<1x4x1x?xf32>)
// CHECK-DAG: %[[C2:.*]] = arith.constant 2 : index
// CHECK-DAG: %[[C3:.*]] = arith.constant 3 : index
// CHECK-DAG: %[[Q:.*]] = tensor.dim %[[S]], %[[C2]]
// CHECK-DAG: %[[K:.*]] = tensor.dim %[[S]], %[[C3]]
// CHECK: %[[OFF:.*]] = arith.subi %[[K]], %[[Q]] : index
// CHECK: %[[KI:.*]] = arith.index_cast %[[K]] : index to i64
// CHECK: %[[KF:.*]] = arith.sitofp %[[KI]] : i64 to f32
// CHECK: %[[STATS:.*]]:3 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (0, d1, 0, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%[[S]], %[[B]] : tensor<?x4x?x?xf32>, tensor<1x4x1x?xf32>)
// CHECK-NEXT: ^bb0(%[[X:[^:]*]]: f32, %[[BV:[^:]*]]: f32,
// CHECK: %[[XS:.*]] = arith.mulf %[[X]], %{{.*}} : f32
// CHECK-NEXT: %[[XB:.*]] = arith.addf %[[XS]], %[[BV]] : f32
// CHECK: %[[I:.*]] = linalg.index 2 : index
// CHECK-NEXT: %[[J:.*]] = linalg.index 3 : index
// CHECK-NEXT: %[[LAST:.*]] = arith.addi %[[I]], %[[OFF]] : index
// CHECK-NEXT: %[[FUT:.*]] = arith.cmpi sgt, %[[J]], %[[LAST]] : index
// CHECK-NEXT: %[[MASKED:.*]] = arith.ori %{{.*}}, %[[FUT]] : i1
// CHECK-NEXT: %[[FILL:.*]] = arith.constant -3.40282347E+38 : f32
// CHECK-NEXT: arith.addf %[[XB]], %[[FILL]] : f32
// CHECK: linalg.yield %{{.*}}, %{{.*}}, %{{.*}} : f32, f32, f32
// CHECK: linalg.generic {{.*}} ins(%[[S]], %[[B]], %[[STATS]]#0, %[[STATS]]#1, %[[STATS]]#2 :
// CHECK: linalg.index 2 : index
// CHECK: linalg.index 3 : index
// CHECK: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-NEXT: %[[UNI:.*]] = arith.divf %[[ONE]], %[[KF]] : f32
// CHECK-NEXT: %[[UNMASKED:.*]] = arith.cmpf ogt
// CHECK-NEXT: arith.select %[[UNMASKED]], %{{.*}}, %[[UNI]] : f32
func.func @masked_softmax_causal_bias(%s: tensor<?x4x?x?xf32>, %b: tensor<1x4x1x?xf32>) -> tensor<?x4x?x?xf32> {
  %0 = xfmr.masked_softmax %s bias(%b : tensor<1x4x1x?xf32>) scale(1.0) causal mask(<fill = lowest, fully_masked = uniform>) : tensor<?x4x?x?xf32>
  return %0 : tensor<?x4x?x?xf32>
}

// No mask at all (only a scale and a bias): the plain two-output reduction,
// no masked-row flag, no index arithmetic.
// CHECK-LABEL: func.func @masked_softmax_unmasked
// CHECK-SAME: (%[[S:[^:]*]]: tensor<?x4x?x?xf32>, %[[B:[^:]*]]: tensor<?x1x1x?xf32>)
// CHECK: %[[STATS:.*]]:2 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, 0, 0, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%[[S]], %[[B]] : tensor<?x4x?x?xf32>, tensor<?x1x1x?xf32>)
// CHECK-NOT: linalg.index
// CHECK-NOT: arith.cmpi
// CHECK: linalg.generic {{.*}} ins(%[[S]], %[[B]], %[[STATS]]#0, %[[STATS]]#1 :
// CHECK-NOT: linalg.index
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @masked_softmax_unmasked(%s: tensor<?x4x?x?xf32>, %b: tensor<?x1x1x?xf32>) -> tensor<?x4x?x?xf32> {
  %0 = xfmr.masked_softmax %s bias(%b : tensor<?x1x1x?xf32>) scale(0.5) mask(<fill = neg_inf, fully_masked = zero>) : tensor<?x4x?x?xf32>
  return %0 : tensor<?x4x?x?xf32>
}

// The causal mask materialised (only where it was not fused): [1, 1, q, k],
// -inf where linalg.index 3 > linalg.index 2 + (keys - queries), else 0.
// CHECK-LABEL: func.func @causal_mask
// CHECK-SAME: (%[[S:[^:]*]]: tensor<?x4x?x?xf32>)
// CHECK: %[[OFF:.*]] = arith.subi %{{.*}}, %{{.*}} : index
// CHECK: %[[E:.*]] = tensor.empty(%{{.*}}, %{{.*}}) : tensor<1x1x?x?xf32>
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} outs(%[[E]] : tensor<1x1x?x?xf32>)
// CHECK-DAG: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG: %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK: %[[I:.*]] = linalg.index 2 : index
// CHECK-NEXT: %[[J:.*]] = linalg.index 3 : index
// CHECK-NEXT: %[[LAST:.*]] = arith.addi %[[I]], %[[OFF]] : index
// CHECK-NEXT: %[[FUT:.*]] = arith.cmpi sgt, %[[J]], %[[LAST]] : index
// CHECK-NEXT: %[[V:.*]] = arith.select %[[FUT]], %[[NEGINF]], %[[ZERO]] : f32
// CHECK-NEXT: linalg.yield %[[V]] : f32
// CHECK: return %[[R]]
func.func @causal_mask(%s: tensor<?x4x?x?xf32>) -> tensor<1x1x?x?xf32> {
  %0 = xfmr.causal_mask %s : tensor<?x4x?x?xf32> -> tensor<1x1x?x?xf32>
  return %0 : tensor<1x1x?x?xf32>
}

// A gather: the ids drive the iteration, the table is read with tensor.extract.
// CHECK-LABEL: func.func @embedding
// CHECK-SAME: (%[[IDS:[^:]*]]: tensor<?x?xi64>, %[[T:[^:]*]]: tensor<100x32xf32>)
// CHECK: linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[IDS]] : tensor<?x?xi64>) outs(%{{.*}} : tensor<?x?x32xf32>)
// CHECK-NEXT: ^bb0(%[[ID:[^:]*]]: i64, %{{[^:]*}}: f32):
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
// CHECK-NEXT: ^bb0(%[[IN:[^:]*]]: f32, %{{[^:]*}}: f32):
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
// CHECK-NEXT: ^bb0(%[[IN:[^:]*]]: i64, %{{[^:]*}}: f32):
// CHECK-NEXT: %[[Z:.*]] = arith.constant 0 : i64
// CHECK-NEXT: %[[PAD:.*]] = arith.cmpi eq, %[[IN]], %[[Z]] : i64
// CHECK-NEXT: %[[ZF:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[FILL:.*]] = arith.constant 0xFF800000 : f32
// CHECK-NEXT: %[[R:.*]] = arith.select %[[PAD]], %[[FILL]], %[[ZF]] : f32
// CHECK-NEXT: linalg.yield %[[R]]
func.func @padding_mask_neg_inf(%m: tensor<?x?xi64>) -> tensor<?x1x1x?xf32> {
  %0 = xfmr.padding_mask %m mask(<fill = neg_inf, fully_masked = zero>) : tensor<?x?xi64> -> tensor<?x1x1x?xf32>
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
  %0 = xfmr.padding_mask %m mask(<fill = lowest, fully_masked = uniform>) : tensor<?x?xi64> -> tensor<?x1x1x?xf32>
  return %0 : tensor<?x1x1x?xf32>
}

// value(v): exactly v (a finite fill, as older checkpoints add), never the
// lowest f32 or -inf.
// CHECK-LABEL: func.func @padding_mask_value
// CHECK: %[[PAD:.*]] = arith.cmpi eq
// CHECK-NEXT: %[[ZF:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[FILL:.*]] = arith.constant -1.000000e+04 : f32
// CHECK-NEXT: %[[R:.*]] = arith.select %[[PAD]], %[[FILL]], %[[ZF]] : f32
// CHECK-NOT: -3.40282347E+38
// CHECK-NOT: 0xFF800000
// CHECK: return
func.func @padding_mask_value(%m: tensor<?x?xi64>) -> tensor<?x1x1x?xf32> {
  %0 = xfmr.padding_mask %m mask(<fill = value(-1.0e+04), fully_masked = zero>) : tensor<?x?xi64> -> tensor<?x1x1x?xf32>
  return %0 : tensor<?x1x1x?xf32>
}

// The fused softmax reads the same attribute through the same helper: its
// masked scores get x + v.
// CHECK-LABEL: func.func @masked_softmax_value
// CHECK: arith.constant -1.000000e+04 : f32
// CHECK-NOT: -3.40282347E+38
// CHECK: return
func.func @masked_softmax_value(%s: tensor<?x4x?x?xf32>, %m: tensor<?x?xi64>) -> tensor<?x4x?x?xf32> {
  %0 = xfmr.masked_softmax %s key_padding(%m : tensor<?x?xi64>) scale(1.0)
      mask(<fill = value(-1.0e+04), fully_masked = zero>) : tensor<?x4x?x?xf32>
  return %0 : tensor<?x4x?x?xf32>
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

// So must a classic dropout (xfmr-strip-dropout makes it a scale; an
// inverted one is the identity, which its folder removes anywhere).
func.func @dropout(%x: tensor<?x32xf32>) -> tensor<?x32xf32> {
  // expected-error @+1 {{failed to legalize operation 'xfmr.dropout'}}
  %0 = xfmr.dropout %x rate(0.1) classic : tensor<?x32xf32>
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
