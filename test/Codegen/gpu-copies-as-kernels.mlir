// RUN: xfmr-opt %s --pass-pipeline='builtin.module(func.func(xfmr-gpu-copies-as-kernels))' | FileCheck %s

// On the CUDA target every copy becomes linalg.copy, which is mapped to a
// kernel with the other linalg ops: between identity layouts (a layer's
// output into the caller's buffer) as well as out of a strided view (the
// new tokens' slots of a K/V cache).
// CHECK-LABEL: func.func @contiguous
// CHECK: linalg.copy ins(%{{.*}} : memref<?x32xf32>) outs(%{{.*}} : memref<?x32xf32>)
// CHECK-NOT: memref.copy
func.func @contiguous(%src: memref<?x32xf32>, %dst: memref<?x32xf32>) {
  memref.copy %src, %dst : memref<?x32xf32> to memref<?x32xf32>
  return
}

// CHECK-LABEL: func.func @into_cache_slots
// CHECK: linalg.copy ins(%{{.*}} : memref<?x2x?x8xf32>) outs(%{{.*}} : memref<?x2x?x8xf32, strided<[?, ?, 8, 1], offset: ?>>)
// CHECK-NOT: memref.copy
func.func @into_cache_slots(%new: memref<?x2x?x8xf32>, %slots: memref<?x2x?x8xf32, strided<[?, ?, 8, 1], offset: ?>>) {
  memref.copy %new, %slots : memref<?x2x?x8xf32> to memref<?x2x?x8xf32, strided<[?, ?, 8, 1], offset: ?>>
  return
}
