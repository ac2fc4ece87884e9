// RUN: xfmr-opt %s --xfmr-gpu-emulated-binary -split-input-file -verify-diagnostics | FileCheck %s

// A kernel in NVVM moves to the host: its special registers, shuffle,
// barrier and mma.sync become calls through the device table, its shared
// memory a host global, libdevice's exp the C library's and rsqrt a body of
// its own; an exported entry takes cuLaunchKernel's parameters, and the
// gpu.module becomes a gpu.binary whose image names it.

// CHECK-LABEL: module attributes {gpu.container_module}
// CHECK-NOT: gpu.module
// CHECK-DAG: gpu.binary @kernels [#gpu.object<#nvvm.target<chip = "sm_90">, bin = "XFMR-EMULATED-KERNELS\00kernels\00">]
// CHECK-DAG: llvm.mlir.global external @xfmr_emulated_device() {addr_space = 0 : i32} : !llvm.array<5 x ptr>
// CHECK-DAG: llvm.mlir.global internal @kernels__tile() {addr_space = 0 : i32} : !llvm.array<4 x f32>
// CHECK-DAG: llvm.func @expf(f32) -> f32
// CHECK-DAG: llvm.func internal @xfmr_emulated_rsqrtf(%[[X:.*]]: f32) -> f32
module attributes {gpu.container_module} {
  gpu.module @kernels [#nvvm.target<chip = "sm_90">] {
    llvm.mlir.global internal @tile() {addr_space = 3 : i32} : !llvm.array<4 x f32>
    llvm.func @__nv_expf(f32) -> f32
    llvm.func @__nv_rsqrtf(f32) -> f32
    llvm.func @k(%out: !llvm.ptr<1>, %x: f32, %n: i64) attributes {gpu.kernel, nvvm.kernel, nvvm.maxntid = array<i32: 64, 1, 1>} {
      %tid = nvvm.read.ptx.sreg.tid.x : i32
      %ctaid = nvvm.read.ptx.sreg.ctaid.y : i32
      %all = llvm.mlir.constant(-1 : i32) : i32
      %one = llvm.mlir.constant(1 : i32) : i32
      %clamp = llvm.mlir.constant(31 : i32) : i32
      %pair = nvvm.shfl.sync bfly %all, %x, %one, %clamp {return_value_and_is_valid} : f32 -> !llvm.struct<(f32, i1)>
      %partner = llvm.extractvalue %pair[0] : !llvm.struct<(f32, i1)>
      nvvm.barrier0
      %e = llvm.call @__nv_expf(%partner) : (f32) -> f32
      %r = llvm.call @__nv_rsqrtf(%e) : (f32) -> f32
      %tile = llvm.mlir.addressof @tile : !llvm.ptr<3>
      %generic = llvm.addrspacecast %tile : !llvm.ptr<3> to !llvm.ptr
      llvm.store %r, %generic : f32, !llvm.ptr
      %global = llvm.addrspacecast %generic : !llvm.ptr to !llvm.ptr<1>
      llvm.store %r, %out : f32, !llvm.ptr<1>
      llvm.return
    }
    llvm.func @mma(%a0: i32, %a1: i32, %a2: i32, %a3: i32, %b0: i32, %b1: i32, %c0: f32, %c1: f32, %c2: f32, %c3: f32) -> !llvm.struct<(f32, f32, f32, f32)> {
      %d = nvvm.mma.sync A[%a0, %a1, %a2, %a3] B[%b0, %b1] C[%c0, %c1, %c2, %c3]
        {layoutA = #nvvm.mma_layout<row>, layoutB = #nvvm.mma_layout<col>,
         multiplicandAPtxType = #nvvm.mma_type<tf32>, multiplicandBPtxType = #nvvm.mma_type<tf32>,
         shape = #nvvm.shape<m = 16, n = 8, k = 8>} : (i32, i32, f32) -> !llvm.struct<(f32, f32, f32, f32)>
      llvm.return %d : !llvm.struct<(f32, f32, f32, f32)>
    }
  }
}

// CHECK-LABEL: llvm.func internal @kernels__k(
// CHECK-SAME:      %[[OUT:.*]]: !llvm.ptr, %[[XV:.*]]: f32, %{{.*}}: i64)
// CHECK-NOT:       nvvm
// CHECK-SAME:      {
// The thread's x index: slot 0 (specialRegister), register 0 (tid.x).
// CHECK:         %[[TID:.*]] = llvm.mlir.constant(0 : i32) : i32
// CHECK:         %[[TABLE:.*]] = llvm.mlir.addressof @xfmr_emulated_device
// CHECK:         %[[SLOT:.*]] = llvm.getelementptr %[[TABLE]][0, 0]
// CHECK:         %[[READ:.*]] = llvm.load %[[SLOT]] : !llvm.ptr -> !llvm.ptr
// CHECK:         llvm.call %[[READ]](%[[TID]]) : !llvm.ptr, (i32) -> i32
// The block's y index: register 7 (ctaid.y).
// CHECK:         %[[CTAID:.*]] = llvm.mlir.constant(7 : i32) : i32
// CHECK:         llvm.call %{{.*}}(%[[CTAID]]) : !llvm.ptr, (i32) -> i32
// The butterfly shuffle (mode 2) of the value's bits, slot 1; its
// predicate from slot 2.
// CHECK:         %[[BITS:.*]] = llvm.bitcast %[[XV]] : f32 to i32
// CHECK:         %[[MODE:.*]] = llvm.mlir.constant(2 : i32) : i32
// CHECK:         llvm.getelementptr %{{.*}}[0, 1]
// CHECK:         %[[SHUFFLED:.*]] = llvm.call %{{.*}}(%[[MODE]], %{{.*}}, %[[BITS]], %{{.*}}, %{{.*}}) : !llvm.ptr, (i32, i32, i32, i32, i32) -> i32
// CHECK:         llvm.bitcast %[[SHUFFLED]] : i32 to f32
// CHECK:         llvm.getelementptr %{{.*}}[0, 2]
// CHECK:         llvm.insertvalue
// CHECK:         llvm.insertvalue
// The barrier: slot 3.
// CHECK:         llvm.getelementptr %{{.*}}[0, 3]
// CHECK:         llvm.call %{{.*}}() : !llvm.ptr, () -> ()
// CHECK:         llvm.call @expf(
// CHECK:         llvm.call @xfmr_emulated_rsqrtf(
// No casts are left: every pointer is the host's.
// CHECK:         %[[TILE:.*]] = llvm.mlir.addressof @kernels__tile : !llvm.ptr
// CHECK-NEXT:    llvm.store %{{.*}}, %[[TILE]] : f32, !llvm.ptr
// CHECK-NEXT:    llvm.store %{{.*}}, %[[OUT]] : f32, !llvm.ptr
// CHECK-NEXT:    llvm.return

// The TF32 mma.sync: the fragments through memory, slot 4.
// CHECK-LABEL: llvm.func internal @kernels__mma(
// CHECK:         %[[BUFFER:.*]] = llvm.alloca %{{.*}} x f32
// CHECK-COUNT-10: llvm.store
// CHECK:         llvm.getelementptr %{{.*}}[0, 4]
// CHECK:         llvm.call %{{.*}}(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) : !llvm.ptr, (!llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr) -> ()
// CHECK-COUNT-4: llvm.load %{{.*}} : !llvm.ptr -> f32

// The kernel's entry: argument i from params[i].
// CHECK-LABEL: llvm.func @xfmr_emulated_kernel__kernels__k(
// CHECK-SAME:      %[[PARAMS:.*]]: !llvm.ptr)
// CHECK:         %[[P0:.*]] = llvm.getelementptr %[[PARAMS]][0] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK:         %[[A0:.*]] = llvm.load %[[P0]] : !llvm.ptr -> !llvm.ptr
// CHECK:         %[[V0:.*]] = llvm.load %[[A0]] : !llvm.ptr -> !llvm.ptr
// CHECK:         %[[P1:.*]] = llvm.getelementptr %[[PARAMS]][1]
// CHECK:         %[[V1:.*]] = llvm.load %{{.*}} : !llvm.ptr -> f32
// CHECK:         %[[P2:.*]] = llvm.getelementptr %[[PARAMS]][2]
// CHECK:         %[[V2:.*]] = llvm.load %{{.*}} : !llvm.ptr -> i64
// CHECK:         llvm.call @kernels__k(%[[V0]], %[[V1]], %[[V2]])
// CHECK-NOT:   llvm.func @xfmr_emulated_kernel__kernels__mma

// -----

// An NVVM operation the emulator has no model of.
module attributes {gpu.container_module} {
  gpu.module @kernels {
    llvm.func @k() attributes {gpu.kernel, nvvm.kernel} {
      // expected-error @below {{'nvvm.read.ptx.sreg.clock' op cannot be emulated}}
      %c = nvvm.read.ptx.sreg.clock : i32
      llvm.return
    }
  }
}

// -----

// A libdevice function without a host twin.
module attributes {gpu.container_module} {
  gpu.module @kernels {
    // expected-error @below {{cannot be emulated: no host function for the device function @__nv_j0f}}
    llvm.func @__nv_j0f(f32) -> f32
  }
}

// -----

// A barrier of another id than 0 (named barriers): not modeled.
module attributes {gpu.container_module} {
  gpu.module @kernels {
    llvm.func @k() attributes {gpu.kernel, nvvm.kernel} {
      %id = llvm.mlir.constant(1 : i32) : i32
      // expected-error @below {{'nvvm.barrier' op cannot be emulated: only bar.sync 0 is}}
      nvvm.barrier id = %id
      llvm.return
    }
  }
}
