// RUN: xfmr-opt %s --xfmr-gpu-attention | FileCheck %s

// Causal, padded, grouped-query attention: the operands read as buffers of
// any layout, the result a new buffer.
// CHECK-LABEL: func.func @causal_grouped
// CHECK-DAG: %[[Q:.*]] = bufferization.to_buffer %arg0 read_only : tensor<?x4x?x8xf32> to memref<?x4x?x8xf32, strided<[?, ?, ?, ?], offset: ?>>
// CHECK-DAG: %[[K:.*]] = bufferization.to_buffer %arg1 read_only
// CHECK-DAG: %[[V:.*]] = bufferization.to_buffer %arg2 read_only
// CHECK-DAG: %[[MASK:.*]] = bufferization.to_buffer %arg3 read_only : tensor<?x?xi64>
// CHECK: %[[OUT:.*]] = memref.alloc(%{{.*}}, %{{.*}}) : memref<?x4x?x8xf32>
// The keys split while the warps (batch × heads × queries, a warp each) are
// fewer than 2048, each split at least 32 keys.
// CHECK: %[[WARPS:.*]] = arith.maxui %{{.*}}, %c1
// CHECK: %[[BY_KEYS:.*]] = arith.ceildivui %[[KEYS:.*]], %c32
// CHECK: %[[BY_WARPS:.*]] = arith.ceildivui %c2048, %[[WARPS]]
// CHECK: %[[FEWEST:.*]] = arith.minui %[[BY_WARPS]], %[[BY_KEYS]]
// CHECK: %[[SPLITS:.*]] = arith.maxui %[[FEWEST]], %c1
// CHECK: %[[SPLIT:.*]] = arith.cmpi ugt, %[[SPLITS]], %c1
// CHECK: scf.if %[[SPLIT]] {
// Split: the splits' states (maximum, sum, seen; accumulator) in buffers,
// block x over (query block, split).
// CHECK: %[[CHUNK:.*]] = arith.ceildivui %[[KEYS]], %[[SPLITS]]
// CHECK: %[[STATS:.*]] = memref.alloc(%{{.*}}, %{{.*}}, %{{.*}}, %[[SPLITS]]) : memref<?x?x?x?x3xf32>
// CHECK: %[[ACC:.*]] = memref.alloc(%{{.*}}, %{{.*}}, %{{.*}}, %[[SPLITS]]) : memref<?x?x?x?x8xf32>
// CHECK: %[[QBLOCKS:.*]] = arith.ceildivui %{{.*}}, %c4
// CHECK: %[[ROWBLOCKS:.*]] = arith.muli %{{.*}}, %[[QBLOCKS]]
// CHECK: %[[GX:.*]] = arith.muli %[[ROWBLOCKS]], %[[SPLITS]]
// CHECK: gpu.launch blocks(%[[BX:[a-z0-9]+]], %{{.*}}, %{{.*}}) in (%{{.*}} = %[[GX]], %{{.*}} = %{{.*}}, %{{.*}} = %c1{{.*}}) threads({{.*}}) in (%{{.*}} = %c32{{.*}}, %{{.*}} = %c4{{.*}}, %{{.*}} = %c1{{.*}})
// CHECK: %[[PART:.*]] = arith.remui %[[BX]], %[[SPLITS]]
// The split's keys: [part · chunk, min(part · chunk + chunk, end)), the
// causal end at the query's diagonal.
// CHECK: %[[BEGIN:.*]] = arith.muli %[[PART]], %[[CHUNK]]
// CHECK: %[[PAST:.*]] = arith.addi %[[BEGIN]], %[[CHUNK]]
// CHECK: %[[CLIPPED:.*]] = arith.minui %[[PAST]], %{{.*}}
// CHECK: %[[LIMIT:.*]] = arith.maxui %[[CLIPPED]], %[[BEGIN]]
// CHECK: %[[COUNT:.*]] = arith.subi %[[LIMIT]], %[[BEGIN]]
// CHECK: arith.ceildivui %[[COUNT]], %c4
// CHECK: scf.for
// CHECK: gpu.shuffle  xor %{{.*}}, %c16_i32
// Lane 0 stores the split's statistics, stream 0 its accumulator.
// CHECK: memref.store %{{.*}}, %[[STATS]][%{{.*}}, %{{.*}}, %{{.*}}, %[[PART]], %c0{{.*}}]
// CHECK: memref.store %{{.*}}, %[[STATS]][%{{.*}}, %{{.*}}, %{{.*}}, %[[PART]], %c1{{.*}}]
// CHECK: memref.store %{{.*}}, %[[STATS]][%{{.*}}, %{{.*}}, %{{.*}}, %[[PART]], %c2{{.*}}]
// CHECK: memref.store %{{.*}}, %[[ACC]][%{{.*}}, %{{.*}}, %{{.*}}, %[[PART]], %{{.*}}]
// CHECK-NOT: memref.store %{{.*}}, %[[OUT]]
// The merge: a thread per feature of a query, the largest maximum over the
// splits, then their sums and accumulators rescaled to it.
// CHECK: gpu.launch
// CHECK: scf.for %{{.*}} = %{{.*}} to %[[SPLITS]] step %{{.*}} iter_args({{.*}}) -> (f32, f32)
// CHECK: arith.maximumf
// CHECK: scf.for %[[P:.*]] = %{{.*}} to %[[SPLITS]] step %{{.*}} iter_args({{.*}}) -> (f32, f32)
// CHECK: math.exp
// CHECK: memref.load %[[ACC]][%{{.*}}, %{{.*}}, %{{.*}}, %[[P]], %{{.*}}]
// CHECK: math.fma
// CHECK: arith.divf
// CHECK: memref.store %{{.*}}, %[[OUT]]
// One split: one kernel over ((batch row, queries in groups of 4), heads),
// a warp per query in four streams of 8 lanes, each over every fourth key.
// CHECK: } else {
// CHECK: gpu.launch blocks(%[[BX:[a-z0-9]+]], %[[H:[a-z0-9]+]], %{{[a-z0-9]+}}) in (%{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}, %{{.*}} = %c1{{.*}}) threads(%[[LANE:[a-z0-9]+]], %{{.*}}, %{{.*}}) in (%{{.*}} = %c32{{.*}}, %{{.*}} = %c4{{.*}}, %{{.*}} = %c1{{.*}})
// Block x is (batch row, query block).
// CHECK: %[[B:.*]] = arith.divui %[[BX]], %{{.*}} : index
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
