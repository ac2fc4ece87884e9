// RUN: xfmr-opt %s --pass-pipeline='builtin.module(func.func(xfmr-cpu-softmax))' | FileCheck %s
// RUN: %if stats %{ xfmr-opt %s --pass-pipeline='builtin.module(func.func(xfmr-cpu-softmax))' --mlir-pass-statistics -o /dev/null 2>&1 | FileCheck %s --check-prefix=STATS %}

// Rows of 32, two whole vectors: one forall iteration per row; the maximum
// a chain of vector maximums, reduced across the lanes by 4 shuffles; exp
// (0 when the maximum is -inf) written to the row and summed, the lanes
// added by 4 shuffles; the row read back and divided by the sum (0 where
// the sum is not positive). No partial vector.
// CHECK-LABEL: func.func @whole
// CHECK-NOT: xfmr.softmax
// CHECK: scf.forall (%[[ROW:.*]]) in
// CHECK: %[[OUT:.*]] = tensor.extract_slice {{.*}}[%[[ROW]], 0] [1, 32] [1, 1] {{.*}} to tensor<32xf32>
// CHECK: %[[MAX:.*]] = scf.for %[[J:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[M:.*]] = %{{.*}}) -> (vector<16xf32>)
// CHECK: %[[X:.*]] = vector.transfer_read %arg0[%[[ROW]], %[[J]]]{{.*}}in_bounds = [true]{{.*}} : tensor<?x32xf32>, vector<16xf32>
// CHECK: arith.maximumf %[[M]], %[[X]] : vector<16xf32>
// CHECK-COUNT-4: vector.shuffle
// CHECK: %[[RMAX:.*]] = vector.extract {{.*}}[0] : f32 from vector<16xf32>
// CHECK: %[[NEGINF:.*]] = arith.cmpf oeq, %[[RMAX]]
// CHECK: scf.for {{.*}} iter_args({{.*}}, %{{.*}} = %[[OUT]]) -> (vector<16xf32>, tensor<32xf32>)
// CHECK: math.exp {{.*}} : vector<16xf32>
// CHECK: arith.select %[[NEGINF]]
// CHECK: arith.addf
// CHECK: vector.transfer_write {{.*}} : vector<16xf32>, tensor<32xf32>
// CHECK-COUNT-4: vector.shuffle
// CHECK: %[[POSITIVE:.*]] = arith.cmpf ogt
// CHECK: scf.for
// CHECK: vector.transfer_read {{.*}} : tensor<32xf32>, vector<16xf32>
// CHECK: arith.divf
// CHECK: arith.select %[[POSITIVE]]
// CHECK-NOT: vector.create_mask
// CHECK: tensor.parallel_insert_slice
func.func @whole(%x: tensor<?x32xf32>) -> tensor<?x32xf32> {
  %p = xfmr.softmax %x : tensor<?x32xf32>
  return %p : tensor<?x32xf32>
}

// A width known only at run time: the loop over whole vectors, then one
// masked vector of the lanes left. Masks: the padding flags compared to 0,
// the causal limit (query + keys - queries) compared per lane, the fill
// added where either masks; whether some key is not masked is or-ed along
// and reduced once; a fully masked row is uniform (1 / keys).
// CHECK-LABEL: func.func @masked
// CHECK-NOT: xfmr.masked_softmax
// CHECK: %[[KEYS:.*]] = tensor.dim %arg0, %c3
// CHECK: scf.forall (%[[B:.*]], %[[H:.*]], %[[Q:.*]]) in
// CHECK: %[[LIMIT:.*]] = vector.broadcast %{{.*}} : i64 to vector<16xi64>
// CHECK: %[[REM:.*]] = arith.remui %[[KEYS]], %c16
// CHECK: %[[WHOLE:.*]] = arith.subi %[[KEYS]], %[[REM]]
// CHECK: scf.for %[[J:.*]] = %{{.*}} to %[[WHOLE]] step %c16{{.*}} -> (vector<16xf32>, vector<16xi1>)
// CHECK: arith.mulf {{.*}} : vector<16xf32>
// CHECK: vector.transfer_read %arg2[%{{.*}}, %[[H]], %{{.*}}, %[[J]]]
// CHECK: %[[FLAGS:.*]] = vector.transfer_read %arg1[%[[B]], %[[J]]]{{.*}} : tensor<?x?xi64>, vector<16xi64>
// CHECK: arith.cmpi eq, %[[FLAGS]]
// CHECK: arith.cmpi sgt, %{{.*}}, %[[LIMIT]] : vector<16xi64>
// CHECK: arith.ori
// CHECK: arith.select {{.*}} : vector<16xi1>, vector<16xf32>
// CHECK: arith.maximumf
// CHECK: %[[LEFT:.*]] = arith.subi %[[KEYS]], %[[WHOLE]]
// CHECK: %[[VALID:.*]] = vector.create_mask %[[LEFT]] : vector<16xi1>
// CHECK: vector.transfer_read %arg0[%[[B]], %[[H]], %[[Q]], %[[WHOLE]]], %{{.*}}, %[[VALID]]
// CHECK: vector.reduction <or>
// CHECK: arith.sitofp
// CHECK: vector.transfer_write {{.*}}, %[[VALID:.*]] {{.*}} : vector<16xf32>, tensor<?xf32>
// CHECK: tensor.parallel_insert_slice
func.func @masked(%s: tensor<?x4x?x?xf32>, %m: tensor<?x?xi64>, %bias: tensor<1x4x1x?xf32>) -> tensor<?x4x?x?xf32> {
  %p = xfmr.masked_softmax %s key_padding(%m : tensor<?x?xi64>) bias(%bias : tensor<1x4x1x?xf32>)
      scale(0.125) causal mask(<fill = lowest, fully_masked = uniform>) : tensor<?x4x?x?xf32>
  return %p : tensor<?x4x?x?xf32>
}

// A static width that is not a whole number of vectors, and a softmax over
// another axis, keep the generic lowering.
// CHECK-LABEL: func.func @generic
// CHECK: xfmr.softmax {{.*}} : tensor<4x20xf32>
// CHECK: xfmr.softmax {{.*}} axis(0) : tensor<4x32xf32>
// CHECK: xfmr.masked_softmax {{.*}} : tensor<1x2x3x20xf32>
func.func @generic(%x: tensor<4x20xf32>, %y: tensor<4x32xf32>, %s: tensor<1x2x3x20xf32>)
    -> (tensor<4x20xf32>, tensor<4x32xf32>, tensor<1x2x3x20xf32>) {
  %p = xfmr.softmax %x : tensor<4x20xf32>
  %q = xfmr.softmax %y axis(0) : tensor<4x32xf32>
  %r = xfmr.masked_softmax %s scale(1.0) mask(<fill = neg_inf, fully_masked = zero>) : tensor<1x2x3x20xf32>
  return %p, %q, %r : tensor<4x20xf32>, tensor<4x32xf32>, tensor<1x2x3x20xf32>
}

// STATS: XfmrCpuSoftmax
// STATS-NEXT: (S) 2 kernels - softmaxes turned into vector code
