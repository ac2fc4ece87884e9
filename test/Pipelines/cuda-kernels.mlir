// RUN: xfmr-opt %s --convert-xfmr-to-linalg=bias-as-init=true --xfmr-linalg-to-gpu-pipeline | FileCheck %s
// RUN: xfmr-opt %s --convert-xfmr-to-linalg=bias-as-init=true --xfmr-linalg-to-gpu-pipeline=tf32=true | FileCheck %s --check-prefix=TF32

// The kernels of each kind of op on the CUDA target, in the gpu dialect: one
// small function per op, its launches (grid and block) and what the kernel
// does. Elementwise work runs 32 × 4 threads per block over the two inner
// dimensions, x the contiguous one, its rows' tiles on the grid's x and its
// columns' on y; contractions their own tiled kernel; reductions a thread
// per row.

// A linear on column panels, its bias as C's initial value (bias-as-init, as
// the CUDA target lowers it): one kernel, which adds its sums to the bias
// read where it stands (no broadcast, no fill, no epilogue). With at most 8
// rows the skinny kernel (8 warps per 32 columns, their sums added in shared
// memory after a barrier), else the tiled kernel (a 128 × 128 tile of C per
// block of 16 × 16 threads, 8 × 8 each, both operands staged in shared
// memory, a barrier after staging and one after use).
// CHECK-LABEL: func.func @linear(
// CHECK-NOT: gpu.launch_func
// CHECK: scf.if
// CHECK: gpu.launch_func async [%{{[0-9]+}}] @[[GEMV:linear_kernel[_0-9]*]]::@linear_kernel blocks in (%c2, %c1, %c1) threads in (%c32, %c8, %c1) args(%{{.*}}, %arg1 : memref<2x32x32xf32>, %arg2 : memref<64xf32>, %[[C0:alloc[_0-9]*]] : memref<?x2x32xf32>)
// CHECK: } else {
// CHECK: gpu.launch_func async [%{{[0-9]+}}] @[[GEMM:linear_kernel_[0-9]+]]::@linear_kernel blocks in (%c1, %{{.*}}, %c1) threads in (%c16, %c16, %c1) args(%{{.*}}, %arg1 : memref<2x32x32xf32>, %arg2 : memref<64xf32>, %[[C0]] : memref<?x2x32xf32>)
// CHECK: }
// CHECK-NOT: gpu.launch_func
// CHECK: return
// CHECK: gpu.module @[[GEMV]]
// CHECK: gpu.func @linear_kernel(%{{.*}}: memref<?x32xf32>, %{{.*}}: memref<2x32x32xf32>, %{{.*}}: memref<64xf32>, %{{.*}}: memref<?x2x32xf32>) workgroup(%[[PARTIAL:arg[0-9]+]] : memref<8x8x32xf32, #gpu.address_space<workgroup>>) kernel attributes {known_block_size = array<i32: 32, 8, 1>, known_grid_size = array<i32: 2, 1, 1>, nvvm.minctasm = 2 : i32}
// CHECK: scf.for {{.*}} -> (f32, f32, f32, f32, f32, f32, f32, f32)
// CHECK-COUNT-8: memref.store %{{.*}}, %[[PARTIAL]]
// CHECK: gpu.barrier
// CHECK-COUNT-8: memref.load %[[PARTIAL]]
// C[m, p, j] = bias[32 p + j] + the sum.
// CHECK: %[[AT:.*]] = arith.addi %{{.*}}, %{{.*}} : index
// CHECK: %[[BIAS:.*]] = memref.load %{{.*}}[%[[AT]]] : memref<64xf32>
// CHECK: %[[SUM:.*]] = arith.addf %[[BIAS]], %{{.*}} : f32
// CHECK: memref.store %[[SUM]], %{{.*}} : memref<?x2x32xf32>
// CHECK: gpu.module @[[GEMM]]
// CHECK: gpu.func @linear_kernel(%{{.*}}: memref<?x32xf32>, %[[B:arg[0-9]+]]: memref<2x32x32xf32>, %{{.*}}: memref<64xf32>, %[[C:arg[0-9]+]]: memref<?x2x32xf32>) workgroup(%[[AS:arg[0-9]+]] : memref<2x8x132xf32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64}, %[[BS:arg[0-9]+]] : memref<2x8x132xf32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64}) kernel attributes {known_block_size = array<i32: 16, 16, 1>, nvvm.minctasm = 2 : i32}
// CHECK: memref.load %[[B]]
// CHECK: memref.store %{{.*}}, %[[BS]]
// CHECK: gpu.barrier
// CHECK: scf.for {{.*}} -> ([[F64:(f32, ){63}f32]])
// CHECK: memref.load %[[B]]
// CHECK: vector.load %[[AS]]
// CHECK: vector.load %[[BS]]
// CHECK-COUNT-64: math.fma
// CHECK: memref.store %{{.*}}, %[[BS]]
// CHECK: gpu.barrier
// CHECK: memref.store %{{.*}}, %[[C]]
// With tf32, four warps per block, each 2 × 4 mma.sync of 16 × 8 × 8 per
// step of 8, their accumulators vector<2x2xf32> carried across the
// reduction.
// TF32-LABEL: func.func @linear(
// TF32: gpu.launch_func async [%{{[0-9]+}}] @[[GEMM:linear_kernel_[0-9]+]]::@linear_kernel blocks in (%c1, %{{.*}}, %c1) threads in (%c128, %c1, %c1)
// TF32: gpu.module @[[GEMM]]
// TF32: scf.for {{.*}} -> (vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>)
// TF32: vector.from_elements {{.*}} : vector<4x1xf32>
// TF32: vector.from_elements {{.*}} : vector<2x1xf32>
// TF32-COUNT-16: nvgpu.mma.sync({{.*}}) {mmaShape = [16, 8, 8], tf32Enabled} : (vector<4x1xf32>, vector<2x1xf32>, vector<2x2xf32>) -> vector<2x2xf32>
// TF32: gpu.barrier
// TF32: vector.extract %{{.*}}[0, 0] : f32 from vector<2x2xf32>
// TF32-LABEL: func.func @scores(
// The elementwise kernels are the same as without.
// TF32-LABEL: func.func @gelu(
// TF32: threads in (%c32, %c4, %c1)
func.func @linear(%x: tensor<?x?x32xf32>, %w: tensor<2x32x32xf32>, %b: tensor<64xf32>) -> tensor<?x?x64xf32> {
  %0 = xfmr.linear %x, %w, %b : tensor<?x?x32xf32>, tensor<2x32x32xf32>, tensor<64xf32> -> tensor<?x?x64xf32>
  return %0 : tensor<?x?x64xf32>
}

// Attention's scores, batched over (batch, head): K transposed, then the
// tiled kernel with the heads and the batch on the grid's x, with the
// columns' tiles.
// CHECK-LABEL: func.func @scores(
// CHECK: gpu.launch_func async [%{{[0-9]+}}] @{{.*}} threads in (%c32, %c4, %c1) args(%arg1 : memref<?x4x?x8xf32>, {{.*}}%[[KT:alloc[_0-9]*]] : memref<?x4x8x?xf32>)
// CHECK: gpu.launch_func async [%{{[0-9]+}}] @{{.*}} threads in (%c16, %c16, %c1) args(%arg0 : memref<?x4x?x8xf32>, %{{.*}}, %[[KT]] : memref<?x4x8x?xf32>,
func.func @scores(%q: tensor<?x4x?x8xf32>, %k: tensor<?x4x?x8xf32>) -> tensor<?x4x?x?xf32> {
  %0 = xfmr.matmul %q, %k transpose_rhs : tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x?xf32>
  return %0 : tensor<?x4x?x?xf32>
}

// Grouped-query scores read the key heads at head / 2, an expression of the
// batch loops: the same kernels, head and batch from the grid's x.
// CHECK-LABEL: func.func @grouped_scores(
// CHECK: gpu.launch_func async [%{{[0-9]+}}] @{{.*}} threads in (%c16, %c16, %c1) args(%arg0 : memref<?x4x?x8xf32>
// CHECK: gpu.func @grouped_scores_kernel(%{{.*}}: memref<?x4x?x8xf32>, %{{.*}}: index, %{{.*}}: index, %[[KT:arg[0-9]+]]: memref<?x2x8x?xf32>
// CHECK: %[[BATCH:.*]] = arith.divui %block_id_x, %{{.*}}
// CHECK: arith.remui %[[BATCH]], %c4
// CHECK: arith.divsi %{{.*}}, %c2
// CHECK: memref.load %[[KT]][%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}] : memref<?x2x8x?xf32>
func.func @grouped_scores(%q: tensor<?x4x?x8xf32>, %k: tensor<?x2x?x8xf32>) -> tensor<?x4x?x?xf32> {
  %s = xfmr.matmul %q, %k transpose_rhs : tensor<?x4x?x8xf32>, tensor<?x2x?x8xf32> -> tensor<?x4x?x?xf32>
  return %s : tensor<?x4x?x?xf32>
}

// The masked softmax: the row maxima and sums in one online reduction, a warp
// per 32 rows reading the scores and the padding mask through shared memory
// (xfmr-gpu-row-reductions), then the normalization; the exp is arithmetic
// (xfmr-approximate-math: no libdevice).
// CHECK-LABEL: func.func @masked_softmax(
// CHECK-COUNT-3: gpu.launch_func async [%{{[0-9]+}}] @{{masked_softmax_kernel[_0-9]*}}::@masked_softmax_kernel blocks in ({{.*}}) threads in (%c32, %c4, %c1)
// CHECK: gpu.launch_func async [%{{[0-9]+}}] @[[ROWS:masked_softmax_kernel_[0-9]+]]::@masked_softmax_kernel blocks in (%{{.*}}, %c1, %c1) threads in (%c32, %c1, %c1)
// CHECK: gpu.launch_func async [%{{[0-9]+}}] @{{masked_softmax_kernel[_0-9]*}}::@masked_softmax_kernel blocks in ({{.*}}) threads in (%c32, %c4, %c1)
// CHECK-NOT: gpu.launch_func
// CHECK: gpu.module @[[ROWS]]
// CHECK: workgroup(%[[S:.*]] : memref<32x33xf32, #gpu.address_space<workgroup>>, %[[M:.*]] : memref<32x33xi64, #gpu.address_space<workgroup>>)
// CHECK: scf.for {{.*}} -> (f32, f32, f32)
// CHECK: memref.store %{{.*}}, %[[S]][%{{.*}}, %thread_id_x]
// CHECK: memref.store %{{.*}}, %[[M]][%{{.*}}, %thread_id_x]
// CHECK: gpu.barrier
// CHECK: memref.load %[[S]][%thread_id_x, %{{.*}}]
// CHECK: math.floor
// CHECK-NOT: math.exp
// CHECK: gpu.barrier
func.func @masked_softmax(%s: tensor<?x4x?x?xf32>, %m: tensor<?x?xi64>) -> tensor<?x4x?x?xf32> {
  %0 = xfmr.masked_softmax %s key_padding(%m : tensor<?x?xi64>) scale(0.125) mask(<fill = neg_inf, fully_masked = zero>) : tensor<?x4x?x?xf32>
  return %0 : tensor<?x4x?x?xf32>
}

// Residual LayerNorm: the sum (and the bias), the statistics in one Welford
// reduction (the row kernel: its position from the key index), then the
// normalization, x over the features.
// CHECK-LABEL: func.func @residual_layer_norm(
// CHECK: threads in (%c32, %c1, %c1)
// CHECK: gpu.func @residual_layer_norm_kernel({{.*}}) workgroup(%{{.*}} : memref<32x33xf32, #gpu.address_space<workgroup>>)
// CHECK: arith.sitofp
// CHECK: gpu.func @residual_layer_norm_kernel(%{{.*}}: index, %{{.*}}: index, %{{.*}}: index, %[[X:arg[0-9]+]]: memref<?x?x32xf32>, %{{.*}}: memref<?x?xf32>, %{{.*}}: memref<?x?xf32>, %[[G:arg[0-9]+]]: memref<32xf32>
// CHECK: memref.load %[[X]][%{{.*}}, %{{.*}}, %thread_id_x]
// CHECK: memref.load %[[G]][%thread_id_x]
// CHECK: math.sqrt
func.func @residual_layer_norm(%x: tensor<?x?x32xf32>, %r: tensor<?x?x32xf32>, %b: tensor<32xf32>,
                               %g: tensor<32xf32>, %beta: tensor<32xf32>) -> (tensor<?x?x32xf32>, tensor<?x?x32xf32>) {
  %y, %s = xfmr.residual_layer_norm %x, %r bias(%b : tensor<32xf32>), %g, %beta eps(1.0e-12) : tensor<?x?x32xf32>, tensor<32xf32>
  return %y, %s : tensor<?x?x32xf32>, tensor<?x?x32xf32>
}

// CHECK-LABEL: func.func @rms_norm(
// CHECK: gpu.launch_func
// CHECK: threads in (%c32, %c1, %c1)
// CHECK: gpu.launch_func
// CHECK: gpu.module
// CHECK: math.sqrt
func.func @rms_norm(%x: tensor<?x?x48xf32>, %g: tensor<48xf32>) -> tensor<?x?x48xf32> {
  %n = xfmr.rms_norm %x, %g eps(1.0e-6) : tensor<?x?x48xf32>, tensor<48xf32>
  return %n : tensor<?x?x48xf32>
}

// The gather: a row of the table per token, the id an index.
// CHECK-LABEL: func.func @embedding(
// CHECK: gpu.launch_func async [%{{[0-9]+}}] @embedding_kernel::@embedding_kernel blocks in ({{.*}}) threads in (%c32, %c4, %c1)
// CHECK: %[[ID:.*]] = memref.load %{{.*}} : memref<?x?xi64>
// CHECK: %[[ROW:.*]] = arith.index_cast %[[ID]] : i64 to index
// CHECK: memref.load %{{.*}}[%[[ROW]], %thread_id_x] : memref<100x32xf32>
func.func @embedding(%ids: tensor<?x?xi64>, %t: tensor<100x32xf32>) -> tensor<?x?x32xf32> {
  %0 = xfmr.embedding %ids, %t {scale = 2.0 : f32} : tensor<?x?xi64>, tensor<100x32xf32> -> tensor<?x?x32xf32>
  return %0 : tensor<?x?x32xf32>
}

// Rotary positions: the angles in f64 from the positions (libdevice's sin
// and cos once lowered), x over the head's features.
// CHECK-LABEL: func.func @rotary(
// CHECK: gpu.launch_func async [%{{[0-9]+}}] @rotary_kernel::@rotary_kernel blocks in ({{.*}}) threads in (%c32, %c4, %c1)
// CHECK: math.sin %{{.*}} : f64
// CHECK: math.cos %{{.*}} : f64
func.func @rotary(%q: tensor<?x4x?x8xf32>, %p: tensor<?x?xi64>) -> tensor<?x4x?x8xf32> {
  %r = xfmr.rotary %q at(%p) {rotary = #xfmr.rotary<theta = 1.0e+04 : f32, scaling = 2.0 : f32, layout = half_split>} : tensor<?x4x?x8xf32>, tensor<?x?xi64>
  return %r : tensor<?x4x?x8xf32>
}

// CHECK-LABEL: func.func @gelu(
// CHECK: gpu.launch_func async [%{{[0-9]+}}] @gelu_kernel::@gelu_kernel blocks in (%{{.*}}, %c2, %c1) threads in (%c32, %c4, %c1)
// CHECK-NOT: math.erf
func.func @gelu(%x: tensor<?x64xf32>) -> tensor<?x64xf32> {
  %0 = xfmr.gelu %x : tensor<?x64xf32>
  return %0 : tensor<?x64xf32>
}
