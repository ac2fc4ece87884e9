// RUN: xfmr-opt %s --pass-pipeline='builtin.module(func.func(xfmr-gpu-rows-on-grid-x))' | FileCheck %s

// A tiled loop over [tokens, panels, 32], as the tiling leaves it: the
// columns' tiles first, then the panels and the tokens. The tokens and
// panels become one dimension, first (the x blocks), the columns' tiles
// second; the tile's loop inside is kept.
// CHECK-LABEL: func.func @panels
// CHECK-DAG: %[[T:.*]] = memref.dim %arg0, %c0
// CHECK-DAG: %[[ROWS:.*]] = arith.muli %{{.*}}, %[[T]]
// CHECK: scf.parallel (%[[R:.*]], %[[C:.*]]) = (%{{.*}}, %{{.*}}) to (%[[ROWS]], %{{.*}}) step (%{{.*}}, %{{.*}}) {
// CHECK: %[[TOKEN:.*]] = arith.remsi %[[R]], %[[T]]
// CHECK: %[[PANEL:.*]] = arith.divsi %[[R]], %[[T]]
// CHECK: scf.parallel (%{{.*}}, %{{.*}}, %{{.*}}) = (%c0, %c0, %c0) to (%c32, %c4, %c1) step (%c1, %c1, %c1)
// CHECK: %[[AT:.*]] = arith.addi %[[TOKEN]], %{{.*}}
// CHECK: memref.store %{{.*}}, %arg0[%[[AT]], %{{.*}}, %{{.*}}]
func.func @panels(%x: memref<?x2x32xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  %c32 = arith.constant 32 : index
  %zero = arith.constant 0.0 : f32
  %tokens = memref.dim %x, %c0 : memref<?x2x32xf32>
  scf.parallel (%j0, %p0, %t0) = (%c0, %c0, %c0) to (%c32, %c2, %tokens) step (%c32, %c4, %c1) {
    scf.parallel (%j, %p, %t) = (%c0, %c0, %c0) to (%c32, %c4, %c1) step (%c1, %c1, %c1) {
      %col = arith.addi %j0, %j : index
      %panel = arith.addi %p0, %p : index
      %token = arith.addi %t0, %t : index
      %in = arith.cmpi ult, %panel, %c2 : index
      scf.if %in {
        memref.store %zero, %x[%token, %panel, %col] : memref<?x2x32xf32>
      }
      scf.reduce
    }
    scf.reduce
  }
  return
}

// One dimension: left as it is.
// CHECK-LABEL: func.func @vector
// CHECK: scf.parallel (%{{.*}}) = (%c0) to (%{{.*}}) step (%c32)
func.func @vector(%x: memref<?xf32>) {
  %c0 = arith.constant 0 : index
  %c32 = arith.constant 32 : index
  %zero = arith.constant 0.0 : f32
  %n = memref.dim %x, %c0 : memref<?xf32>
  scf.parallel (%i) = (%c0) to (%n) step (%c32) {
    memref.store %zero, %x[%i] : memref<?xf32>
    scf.reduce
  }
  return
}
