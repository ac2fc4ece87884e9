// RUN: xfmr-opt %s --xfmr-bind-weights --split-input-file --verify-diagnostics | FileCheck %s

// Every public function gets one trailing argument per declared weight, in
// declaration order (not in the order of the reads); the declarations go.

// CHECK-NOT: xfmr.weight_decl
xfmr.weight_decl @wte key("wte") : tensor<100x32xf32>
xfmr.weight_decl @ln_g key("ln.g") : tensor<32xf32>
xfmr.weight_decl @wo key("wo") : tensor<16x32xf32>

// CHECK-LABEL: func.func @encode
// CHECK-SAME: (%[[IDS:[^:]*]]: tensor<?x?xi64>, %[[WTE:[^:]*]]: tensor<100x32xf32>, %[[G:[^:]*]]: tensor<32xf32>, %[[WO:[^:]*]]: tensor<16x32xf32>) -> tensor<?x?x16xf32>
// CHECK-NOT: xfmr.weight
// CHECK: %[[E:.*]] = xfmr.embedding %[[IDS]], %[[WTE]]
// CHECK: %[[N:.*]] = xfmr.layer_norm %[[E]], %[[G]], %[[G]]
// CHECK: %[[L:.*]] = call @layer(%[[N]], %[[WO]])
// CHECK: return %[[L]]
func.func @encode(%ids: tensor<?x?xi64>) -> tensor<?x?x16xf32> {
  %wo = xfmr.weight @wo : tensor<16x32xf32>
  %t = xfmr.weight @wte : tensor<100x32xf32>
  %e = xfmr.embedding %ids, %t : tensor<?x?xi64>, tensor<100x32xf32> -> tensor<?x?x32xf32>
  %g = xfmr.weight @ln_g : tensor<32xf32>
  %n = xfmr.layer_norm %e, %g, %g eps(1.0e-5) : tensor<?x?x32xf32>, tensor<32xf32>
  %l = func.call @layer(%n, %wo) : (tensor<?x?x32xf32>, tensor<16x32xf32>) -> tensor<?x?x16xf32>
  return %l : tensor<?x?x16xf32>
}

// Public functions that read nothing still take every weight: one calling
// convention for all entry points.
// CHECK-LABEL: func.func @other
// CHECK-SAME: (%[[X:[^:]*]]: tensor<4xf32>, %{{[^:]*}}: tensor<100x32xf32>, %{{[^:]*}}: tensor<32xf32>, %{{[^:]*}}: tensor<16x32xf32>) -> tensor<4xf32>
// CHECK-NEXT: return %[[X]]
func.func @other(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}

// Private functions keep their signature.
// CHECK-LABEL: func.func private @layer
// CHECK-SAME: (%{{[^:]*}}: tensor<?x?x32xf32>, %{{[^:]*}}: tensor<16x32xf32>) -> tensor<?x?x16xf32>
func.func private @layer(%x: tensor<?x?x32xf32>, %w: tensor<16x32xf32>) -> tensor<?x?x16xf32> {
  %0 = xfmr.linear %x, %w : tensor<?x?x32xf32>, tensor<16x32xf32> -> tensor<?x?x16xf32>
  return %0 : tensor<?x?x16xf32>
}

// External declarations are left alone.
// CHECK-LABEL: func.func private @external(tensor<4xf32>) -> tensor<4xf32>
func.func private @external(tensor<4xf32>) -> tensor<4xf32>

// -----

xfmr.weight_decl @w key("w") : tensor<4xf32>

func.func @entry() -> tensor<4xf32> {
  %0 = call @helper() : () -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

func.func private @helper() -> tensor<4xf32> {
  // expected-error @+1 {{'xfmr.weight' op reads a weight in a private function; pass weights to it as arguments}}
  %0 = xfmr.weight @w : tensor<4xf32>
  return %0 : tensor<4xf32>
}
