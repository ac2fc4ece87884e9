// RUN: xfmr-opt %s --convert-xfmr-to-linalg=bias-as-init=true --mlir-print-local-scope | FileCheck %s

// With bias-as-init (the CUDA target's lowering) a linear's accumulator
// starts as its bias, broadcast, instead of zeros: no fill, no epilogue for
// the bias. The CUDA contractions add C's initial value once to the
// finished sum, so the result rounds as sum + bias would.

// Panels [n / 32, k, 32]: C[m, p, j] starts as bias[32 p + j].
// CHECK-LABEL: func.func @panels
// CHECK-NOT: linalg.fill
// CHECK: %[[INIT:.*]] = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d1 * 32 + d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%arg2 : tensor<64xf32>)
// CHECK-NEXT: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: linalg.yield %[[IN]]
// CHECK: %[[C:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction", "parallel"]} ins(%{{.*}}, %arg1 : tensor<?x32xf32>, tensor<2x32x32xf32>) outs(%[[INIT]] : tensor<?x2x32xf32>)
// CHECK: %[[FLAT:.*]] = tensor.collapse_shape %[[C]]
// CHECK-NEXT: %[[OUT:.*]] = tensor.expand_shape %[[FLAT]]
// CHECK-NEXT: return %[[OUT]]
func.func @panels(%x: tensor<?x?x32xf32>, %w: tensor<2x32x32xf32>, %b: tensor<64xf32>) -> tensor<?x?x64xf32> {
  %0 = xfmr.linear %x, %w, %b : tensor<?x?x32xf32>, tensor<2x32x32xf32>, tensor<64xf32> -> tensor<?x?x64xf32>
  return %0 : tensor<?x?x64xf32>
}

// A weight as stored, with a scale: the bias starts the accumulator, the
// scale stays an epilogue.
// CHECK-LABEL: func.func @bias_scale
// CHECK-NOT: linalg.fill
// CHECK: %[[INIT:.*]] = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>], {{.*}} ins(%arg2 : tensor<64xf32>)
// CHECK: %[[C:.*]] = linalg.generic {{.*}} outs(%[[INIT]] : tensor<?x64xf32>)
// CHECK: linalg.generic {{.*}} ins(%[[C]] : tensor<?x64xf32>)
// CHECK: arith.mulf %{{.*}}, %{{.*}} : f32
// CHECK-NOT: arith.addf
// CHECK: return
func.func @bias_scale(%x: tensor<?x32xf32>, %w: tensor<64x32xf32>, %b: tensor<64xf32>) -> tensor<?x64xf32> {
  %0 = xfmr.linear %x, %w, %b {scale = 0.9 : f32} : tensor<?x32xf32>, tensor<64x32xf32>, tensor<64xf32> -> tensor<?x64xf32>
  return %0 : tensor<?x64xf32>
}

// No bias: zeros, as without the option.
// CHECK-LABEL: func.func @no_bias
// CHECK: %[[ZERO:.*]] = linalg.fill
// CHECK: linalg.generic {{.*}} outs(%[[ZERO]] : tensor<?x2x32xf32>)
func.func @no_bias(%x: tensor<?x32xf32>, %w: tensor<2x32x32xf32>) -> tensor<?x64xf32> {
  %0 = xfmr.linear %x, %w : tensor<?x32xf32>, tensor<2x32x32xf32> -> tensor<?x64xf32>
  return %0 : tensor<?x64xf32>
}
