// RUN: xfmr-opt %s --pass-pipeline='builtin.module(func.func(xfmr-gpu-contractions,canonicalize))' | FileCheck %s
// RUN: xfmr-opt %s --pass-pipeline='builtin.module(func.func(xfmr-gpu-contractions{tf32=true},canonicalize))' | FileCheck %s --check-prefix=TF32

// A matmul, B's columns contiguous: with at most 8 rows, the skinny kernel
// (N / 32 blocks of 8 warps, the warps' sums added in shared memory after a
// barrier); else the tiled one, N / 128 × M / 128 blocks of 16 × 16
// threads, 8 × 8 elements each, the two staged tiles (8 steps of the
// reduction) in shared memory. With TF32, four warps per 64 × 64 tile.
// CHECK-LABEL: func.func @matmul
// CHECK: %[[M:.*]] = memref.dim %arg0, %c0
// CHECK: %[[FEW:.*]] = arith.cmpi ule, %[[M]], %c8
// CHECK: scf.if %[[FEW]] {
// CHECK: gpu.launch blocks(%{{.*}}, %{{.*}}, %{{.*}}) in (%{{.*}} = %c2, %{{.*}} = %c1, %{{.*}} = %c1) threads(%{{[a-z0-9]+}}, %[[TY:[a-z0-9]+]], %{{[a-z0-9]+}}) in (%{{.*}} = %c32, %{{.*}} = %c8, %{{.*}} = %c1) workgroup(%{{.*}} : memref<8x8x32xf32, #gpu.address_space<workgroup>>)
// CHECK: scf.for %{{.*}} = %[[TY]] to %c32 step %c8
// CHECK-COUNT-8: math.fma
// CHECK: gpu.barrier
// CHECK-NOT: gpu.barrier
// CHECK: } else {
// CHECK: %[[GY:.*]] = arith.ceildivui %[[M]], %c128
// CHECK: gpu.launch blocks(%{{.*}}, %{{.*}}, %{{.*}}) in (%{{.*}} = %c1, %{{.*}} = %[[GY]], %{{.*}} = %c1) threads(%{{.*}}, %{{.*}}, %{{.*}}) in (%{{.*}} = %c16, %{{.*}} = %c16, %{{.*}} = %c1) workgroup(%{{.*}} : memref<8x128xf32, #gpu.address_space<workgroup>>, %{{.*}} : memref<8x128xf32, #gpu.address_space<workgroup>>)
// CHECK: gpu.barrier
// CHECK-COUNT-64: math.fma
// CHECK: gpu.barrier
// CHECK-NOT: linalg.matmul
// TF32-LABEL: func.func @matmul
// TF32: threads(%{{.*}}, %{{.*}}, %{{.*}}) in (%{{.*}} = %c32, %{{.*}} = %c8, %{{.*}} = %c1)
// TF32-NOT: nvgpu.mma.sync
// TF32: } else {
// TF32: threads(%{{.*}}, %{{.*}}, %{{.*}}) in (%{{.*}} = %c128, %{{.*}} = %c1, %{{.*}} = %c1) workgroup(%{{.*}} : memref<16x64xf32, #gpu.address_space<workgroup>>, %{{.*}} : memref<16x64xf32, #gpu.address_space<workgroup>>)
// TF32: nvgpu.mma.sync
func.func @matmul(%a: memref<?x32xf32>, %b: memref<32x48xf32>, %c: memref<?x48xf32>) {
  linalg.matmul ins(%a, %b : memref<?x32xf32>, memref<32x48xf32>) outs(%c : memref<?x48xf32>)
  return
}

// B read along k (its rows contiguous, as attention's keys): the tiled
// kernel alone.
// CHECK-LABEL: func.func @rows_of_b
// CHECK-NOT: scf.if
// CHECK: gpu.launch
// CHECK-SAME: threads(%{{.*}}, %{{.*}}, %{{.*}}) in (%{{.*}} = %c16, %{{.*}} = %c16, %{{.*}} = %c1)
// CHECK-NOT: gpu.launch
func.func @rows_of_b(%a: memref<?x32xf32>, %b: memref<48x32xf32>, %c: memref<?x48xf32>) {
  linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
      ins(%a, %b : memref<?x32xf32>, memref<48x32xf32>) outs(%c : memref<?x48xf32>)
  return
}

// B read at a quotient of an m loop (not of a batch loop): one block's rows
// would need different rows of B. Left to the generic mapping.
// CHECK-LABEL: func.func @quotient_of_m
// CHECK-NOT: gpu.launch
// CHECK: linalg.generic
func.func @quotient_of_m(%a: memref<8x32xf32>, %b: memref<4x32x16xf32>, %c: memref<8x16xf32>) {
  linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (m floordiv 2, k, n)>, affine_map<(m, n, k) -> (m, n)>],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<8x32xf32>, memref<4x32x16xf32>) outs(%c : memref<8x16xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// Not a multiply-add: left alone.
// CHECK-LABEL: func.func @max_plus
// CHECK-NOT: gpu.launch
// CHECK: linalg.generic
func.func @max_plus(%a: memref<8x32xf32>, %b: memref<32x16xf32>, %c: memref<8x16xf32>) {
  linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<8x32xf32>, memref<32x16xf32>) outs(%c : memref<8x16xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.addf %x, %y : f32
    %s = arith.maximumf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}
