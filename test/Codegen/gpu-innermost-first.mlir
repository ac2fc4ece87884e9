// RUN: xfmr-opt %s --pass-pipeline='builtin.module(func.func(xfmr-gpu-innermost-first))' | FileCheck %s

// An outermost parallel loop's dimensions in reverse order, so the mapping
// gives the innermost (contiguous) one to the x threads; the body sees the
// same induction variables.
// CHECK-LABEL: func.func @reversed
// CHECK: scf.parallel (%[[K:.*]], %[[J:.*]], %[[I:.*]]) = (%c0, %c0, %c0) to (%[[NK:.*]], %c8, %[[NI:.*]]) step (%c1, %c1, %c1)
// CHECK: memref.load %arg0[%[[I]], %[[J]], %[[K]]]
// A nested parallel loop keeps its order.
// CHECK: scf.parallel (%[[A:.*]], %[[B:.*]]) = (%c0, %c0) to (%c2, %c3)
// CHECK: memref.store %{{.*}}, %arg1[%[[I]], %[[J]], %[[K]], %[[A]], %[[B]]]
func.func @reversed(%x: memref<?x8x?xf32>, %y: memref<?x8x?x2x3xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c8 = arith.constant 8 : index
  %ni = memref.dim %x, %c0 : memref<?x8x?xf32>
  %nk = memref.dim %x, %c2 : memref<?x8x?xf32>
  scf.parallel (%i, %j, %k) = (%c0, %c0, %c0) to (%ni, %c8, %nk) step (%c1, %c1, %c1) {
    %v = memref.load %x[%i, %j, %k] : memref<?x8x?xf32>
    scf.parallel (%a, %b) = (%c0, %c0) to (%c2, %c3) step (%c1, %c1) {
      memref.store %v, %y[%i, %j, %k, %a, %b] : memref<?x8x?x2x3xf32>
      scf.reduce
    }
    scf.reduce
  }
  return
}

// A one-dimensional loop is left as it is.
// CHECK-LABEL: func.func @single
// CHECK: scf.parallel (%{{.*}}) = (%c0) to (%{{.*}}) step (%c1)
func.func @single(%x: memref<?xf32>, %v: f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = memref.dim %x, %c0 : memref<?xf32>
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    memref.store %v, %x[%i] : memref<?xf32>
    scf.reduce
  }
  return
}
