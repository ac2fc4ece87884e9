// RUN: xfmr-opt %s --xfmr-gpu-norms | FileCheck %s

// Residual layer norm: one kernel, a warp per row (four per block), its
// lanes across the features. Pass 1 writes the sum (input + bias) +
// residual and sums it across the warp; pass 2 sums the squared deviations;
// pass 3 normalizes.
// CHECK-LABEL: func.func @residual_layer_norm
// CHECK: %[[X:.*]] = bufferization.to_buffer %arg0 read_only : tensor<?x?x32xf32> to memref<?x?x32xf32, strided<[?, ?, ?], offset: ?>>
// CHECK: %[[OUT:.*]] = memref.alloc(%{{.*}}, %{{.*}}) : memref<?x?x32xf32>
// CHECK: %[[SUM:.*]] = memref.alloc(%{{.*}}, %{{.*}}) : memref<?x?x32xf32>
// CHECK: gpu.launch blocks({{.*}}) threads(%[[LANE:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %c32, %{{.*}} = %c4, %{{.*}} = %c1{{.*}})
// CHECK: scf.for %[[F:.*]] = %[[LANE]] to %c32{{.*}} step %c32{{.*}} iter_args
// CHECK: memref.load %[[X]]
// CHECK: arith.addf
// CHECK: arith.addf
// CHECK: memref.store %{{.*}}, %[[SUM]][%{{.*}}, %{{.*}}, %[[F]]]
// CHECK-COUNT-5: gpu.shuffle  xor
// CHECK: scf.for
// CHECK: memref.load %[[SUM]]
// CHECK: math.fma
// CHECK-COUNT-5: gpu.shuffle  xor
// CHECK: math.sqrt
// CHECK: scf.for
// CHECK: memref.store %{{.*}}, %[[OUT]]
// CHECK: %[[Y:.*]] = bufferization.to_tensor %[[OUT]] restrict writable
// CHECK: %[[S:.*]] = bufferization.to_tensor %[[SUM]] restrict writable
// CHECK: return %[[Y]], %[[S]]
func.func @residual_layer_norm(%x: tensor<?x?x32xf32>, %r: tensor<?x?x32xf32>, %b: tensor<32xf32>,
                               %g: tensor<32xf32>, %beta: tensor<32xf32>) -> (tensor<?x?x32xf32>, tensor<?x?x32xf32>) {
  %y, %s = xfmr.residual_layer_norm %x, %r bias(%b : tensor<32xf32>), %g, %beta eps(1.0e-12) : tensor<?x?x32xf32>, tensor<32xf32>
  return %y, %s : tensor<?x?x32xf32>, tensor<?x?x32xf32>
}

// RMS norm: the sum of squares, then the scaling; no second pass.
// CHECK-LABEL: func.func @rms_norm
// CHECK: gpu.launch
// CHECK: arith.mulf
// CHECK-COUNT-5: gpu.shuffle  xor
// CHECK-NOT: gpu.shuffle
// CHECK: math.sqrt
// CHECK: return
func.func @rms_norm(%x: tensor<?x?x48xf32>, %g: tensor<48xf32>) -> tensor<?x?x48xf32> {
  %n = xfmr.rms_norm %x, %g eps(1.0e-6) : tensor<?x?x48xf32>, tensor<48xf32>
  return %n : tensor<?x?x48xf32>
}

// A norm over another axis, or over rows of unknown width, is left to the
// generic lowering.
// CHECK-LABEL: func.func @other_axis
// CHECK-NOT: gpu.launch
// CHECK: xfmr.layer_norm
func.func @other_axis(%x: tensor<?x16x?xf32>, %g: tensor<16xf32>, %b: tensor<16xf32>) -> tensor<?x16x?xf32> {
  %0 = xfmr.layer_norm %x, %g, %b eps(1.0e-5) axis(-2) : tensor<?x16x?xf32>, tensor<16xf32>
  return %0 : tensor<?x16x?xf32>
}
