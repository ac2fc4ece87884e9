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

// -----

// A result named as an argument of its type updates that argument in place:
// the argument becomes the caller's buffer, read as a writable tensor, and
// the result is materialized back into it; no new argument is added for it.
// CHECK-LABEL: func.func @decode_step(
// CHECK-SAME: %[[OUT:[^:]*]]: memref<?x4xf32> {xfmr.name = "logits"}, %[[IDS:[^:]*]]: tensor<?x1xi64> {xfmr.name = "input_ids"}, %[[CACHE:[^:]*]]: memref<2x?x4xf32> {xfmr.name = "kv_cache"})
// CHECK: %[[T:.*]] = bufferization.to_tensor %[[CACHE]] restrict writable : memref<2x?x4xf32> to tensor<2x?x4xf32>
// CHECK: %[[NEW:.*]] = tensor.insert_slice %{{.*}} into %[[T]]
// CHECK: bufferization.materialize_in_destination %{{.*}} in restrict writable %[[OUT]]
// CHECK: bufferization.materialize_in_destination %[[NEW]] in restrict writable %[[CACHE]]
func.func @decode_step(%ids: tensor<?x1xi64> {xfmr.name = "input_ids"},
                       %cache: tensor<2x?x4xf32> {xfmr.name = "kv_cache"})
    -> (tensor<?x4xf32> {xfmr.name = "logits"}, tensor<2x?x4xf32> {xfmr.name = "kv_cache"})
    attributes {xfmr.entry = #xfmr.entry<decode_step>} {
  %c0 = arith.constant 0 : index
  %b = tensor.dim %ids, %c0 : tensor<?x1xi64>
  %row = tensor.empty() : tensor<1x1x4xf32>
  %new = tensor.insert_slice %row into %cache[0, 0, 0] [1, 1, 4] [1, 1, 1] : tensor<1x1x4xf32> into tensor<2x?x4xf32>
  %logits = tensor.empty(%b) : tensor<?x4xf32>
  return %logits, %new : tensor<?x4xf32>, tensor<2x?x4xf32>
}
