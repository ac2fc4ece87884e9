// RUN: xfmr-opt %s --xfmr-fuse-residual-layernorm --split-input-file | FileCheck %s
// Pass statistics exist only in LLVM builds with statistics (lit feature
// `stats`, see lit.cfg.py).
// RUN: %if stats %{ xfmr-opt %s --xfmr-fuse-residual-layernorm --mlir-pass-statistics -o /dev/null 2>&1 | FileCheck %s --check-prefix=STATS %}
// The fused and missed counts, on every build:
// RUN: xfmr-opt %s --xfmr-fuse-residual-layernorm --xfmr-check-fusions=report=true -o /dev/null 2>&1 | FileCheck %s --check-prefix=COUNT

// STATS: XfmrFuseResidualLayerNorm
// STATS-DAG: (S) 8 fused - layer norms fused with their residual
// STATS-DAG: (S) 3 bias-folded - linear biases folded into the fused op
// COUNT: remark: fusions: masked-softmax 0 fused, 0 missed; residual-layernorm 8 fused, 1 missed

// Post-LN (BERT): layer_norm(linear(x) + r). The linear is used only by the
// add, so its bias moves into the fused op and the linear writes no bias.
// CHECK-LABEL: func.func @post_ln_bias_folded
// CHECK-SAME: (%[[X:[^:]*]]: tensor<?x?x64xf32>, %[[R:[^:]*]]: tensor<?x?x32xf32>, %[[W:[^:]*]]: tensor<32x64xf32>, %[[B:[^:]*]]: tensor<32xf32>, %[[G:[^:]*]]: tensor<32xf32>, %[[BETA:[^:]*]]: tensor<32xf32>)
// CHECK-NEXT: %[[L:.*]] = xfmr.linear %[[X]], %[[W]] : tensor<?x?x64xf32>, tensor<32x64xf32> -> tensor<?x?x32xf32>
// CHECK-NEXT: %[[Y:[^,]*]], %{{.*}} = xfmr.residual_layer_norm %[[L]], %[[R]] bias(%[[B]] : tensor<32xf32>), %[[G]], %[[BETA]] eps(9.99999996E-13) : tensor<?x?x32xf32>, tensor<32xf32>
// CHECK-NEXT: return %[[Y]]
func.func @post_ln_bias_folded(%x: tensor<?x?x64xf32>, %r: tensor<?x?x32xf32>, %w: tensor<32x64xf32>,
                               %b: tensor<32xf32>, %g: tensor<32xf32>, %beta: tensor<32xf32>) -> tensor<?x?x32xf32> {
  %l = xfmr.linear %x, %w, %b : tensor<?x?x64xf32>, tensor<32x64xf32>, tensor<32xf32> -> tensor<?x?x32xf32>
  %s = xfmr.add %l, %r : tensor<?x?x32xf32>, tensor<?x?x32xf32> -> tensor<?x?x32xf32>
  %y = xfmr.layer_norm %s, %g, %beta eps(1.0e-12) : tensor<?x?x32xf32>, tensor<32xf32>
  return %y : tensor<?x?x32xf32>
}

// The sub-block's output on the right of the add (x + f(x), as the importer
// writes it): it still becomes the fused op's input, the skip the residual.
// CHECK-LABEL: func.func @residual_on_the_left
// CHECK-SAME: (%[[X:[^:]*]]: tensor<?x?x32xf32>, %[[W:[^:]*]]: tensor<32x32xf32>, %[[B:[^:]*]]: tensor<32xf32>, %[[G:[^:]*]]: tensor<32xf32>)
// CHECK-NEXT: %[[L:.*]] = xfmr.linear %[[X]], %[[W]] : tensor<?x?x32xf32>, tensor<32x32xf32> -> tensor<?x?x32xf32>
// CHECK-NEXT: %[[Y:[^,]*]], %{{.*}} = xfmr.residual_layer_norm %[[L]], %[[X]] bias(%[[B]] : tensor<32xf32>), %[[G]], %[[G]]
// CHECK-NEXT: return %[[Y]]
func.func @residual_on_the_left(%x: tensor<?x?x32xf32>, %w: tensor<32x32xf32>, %b: tensor<32xf32>,
                                %g: tensor<32xf32>) -> tensor<?x?x32xf32> {
  %l = xfmr.linear %x, %w, %b : tensor<?x?x32xf32>, tensor<32x32xf32>, tensor<32xf32> -> tensor<?x?x32xf32>
  %s = xfmr.add %x, %l : tensor<?x?x32xf32>, tensor<?x?x32xf32> -> tensor<?x?x32xf32>
  %y = xfmr.layer_norm %s, %g, %g eps(1.0e-5) : tensor<?x?x32xf32>, tensor<32xf32>
  return %y : tensor<?x?x32xf32>
}

// Pre-LN (GPT-2): the sum is also the next residual. Its other uses read the
// fused op's `sum`; the add is gone.
// CHECK-LABEL: func.func @pre_ln_sum_reused
// CHECK-SAME: (%[[H:[^:]*]]: tensor<?x?x32xf32>, %[[F:[^:]*]]: tensor<?x?x32xf32>, %[[G:[^:]*]]: tensor<32xf32>)
// CHECK-NEXT: %[[Y:[^,]*]], %[[SUM:[^ ]*]] = xfmr.residual_layer_norm %[[H]], %[[F]], %[[G]], %[[G]] eps(9.99999974E-6)
// CHECK-NEXT: %[[NEXT:.*]] = xfmr.relu %[[Y]]
// CHECK-NEXT: %[[OUT:.*]] = xfmr.add %[[SUM]], %[[NEXT]]
// CHECK-NEXT: return %[[OUT]], %[[SUM]]
func.func @pre_ln_sum_reused(%h: tensor<?x?x32xf32>, %f: tensor<?x?x32xf32>, %g: tensor<32xf32>)
    -> (tensor<?x?x32xf32>, tensor<?x?x32xf32>) {
  %s = xfmr.add %h, %f : tensor<?x?x32xf32>, tensor<?x?x32xf32> -> tensor<?x?x32xf32>
  %y = xfmr.layer_norm %s, %g, %g eps(1.0e-5) : tensor<?x?x32xf32>, tensor<32xf32>
  %next = xfmr.relu %y : tensor<?x?x32xf32>
  %out = xfmr.add %s, %next : tensor<?x?x32xf32>, tensor<?x?x32xf32> -> tensor<?x?x32xf32>
  return %out, %s : tensor<?x?x32xf32>, tensor<?x?x32xf32>
}

// Pre-LN with the bias of a single-use linear: both at once.
// CHECK-LABEL: func.func @pre_ln_bias_folded
// CHECK-SAME: (%[[X:[^:]*]]: tensor<?x?x32xf32>, %[[R:[^:]*]]: tensor<?x?x32xf32>, %[[W:[^:]*]]: tensor<32x32xf32>, %[[B:[^:]*]]: tensor<32xf32>)
// CHECK-NEXT: %[[L:.*]] = xfmr.linear %[[X]], %[[W]] :
// CHECK-NEXT: %[[Y:[^,]*]], %[[SUM:[^ ]*]] = xfmr.residual_layer_norm %[[L]], %[[R]] bias(%[[B]] : tensor<32xf32>), %[[B]], %[[B]]
// CHECK-NEXT: return %[[Y]], %[[SUM]]
func.func @pre_ln_bias_folded(%x: tensor<?x?x32xf32>, %r: tensor<?x?x32xf32>, %w: tensor<32x32xf32>, %b: tensor<32xf32>)
    -> (tensor<?x?x32xf32>, tensor<?x?x32xf32>) {
  %l = xfmr.linear %x, %w, %b : tensor<?x?x32xf32>, tensor<32x32xf32>, tensor<32xf32> -> tensor<?x?x32xf32>
  %s = xfmr.add %l, %r : tensor<?x?x32xf32>, tensor<?x?x32xf32> -> tensor<?x?x32xf32>
  %y = xfmr.layer_norm %s, %b, %b eps(1.0e-5) : tensor<?x?x32xf32>, tensor<32xf32>
  return %y, %s : tensor<?x?x32xf32>, tensor<?x?x32xf32>
}

// -----

// A linear with another use keeps its bias (the other user needs it); the sum
// still fuses.
// CHECK-LABEL: func.func @linear_reused
// CHECK-SAME: (%[[X:[^:]*]]: tensor<?x?x32xf32>, %[[R:[^:]*]]: tensor<?x?x32xf32>, %[[W:[^:]*]]: tensor<32x32xf32>, %[[B:[^:]*]]: tensor<32xf32>)
// CHECK-NEXT: %[[L:.*]] = xfmr.linear %[[X]], %[[W]], %[[B]] :
// CHECK-NEXT: %[[Y:[^,]*]], %{{.*}} = xfmr.residual_layer_norm %[[L]], %[[R]], %[[B]], %[[B]] eps
// CHECK-NEXT: return %[[Y]], %[[L]]
func.func @linear_reused(%x: tensor<?x?x32xf32>, %r: tensor<?x?x32xf32>, %w: tensor<32x32xf32>, %b: tensor<32xf32>)
    -> (tensor<?x?x32xf32>, tensor<?x?x32xf32>) {
  %l = xfmr.linear %x, %w, %b : tensor<?x?x32xf32>, tensor<32x32xf32>, tensor<32xf32> -> tensor<?x?x32xf32>
  %s = xfmr.add %l, %r : tensor<?x?x32xf32>, tensor<?x?x32xf32> -> tensor<?x?x32xf32>
  %y = xfmr.layer_norm %s, %b, %b eps(1.0e-5) : tensor<?x?x32xf32>, tensor<32xf32>
  return %y, %l : tensor<?x?x32xf32>, tensor<?x?x32xf32>
}

// -----

// A linear with an output scale (a folded classic dropout) scales its bias
// too, which the fused op's bias would not: it keeps bias and scale.
// CHECK-LABEL: func.func @linear_scaled
// CHECK-SAME: (%[[X:[^:]*]]: tensor<?x?x32xf32>, %[[R:[^:]*]]: tensor<?x?x32xf32>, %[[W:[^:]*]]: tensor<32x32xf32>, %[[B:[^:]*]]: tensor<32xf32>)
// CHECK-NEXT: %[[L:.*]] = xfmr.linear %[[X]], %[[W]], %[[B]] {scale = 0.899999976 : f32}
// CHECK-NEXT: %[[Y:[^,]*]], %{{.*}} = xfmr.residual_layer_norm %[[L]], %[[R]], %[[B]], %[[B]] eps
// CHECK-NEXT: return %[[Y]]
func.func @linear_scaled(%x: tensor<?x?x32xf32>, %r: tensor<?x?x32xf32>, %w: tensor<32x32xf32>, %b: tensor<32xf32>)
    -> tensor<?x?x32xf32> {
  %l = xfmr.linear %x, %w, %b {scale = 0.9 : f32} : tensor<?x?x32xf32>, tensor<32x32xf32>, tensor<32xf32> -> tensor<?x?x32xf32>
  %s = xfmr.add %l, %r : tensor<?x?x32xf32>, tensor<?x?x32xf32> -> tensor<?x?x32xf32>
  %y = xfmr.layer_norm %s, %b, %b eps(1.0e-5) : tensor<?x?x32xf32>, tensor<32xf32>
  return %y : tensor<?x?x32xf32>
}

// -----

// A linear without a bias has nothing to give.
// CHECK-LABEL: func.func @linear_without_bias
// CHECK-NEXT: %[[L:.*]] = xfmr.linear %{{[^,]*}}, %{{[^ ]*}} : tensor<?x?x32xf32>, tensor<32x32xf32> -> tensor<?x?x32xf32>
// CHECK-NEXT: xfmr.residual_layer_norm %[[L]], %{{[^ ]*}}, %{{[^,]*}}, %{{[^ ]*}} eps
// CHECK-NOT: bias(
func.func @linear_without_bias(%x: tensor<?x?x32xf32>, %r: tensor<?x?x32xf32>, %w: tensor<32x32xf32>, %g: tensor<32xf32>)
    -> tensor<?x?x32xf32> {
  %l = xfmr.linear %x, %w : tensor<?x?x32xf32>, tensor<32x32xf32> -> tensor<?x?x32xf32>
  %s = xfmr.add %l, %r : tensor<?x?x32xf32>, tensor<?x?x32xf32> -> tensor<?x?x32xf32>
  %y = xfmr.layer_norm %s, %g, %g eps(1.0e-5) : tensor<?x?x32xf32>, tensor<32xf32>
  return %y : tensor<?x?x32xf32>
}

// -----

// A broadcasting add (a [1, 1, d] term) is not a residual connection.
// CHECK-LABEL: func.func @broadcasting_add
// CHECK: xfmr.add
// CHECK-NEXT: xfmr.layer_norm
// CHECK-NOT: xfmr.residual_layer_norm
func.func @broadcasting_add(%x: tensor<?x?x32xf32>, %t: tensor<1x1x32xf32>, %g: tensor<32xf32>) -> tensor<?x?x32xf32> {
  %s = xfmr.add %x, %t : tensor<?x?x32xf32>, tensor<1x1x32xf32> -> tensor<?x?x32xf32>
  %y = xfmr.layer_norm %s, %g, %g eps(1.0e-5) : tensor<?x?x32xf32>, tensor<32xf32>
  return %y : tensor<?x?x32xf32>
}

// -----

// Normalising over another dimension than the last: the fused op normalises
// the last one only.
// CHECK-LABEL: func.func @axis_not_last
// CHECK: xfmr.add
// CHECK-NEXT: xfmr.layer_norm %{{.*}} axis(1)
// CHECK-NOT: xfmr.residual_layer_norm
func.func @axis_not_last(%x: tensor<?x16x32xf32>, %r: tensor<?x16x32xf32>, %g: tensor<16xf32>) -> tensor<?x16x32xf32> {
  %s = xfmr.add %x, %r : tensor<?x16x32xf32>, tensor<?x16x32xf32> -> tensor<?x16x32xf32>
  %y = xfmr.layer_norm %s, %g, %g eps(1.0e-5) axis(1) : tensor<?x16x32xf32>, tensor<16xf32>
  return %y : tensor<?x16x32xf32>
}

// -----

// axis(2) of a rank-3 input is the last dimension: it fuses.
// CHECK-LABEL: func.func @axis_spelled_out
// CHECK-NEXT: xfmr.residual_layer_norm
func.func @axis_spelled_out(%x: tensor<?x16x32xf32>, %r: tensor<?x16x32xf32>, %g: tensor<32xf32>) -> tensor<?x16x32xf32> {
  %s = xfmr.add %x, %r : tensor<?x16x32xf32>, tensor<?x16x32xf32> -> tensor<?x16x32xf32>
  %y = xfmr.layer_norm %s, %g, %g eps(1.0e-5) axis(2) : tensor<?x16x32xf32>, tensor<32xf32>
  return %y : tensor<?x16x32xf32>
}

// -----

// A layer norm of anything but a sum stays as it is.
// CHECK-LABEL: func.func @not_a_sum
// CHECK: xfmr.linear
// CHECK-NEXT: xfmr.layer_norm
// CHECK-NEXT: xfmr.layer_norm
// CHECK-NOT: xfmr.residual_layer_norm
func.func @not_a_sum(%x: tensor<?x?x32xf32>, %w: tensor<32x32xf32>, %g: tensor<32xf32>) -> (tensor<?x?x32xf32>, tensor<?x?x32xf32>) {
  %l = xfmr.linear %x, %w, %g : tensor<?x?x32xf32>, tensor<32x32xf32>, tensor<32xf32> -> tensor<?x?x32xf32>
  %y = xfmr.layer_norm %l, %g, %g eps(1.0e-5) : tensor<?x?x32xf32>, tensor<32xf32>
  %z = xfmr.layer_norm %x, %g, %g eps(1.0e-5) : tensor<?x?x32xf32>, tensor<32xf32>
  return %y, %z : tensor<?x?x32xf32>, tensor<?x?x32xf32>
}
