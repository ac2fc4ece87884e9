// RUN: xfmr-opt %s --xfmr-cpu-pipeline -o %t
// RUN: FileCheck %s < %t
// RUN: FileCheck %s --check-prefix=CLEAN < %t
// RUN: xfmr-opt %s --xfmr-optimize-pipeline | FileCheck %s --check-prefix=OPT
// RUN: xfmr-opt %s --xfmr-optimize-pipeline=fuse=false | FileCheck %s --check-prefix=NOFUSE
// RUN: xfmr-opt %s --xfmr-optimize-pipeline --xfmr-to-linalg-pipeline | FileCheck %s --check-prefix=LINALG
// RUN: xfmr-opt %s --xfmr-optimize-pipeline --xfmr-to-linalg-pipeline --xfmr-linalg-to-llvm-pipeline | FileCheck %s
// The block-level ops reach the linalg conversion only through the optimize
// pipeline:
// RUN: not xfmr-opt %s --xfmr-to-linalg-pipeline 2>&1 | FileCheck %s --check-prefix=NODECOMP

xfmr.weight_decl @wte key("wte") : tensor<16x8xf32>
xfmr.weight_decl @wqkvo key("attn.w") : tensor<8x8xf32>
xfmr.weight_decl @bqkvo key("attn.b") : tensor<8xf32>
xfmr.weight_decl @ln_g key("ln.g") : tensor<8xf32>
xfmr.weight_decl @ln_b key("ln.b") : tensor<8xf32>
xfmr.weight_decl @w1 key("ffn.w1") : tensor<16x8xf32>
xfmr.weight_decl @w2 key("ffn.w2") : tensor<8x16xf32>

func.func @encode(%ids: tensor<?x?xi64>, %mask: tensor<?x?xi64>) -> tensor<?x?x8xf32>
    attributes {llvm.emit_c_interface} {
  %wte = xfmr.weight @wte : tensor<16x8xf32>
  %w = xfmr.weight @wqkvo : tensor<8x8xf32>
  %b = xfmr.weight @bqkvo : tensor<8xf32>
  %g = xfmr.weight @ln_g : tensor<8xf32>
  %beta = xfmr.weight @ln_b : tensor<8xf32>
  %w1 = xfmr.weight @w1 : tensor<16x8xf32>
  %w2 = xfmr.weight @w2 : tensor<8x16xf32>
  %e = xfmr.embedding %ids, %wte : tensor<?x?xi64>, tensor<16x8xf32> -> tensor<?x?x8xf32>
  %m = xfmr.padding_mask %mask mask(<fill = neg_inf, fully_masked = zero>) : tensor<?x?xi64> -> tensor<?x1x1x?xf32>
  %a = xfmr.attention %e mask(%m) q(%w, %b) k(%w, %b) v(%w, %b) o(%w, %b)
      {num_heads = 2 : i64, scale = 0.5 : f32, dropout_rate = 0.1 : f32}
      : (tensor<?x?x8xf32>, tensor<?x1x1x?xf32>,
         tensor<8x8xf32>, tensor<8xf32>, tensor<8x8xf32>, tensor<8xf32>,
         tensor<8x8xf32>, tensor<8xf32>, tensor<8x8xf32>, tensor<8xf32>)
      -> tensor<?x?x8xf32>
  %n = xfmr.layer_norm %a, %g, %beta eps(1.0e-5) : tensor<?x?x8xf32>, tensor<8xf32>
  %l1 = func.call @layer(%n, %w1, %w2) : (tensor<?x?x8xf32>, tensor<16x8xf32>, tensor<8x16xf32>) -> tensor<?x?x8xf32>
  %l2 = func.call @layer(%l1, %w1, %w2) : (tensor<?x?x8xf32>, tensor<16x8xf32>, tensor<8x16xf32>) -> tensor<?x?x8xf32>
  return %l2 : tensor<?x?x8xf32>
}

func.func private @layer(%x: tensor<?x?x8xf32>, %w1: tensor<16x8xf32>, %w2: tensor<8x16xf32>) -> tensor<?x?x8xf32> {
  %f = xfmr.ffn gelu %x up(%w1) down(%w2) : tensor<?x?x8xf32>, tensor<16x8xf32>, tensor<8x16xf32> -> tensor<?x?x8xf32>
  %r = xfmr.add %x, %f : tensor<?x?x8xf32>, tensor<?x?x8xf32> -> tensor<?x?x8xf32>
  return %r : tensor<?x?x8xf32>
}

// The whole pipeline ends in the LLVM dialect: the entry point, its C
// interface, the private layer called twice; in the layer, the linears'
// vector kernels (OpenMP regions of 16-lane fused multiply-adds) and erf as
// a polynomial (no libm call).
// CHECK-NOT: @erff
// CHECK-LABEL: llvm.func @encode(
// CHECK-COUNT-2: llvm.call @layer(
// CHECK-NOT: llvm.call @layer(
// CHECK: llvm.return
// CHECK-LABEL: llvm.func @_mlir_ciface_encode(
// CHECK: llvm.call @encode(
// CHECK-LABEL: llvm.func @layer(
// CHECK: omp.parallel
// CHECK: llvm.intr.fmuladd({{.*}}) : (vector<16xf32>, vector<16xf32>, vector<16xf32>) -> vector<16xf32>
// CHECK-NOT: @erff

// Nothing above the LLVM dialect is left anywhere in the module.
// CLEAN-NOT: {{xfmr\.|linalg\.|tensor\.|memref\.|bufferization\.|scf\.|cf\.|arith\.|math\.|func\.func|unrealized_conversion_cast}}
// CLEAN: llvm.func @encode(
// CLEAN-NOT: {{xfmr\.|linalg\.|tensor\.|memref\.|bufferization\.|scf\.|cf\.|arith\.|math\.|func\.func|unrealized_conversion_cast}}

// After the optimize pipeline: primitives only, inverted dropout removed,
// weights still declared; the scale, the padding mask and the softmax fused
// (the mask's fill decides the fully masked policy), the additive mask gone,
// and the two products with the softmax in one fused attention.
// OPT: xfmr.weight_decl @wte
// OPT-LABEL: func.func @encode
// OPT-SAME: %[[MASK:[^:]*]]: tensor<?x?xi64>)
// OPT-NOT: xfmr.padding_mask
// OPT: xfmr.split_heads
// OPT-NOT: xfmr.scale
// OPT-NOT: xfmr.add
// OPT-NOT: xfmr.matmul
// OPT: xfmr.fused_attention {{.*}} key_padding(%[[MASK]] : tensor<?x?xi64>) scale(5.000000e-01) mask(<fill = neg_inf, fully_masked = zero>) : tensor<?x2x?x{{[0-9]+}}xf32>
// OPT-NOT: xfmr.softmax
// OPT-NOT: xfmr.dropout
// OPT: xfmr.merge_heads
// OPT-LABEL: func.func private @layer
// OPT: xfmr.linear
// OPT-NEXT: xfmr.gelu
// OPT-NEXT: xfmr.linear
// OPT-NOT: xfmr.attention
// OPT-NOT: xfmr.ffn

// fuse=false keeps the decomposed chain (what --no-fusion compares against).
// NOFUSE-LABEL: func.func @encode
// NOFUSE: %[[M:.*]] = xfmr.padding_mask %{{.*}} mask(<fill = neg_inf, fully_masked = zero>)
// NOFUSE: %[[S:.*]] = xfmr.matmul {{.*}} transpose_rhs
// NOFUSE-NEXT: %[[SC:.*]] = xfmr.scale %[[S]] by 5.000000e-01
// NOFUSE-NEXT: %[[A:.*]] = xfmr.add %[[SC]], %[[M]]
// NOFUSE-NEXT: xfmr.softmax %[[A]]
// NOFUSE-NOT: xfmr.masked_softmax

// After the linalg pipeline: linalg on tensors, weights as trailing arguments
// of the entry point, no xfmr left.
// LINALG-NOT: xfmr.
// LINALG-LABEL: func.func @encode
// The FFN's up projection (16 outputs) comes in column panels
// [out / 16, in, 16] (xfmr-pack-weights); the down projection's 8 outputs
// make no panel, so it stays as stored.
// LINALG-SAME: (%{{[^:]*}}: tensor<?x?xi64>, %{{[^:]*}}: tensor<?x?xi64>, %{{[^:]*}}: tensor<16x8xf32>, %{{[^:]*}}: tensor<8x8xf32>, %{{[^:]*}}: tensor<8xf32>, %{{[^:]*}}: tensor<8xf32>, %{{[^:]*}}: tensor<8xf32>, %{{[^:]*}}: tensor<1x8x16xf32>, %{{[^:]*}}: tensor<8x16xf32>)
// LINALG-SAME: attributes {llvm.emit_c_interface}
// LINALG: linalg.generic
// LINALG: tensor.extract
// LINALG: linalg.transpose
// LINALG: math.exp
// LINALG: call @layer
// LINALG: call @layer
// LINALG-LABEL: func.func private @layer
// LINALG: math.erf
// LINALG-NOT: xfmr.
// LINALG-NOT: llvm.

// NODECOMP: failed to legalize operation 'xfmr.attention'
