// RUN: xfmr-opt %s --xfmr-entry-destinations --split-input-file --verify-diagnostics -allow-unregistered-dialect | FileCheck %s

// An entry point's result becomes a leading memref argument (named like the
// result) that the value is materialized into; the function returns nothing
// and gets the C interface the packed entry point calls.
// CHECK-LABEL: func.func @encode(
// CHECK-SAME: %[[OUT:[^:]*]]: memref<?x8xf32> {xfmr.name = "hidden"}, %[[X:[^:]*]]: tensor<?x8xf32> {xfmr.name = "x"})
// CHECK-SAME: attributes {llvm.emit_c_interface, xfmr.entry = #xfmr.entry<encode>}
// CHECK: %[[Y:.*]] = linalg.exp ins(%[[X]] : tensor<?x8xf32>)
// CHECK: bufferization.materialize_in_destination %[[Y]] in restrict writable %[[OUT]] : (tensor<?x8xf32>, memref<?x8xf32>) -> ()
// CHECK-NEXT: return{{$}}
func.func @encode(%x: tensor<?x8xf32> {xfmr.name = "x"}) -> (tensor<?x8xf32> {xfmr.name = "hidden"})
    attributes {xfmr.entry = #xfmr.entry<encode>} {
  %c0 = arith.constant 0 : index
  %d = tensor.dim %x, %c0 : tensor<?x8xf32>
  %e = tensor.empty(%d) : tensor<?x8xf32>
  %y = linalg.exp ins(%x : tensor<?x8xf32>) outs(%e : tensor<?x8xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}

// Other functions keep their results.
// CHECK-LABEL: func.func @helper(
// CHECK-SAME: -> tensor<?x8xf32>
// CHECK-NOT: materialize_in_destination
func.func @helper(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  return %x : tensor<?x8xf32>
}

// -----

// A result returned by a call to a private function (the last layer) is
// computed inside the entry point: the call is inlined so its last op can
// write into the destination. The callee stays for its other callers.
// CHECK-LABEL: func.func private @layer
// CHECK-LABEL: func.func @encode(
// CHECK-SAME: %[[OUT:[^:]*]]: memref<?x8xf32>
// CHECK: %[[FIRST:.*]] = call @layer(
// CHECK-NOT: call
// CHECK: %[[LAST:.*]] = linalg.exp ins(%[[FIRST]] :
// CHECK: bufferization.materialize_in_destination %[[LAST]] in restrict writable %[[OUT]]
func.func private @layer(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %c0 = arith.constant 0 : index
  %d = tensor.dim %x, %c0 : tensor<?x8xf32>
  %e = tensor.empty(%d) : tensor<?x8xf32>
  %y = linalg.exp ins(%x : tensor<?x8xf32>) outs(%e : tensor<?x8xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}
func.func @encode(%x: tensor<?x8xf32> {xfmr.name = "x"}) -> (tensor<?x8xf32> {xfmr.name = "hidden"})
    attributes {xfmr.entry = #xfmr.entry<encode>} {
  %0 = call @layer(%x) : (tensor<?x8xf32>) -> tensor<?x8xf32>
  %1 = call @layer(%0) : (tensor<?x8xf32>) -> tensor<?x8xf32>
  return %1 : tensor<?x8xf32>
}

// -----

// An entry point called from the module cannot change its signature.
// expected-error @+1 {{entry point @encode must not be called from the module}}
func.func @encode(%x: tensor<?x8xf32> {xfmr.name = "x"}) -> (tensor<?x8xf32> {xfmr.name = "y"})
    attributes {xfmr.entry = #xfmr.entry<encode>} {
  return %x : tensor<?x8xf32>
}
func.func @caller(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %0 = call @encode(%x) : (tensor<?x8xf32>) -> tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}

// -----

// expected-error @+1 {{entry point result 0 must be a ranked tensor of numbers, got 'tensor<4x!llvm.void>'}}
func.func @encode() -> (tensor<4x!llvm.void> {xfmr.name = "y"})
    attributes {xfmr.entry = #xfmr.entry<encode>} {
  %0 = "test.make"() : () -> tensor<4x!llvm.void>
  return %0 : tensor<4x!llvm.void>
}
