// RUN: xfmr-opt %s --pass-pipeline='builtin.module(func.func(xfmr-gpu-check-host-code))' --split-input-file --verify-diagnostics

// Kernels, and the sequential scans over the mask between them, are what
// the host of a CUDA library runs: nothing to report.
func.func @mapped(%m: memref<?xi64>, %x: memref<?xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0 : i64
  %count = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %zero) -> (i64) {
    %v = memref.load %m[%i] : memref<?xi64>
    %s = arith.addi %acc, %v : i64
    scf.yield %s : i64
  }
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %n, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    // A parallel loop inside a kernel runs in each thread.
    scf.parallel (%j) = (%c0) to (%c1) step (%c1) {
      %f = arith.constant 1.0 : f32
      memref.store %f, %x[%bx] : memref<?xf32>
      scf.reduce
    }
    gpu.terminator
  }
  return
}

// -----

// A parallel loop the mapping left on the host is an error, not a slow
// library.
func.func @parallel_on_host(%x: memref<?xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  // expected-error @+1 {{computation left on the host}}
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    %f = arith.constant 1.0 : f32
    memref.store %f, %x[%i] : memref<?xf32>
    scf.reduce
  }
  return
}

// -----

func.func @linalg_on_host(%a: memref<?xf32>, %b: memref<?xf32>) {
  // expected-error @+1 {{computation left on the host}}
  linalg.copy ins(%a : memref<?xf32>) outs(%b : memref<?xf32>)
  return
}

// -----

// The device cannot reach the host's stack or its globals.
memref.global "private" constant @table : memref<4xf32> = dense<1.0>
func.func @host_memory_in_kernel(%x: memref<4xf32>) {
  %c1 = arith.constant 1 : index
  %stack = memref.alloca() : memref<4xf32>
  %table = memref.get_global @table : memref<4xf32>
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    // expected-error @+1 {{a kernel reads or writes host memory (memref.alloca)}}
    %a = memref.load %stack[%tx] : memref<4xf32>
    // expected-error @+1 {{a kernel reads or writes host memory (memref.get_global)}}
    %b = memref.load %table[%tx] : memref<4xf32>
    %s = arith.addf %a, %b : f32
    memref.store %s, %x[%tx] : memref<4xf32>
    gpu.terminator
  }
  return
}
