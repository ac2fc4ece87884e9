// REQUIRES: cuda-toolkit
// RUN: xfmr-opt %s --convert-xfmr-to-linalg --xfmr-linalg-to-gpu-pipeline \
// RUN:   --xfmr-gpu-to-llvm-pipeline='cuda-arch=sm_90 binary-format=isa' | FileCheck %s
// RUN: xfmr-opt %s --convert-xfmr-to-linalg --xfmr-linalg-to-gpu-pipeline \
// RUN:   --xfmr-gpu-to-llvm-pipeline='cuda-arch=sm_80 binary-format=isa' | FileCheck %s --check-prefix=SM80
// RUN: xfmr-opt %s --convert-xfmr-to-linalg --xfmr-linalg-to-gpu-pipeline=tf32=true \
// RUN:   --xfmr-gpu-to-llvm-pipeline='cuda-arch=sm_80 binary-format=isa' | FileCheck %s --check-prefix=TF32

// The kernels through NVVM to PTX (gpu.binary in the PTX form, `isa`) and
// the host code that launches them, in the LLVM dialect.

// The host: an LLVM function that launches the kernels of its gpu.binary
// modules, each PTX 8.0 for the chosen architecture, libdevice linked in.
// The contraction's skinny kernel (at most 8 rows) has the warps' sums in
// shared memory, the tiled one its two tiles; both barriers and fused
// multiply-adds, and only the tiled one mma.sync with TF32.
// CHECK-LABEL: llvm.func @linear(
// CHECK: gpu.launch_func <%{{.*}} : !llvm.ptr> @linear_kernel::@linear_kernel blocks in ({{.*}}) threads in ({{.*}}) : i64 args(
// CHECK: gpu.launch_func <%{{.*}} : !llvm.ptr> @linear_kernel_0::@linear_kernel blocks in ({{.*}}) threads in ({{.*}}) : i64 args(
// CHECK: gpu.binary @linear_kernel [#gpu.object<#nvvm.target<O = 3, chip = "sm_90", features = "+ptx80", link = ["{{.*}}libdevice.10.bc"]>
// CHECK-SAME: .version 8.0
// CHECK-SAME: .target sm_90
// CHECK-SAME: .maxntid 32, 8, 1
// CHECK-SAME: .shared .align 4 .b8 __wg_linear_kernel_0[8192];
// CHECK-SAME: fma.rn.f32
// CHECK-SAME: bar.sync
// CHECK: gpu.binary @linear_kernel_0 [#gpu.object<#nvvm.target<O = 3, chip = "sm_90", features = "+ptx80", link = ["{{.*}}libdevice.10.bc"]>
// CHECK-SAME: .maxntid 16, 16, 1
// CHECK-SAME: .minnctapersm 2
// CHECK-SAME: .shared .align 16 .b8 __wg_linear_kernel_{{[01]}}[8448];
// CHECK-SAME: bar.sync
// CHECK-SAME: ld.shared.v4.b32
// CHECK-SAME: fma.rn.f32
// SM80: gpu.binary @linear_kernel [#gpu.object<#nvvm.target<O = 3, chip = "sm_80"
// SM80-SAME: .target sm_80
// SM80-NOT: mma.sync
// TF32: gpu.binary @linear_kernel
// TF32-NOT: mma.sync
// TF32: gpu.binary @linear_kernel_0
// TF32-SAME: mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32

// The softmax's exp is arithmetic, so its PTX calls nothing; rotary
// positions' f64 sin and cos come from libdevice, linked in: its PTX calls
// nothing outside itself either.
// CHECK-LABEL: llvm.func @masked_softmax(
// CHECK: gpu.binary @masked_softmax_kernel_5
// CHECK-NOT: .extern
// CHECK-SAME: ">]
// CHECK-LABEL: llvm.func @rotary(
// CHECK: gpu.binary @rotary_kernel
// CHECK-NOT: .extern
// CHECK-SAME: .entry rotary_kernel
// CHECK-NOT: .extern
// CHECK-SAME: ">]

func.func @linear(%x: tensor<?x?x32xf32>, %w: tensor<2x32x32xf32>, %b: tensor<64xf32>) -> tensor<?x?x64xf32> {
  %0 = xfmr.linear %x, %w, %b : tensor<?x?x32xf32>, tensor<2x32x32xf32>, tensor<64xf32> -> tensor<?x?x64xf32>
  return %0 : tensor<?x?x64xf32>
}
func.func @masked_softmax(%s: tensor<?x4x?x?xf32>, %m: tensor<?x?xi64>) -> tensor<?x4x?x?xf32> {
  %0 = xfmr.masked_softmax %s key_padding(%m : tensor<?x?xi64>) scale(0.125) mask(<fill = neg_inf, fully_masked = zero>) : tensor<?x4x?x?xf32>
  return %0 : tensor<?x4x?x?xf32>
}
func.func @rotary(%q: tensor<?x4x?x8xf32>, %p: tensor<?x?xi64>) -> tensor<?x4x?x8xf32> {
  %r = xfmr.rotary %q at(%p) {rotary = #xfmr.rotary<theta = 1.0e+04 : f32, scaling = 2.0 : f32, layout = half_split>} : tensor<?x4x?x8xf32>, tensor<?x?xi64>
  return %r : tensor<?x4x?x8xf32>
}
