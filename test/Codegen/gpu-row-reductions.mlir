// RUN: xfmr-opt %s --pass-pipeline='builtin.module(func.func(xfmr-gpu-row-reductions,canonicalize))' | FileCheck %s

// A running mean along the rows (its count from linalg.index, as the layer
// norm's statistics): one warp per 32 rows, the rows staged 32 keys at a
// time in shared memory, each lane's fold the op's own body in key order.
// CHECK-LABEL: func.func @running_mean
// CHECK: %[[ROWS:.*]] = memref.dim %arg0, %c0
// CHECK: %[[GRID:.*]] = arith.ceildivui %[[ROWS]], %c32
// CHECK: gpu.launch blocks(%{{.*}}, %{{.*}}, %{{.*}}) in (%{{.*}} = %[[GRID]], %{{.*}} = %c1, %{{.*}} = %c1) threads(%[[LANE:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %c32, %{{.*}} = %c1, %{{.*}} = %c1) workgroup(%[[TILE:.*]] : memref<32x33xf32, #gpu.address_space<workgroup>>)
// The staging: row r of the block, keys base + lane.
// CHECK: scf.for %{{.*}} = %c0 to %{{.*}} step %c1 iter_args(%{{.*}} = %{{.*}}) -> (f32)
// CHECK: scf.for %[[R:.*]] = %c0 to %c32 step %c1
// CHECK: memref.store %{{.*}}, %[[TILE]][%[[R]], %[[LANE]]]
// CHECK: gpu.barrier
// The fold: the lane's row from the block, its position the key's index.
// CHECK: scf.for %[[J:.*]] = %c0 to %{{.*}} step %c1 iter_args
// CHECK: %[[X:.*]] = memref.load %[[TILE]][%[[LANE]], %[[J]]]
// CHECK: arith.index_cast
// CHECK: arith.sitofp
// CHECK: arith.subf %[[X]]
// CHECK: gpu.barrier
// Only lanes of real rows store.
// CHECK: scf.if
// CHECK: memref.store %{{.*}}, %arg1
// CHECK-NOT: linalg.generic
func.func @running_mean(%x: memref<?x100xf32>, %mean: memref<?xf32>) {
  linalg.generic {indexing_maps = [affine_map<(r, k) -> (r, k)>, affine_map<(r, k) -> (r)>],
                  iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<?x100xf32>) outs(%mean : memref<?xf32>) {
  ^bb0(%v: f32, %m: f32):
    %i = linalg.index 1 : index
    %c1 = arith.constant 1 : index
    %n = arith.addi %i, %c1 : index
    %ni = arith.index_cast %n : index to i64
    %nf = arith.sitofp %ni : i64 to f32
    %d = arith.subf %v, %m : f32
    %q = arith.divf %d, %nf : f32
    %s = arith.addf %m, %q : f32
    linalg.yield %s : f32
  }
  return
}

// An operand along the rows but not the keys (the row's maximum) is read
// directly, not staged.
// CHECK-LABEL: func.func @sum_exp
// CHECK: workgroup(%[[TILE:.*]] : memref<32x33xf32, #gpu.address_space<workgroup>>)
// CHECK-NOT: memref<32x33xf32, #gpu.address_space<workgroup>>,
// CHECK: memref.load %arg1[%{{.*}}] : memref<?xf32>
func.func @sum_exp(%x: memref<?x?xf32>, %max: memref<?xf32>, %sum: memref<?xf32>) {
  linalg.generic {indexing_maps = [affine_map<(r, k) -> (r, k)>, affine_map<(r, k) -> (r)>, affine_map<(r, k) -> (r)>],
                  iterator_types = ["parallel", "reduction"]}
      ins(%x, %max : memref<?x?xf32>, memref<?xf32>) outs(%sum : memref<?xf32>) {
  ^bb0(%v: f32, %m: f32, %acc: f32):
    %d = arith.subf %v, %m : f32
    %e = math.exp %d : f32
    %s = arith.addf %acc, %e : f32
    linalg.yield %s : f32
  }
  return
}

// A reduction that is not along the innermost loop is left to the generic
// mapping.
// CHECK-LABEL: func.func @column_sum
// CHECK-NOT: gpu.launch
// CHECK: linalg.generic
func.func @column_sum(%x: memref<?x8xf32>, %sum: memref<8xf32>) {
  linalg.generic {indexing_maps = [affine_map<(k, c) -> (k, c)>, affine_map<(k, c) -> (c)>],
                  iterator_types = ["reduction", "parallel"]}
      ins(%x : memref<?x8xf32>) outs(%sum : memref<8xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %s = arith.addf %acc, %v : f32
    linalg.yield %s : f32
  }
  return
}
