// RUN: xfmr-opt %s --pass-pipeline='builtin.module(func.func(xfmr-cpu-contractions))' --split-input-file | FileCheck %s
// RUN: xfmr-opt %s --pass-pipeline='builtin.module(func.func(xfmr-cpu-contractions{nc=48 kc=512}))' --split-input-file | FileCheck %s --check-prefix=TILES

// A linear layer after bufferization: zero fill, the contraction with the
// weight in column panels [N / 32, K, 32] into C [M, N / 32, 32], then the
// bias epilogue reading C as [M, N]. One kernel: parallel cache tiles,
// 8-row register tiles of two 16-lane vectors held across the reduction,
// each step loading its 32 floats of the panel straight from the weight (no
// copy of B), the bias added before the only store; C, its view, its fill
// and the epilogue are gone. The two panels are two column tiles (as many
// as 8 where the panels allow: they are the parallel work of a few rows); a
// register tile of rows walks its cache tile's panels before the next row
// tile starts.
// CHECK-LABEL: func.func @linear
// CHECK-NOT: linalg.
// CHECK: scf.parallel ({{.*}}) = ({{.*}}) to (%c2, {{.*}})
// CHECK-NOT: memref.alloca
// CHECK: scf.for {{.*}} step %c8
// CHECK-NOT: vector.fma
// CHECK: scf.for {{.*}} = %c0{{.*}} to %c1{{.*}} step %c1
// CHECK: %[[ACC:.*]]:16 = scf.for {{.*}} iter_args({{.*}}) -> (vector<16xf32>, {{.*}})
// CHECK-COUNT-2: vector.load %arg1[{{.*}}] : memref<2x64x32xf32>, vector<16xf32>
// CHECK: memref.load %arg0
// CHECK: vector.broadcast
// CHECK-COUNT-2: vector.fma
// CHECK: vector.load %arg2
// CHECK: arith.addf {{.*}} : vector<16xf32>
// CHECK: vector.store {{.*}}, %arg3
// CHECK-NOT: memref.alloc
// CHECK-NOT: memref.collapse_shape
// CHECK: return
#a = affine_map<(m, p, k, j) -> (m, k)>
#b = affine_map<(m, p, k, j) -> (p, k, j)>
#c = affine_map<(m, p, k, j) -> (m, p, j)>
func.func @linear(%a: memref<?x64xf32>, %b: memref<2x64x32xf32>,
                  %bias: memref<64xf32>, %out: memref<?x64xf32>) {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %m = memref.dim %a, %c0 : memref<?x64xf32>
  %c = memref.alloc(%m) : memref<?x2x32xf32>
  linalg.fill ins(%zero : f32) outs(%c : memref<?x2x32xf32>)
  linalg.generic {indexing_maps = [#a, #b, #c],
                  iterator_types = ["parallel", "parallel", "reduction", "parallel"]}
      ins(%a, %b : memref<?x64xf32>, memref<2x64x32xf32>)
      outs(%c : memref<?x2x32xf32>) {
  ^bb0(%x: f32, %w: f32, %acc: f32):
    %p = arith.mulf %x, %w : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  %rows = memref.collapse_shape %c [[0], [1, 2]] : memref<?x2x32xf32> into memref<?x64xf32>
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>,
                                   affine_map<(i, j) -> (j)>,
                                   affine_map<(i, j) -> (i, j)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%rows, %bias : memref<?x64xf32>, memref<64xf32>)
      outs(%out : memref<?x64xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.addf %x, %y : f32
    linalg.yield %s : f32
  }
  memref.dealloc %c : memref<?x2x32xf32>
  return
}

// -----

// A deep reduction (1024 > 256) runs in blocks that accumulate in C, so C is
// read back and its fill stays; panels of 16 columns (48 is not a multiple
// of 32) give a register tile of one vector per row. The parallel loop runs
// over the column tiles (3 of 16), then the row tiles.
// CHECK-LABEL: func.func @deep
// CHECK: linalg.fill
// CHECK: scf.parallel {{.*}} to (%c3{{.*}}, %{{.*}})
// The options override the shape's choice: one 48-column tile, two blocks
// of 512.
// TILES-LABEL: func.func @deep
// TILES: scf.parallel {{.*}} to (%c1{{.*}}, %{{.*}})
// TILES: scf.for %{{.*}} = %c0{{.*}} to %c512{{.*}} step %c512
// CHECK: vector.load %arg2[{{.*}}] : memref<?x3x16xf32>, vector<16xf32>
// CHECK: scf.for {{.*}} iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK: vector.load %arg1[{{.*}}] : memref<3x1024x16xf32>, vector<16xf32>
// CHECK: vector.store {{.*}}, %arg2[{{.*}}] : memref<?x3x16xf32>, vector<16xf32>
// CHECK-NOT: linalg.generic
#a = affine_map<(m, p, k, j) -> (m, k)>
#b = affine_map<(m, p, k, j) -> (p, k, j)>
#c = affine_map<(m, p, k, j) -> (m, p, j)>
func.func @deep(%a: memref<?x1024xf32>, %b: memref<3x1024x16xf32>,
                %c: memref<?x3x16xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%c : memref<?x3x16xf32>)
  linalg.generic {indexing_maps = [#a, #b, #c],
                  iterator_types = ["parallel", "parallel", "reduction", "parallel"]}
      ins(%a, %b : memref<?x1024xf32>, memref<3x1024x16xf32>)
      outs(%c : memref<?x3x16xf32>) {
  ^bb0(%x: f32, %w: f32, %acc: f32):
    %p = arith.mulf %x, %w : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Left alone: panels narrower than a vector, and a body that is not a
// multiply-accumulate.
// CHECK-LABEL: func.func @narrow_panels
// CHECK: linalg.generic
// CHECK-LABEL: func.func @not_a_contraction
// CHECK: linalg.generic
#a = affine_map<(m, p, k, j) -> (m, k)>
#b = affine_map<(m, p, k, j) -> (p, k, j)>
#c = affine_map<(m, p, k, j) -> (m, p, j)>
func.func @narrow_panels(%a: memref<?x32xf32>, %b: memref<4x32x8xf32>,
                         %c: memref<?x4x8xf32>) {
  linalg.generic {indexing_maps = [#a, #b, #c],
                  iterator_types = ["parallel", "parallel", "reduction", "parallel"]}
      ins(%a, %b : memref<?x32xf32>, memref<4x32x8xf32>)
      outs(%c : memref<?x4x8xf32>) {
  ^bb0(%x: f32, %w: f32, %acc: f32):
    %p = arith.mulf %x, %w : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}
func.func @not_a_contraction(%a: memref<?x32xf32>, %b: memref<1x32x32xf32>,
                             %c: memref<?x1x32xf32>) {
  linalg.generic {indexing_maps = [#a, #b, #c],
                  iterator_types = ["parallel", "parallel", "reduction", "parallel"]}
      ins(%a, %b : memref<?x32xf32>, memref<1x32x32xf32>)
      outs(%c : memref<?x1x32xf32>) {
  ^bb0(%x: f32, %w: f32, %acc: f32):
    %p = arith.mulf %x, %w : f32
    %s = arith.maximumf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// An epilogue that something between the two ops would invalidate is not
// fused (the store to %r comes first).
// CHECK-LABEL: func.func @not_across_a_store
// CHECK: scf.parallel
// CHECK: memref.store
// CHECK: linalg.generic
#a = affine_map<(m, p, k, j) -> (m, k)>
#b = affine_map<(m, p, k, j) -> (p, k, j)>
#c = affine_map<(m, p, k, j) -> (m, p, j)>
func.func @not_across_a_store(%a: memref<?x32xf32>, %b: memref<1x32x32xf32>,
                              %r: memref<?x32xf32>, %out: memref<?x32xf32>,
                              %v: f32) {
  %c0 = arith.constant 0 : index
  %m = memref.dim %a, %c0 : memref<?x32xf32>
  %c = memref.alloc(%m) : memref<?x1x32xf32>
  linalg.generic {indexing_maps = [#a, #b, #c],
                  iterator_types = ["parallel", "parallel", "reduction", "parallel"]}
      ins(%a, %b : memref<?x32xf32>, memref<1x32x32xf32>)
      outs(%c : memref<?x1x32xf32>) {
  ^bb0(%x: f32, %w: f32, %acc: f32):
    %p = arith.mulf %x, %w : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  %rows = memref.collapse_shape %c [[0], [1, 2]] : memref<?x1x32xf32> into memref<?x32xf32>
  memref.store %v, %r[%c0, %c0] : memref<?x32xf32>
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>,
                                   affine_map<(i, j) -> (i, j)>,
                                   affine_map<(i, j) -> (i, j)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%rows, %r : memref<?x32xf32>, memref<?x32xf32>)
      outs(%out : memref<?x32xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.addf %x, %y : f32
    linalg.yield %s : f32
  }
  memref.dealloc %c : memref<?x1x32xf32>
  return
}

// -----

// Three projections of one layer: CSE left one zero tensor; bufferization
// copies it into the first two Cs and the third accumulates into it, after
// the copies. Each copy is its C's zero initialization, and the zeros are
// the third C's: every C stays its kernel's own, each bias epilogue is
// fused (no generic left), the copies and the Cs go, the shared zeros last.
// CHECK-LABEL: func.func @shared_zeros
// CHECK-NOT: memref.copy
// CHECK-NOT: linalg.
// CHECK: scf.parallel
// CHECK: arith.addf {{.*}} : vector<16xf32>
// CHECK: vector.store {{.*}}, %arg3
// CHECK: scf.parallel
// CHECK: arith.addf {{.*}} : vector<16xf32>
// CHECK: vector.store {{.*}}, %arg4
// CHECK: scf.parallel
// CHECK: arith.addf {{.*}} : vector<16xf32>
// CHECK: vector.store {{.*}}, %arg5
// CHECK-NOT: memref.alloc(
// CHECK-NOT: linalg.
// CHECK: return
#a = affine_map<(m, p, k, j) -> (m, k)>
#b = affine_map<(m, p, k, j) -> (p, k, j)>
#c = affine_map<(m, p, k, j) -> (m, p, j)>
#id = affine_map<(i, j) -> (i, j)>
#bias = affine_map<(i, j) -> (j)>
func.func @shared_zeros(%a: memref<?x64xf32>, %b: memref<1x64x32xf32>,
                        %bias: memref<32xf32>, %q: memref<?x32xf32>,
                        %k: memref<?x32xf32>, %v: memref<?x32xf32>) {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %m = memref.dim %a, %c0 : memref<?x64xf32>
  %zeros = memref.alloc(%m) : memref<?x1x32xf32>
  linalg.fill ins(%zero : f32) outs(%zeros : memref<?x1x32xf32>)
  %c1 = memref.alloc(%m) : memref<?x1x32xf32>
  memref.copy %zeros, %c1 : memref<?x1x32xf32> to memref<?x1x32xf32>
  linalg.generic {indexing_maps = [#a, #b, #c],
                  iterator_types = ["parallel", "parallel", "reduction", "parallel"]}
      ins(%a, %b : memref<?x64xf32>, memref<1x64x32xf32>)
      outs(%c1 : memref<?x1x32xf32>) {
  ^bb0(%x: f32, %w: f32, %acc: f32):
    %p = arith.mulf %x, %w : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  %rows1 = memref.collapse_shape %c1 [[0], [1, 2]] : memref<?x1x32xf32> into memref<?x32xf32>
  linalg.generic {indexing_maps = [#id, #bias, #id],
                  iterator_types = ["parallel", "parallel"]}
      ins(%rows1, %bias : memref<?x32xf32>, memref<32xf32>)
      outs(%q : memref<?x32xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.addf %x, %y : f32
    linalg.yield %s : f32
  }
  memref.dealloc %c1 : memref<?x1x32xf32>
  %c2 = memref.alloc(%m) : memref<?x1x32xf32>
  memref.copy %zeros, %c2 : memref<?x1x32xf32> to memref<?x1x32xf32>
  linalg.generic {indexing_maps = [#a, #b, #c],
                  iterator_types = ["parallel", "parallel", "reduction", "parallel"]}
      ins(%a, %b : memref<?x64xf32>, memref<1x64x32xf32>)
      outs(%c2 : memref<?x1x32xf32>) {
  ^bb0(%x: f32, %w: f32, %acc: f32):
    %p = arith.mulf %x, %w : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  %rows2 = memref.collapse_shape %c2 [[0], [1, 2]] : memref<?x1x32xf32> into memref<?x32xf32>
  linalg.generic {indexing_maps = [#id, #bias, #id],
                  iterator_types = ["parallel", "parallel"]}
      ins(%rows2, %bias : memref<?x32xf32>, memref<32xf32>)
      outs(%k : memref<?x32xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.addf %x, %y : f32
    linalg.yield %s : f32
  }
  memref.dealloc %c2 : memref<?x1x32xf32>
  linalg.generic {indexing_maps = [#a, #b, #c],
                  iterator_types = ["parallel", "parallel", "reduction", "parallel"]}
      ins(%a, %b : memref<?x64xf32>, memref<1x64x32xf32>)
      outs(%zeros : memref<?x1x32xf32>) {
  ^bb0(%x: f32, %w: f32, %acc: f32):
    %p = arith.mulf %x, %w : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  %rows3 = memref.collapse_shape %zeros [[0], [1, 2]] : memref<?x1x32xf32> into memref<?x32xf32>
  linalg.generic {indexing_maps = [#id, #bias, #id],
                  iterator_types = ["parallel", "parallel"]}
      ins(%rows3, %bias : memref<?x32xf32>, memref<32xf32>)
      outs(%v : memref<?x32xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.addf %x, %y : f32
    linalg.yield %s : f32
  }
  memref.dealloc %zeros : memref<?x1x32xf32>
  return
}
