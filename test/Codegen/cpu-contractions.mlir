// RUN: xfmr-opt %s --pass-pipeline='builtin.module(func.func(xfmr-cpu-contractions))' --split-input-file | FileCheck %s
// RUN: xfmr-opt %s --pass-pipeline='builtin.module(func.func(xfmr-cpu-contractions{nc=48 kc=512}))' --split-input-file | FileCheck %s --check-prefix=TILES

// A linear layer after bufferization: zero fill, matmul, bias epilogue. One
// kernel: parallel cache tiles, each packing its block of B panel by panel
// into a buffer on its thread's stack, 8-row register tiles of two 16-lane
// vectors held across the reduction, the bias added before the only store;
// C, its fill and the epilogue are gone.
// CHECK-LABEL: func.func @linear
// CHECK-NOT: linalg.
// CHECK: scf.parallel
// CHECK: %[[PACKED:.*]] = memref.alloca() {alignment = 64 : i64} : memref<1x64x32xf32>
// CHECK: vector.load %arg1
// CHECK: vector.store {{.*}}, %[[PACKED]]
// CHECK: %[[ACC:.*]]:16 = scf.for {{.*}} iter_args({{.*}}) -> (vector<16xf32>, {{.*}})
// CHECK-COUNT-2: vector.load %[[PACKED]]
// CHECK: memref.load %arg0
// CHECK: vector.broadcast
// CHECK-COUNT-2: vector.fma
// CHECK: vector.load %arg2
// CHECK: arith.addf {{.*}} : vector<16xf32>
// CHECK: vector.store {{.*}}, %arg3
// CHECK-NOT: memref.alloc
// CHECK: return
func.func @linear(%a: memref<?x64xf32>, %b: memref<64x32xf32>,
                  %bias: memref<32xf32>, %out: memref<?x32xf32>) {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %m = memref.dim %a, %c0 : memref<?x64xf32>
  %c = memref.alloc(%m) : memref<?x32xf32>
  linalg.fill ins(%zero : f32) outs(%c : memref<?x32xf32>)
  linalg.matmul ins(%a, %b : memref<?x64xf32>, memref<64x32xf32>)
                outs(%c : memref<?x32xf32>)
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>,
                                   affine_map<(i, j) -> (j)>,
                                   affine_map<(i, j) -> (i, j)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%c, %bias : memref<?x32xf32>, memref<32xf32>)
      outs(%out : memref<?x32xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.addf %x, %y : f32
    linalg.yield %s : f32
  }
  memref.dealloc %c : memref<?x32xf32>
  return
}

// -----

// A deep reduction (1024 > 256) runs in blocks that accumulate in C, so C is
// read back and its fill stays; a width of 48 is not a whole number of
// 32-column tiles, so the register tile has one vector per row. The parallel
// loop runs over the column tiles (3 of 16), then the row tiles.
// CHECK-LABEL: func.func @deep
// CHECK: linalg.fill
// CHECK: scf.parallel {{.*}} to (%c3{{.*}}, %{{.*}})
// CHECK: memref.alloca() {{.*}} : memref<1x256x16xf32>
// The options override the shape's choice: one 48-column tile, two blocks
// of 512.
// TILES-LABEL: func.func @deep
// TILES: scf.parallel {{.*}} to (%c1{{.*}}, %{{.*}})
// TILES: scf.for %{{.*}} = %c0{{.*}} to %c512{{.*}} step %c512
// CHECK: vector.load %arg2
// CHECK: scf.for {{.*}} iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK-NOT: linalg.matmul
func.func @deep(%a: memref<?x1024xf32>, %b: memref<1024x48xf32>,
                %c: memref<?x48xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%c : memref<?x48xf32>)
  linalg.matmul ins(%a, %b : memref<?x1024xf32>, memref<1024x48xf32>)
                outs(%c : memref<?x48xf32>)
  return
}

// -----

// Left alone: a width that is not a whole number of vectors (a vocabulary),
// and an epilogue that something between the two ops would invalidate is
// not fused (the store to %r comes first).
// CHECK-LABEL: func.func @odd_width
// CHECK: linalg.matmul
func.func @odd_width(%a: memref<?x32xf32>, %b: memref<32x99xf32>,
                     %c: memref<?x99xf32>) {
  linalg.matmul ins(%a, %b : memref<?x32xf32>, memref<32x99xf32>)
                outs(%c : memref<?x99xf32>)
  return
}

// CHECK-LABEL: func.func @not_across_a_store
// CHECK: scf.parallel
// CHECK: memref.store
// CHECK: linalg.generic
func.func @not_across_a_store(%a: memref<?x32xf32>, %b: memref<32x32xf32>,
                              %r: memref<?x32xf32>, %out: memref<?x32xf32>,
                              %v: f32) {
  %c0 = arith.constant 0 : index
  %m = memref.dim %a, %c0 : memref<?x32xf32>
  %c = memref.alloc(%m) : memref<?x32xf32>
  linalg.matmul ins(%a, %b : memref<?x32xf32>, memref<32x32xf32>)
                outs(%c : memref<?x32xf32>)
  memref.store %v, %r[%c0, %c0] : memref<?x32xf32>
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>,
                                   affine_map<(i, j) -> (i, j)>,
                                   affine_map<(i, j) -> (i, j)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%c, %r : memref<?x32xf32>, memref<?x32xf32>)
      outs(%out : memref<?x32xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.addf %x, %y : f32
    linalg.yield %s : f32
  }
  memref.dealloc %c : memref<?x32xf32>
  return
}

// -----

// Two projections of one layer: CSE left one zero tensor, which bufferization
// copies into each C. The copy is C's zero initialization, so C stays the
// kernel's own: each bias epilogue is fused (no generic left), the copies
// and C go, and the shared zeros with them.
// CHECK-LABEL: func.func @shared_zeros
// CHECK-NOT: memref.copy
// CHECK-NOT: linalg.
// CHECK: scf.parallel
// CHECK: arith.addf {{.*}} : vector<16xf32>
// CHECK: vector.store {{.*}}, %arg3
// CHECK: scf.parallel
// CHECK: arith.addf {{.*}} : vector<16xf32>
// CHECK: vector.store {{.*}}, %arg4
// CHECK-NOT: memref.alloc(
// CHECK: return
func.func @shared_zeros(%a: memref<?x64xf32>, %b: memref<64x32xf32>,
                        %bias: memref<32xf32>, %q: memref<?x32xf32>,
                        %k: memref<?x32xf32>) {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %m = memref.dim %a, %c0 : memref<?x64xf32>
  %zeros = memref.alloc(%m) : memref<?x32xf32>
  linalg.fill ins(%zero : f32) outs(%zeros : memref<?x32xf32>)
  %c1 = memref.alloc(%m) : memref<?x32xf32>
  memref.copy %zeros, %c1 : memref<?x32xf32> to memref<?x32xf32>
  linalg.matmul ins(%a, %b : memref<?x64xf32>, memref<64x32xf32>)
                outs(%c1 : memref<?x32xf32>)
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>,
                                   affine_map<(i, j) -> (j)>,
                                   affine_map<(i, j) -> (i, j)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%c1, %bias : memref<?x32xf32>, memref<32xf32>)
      outs(%q : memref<?x32xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.addf %x, %y : f32
    linalg.yield %s : f32
  }
  memref.dealloc %c1 : memref<?x32xf32>
  %c2 = memref.alloc(%m) : memref<?x32xf32>
  memref.copy %zeros, %c2 : memref<?x32xf32> to memref<?x32xf32>
  linalg.matmul ins(%a, %b : memref<?x64xf32>, memref<64x32xf32>)
                outs(%c2 : memref<?x32xf32>)
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>,
                                   affine_map<(i, j) -> (j)>,
                                   affine_map<(i, j) -> (i, j)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%c2, %bias : memref<?x32xf32>, memref<32xf32>)
      outs(%k : memref<?x32xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.addf %x, %y : f32
    linalg.yield %s : f32
  }
  memref.dealloc %c2 : memref<?x32xf32>
  memref.dealloc %zeros : memref<?x32xf32>
  return
}
