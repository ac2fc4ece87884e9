// RUN: xfmr-opt %s --xfmr-gpu-async-launches | FileCheck %s

// Launches go to the call's stream without waiting; the host waits before it
// touches memory a kernel may use, once, outside its loops.

module attributes {gpu.container_module} {
  gpu.module @kernels {
    gpu.func @k(%x: memref<?xf32>) kernel {
      gpu.return
    }
  }

  // CHECK-LABEL: func.func @launches
  // CHECK: %[[S0:.*]] = gpu.wait async
  // CHECK-NEXT: gpu.launch_func async [%[[S0]]] @kernels::@k
  // CHECK-NEXT: %[[S1:.*]] = gpu.wait async
  // CHECK-NEXT: gpu.launch_func async [%[[S1]]] @kernels::@k
  // The scan reads an argument: one wait, before the loop.
  // CHECK-NEXT: %[[S2:.*]] = gpu.wait async
  // CHECK-NEXT: gpu.wait [%[[S2]]]
  // CHECK-NEXT: scf.for
  // CHECK-NOT: gpu.wait
  // CHECK: return
  func.func @launches(%x: memref<?xf32>, %n: index) -> f32 {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %zero = arith.constant 0.0 : f32
    gpu.launch_func @kernels::@k blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%x : memref<?xf32>)
    gpu.launch_func @kernels::@k blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%x : memref<?xf32>)
    %sum = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %zero) -> (f32) {
      %v = memref.load %x[%i] : memref<?xf32>
      %s = arith.addf %acc, %v : f32
      scf.yield %s : f32
    }
    return %sum : f32
  }

  // A list only the host uses (the deallocation's) goes on the stack, and
  // the helper that reads it waits for nothing; a buffer a kernel writes is
  // waited for.
  // CHECK-LABEL: func.func @lists
  // CHECK: %[[LIST:.*]] = memref.alloca() : memref<2xindex>
  // CHECK: %[[SHARED:.*]] = memref.alloc() : memref<2xindex>
  // CHECK: gpu.launch_func async
  // CHECK-NOT: gpu.wait [
  // CHECK: memref.store %{{.*}}, %[[LIST]]
  // CHECK: call @helper(%[[LIST]])
  // CHECK: gpu.wait [
  // CHECK-NEXT: memref.store %{{.*}}, %[[SHARED]]
  // CHECK-NOT: memref.dealloc %[[LIST]]
  // CHECK: memref.dealloc %[[SHARED]]
  func.func @lists(%x: memref<?xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %list = memref.alloc() : memref<2xindex>
    %shared = memref.alloc() : memref<2xindex>
    %view = memref.cast %shared : memref<2xindex> to memref<?xindex>
    gpu.launch_func @kernels::@k blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%x : memref<?xf32>)
    memref.store %c1, %list[%c0] : memref<2xindex>
    func.call @helper(%list) : (memref<2xindex>) -> ()
    memref.store %c1, %shared[%c0] : memref<2xindex>
    func.call @uses_kernel(%view) : (memref<?xindex>) -> ()
    memref.dealloc %list : memref<2xindex>
    memref.dealloc %shared : memref<2xindex>
    return
  }

  // CHECK-LABEL: func.func private @helper
  // CHECK-NOT: gpu.wait
  // CHECK: memref.load
  func.func private @helper(%l: memref<2xindex>) {
    %c0 = arith.constant 0 : index
    %v = memref.load %l[%c0] : memref<2xindex>
    return
  }

  func.func private @uses_kernel(%l: memref<?xindex>) {
    %c1 = arith.constant 1 : index
    %x = memref.alloc(%c1) : memref<?xf32>
    gpu.launch_func @kernels::@k blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%x : memref<?xf32>)
    memref.dealloc %x : memref<?xf32>
    return
  }
}
