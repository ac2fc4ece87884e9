// RUN: xfmr-opt %s --xfmr-to-linalg-pipeline --xfmr-linalg-to-llvm-pipeline=runtime-allocator=false \
// RUN:   | %mlir-runner -e main -entry-point-result=void -shared-libs=%mlir_runner_libs \
// RUN:   | FileCheck %s --implicit-check-not=nan

// The fused attention kernel where a padded key's K and V hold NaN: the
// unfused masked softmax times V gives 0 × NaN = NaN there, the fused kernel
// never reads them. Q = [[1, 0], [0, 1]], real keys K = [[2, 0], [0, 2], -,
// [4, 0]], V = [[1, 2], [3, 4], -, [5, 6]], scale 0.5; expected values
// computed with numpy in double precision:
//   [[3.841025, 4.841025], [3.000000, 4.000000]]
// Batch row 1 is all padding: zeros (fully_masked = zero), never NaN.

func.func private @printMemrefF32(tensor<*xf32>) attributes {llvm.emit_c_interface}

func.func @main() {
  %nan = arith.constant 0x7FC00000 : f32
  %q = arith.constant dense<[[[[1.0, 0.0], [0.0, 1.0]]], [[[1.0, 0.0], [0.0, 1.0]]]]> : tensor<2x1x2x2xf32>
  %k0 = arith.constant dense<[[[[2.0, 0.0], [0.0, 2.0], [0.0, 0.0], [4.0, 0.0]]], [[[2.0, 0.0], [0.0, 2.0], [0.0, 0.0], [4.0, 0.0]]]]> : tensor<2x1x4x2xf32>
  %v0 = arith.constant dense<[[[[1.0, 2.0], [3.0, 4.0], [0.0, 0.0], [5.0, 6.0]]], [[[1.0, 2.0], [3.0, 4.0], [0.0, 0.0], [5.0, 6.0]]]]> : tensor<2x1x4x2xf32>
  %nans = tensor.splat %nan : tensor<1x1x1x2xf32>
  %k = tensor.insert_slice %nans into %k0[0, 0, 2, 0] [1, 1, 1, 2] [1, 1, 1, 1] : tensor<1x1x1x2xf32> into tensor<2x1x4x2xf32>
  %v = tensor.insert_slice %nans into %v0[0, 0, 2, 0] [1, 1, 1, 2] [1, 1, 1, 1] : tensor<1x1x1x2xf32> into tensor<2x1x4x2xf32>
  %m = arith.constant dense<[[1, 1, 0, 1], [0, 0, 0, 0]]> : tensor<2x4xi64>
  // CHECK: sizes = [2, 1, 2, 2]
  // CHECK-NEXT: [3.84102, 4.84102]
  // CHECK-NEXT: [3, 4]
  // CHECK-NEXT: [0, 0]
  // CHECK-NEXT: [0, 0]
  %c = xfmr.fused_attention %q, %k, %v key_padding(%m : tensor<2x4xi64>) scale(0.5)
      mask(<fill = neg_inf, fully_masked = zero>)
      : tensor<2x1x2x2xf32>, tensor<2x1x4x2xf32>, tensor<2x1x4x2xf32> -> tensor<2x1x2x2xf32>
  %u = tensor.cast %c : tensor<2x1x2x2xf32> to tensor<*xf32>
  func.call @printMemrefF32(%u) : (tensor<*xf32>) -> ()
  return
}
