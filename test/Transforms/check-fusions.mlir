// The report: one remark on the module with the fused ops and the places where
// a fusion's pattern is still there.
// RUN: xfmr-opt %s --xfmr-check-fusions="report=true" -verify-diagnostics -o /dev/null
// (xfmr-opt points out the expected-remark line below as not produced when
// run without -verify-diagnostics; the FileCheck runs ignore that line.)
// Without options the pass says nothing and changes nothing.
// RUN: xfmr-opt %s --xfmr-check-fusions 2>&1 | FileCheck %s --check-prefix=QUIET
// QUIET-NOT: remark: fusions
// QUIET-NOT: error: required
// QUIET: xfmr.masked_softmax
// QUIET: xfmr.softmax

// A required fusion is an error at each place where it did not fire, and
// only there; the other fusion's places are not errors.
// RUN: not xfmr-opt %s --xfmr-check-fusions="require=masked-softmax" -o /dev/null 2>&1 \
// RUN:   | FileCheck %s --check-prefix=SOFTMAX --implicit-check-not="error: required"
// RUN: not xfmr-opt %s --xfmr-check-fusions="require=residual-layernorm" -o /dev/null 2>&1 \
// RUN:   | FileCheck %s --check-prefix=NORM --implicit-check-not="error: required"
// RUN: not xfmr-opt %s --xfmr-check-fusions="require=masked-softmax,residual-layernorm" -o /dev/null 2>&1 \
// RUN:   | FileCheck %s --check-prefixes=SOFTMAX,NORM --implicit-check-not="error: required"

// After the fusions every place is fused: the requirement holds (exit 0) and
// the report counts them all.
// RUN: xfmr-opt %s --xfmr-fuse-masked-softmax --xfmr-fuse-residual-layernorm \
// RUN:   --xfmr-check-fusions="require=masked-softmax,residual-layernorm report=true" -o /dev/null 2>&1 \
// RUN:   | FileCheck %s --check-prefix=FUSED --implicit-check-not="error: required"
// FUSED: remark: fusions: masked-softmax 3 fused, 0 missed; residual-layernorm 3 fused, 0 missed

// An unknown name is an error, whatever the module holds.
// RUN: not xfmr-opt %s --xfmr-check-fusions="require=softmax" -o /dev/null 2>&1 \
// RUN:   | FileCheck %s --check-prefix=UNKNOWN
// UNKNOWN: error: unknown fusion 'softmax' (expected masked-softmax, residual-layernorm or attention)
// RUN: not xfmr-opt %s --xfmr-check-fusions="require=masked-softmax,layernorm" -o /dev/null 2>&1 \
// RUN:   | FileCheck %s --check-prefix=UNKNOWN2
// UNKNOWN2: error: unknown fusion 'layernorm'

// The attention fusion: one fused op, one product of a softmax and V left.
// RUN: not xfmr-opt %s --xfmr-check-fusions="require=attention" -o /dev/null 2>&1 \
// RUN:   | FileCheck %s --check-prefix=ATTN --implicit-check-not="error: required"
// RUN: xfmr-opt %s --xfmr-fuse-attention --xfmr-check-fusions="require=attention report=true" -o /dev/null 2>&1 \
// RUN:   | FileCheck %s --check-prefix=ATTN-FUSED --implicit-check-not="error: required"
// ATTN-FUSED: attention 2 fused, 0 missed

// expected-remark @+1 {{fusions: masked-softmax 1 fused, 2 missed; residual-layernorm 1 fused, 2 missed; attention 1 fused, 1 missed}}
module {
  func.func @fused(%s: tensor<?x4x?x?xf32>, %m: tensor<?x?xi64>, %x: tensor<?x?x32xf32>, %g: tensor<32xf32>)
      -> (tensor<?x4x?x?xf32>, tensor<?x?x32xf32>) {
    %p = xfmr.masked_softmax %s key_padding(%m : tensor<?x?xi64>) scale(0.125)
        mask(<fill = neg_inf, fully_masked = zero>) : tensor<?x4x?x?xf32>
    %y, %sum = xfmr.residual_layer_norm %x, %x, %g, %g eps(1.0e-5) : tensor<?x?x32xf32>, tensor<32xf32>
    return %p, %y : tensor<?x4x?x?xf32>, tensor<?x?x32xf32>
  }

  func.func @unfused(%q: tensor<?x4x?x8xf32>, %m: tensor<?x?xi64>, %x: tensor<?x?x32xf32>,
                     %r: tensor<?x?x32xf32>, %g: tensor<32xf32>)
      -> (tensor<?x4x?x?xf32>, tensor<?x4x?x?xf32>, tensor<?x?x32xf32>, tensor<?x?x32xf32>) {
    %pad = xfmr.padding_mask %m mask(<fill = neg_inf, fully_masked = zero>) : tensor<?x?xi64> -> tensor<?x1x1x?xf32>
    %s = xfmr.matmul %q, %q transpose_rhs : tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x?xf32>
    %scaled = xfmr.scale %s by 0.125 : tensor<?x4x?x?xf32>
    %masked = xfmr.add %scaled, %pad : tensor<?x4x?x?xf32>, tensor<?x1x1x?xf32> -> tensor<?x4x?x?xf32>
    // SOFTMAX: check-fusions.mlir:[[@LINE+1]]:{{[0-9]+}}: error: required fusion 'masked-softmax' did not fire on this softmax of scaled or masked scores in @unfused
    %p1 = xfmr.softmax %masked : tensor<?x4x?x?xf32>
    %t = xfmr.matmul %q, %q transpose_rhs {scale = 0.5 : f32} : tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x?xf32>
    // SOFTMAX: check-fusions.mlir:[[@LINE+1]]:{{[0-9]+}}: error: required fusion 'masked-softmax' did not fire on this softmax of scaled or masked scores in @unfused
    %p2 = xfmr.softmax %t : tensor<?x4x?x?xf32>
    %a = xfmr.add %x, %r : tensor<?x?x32xf32>, tensor<?x?x32xf32> -> tensor<?x?x32xf32>
    // NORM: check-fusions.mlir:[[@LINE+1]]:{{[0-9]+}}: error: required fusion 'residual-layernorm' did not fire on this layer_norm of a sum in @unfused
    %y1 = xfmr.layer_norm %a, %g, %g eps(1.0e-5) : tensor<?x?x32xf32>, tensor<32xf32>
    %b = xfmr.add %y1, %r : tensor<?x?x32xf32>, tensor<?x?x32xf32> -> tensor<?x?x32xf32>
    // NORM: check-fusions.mlir:[[@LINE+1]]:{{[0-9]+}}: error: required fusion 'residual-layernorm' did not fire on this layer_norm of a sum in @unfused
    %y2 = xfmr.layer_norm %b, %g, %g eps(1.0e-5) : tensor<?x?x32xf32>, tensor<32xf32>
    return %p1, %p2, %y1, %y2 : tensor<?x4x?x?xf32>, tensor<?x4x?x?xf32>, tensor<?x?x32xf32>, tensor<?x?x32xf32>
  }

  func.func @attention(%q: tensor<?x4x?x8xf32>, %m: tensor<?x?xi64>)
      -> (tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32>) {
    %c = xfmr.fused_attention %q, %q, %q key_padding(%m : tensor<?x?xi64>) scale(0.125)
        mask(<fill = neg_inf, fully_masked = zero>)
        : tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x8xf32>
    %s = xfmr.matmul %q, %q transpose_rhs : tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x?xf32>
    %p = xfmr.softmax %s : tensor<?x4x?x?xf32>
    // ATTN: check-fusions.mlir:[[@LINE+1]]:{{[0-9]+}}: error: required fusion 'attention' did not fire on this product of attention probabilities and values in @attention
    %d = xfmr.matmul %p, %q : tensor<?x4x?x?xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x8xf32>
    return %c, %d : tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32>
  }

  // Not the patterns: nothing to fuse into a softmax of plain scores, of an
  // unscaled matmul, or over another axis; a layer norm of a non-sum or over
  // another axis.
  func.func @no_pattern(%s: tensor<?x4x?x?xf32>, %q: tensor<?x4x?x8xf32>, %x: tensor<?x16x32xf32>,
                        %g: tensor<32xf32>, %h: tensor<16xf32>)
      -> (tensor<?x4x?x?xf32>, tensor<?x4x?x?xf32>, tensor<?x4x?x?xf32>, tensor<?x16x32xf32>, tensor<?x16x32xf32>) {
    %p1 = xfmr.softmax %s : tensor<?x4x?x?xf32>
    %mm = xfmr.matmul %q, %q transpose_rhs : tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x?xf32>
    %p2 = xfmr.softmax %mm : tensor<?x4x?x?xf32>
    %sc = xfmr.scale %s by 0.5 : tensor<?x4x?x?xf32>
    %p3 = xfmr.softmax %sc axis(2) : tensor<?x4x?x?xf32>
    %y1 = xfmr.layer_norm %x, %g, %g eps(1.0e-5) : tensor<?x16x32xf32>, tensor<32xf32>
    %a = xfmr.add %x, %x : tensor<?x16x32xf32>, tensor<?x16x32xf32> -> tensor<?x16x32xf32>
    %y2 = xfmr.layer_norm %a, %h, %h eps(1.0e-5) axis(1) : tensor<?x16x32xf32>, tensor<16xf32>
    return %p1, %p2, %p3, %y1, %y2 : tensor<?x4x?x?xf32>, tensor<?x4x?x?xf32>, tensor<?x4x?x?xf32>, tensor<?x16x32xf32>, tensor<?x16x32xf32>
  }
}
