// RUN: xfmr-opt %s --pass-pipeline='builtin.module(func.func(xfmr-expand-shape-to-cast))' | FileCheck %s

// [batch·seq, 32] rows viewed as [batch, seq, 4, 8]: the same memory with
// row-major strides (seq·32, 32, 8, 1).
// CHECK-LABEL: func.func @heads
// CHECK-SAME: (%[[SRC:.*]]: memref<?x32xf32>, %[[B:.*]]: index, %[[S:.*]]: index)
// CHECK: %[[STRIDE:.*]] = arith.muli %[[S]], %c32
// CHECK: memref.reinterpret_cast %[[SRC]] to offset: [0], sizes: [%[[B]], %[[S]], 4, 8], strides: [%[[STRIDE]], 32, 8, 1]
// CHECK-NOT: memref.expand_shape
func.func @heads(%src: memref<?x32xf32>, %b: index, %s: index) -> memref<?x?x4x8xf32> {
  %e = memref.expand_shape %src [[0, 1], [2, 3]] output_shape [%b, %s, 4, 8]
      : memref<?x32xf32> into memref<?x?x4x8xf32>
  return %e : memref<?x?x4x8xf32>
}

// A strided source is left to expand-strided-metadata.
// CHECK-LABEL: func.func @strided
// CHECK: memref.expand_shape
func.func @strided(%src: memref<?x32xf32, strided<[64, 1]>>, %b: index, %s: index)
    -> memref<?x?x32xf32, strided<[?, 64, 1]>> {
  %e = memref.expand_shape %src [[0, 1], [2]] output_shape [%b, %s, 32]
      : memref<?x32xf32, strided<[64, 1]>> into memref<?x?x32xf32, strided<[?, 64, 1]>>
  return %e : memref<?x?x32xf32, strided<[?, 64, 1]>>
}
