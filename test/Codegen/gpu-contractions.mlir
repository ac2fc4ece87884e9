// RUN: xfmr-opt %s --pass-pipeline='builtin.module(func.func(xfmr-gpu-contractions,canonicalize))' | FileCheck %s
// RUN: xfmr-opt %s --pass-pipeline='builtin.module(func.func(xfmr-gpu-contractions{tf32=true},canonicalize))' | FileCheck %s --check-prefix=TF32

// A matmul, B's columns contiguous: with at most 8 rows, the skinny kernel
// (N / 32 blocks of 8 warps, the warps' sums added in shared memory after a
// barrier); else the tiled one, N / 128 × M / 128 blocks of 16 × 16
// threads, 8 × 8 elements each, the two staged tiles (8 steps of the
// reduction, two buffers, rows padded to 132) in shared memory: the first
// step staged before the loop, then per step the next step's share read,
// 8 k of four vector loads and 64 fused multiply-adds, the share stored in
// the other buffer and one barrier. With TF32, four warps per 64 × 64 tile.
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
// CHECK: gpu.launch blocks(%{{.*}}, %{{.*}}, %{{.*}}) in (%{{.*}} = %c1, %{{.*}} = %[[GY]], %{{.*}} = %c1) threads(%{{.*}}, %{{.*}}, %{{.*}}) in (%{{.*}} = %c16, %{{.*}} = %c16, %{{.*}} = %c1) workgroup(%[[AS:.*]] : memref<2x8x132xf32, #gpu.address_space<workgroup>>, %[[BS:.*]] : memref<2x8x132xf32, #gpu.address_space<workgroup>>)
// CHECK: memref.store %{{.*}}, %[[AS]][%c0,
// CHECK: gpu.barrier
// CHECK: scf.for
// CHECK: memref.load %arg0
// CHECK: %[[BUF:.*]] = arith.remui %{{.*}}, %c2
// CHECK-COUNT-2: vector.load %[[AS]][%[[BUF]], %c0, %{{.*}}] {alignment = 16 : i64} : memref<2x8x132xf32, #gpu.address_space<workgroup>>, vector<4xf32>
// CHECK-COUNT-2: vector.load %[[BS]][%[[BUF]], %c0, %{{.*}}] {alignment = 16 : i64}
// CHECK-COUNT-64: math.fma
// CHECK: vector.load %[[AS]][%[[BUF]], %c1,
// CHECK-NOT: gpu.barrier
// CHECK: memref.store %{{.*}}, %[[AS]]
// CHECK: gpu.barrier
// CHECK-NEXT: scf.yield
// CHECK-NOT: gpu.barrier
// CHECK-NOT: linalg.matmul
// TF32-LABEL: func.func @matmul
// TF32: threads(%{{.*}}, %{{.*}}, %{{.*}}) in (%{{.*}} = %c32, %{{.*}} = %c8, %{{.*}} = %c1)
// TF32-NOT: nvgpu.mma.sync
// TF32: } else {
// TF32: threads(%{{.*}}, %{{.*}}, %{{.*}}) in (%{{.*}} = %c128, %{{.*}} = %c1, %{{.*}} = %c1) workgroup(%{{.*}} : memref<2x16x68xf32, #gpu.address_space<workgroup>>, %{{.*}} : memref<2x16x68xf32, #gpu.address_space<workgroup>>)
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

// C's initial value written just before: the kernels read it where it comes
// from, and the writer goes. A fill: its value.
// CHECK-LABEL: func.func @filled
// CHECK-NOT: linalg.fill
// CHECK-NOT: memref.load %arg2
// CHECK: memref.store %{{.*}}, %arg2
// CHECK-NOT: memref.load %arg2
// CHECK: return
func.func @filled(%a: memref<?x32xf32>, %b: memref<32x48xf32>, %c: memref<?x48xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%c : memref<?x48xf32>)
  linalg.matmul ins(%a, %b : memref<?x32xf32>, memref<32x48xf32>) outs(%c : memref<?x48xf32>)
  return
}

// A broadcast (a linear's bias as its initial value): its input at its map
// of C's indices.
// CHECK-LABEL: func.func @broadcast
// CHECK-NOT: linalg.generic
// CHECK: gpu.launch
// CHECK: %[[BIAS:.*]] = memref.load %arg2[%{{.*}}] : memref<48xf32>
// CHECK: arith.addf %[[BIAS]], %{{.*}} : f32
func.func @broadcast(%a: memref<?x32xf32>, %b: memref<32x48xf32>, %bias: memref<48xf32>, %c: memref<?x48xf32>) {
  linalg.generic {indexing_maps = [affine_map<(m, n) -> (n)>, affine_map<(m, n) -> (m, n)>], iterator_types = ["parallel", "parallel"]}
      ins(%bias : memref<48xf32>) outs(%c : memref<?x48xf32>) {
  ^bb0(%x: f32, %y: f32):
    linalg.yield %x : f32
  }
  linalg.matmul ins(%a, %b : memref<?x32xf32>, memref<32x48xf32>) outs(%c : memref<?x48xf32>)
  return
}

// One fill shared by two contractions (as CSE leaves it): the first reads a
// copy of it, the second the filled buffer itself. The copy goes; the fill
// stays for the second, which reads C: the contraction between them writes
// memory.
// CHECK-LABEL: func.func @shared_fill
// CHECK: linalg.fill ins(%{{.*}}) outs(%[[Z:.*]] : memref<?x48xf32>)
// CHECK: %[[C:.*]] = memref.alloc
// CHECK-NOT: memref.copy
// CHECK-NOT: memref.load %[[C]]
// CHECK: memref.store %{{.*}}, %[[C]]
// CHECK-NOT: memref.load %[[C]]
// CHECK: %[[OLD:.*]] = memref.load %[[Z]]
// CHECK: arith.addf %[[OLD]], %{{.*}} : f32
func.func @shared_fill(%a: memref<?x32xf32>, %b: memref<32x48xf32>, %n: index) -> (memref<?x48xf32>, memref<?x48xf32>) {
  %zero = arith.constant 0.0 : f32
  %z = memref.alloc(%n) : memref<?x48xf32>
  linalg.fill ins(%zero : f32) outs(%z : memref<?x48xf32>)
  %c = memref.alloc(%n) : memref<?x48xf32>
  memref.copy %z, %c : memref<?x48xf32> to memref<?x48xf32>
  linalg.matmul ins(%a, %b : memref<?x32xf32>, memref<32x48xf32>) outs(%c : memref<?x48xf32>)
  linalg.matmul ins(%a, %b : memref<?x32xf32>, memref<32x48xf32>) outs(%z : memref<?x48xf32>)
  return %c, %z : memref<?x48xf32>, memref<?x48xf32>
}

// A store between the fill and the contraction may write C: the kernels
// read C.
// CHECK-LABEL: func.func @written_between
// CHECK: linalg.fill
// CHECK: memref.store
// CHECK: gpu.launch
// CHECK: %[[OLD:.*]] = memref.load %arg2
// CHECK: arith.addf %[[OLD]], %{{.*}} : f32
func.func @written_between(%a: memref<?x32xf32>, %b: memref<32x48xf32>, %c: memref<?x48xf32>, %alias: memref<?x48xf32>) {
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %c0 = arith.constant 0 : index
  linalg.fill ins(%zero : f32) outs(%c : memref<?x48xf32>)
  memref.store %one, %alias[%c0, %c0] : memref<?x48xf32>
  linalg.matmul ins(%a, %b : memref<?x32xf32>, memref<32x48xf32>) outs(%c : memref<?x48xf32>)
  return
}

// A reduction of 1024 over few blocks: the blocks split it. The skinny
// kernel's 2 blocks of columns take 16 runs of 64 k (grid z), each run its
// partial sums in a buffer of its own; a kernel of a thread per element of
// C then adds them to C in run order, and the buffer goes. The tiled kernel
// splits as its M / 128 blocks allow (into runs of 16 steps at least): its
// results go to C where it is not split, else to the partial sums.
// CHECK-LABEL: func.func @split
// CHECK: scf.if
// CHECK: %[[SKINNY:.*]] = memref.alloc(%{{.*}}) : memref<16x1x?x48xf32>
// CHECK: gpu.launch blocks(%{{.*}}, %{{.*}}, %[[Z:[a-z0-9]+]]) in (%{{.*}} = %c2, %{{.*}} = %c1, %{{.*}} = %c16) threads(%{{.*}}, %[[TY:[a-z0-9]+]], %{{.*}}) in
// CHECK: %[[BEGIN:.*]] = arith.muli %[[Z]], %c64
// CHECK: %[[LIMIT:.*]] = arith.addi %[[BEGIN]], %c64
// CHECK: %[[END:.*]] = arith.minui %[[LIMIT]], %c1024
// CHECK: %[[FIRST:.*]] = arith.addi %[[BEGIN]], %[[TY]]
// CHECK: scf.for %{{.*}} = %[[FIRST]] to %[[END]] step %c8
// CHECK-NOT: memref.store %{{.*}}, %arg2
// CHECK: memref.store %{{.*}}, %[[SKINNY]][%[[Z]], %c0, %[[TY]], %{{.*}}]
// CHECK-NOT: memref.store %{{.*}}, %arg2
// CHECK: gpu.terminator
// CHECK: gpu.launch {{.*}} threads(%{{.*}}) in (%{{.*}} = %c256, %{{.*}} = %c1, %{{.*}} = %c1)
// CHECK: %[[SUM:.*]] = scf.for %[[S:.*]] = %c0 to %c16 step %c1 iter_args
// CHECK: memref.load %[[SKINNY]][%[[S]],
// CHECK: %[[OLD:.*]] = memref.load %arg2
// CHECK: arith.addf %[[OLD]], %[[SUM]]
// CHECK: memref.dealloc %[[SKINNY]]
// CHECK: } else {
// CHECK: %[[SPLIT:.*]] = arith.cmpi ugt, %[[COUNT:.*]], %c1
// CHECK: %[[LEAD:.*]] = arith.select %[[SPLIT]], %[[COUNT]], %c0
// CHECK: %[[TILED:.*]] = memref.alloc(%[[LEAD]], %{{.*}}) : memref<?x1x?x48xf32>
// CHECK: gpu.launch blocks({{.*}}) in (%{{.*}} = %c1, %{{.*}} = %{{.*}}, %{{.*}} = %[[COUNT]])
// CHECK: %[[WHOLE:.*]] = arith.cmpi eq, %[[COUNT]], %c1
// CHECK: scf.if %[[WHOLE]] {
// CHECK: memref.store %{{.*}}, %arg2
// CHECK: } else {
// CHECK: memref.store %{{.*}}, %[[TILED]]
// CHECK: scf.if %[[SPLIT]] {
// CHECK: gpu.launch
// CHECK: memref.load %[[TILED]]
// CHECK: memref.dealloc %[[TILED]]
func.func @split(%a: memref<?x1024xf32>, %b: memref<1024x48xf32>, %c: memref<?x48xf32>) {
  linalg.matmul ins(%a, %b : memref<?x1024xf32>, memref<1024x48xf32>) outs(%c : memref<?x48xf32>)
  return
}
