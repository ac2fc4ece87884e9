// RUN: xfmr-opt %s --xfmr-gpu-attention | FileCheck %s

// Causal, padded, grouped-query attention: one kernel over (queries in
// groups of 4, heads, batch), a warp per query in four streams of 8 lanes,
// each over every fourth key; the operands read as buffers of any layout,
// the result a new buffer.
// CHECK-LABEL: func.func @causal_grouped
// CHECK-DAG: %[[Q:.*]] = bufferization.to_buffer %arg0 read_only : tensor<?x4x?x8xf32> to memref<?x4x?x8xf32, strided<[?, ?, ?, ?], offset: ?>>
// CHECK-DAG: %[[K:.*]] = bufferization.to_buffer %arg1 read_only
// CHECK-DAG: %[[V:.*]] = bufferization.to_buffer %arg2 read_only
// CHECK-DAG: %[[MASK:.*]] = bufferization.to_buffer %arg3 read_only : tensor<?x?xi64>
// CHECK: %[[OUT:.*]] = memref.alloc(%{{.*}}, %{{.*}}) : memref<?x4x?x8xf32>
// CHECK: gpu.launch blocks(%{{.*}}, %[[H:.*]], %[[B:.*]]) in ({{.*}}) threads(%[[LANE:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %c32, %{{.*}} = %c4, %{{.*}} = %c1{{.*}})
// CHECK-NOT: workgroup
// K/V head = head / (heads / kv_heads); lane = 8 stream + slot.
// CHECK: %[[KVH:.*]] = arith.divui %[[H]], %{{.*}} : index
// CHECK: %[[STREAM:.*]] = arith.divui %[[LANE]], %c8
// The causal keys end at the diagonal, clamped to [0, keys]; step s visits
// key 4 s + stream.
// CHECK: arith.maxsi
// CHECK: %[[END:.*]] = arith.minui
// CHECK: %[[STEPS:.*]] = arith.ceildivui %[[END]], %c4
// CHECK: scf.for %[[S:.*]] = %{{.*}} to %[[STEPS]] step %{{.*}} iter_args({{.*}}) -> (f32, f32, i1, f32)
// CHECK: %[[J:.*]] = arith.addi %{{.*}}, %[[STREAM]]
// Padded keys leave the state as it was.
// CHECK: memref.load %[[MASK]][%[[B]], %[[J]]]
// CHECK: arith.cmpi ne
// CHECK: memref.load %[[K]][%[[B]], %[[KVH]], %[[J]], %{{.*}}]
// CHECK: math.fma
// The dot product across the stream's 8 lanes.
// CHECK: gpu.shuffle  xor %{{.*}}, %c4_i32
// CHECK: gpu.shuffle  xor %{{.*}}, %c2_i32
// CHECK: gpu.shuffle  xor %{{.*}}, %c1_i32
// CHECK: arith.maximumf
// CHECK: math.exp
// CHECK: memref.load %[[V]][%[[B]], %[[KVH]], %[[J]], %{{.*}}]
// CHECK: arith.select
// The streams merged, 8 then 16 lanes apart.
// CHECK: gpu.shuffle  xor %{{.*}}, %c8_i32
// CHECK: gpu.shuffle  xor %{{.*}}, %c16_i32
// Stream 0 stores.
// CHECK: arith.cmpi ult, %[[LANE]], %c8
// CHECK: memref.store %{{.*}}, %[[OUT]]
// CHECK: bufferization.to_tensor %[[OUT]] restrict writable
// CHECK-NOT: xfmr.fused_attention
func.func @causal_grouped(%q: tensor<?x4x?x8xf32>, %k: tensor<?x2x?x8xf32>, %v: tensor<?x2x?x8xf32>, %m: tensor<?x?xi64>) -> tensor<?x4x?x8xf32> {
  %0 = xfmr.fused_attention %q, %k, %v key_padding(%m : tensor<?x?xi64>) scale(0.353553385) causal mask(<fill = neg_inf, fully_masked = zero>) : tensor<?x4x?x8xf32>, tensor<?x2x?x8xf32>, tensor<?x2x?x8xf32> -> tensor<?x4x?x8xf32>
  return %0 : tensor<?x4x?x8xf32>
}

// A bias broadcast over the queries (ALiBi's shape), 40 features over 8
// lanes (5 each), and a fully masked row's uniform policy: the mean of v
// over all keys.
// CHECK-LABEL: func.func @bias_uniform
// CHECK: %[[BIAS:.*]] = bufferization.to_buffer %arg3 read_only : tensor<?x4x1x?xf32>
// CHECK: gpu.launch
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} iter_args({{.*}}) -> (f32, f32, i1, f32, f32, f32, f32, f32)
// CHECK: memref.load %[[BIAS]][%{{.*}}, %{{.*}}, %c0{{.*}}, %{{.*}}]
// CHECK: scf.if %{{.*}} -> (f32, f32, f32, f32, f32)
// CHECK: scf.for
// CHECK: arith.uitofp
// CHECK: arith.divf
func.func @bias_uniform(%q: tensor<?x4x?x40xf32>, %k: tensor<?x4x?x40xf32>, %v: tensor<?x4x?x40xf32>, %b: tensor<?x4x1x?xf32>) -> tensor<?x4x?x40xf32> {
  %0 = xfmr.fused_attention %q, %k, %v bias(%b : tensor<?x4x1x?xf32>) scale(0.125) mask(<fill = value(-1.0e+04), fully_masked = uniform>) : tensor<?x4x?x40xf32>, tensor<?x4x?x40xf32>, tensor<?x4x?x40xf32> -> tensor<?x4x?x40xf32>
  return %0 : tensor<?x4x?x40xf32>
}
