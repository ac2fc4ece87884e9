// RUN: xfmr-opt %s --xfmr-to-linalg-pipeline --xfmr-linalg-to-llvm-pipeline=runtime-allocator=false \
// RUN:   | %mlir-runner -e main -entry-point-result=void -shared-libs=%mlir_runner_libs \
// RUN:   | FileCheck %s --implicit-check-not=nan --implicit-check-not=inf

// The masked softmax kernel on small constants. Expected values are exact
// where they print exactly (0, 0.25, 1) and otherwise computed in double
// precision (math.exp), printed to the 6 digits printMemrefF32 shows:
//   softmax([1, 2])       = [0.268941, 0.731059]
//   softmax([1, 2, 3])    = [0.0900306, 0.244728, 0.665241]
//   softmax([1, 2, 3, 4]) = [0.0320586, 0.0871443, 0.236883, 0.643914]
//   softmax([2, 2, 2, 4]) = [0.0962551, 0.0962551, 0.0962551, 0.711235]
//   softmax([1, 2, 2, 3]) = [0.0723295, 0.196612, 0.196612, 0.534447]
// printMemrefF32 is declared on tensors: bufferization at the function
// boundary turns it into the runtime's memref<*xf32> entry point.

func.func private @printMemrefF32(tensor<*xf32>) attributes {llvm.emit_c_interface}

func.func @print(%t: tensor<2x1x1x4xf32>) {
  %u = tensor.cast %t : tensor<2x1x1x4xf32> to tensor<*xf32>
  func.call @printMemrefF32(%u) : (tensor<*xf32>) -> ()
  return
}

func.func @print_qk(%t: tensor<1x1x2x4xf32>) {
  %u = tensor.cast %t : tensor<1x1x2x4xf32> to tensor<*xf32>
  func.call @printMemrefF32(%u) : (tensor<*xf32>) -> ()
  return
}

func.func @main() {
  // Batch 0 has two real keys and two padded ones; batch 1 is all padding.
  // The scale halves the scores to [1, 2, 3, 4].
  %s = arith.constant dense<[[[[2.0, 4.0, 6.0, 8.0]]], [[[2.0, 4.0, 6.0, 8.0]]]]> : tensor<2x1x1x4xf32>
  %m = arith.constant dense<[[1, 1, 0, 0], [0, 0, 0, 0]]> : tensor<2x4xi64>

  // Every fill masks the padded keys of batch 0 to exactly 0 (exp of the
  // lowest f32 or of -10000 underflows); the policy alone decides batch 1:
  // zeros, or 1/4 per key. Never NaN.
  // CHECK: sizes = [2, 1, 1, 4]
  // CHECK-NEXT: [0.268941, 0.731059, 0, 0]
  // CHECK-NEXT: [0, 0, 0, 0]
  %p0 = xfmr.masked_softmax %s key_padding(%m : tensor<2x4xi64>) scale(0.5)
      mask(<fill = neg_inf, fully_masked = zero>) : tensor<2x1x1x4xf32>
  func.call @print(%p0) : (tensor<2x1x1x4xf32>) -> ()
  // CHECK: sizes = [2, 1, 1, 4]
  // CHECK-NEXT: [0.268941, 0.731059, 0, 0]
  // CHECK-NEXT: [0.25, 0.25, 0.25, 0.25]
  %p1 = xfmr.masked_softmax %s key_padding(%m : tensor<2x4xi64>) scale(0.5)
      mask(<fill = neg_inf, fully_masked = uniform>) : tensor<2x1x1x4xf32>
  func.call @print(%p1) : (tensor<2x1x1x4xf32>) -> ()
  // CHECK: sizes = [2, 1, 1, 4]
  // CHECK-NEXT: [0.268941, 0.731059, 0, 0]
  // CHECK-NEXT: [0, 0, 0, 0]
  %p2 = xfmr.masked_softmax %s key_padding(%m : tensor<2x4xi64>) scale(0.5)
      mask(<fill = lowest, fully_masked = zero>) : tensor<2x1x1x4xf32>
  func.call @print(%p2) : (tensor<2x1x1x4xf32>) -> ()
  // CHECK: sizes = [2, 1, 1, 4]
  // CHECK-NEXT: [0.268941, 0.731059, 0, 0]
  // CHECK-NEXT: [0.25, 0.25, 0.25, 0.25]
  %p3 = xfmr.masked_softmax %s key_padding(%m : tensor<2x4xi64>) scale(0.5)
      mask(<fill = lowest, fully_masked = uniform>) : tensor<2x1x1x4xf32>
  func.call @print(%p3) : (tensor<2x1x1x4xf32>) -> ()
  // CHECK: sizes = [2, 1, 1, 4]
  // CHECK-NEXT: [0.268941, 0.731059, 0, 0]
  // CHECK-NEXT: [0, 0, 0, 0]
  %p4 = xfmr.masked_softmax %s key_padding(%m : tensor<2x4xi64>) scale(0.5)
      mask(<fill = value(-1.0e+04), fully_masked = zero>) : tensor<2x1x1x4xf32>
  func.call @print(%p4) : (tensor<2x1x1x4xf32>) -> ()
  // CHECK: sizes = [2, 1, 1, 4]
  // CHECK-NEXT: [0.268941, 0.731059, 0, 0]
  // CHECK-NEXT: [0.25, 0.25, 0.25, 0.25]
  %p5 = xfmr.masked_softmax %s key_padding(%m : tensor<2x4xi64>) scale(0.5)
      mask(<fill = value(-1.0e+04), fully_masked = uniform>) : tensor<2x1x1x4xf32>
  func.call @print(%p5) : (tensor<2x1x1x4xf32>) -> ()

  // A value fill is additive, not a mask to zero: with -1 the padded keys of
  // batch 0 keep weight, softmax([1, 2, 3 - 1, 4 - 1]) = [0.0723295,
  // 0.196612, 0.196612, 0.534447].
  // CHECK: sizes = [2, 1, 1, 4]
  // CHECK-NEXT: [0.0723295, 0.196612, 0.196612, 0.534447]
  // CHECK-NEXT: [0, 0, 0, 0]
  %p6 = xfmr.masked_softmax %s key_padding(%m : tensor<2x4xi64>) scale(0.5)
      mask(<fill = value(-1.0), fully_masked = zero>) : tensor<2x1x1x4xf32>
  func.call @print(%p6) : (tensor<2x1x1x4xf32>) -> ()

  // Causal with fewer queries than keys (decoding with a cache: 2 new queries
  // after 2 cached keys): query 0 sees keys 0..2, query 1 all four.
  %q = arith.constant dense<[[[[1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 3.0, 4.0]]]]> : tensor<1x1x2x4xf32>
  // CHECK: sizes = [1, 1, 2, 4]
  // CHECK-NEXT: [0.0900306, 0.244728, 0.665241, 0]
  // CHECK-NEXT: [0.0320586, 0.0871443, 0.236883, 0.643914]
  %c0 = xfmr.masked_softmax %q scale(1.0) causal
      mask(<fill = neg_inf, fully_masked = zero>) : tensor<1x1x2x4xf32>
  func.call @print_qk(%c0) : (tensor<1x1x2x4xf32>) -> ()

  // Causal and padding together: only key 3 is a token, which query 0 may
  // not see yet (fully masked: the policy), query 1 sees only it.
  %only3 = arith.constant dense<[[0, 0, 0, 1]]> : tensor<1x4xi64>
  // CHECK: sizes = [1, 1, 2, 4]
  // CHECK-NEXT: [0, 0, 0, 0]
  // CHECK-NEXT: [0, 0, 0, 1]
  %c1 = xfmr.masked_softmax %q key_padding(%only3 : tensor<1x4xi64>) scale(1.0) causal
      mask(<fill = neg_inf, fully_masked = zero>) : tensor<1x1x2x4xf32>
  func.call @print_qk(%c1) : (tensor<1x1x2x4xf32>) -> ()
  // CHECK: sizes = [1, 1, 2, 4]
  // CHECK-NEXT: [0.25, 0.25, 0.25, 0.25]
  // CHECK-NEXT: [0, 0, 0, 1]
  %c2 = xfmr.masked_softmax %q key_padding(%only3 : tensor<1x4xi64>) scale(1.0) causal
      mask(<fill = lowest, fully_masked = uniform>) : tensor<1x1x2x4xf32>
  func.call @print_qk(%c2) : (tensor<1x1x2x4xf32>) -> ()

  // A bias [1, 2, 1, 4] broadcast over the batch and the queries: head 0
  // adds nothing, head 1 adds [1, 0, -1, 0] to [1, 2, 3, 4].
  %q2 = arith.constant dense<[[[[1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 3.0, 4.0]],
                               [[1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 3.0, 4.0]]]]> : tensor<1x2x2x4xf32>
  %bias = arith.constant dense<[[[[0.0, 0.0, 0.0, 0.0]], [[1.0, 0.0, -1.0, 0.0]]]]> : tensor<1x2x1x4xf32>
  // CHECK: sizes = [1, 2, 2, 4]
  // CHECK-NEXT: [0.0320586, 0.0871443, 0.236883, 0.643914]
  // CHECK-NEXT: [0.0320586, 0.0871443, 0.236883, 0.643914]
  // CHECK-NEXT: [0.0962551, 0.0962551, 0.0962551, 0.711235]
  // CHECK-NEXT: [0.0962551, 0.0962551, 0.0962551, 0.711235]
  %b0 = xfmr.masked_softmax %q2 bias(%bias : tensor<1x2x1x4xf32>) scale(1.0)
      mask(<fill = neg_inf, fully_masked = zero>) : tensor<1x2x2x4xf32>
  %ub = tensor.cast %b0 : tensor<1x2x2x4xf32> to tensor<*xf32>
  func.call @printMemrefF32(%ub) : (tensor<*xf32>) -> ()
  return
}
