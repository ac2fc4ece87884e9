// RUN: xfmr-opt %s --pass-pipeline='builtin.module(gpu.module(xfmr-gpu-align-shared-memory))' | FileCheck %s

// A workgroup buffer read or written as vectors gets the largest alignment
// those accesses state; one that has as much already keeps its own, one
// with no vector access none. (The PTX's shared globals and 16-byte loads:
// E2E/cuda-library.test.)
// CHECK-LABEL: gpu.func @tiles
// CHECK-SAME: workgroup(%{{.*}} : memref<2x8x132xf32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64}, %{{.*}} : memref<8xf32, #gpu.address_space<workgroup>> {llvm.align = 8 : i64}, %{{.*}} : memref<4xf32, #gpu.address_space<workgroup>> {llvm.align = 64 : i64}, %{{.*}} : memref<4xf32, #gpu.address_space<workgroup>>)
// CHECK-SAME: kernel
gpu.module @kernels {
  gpu.func @tiles(%i: index, %out: memref<4xf32>)
      workgroup(%a: memref<2x8x132xf32, #gpu.address_space<workgroup>>,
                %b: memref<8xf32, #gpu.address_space<workgroup>>,
                %c: memref<4xf32, #gpu.address_space<workgroup>> {llvm.align = 64 : i64},
                %d: memref<4xf32, #gpu.address_space<workgroup>>) kernel {
    %c0 = arith.constant 0 : index
    %v = vector.load %a[%c0, %i, %i] {alignment = 16 : i64} : memref<2x8x132xf32, #gpu.address_space<workgroup>>, vector<4xf32>
    %w = vector.load %a[%c0, %i, %c0] {alignment = 4 : i64} : memref<2x8x132xf32, #gpu.address_space<workgroup>>, vector<4xf32>
    %x = vector.load %b[%i] {alignment = 8 : i64} : memref<8xf32, #gpu.address_space<workgroup>>, vector<2xf32>
    vector.store %v, %c[%c0] {alignment = 16 : i64} : memref<4xf32, #gpu.address_space<workgroup>>, vector<4xf32>
    %s = memref.load %d[%i] : memref<4xf32, #gpu.address_space<workgroup>>
    vector.store %w, %out[%c0] : memref<4xf32>, vector<4xf32>
    gpu.return
  }
}
