// RUN: xfmr-opt %s --pass-pipeline='builtin.module(gpu.module(xfmr-gpu-min-blocks-per-sm))' | FileCheck %s

// At least 16 warps per SM: a block of 256 threads, 2 blocks; of 96
// threads, ceil(512 / 96) = 6; 512 threads or more need no bound; a
// kernel with its own bound, or no known block size, is left as it is.
// CHECK-LABEL: gpu.func @tiles() kernel attributes {known_block_size = array<i32: 16, 16, 1>, nvvm.minctasm = 2 : i32}
// CHECK-LABEL: gpu.func @rows() kernel attributes {known_block_size = array<i32: 32, 3, 1>, nvvm.minctasm = 6 : i32}
// CHECK-LABEL: gpu.func @wide() kernel attributes {known_block_size = array<i32: 512, 1, 1>} {
// CHECK-LABEL: gpu.func @own() kernel attributes {known_block_size = array<i32: 32, 1, 1>, nvvm.minctasm = 1 : i32}
// CHECK-LABEL: gpu.func @unknown() kernel {
gpu.module @kernels {
  gpu.func @tiles() kernel attributes {known_block_size = array<i32: 16, 16, 1>} {
    gpu.return
  }
  gpu.func @rows() kernel attributes {known_block_size = array<i32: 32, 3, 1>} {
    gpu.return
  }
  gpu.func @wide() kernel attributes {known_block_size = array<i32: 512, 1, 1>} {
    gpu.return
  }
  gpu.func @own() kernel attributes {known_block_size = array<i32: 32, 1, 1>, nvvm.minctasm = 1 : i32} {
    gpu.return
  }
  gpu.func @unknown() kernel {
    gpu.return
  }
}
