// RUN: xfmr-opt %s --xfmr-gpu-attention | FileCheck %s

// Causal, padded, grouped-query attention: one kernel over (query groups of
// 4, heads, batch), a warp per query; the operands read as buffers of any
// layout, the result a new buffer.
// CHECK-LABEL: func.func @causal_grouped
// CHECK-DAG: %[[Q:.*]] = bufferization.to_buffer %arg0 read_only : tensor<?x4x?x8xf32> to memref<?x4x?x8xf32, strided<[?, ?, ?, ?], offset: ?>>
// CHECK-DAG: %[[K:.*]] = bufferization.to_buffer %arg1 read_only
// CHECK-DAG: %[[V:.*]] = bufferization.to_buffer %arg2 read_only
// CHECK-DAG: %[[MASK:.*]] = bufferization.to_buffer %arg3 read_only : tensor<?x?xi64>
// CHECK: %[[OUT:.*]] = memref.alloc(%{{.*}}, %{{.*}}) : memref<?x4x?x8xf32>
// CHECK: gpu.launch blocks(%{{.*}}, %[[H:.*]], %[[B:.*]]) in ({{.*}}) threads(%[[LANE:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %c32, %{{.*}} = %c4, %{{.*}} = %c1{{.*}})
// K/V head = head / (heads / kv_heads).
// CHECK: %[[KVH:.*]] = arith.divui %[[H]], %{{.*}} : index
// The causal loop ends at the diagonal, clamped to [0, keys].
// CHECK: arith.maxsi
// CHECK: %[[END:.*]] = arith.minui
// CHECK: scf.for %[[J:.*]] = %{{.*}} to %[[END]] step %{{.*}} iter_args({{.*}}) -> (f32, f32, i1, f32)
// Padded keys are skipped.
// CHECK: memref.load %[[MASK]][%[[B]], %[[J]]]
// CHECK: arith.cmpi ne
// CHECK: scf.if %{{.*}} -> (f32, f32, i1, f32)
// CHECK: memref.load %[[K]][%[[B]], %[[KVH]], %[[J]], %{{.*}}]
// CHECK: math.fma
// The dot product across the lanes.
// CHECK-COUNT-5: gpu.shuffle  xor
// CHECK: arith.maximumf
// CHECK: math.exp
// CHECK: memref.load %[[V]][%[[B]], %[[KVH]], %[[J]], %{{.*}}]
// CHECK: memref.store %{{.*}}, %[[OUT]]
// CHECK: bufferization.to_tensor %[[OUT]] restrict writable
// CHECK-NOT: xfmr.fused_attention
func.func @causal_grouped(%q: tensor<?x4x?x8xf32>, %k: tensor<?x2x?x8xf32>, %v: tensor<?x2x?x8xf32>, %m: tensor<?x?xi64>) -> tensor<?x4x?x8xf32> {
  %0 = xfmr.fused_attention %q, %k, %v key_padding(%m : tensor<?x?xi64>) scale(0.353553385) causal mask(<fill = neg_inf, fully_masked = zero>) : tensor<?x4x?x8xf32>, tensor<?x2x?x8xf32>, tensor<?x2x?x8xf32> -> tensor<?x4x?x8xf32>
  return %0 : tensor<?x4x?x8xf32>
}

// A bias broadcast over the queries (ALiBi's shape), features past 32 in a
// second register per lane, and a fully masked row's uniform policy: the
// mean of v over all keys.
// CHECK-LABEL: func.func @bias_uniform
// CHECK: %[[BIAS:.*]] = bufferization.to_buffer %arg3 read_only : tensor<?x4x1x?xf32>
// CHECK: gpu.launch
// CHECK: scf.for %[[J:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args({{.*}}) -> (f32, f32, i1, f32, f32)
// CHECK: memref.load %[[BIAS]][%{{.*}}, %{{.*}}, %c0{{.*}}, %[[J]]]
// CHECK: scf.if %{{.*}} -> (f32, f32)
// CHECK: scf.for
// CHECK: arith.uitofp
// CHECK: arith.divf
func.func @bias_uniform(%q: tensor<?x4x?x40xf32>, %k: tensor<?x4x?x40xf32>, %v: tensor<?x4x?x40xf32>, %b: tensor<?x4x1x?xf32>) -> tensor<?x4x?x40xf32> {
  %0 = xfmr.fused_attention %q, %k, %v bias(%b : tensor<?x4x1x?xf32>) scale(0.125) mask(<fill = value(-1.0e+04), fully_masked = uniform>) : tensor<?x4x?x40xf32>, tensor<?x4x?x40xf32>, tensor<?x4x?x40xf32> -> tensor<?x4x?x40xf32>
  return %0 : tensor<?x4x?x40xf32>
}
