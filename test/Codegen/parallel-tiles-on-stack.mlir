// RUN: xfmr-opt %s --allow-unregistered-dialect --pass-pipeline='builtin.module(func.func(xfmr-parallel-tiles-on-stack))' | FileCheck %s

// The small static buffers of the body, also those of its inner loop, are
// allocated once per iteration on the stack, first thing in the body (an
// allocation scope, which ends with the iteration); the large and the
// dynamic one stay heap buffers.
// CHECK-LABEL: func.func @tiles
// CHECK: scf.forall
// CHECK-NEXT: memref.alloca() {alignment = 64 : i64} : memref<32xf32>
// CHECK-NEXT: memref.alloca() {alignment = 64 : i64} : memref<16x8xf32>
// CHECK: memref.alloc() : memref<128x64xf32>
// CHECK: memref.alloc(%{{.*}}) : memref<?xf32>
// CHECK: scf.for
// CHECK-NOT: memref.alloca
// CHECK: "test.use"
func.func @tiles(%n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.forall (%i) in (4) {
    %t = memref.alloc() {alignment = 64 : i64} : memref<16x8xf32>
    %big = memref.alloc() : memref<128x64xf32>
    %dyn = memref.alloc(%n) : memref<?xf32>
    scf.for %k = %c0 to %n step %c1 {
      %s = memref.alloc() {alignment = 64 : i64} : memref<32xf32>
      "test.use"(%t, %s, %big, %dyn) : (memref<16x8xf32>, memref<32xf32>, memref<128x64xf32>, memref<?xf32>) -> ()
    }
  }
  return
}
