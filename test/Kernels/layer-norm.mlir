// RUN: xfmr-opt %s --xfmr-to-linalg-pipeline --xfmr-linalg-to-llvm-pipeline=runtime-allocator=false \
// RUN:   | %mlir-runner -e main -entry-point-result=void -shared-libs=%mlir_runner_libs \
// RUN:   | FileCheck %s --implicit-check-not=nan --implicit-check-not=inf

// layer_norm and residual_layer_norm kernels. A constant row has zero
// variance: the Welford statistics give exactly mean = x and m2 = 0, so the
// result is exactly beta (checked as result - beta == 0, which shows any
// rounding error that 6 printed digits would hide). Other expected values
// computed in double precision, eps = 1e-5:
//   gamma [2, 0.5, 1, -1], beta [0.5, -1.25, 3, 0.125]:
//   layer_norm([1, 2, 3, 4]) = [-2.18327, -1.47361, 3.44721, -1.21664]
//   layer_norm([1, 3]) with gamma 1, beta 0 = [-0.999995, 0.999995]

func.func private @printMemrefF32(tensor<*xf32>) attributes {llvm.emit_c_interface}

func.func @print(%t: tensor<2x4xf32>) {
  %u = tensor.cast %t : tensor<2x4xf32> to tensor<*xf32>
  func.call @printMemrefF32(%u) : (tensor<*xf32>) -> ()
  return
}

// Printing through a ranked wrapper: the caller copies a tensor it still
// needs afterwards (the external print may write its argument, and an
// unranked tensor cannot be copied).
func.func @print3(%t: tensor<1x2x4xf32>) {
  %u = tensor.cast %t : tensor<1x2x4xf32> to tensor<*xf32>
  func.call @printMemrefF32(%u) : (tensor<*xf32>) -> ()
  return
}

func.func @main() {
  %gamma = arith.constant dense<[2.0, 0.5, 1.0, -1.0]> : tensor<4xf32>
  %beta = arith.constant dense<[0.5, -1.25, 3.0, 0.125]> : tensor<4xf32>
  %minus_beta = arith.constant dense<[[-0.5, 1.25, -3.0, -0.125]]> : tensor<1x4xf32>

  %x = arith.constant dense<[[7.3, 7.3, 7.3, 7.3], [1.0, 2.0, 3.0, 4.0]]> : tensor<2x4xf32>
  // CHECK: sizes = [2, 4]
  // CHECK-NEXT: [0.5, -1.25, 3, 0.125]
  // CHECK-NEXT: [-2.18327, -1.47361, 3.44721, -1.21664]
  %y = xfmr.layer_norm %x, %gamma, %beta eps(1.0e-5) : tensor<2x4xf32>, tensor<4xf32>
  func.call @print(%y) : (tensor<2x4xf32>) -> ()
  // CHECK: sizes = [2, 4]
  // CHECK-NEXT: [0, 0, 0, 0]
  %dy = xfmr.add %y, %minus_beta : tensor<2x4xf32>, tensor<1x4xf32> -> tensor<2x4xf32>
  func.call @print(%dy) : (tensor<2x4xf32>) -> ()

  // Over axis 0: columns; column 1 is constant and yields beta[1] exactly.
  %xc = arith.constant dense<[[1.0, 6.5], [3.0, 6.5]]> : tensor<2x2xf32>
  %ones = arith.constant dense<1.0> : tensor<2xf32>
  %b2 = arith.constant dense<[0.5, -0.5]> : tensor<2xf32>
  // CHECK: sizes = [2, 2]
  // CHECK-NEXT: [-0.499995, 0.5]
  // CHECK-NEXT: [0.499995, -0.5]
  %yc = xfmr.layer_norm %xc, %ones, %b2 eps(1.0e-5) axis(0) : tensor<2x2xf32>, tensor<2xf32>
  %uc = tensor.cast %yc : tensor<2x2xf32> to tensor<*xf32>
  func.call @printMemrefF32(%uc) : (tensor<*xf32>) -> ()

  // residual_layer_norm: sum = (input + bias) + residual. Row 0's sum is the
  // constant 5 (-> exactly beta), row 1's is [1, 2, 3, 4] (-> as above); the
  // second result is the sum itself.
  %in = arith.constant dense<[[[1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 3.0, 4.0]]]> : tensor<1x2x4xf32>
  %res = arith.constant dense<[[[3.5, 3.5, 1.75, 1.25], [-0.5, 0.5, -0.25, 0.25]]]> : tensor<1x2x4xf32>
  %bias = arith.constant dense<[0.5, -0.5, 0.25, -0.25]> : tensor<4xf32>
  %r, %sum = xfmr.residual_layer_norm %in, %res bias(%bias : tensor<4xf32>), %gamma, %beta eps(1.0e-5)
      : tensor<1x2x4xf32>, tensor<4xf32>
  // CHECK: sizes = [1, 2, 4]
  // CHECK-NEXT: [0.5, -1.25, 3, 0.125]
  // CHECK-NEXT: [-2.18327, -1.47361, 3.44721, -1.21664]
  func.call @print3(%r) : (tensor<1x2x4xf32>) -> ()
  // CHECK: sizes = [1, 2, 4]
  // CHECK-NEXT: [5, 5, 5, 5]
  // CHECK-NEXT: [1, 2, 3, 4]
  func.call @print3(%sum) : (tensor<1x2x4xf32>) -> ()
  // CHECK: sizes = [1, 2, 4]
  // CHECK-NEXT: [0, 0, 0, 0]
  %minus_beta3 = arith.constant dense<[[[-0.5, 1.25, -3.0, -0.125]]]> : tensor<1x1x4xf32>
  %dr = xfmr.add %r, %minus_beta3 : tensor<1x2x4xf32>, tensor<1x1x4xf32> -> tensor<1x2x4xf32>
  func.call @print3(%dr) : (tensor<1x2x4xf32>) -> ()

  // Without a bias: input + residual.
  // CHECK: sizes = [1, 2, 4]
  // CHECK-NEXT: [4.5, 5.5, 4.75, 5.25]
  // CHECK-NEXT: [0.5, 2.5, 2.75, 4.25]
  %r2, %sum2 = xfmr.residual_layer_norm %in, %res, %gamma, %beta eps(1.0e-5) : tensor<1x2x4xf32>, tensor<4xf32>
  func.call @print3(%sum2) : (tensor<1x2x4xf32>) -> ()
  return
}
