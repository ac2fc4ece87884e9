// RUN: xfmr-opt %s --xfmr-to-linalg-pipeline --xfmr-linalg-to-llvm-pipeline=runtime-allocator=false \
// RUN:   | %mlir-runner -e main -entry-point-result=void -shared-libs=%mlir_runner_libs \
// RUN:   | FileCheck %s --implicit-check-not=nan

// The plain (safe) softmax kernel. Expected values computed in double
// precision, printed to 6 digits:
//   softmax([1, 2, 3, 4]) = [0.0320586, 0.0871443, 0.236883, 0.643914]
//   softmax([1, 3])       = [0.119203, 0.880797]

func.func private @printMemrefF32(tensor<*xf32>) attributes {llvm.emit_c_interface}

func.func @main() {
  // Row 0 is all -inf (every key masked by an additive mask): zeros, not NaN.
  // Row 1 has two -inf keys: the other two share the weight. Row 2 has
  // scores large enough that exp without the maximum would overflow.
  %x = arith.constant dense<[[0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000],
                             [0xFF800000, 0.0, 0xFF800000, 0.0],
                             [1.0, 2.0, 3.0, 4.0],
                             [1001.0, 1002.0, 1003.0, 1004.0]]> : tensor<4x4xf32>
  // CHECK: sizes = [4, 4]
  // CHECK-NEXT: [0, 0, 0, 0]
  // CHECK-NEXT: [0, 0.5, 0, 0.5]
  // CHECK-NEXT: [0.0320586, 0.0871443, 0.236883, 0.643914]
  // CHECK-NEXT: [0.0320586, 0.0871443, 0.236883, 0.643914]
  %p = xfmr.softmax %x : tensor<4x4xf32>
  %u = tensor.cast %p : tensor<4x4xf32> to tensor<*xf32>
  func.call @printMemrefF32(%u) : (tensor<*xf32>) -> ()

  // Over axis 0: each column [a, b] normalised on its own.
  %y = arith.constant dense<[[1.0, 2.0, 3.0, 0xFF800000],
                             [3.0, 2.0, 1.0, 0xFF800000]]> : tensor<2x4xf32>
  // CHECK: sizes = [2, 4]
  // CHECK-NEXT: [0.119203, 0.5, 0.880797, 0]
  // CHECK-NEXT: [0.880797, 0.5, 0.119203, 0]
  %q = xfmr.softmax %y axis(0) : tensor<2x4xf32>
  %v = tensor.cast %q : tensor<2x4xf32> to tensor<*xf32>
  func.call @printMemrefF32(%v) : (tensor<*xf32>) -> ()
  return
}
