// RUN: xfmr-opt %s --pass-pipeline='builtin.module(func.func(xfmr-strided-copies-as-loops))' | FileCheck %s

// A copy out of a strided view (a token's rows of a batch) becomes
// linalg.copy: memref.copy would lower to a call of memrefCopy.
// CHECK-LABEL: func.func @strided
// CHECK: linalg.copy ins(%{{.*}} : memref<?x1x32xf32, strided<[?, 32, 1], offset: ?>>) outs(%{{.*}} : memref<?x1x32xf32>)
// CHECK-NOT: memref.copy
func.func @strided(%src: memref<?x1x32xf32, strided<[?, 32, 1], offset: ?>>, %dst: memref<?x1x32xf32>) {
  memref.copy %src, %dst : memref<?x1x32xf32, strided<[?, 32, 1], offset: ?>> to memref<?x1x32xf32>
  return
}

// Between identity layouts the copy stays: it lowers to a memcpy.
// CHECK-LABEL: func.func @contiguous
// CHECK: memref.copy %{{.*}}, %{{.*}} : memref<?x32xf32> to memref<?x32xf32>
// CHECK-NOT: linalg.copy
func.func @contiguous(%src: memref<?x32xf32>, %dst: memref<?x32xf32>) {
  memref.copy %src, %dst : memref<?x32xf32> to memref<?x32xf32>
  return
}
