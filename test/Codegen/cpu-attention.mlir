// RUN: xfmr-opt %s --pass-pipeline='builtin.module(func.func(xfmr-cpu-attention))' | FileCheck %s

// A padded attention, head dim 8, value dim 24: one forall iteration per
// (batch, head, 16 queries); Qᵀ gathered once ([8][16]); a loop over tiles of
// 16 keys carrying the running maximum, the sum and one accumulator vector
// per value column (2 + 24); in it the scores as 16 vector accumulators over
// the head dimension (broadcast K times Qᵀ row), the lane-wise online
// softmax with a vector exp, and the products in blocks of 16 and 8 columns,
// each a loop over the tile's keys that skips a padded key.
// CHECK-LABEL: func.func @padded
// CHECK-NOT: xfmr.fused_attention
// CHECK: scf.forall
// CHECK: %[[QT:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<8x16xf32>)
// CHECK: tensor.extract %arg0
// CHECK: %[[LOOP:.*]]:26 = scf.for %{{.*}} step %c16{{.*}} iter_args({{.*}}) -> (vector<16xf32>,
// A whole tile of keys reads consecutive rows; a partial one clamps them.
// CHECK: %[[WHOLE:.*]] = arith.cmpi sle
// CHECK: scf.if %[[WHOLE]] -> (vector<16xf32>,
// CHECK: %[[SCORES:.*]]:16 = scf.for %[[D:.*]] = %c0{{.*}} to %c8{{.*}} step %c1{{.*}} iter_args({{.*}}) -> (vector<16xf32>,
// CHECK: vector.transfer_read %[[QT]][%[[D]], %c0{{.*}}]
// CHECK: tensor.extract %arg1
// CHECK: vector.broadcast
// CHECK: vector.fma
// CHECK: arith.maximumf {{.*}} : vector<16xf32>
// CHECK: math.exp {{.*}} : vector<16xf32>
// CHECK: vector.transfer_write {{.*}} : vector<16xf32>, tensor<16x16xf32>
// CHECK: %[[WIDE:.*]]:16 = scf.for {{.*}} -> (vector<16xf32>,
// CHECK: scf.if
// CHECK: tensor.extract %arg2
// CHECK: vector.fma
// CHECK: %[[NARROW:.*]]:8 = scf.for {{.*}} -> (vector<16xf32>,
// CHECK: scf.if
// CHECK: scf.yield
// The epilogue reads the accumulators as [column][query].
// CHECK: vector.transfer_write %[[LOOP]]#25, {{.*}} : vector<16xf32>, tensor<24x16xf32>
// CHECK: linalg.generic
// CHECK: tensor.parallel_insert_slice
func.func @padded(%q: tensor<?x2x?x8xf32>, %k: tensor<?x2x?x8xf32>, %v: tensor<?x2x?x24xf32>, %m: tensor<?x?xi64>) -> tensor<?x2x?x24xf32> {
  %c = xfmr.fused_attention %q, %k, %v key_padding(%m : tensor<?x?xi64>) scale(0.125)
      mask(<fill = lowest, fully_masked = uniform>)
      : tensor<?x2x?x8xf32>, tensor<?x2x?x8xf32>, tensor<?x2x?x24xf32> -> tensor<?x2x?x24xf32>
  return %c : tensor<?x2x?x24xf32>
}

// Without padding every key before the stop is seen: no branch per key.
// Causal: the scores of a key are selected by a lane compare against each
// query's limit.
// CHECK-LABEL: func.func @causal
// CHECK: scf.forall
// CHECK: %[[LIMIT:.*]] = arith.addi %{{.*}}, %cst{{.*}} : vector<16xi64>
// CHECK: scf.for
// CHECK: arith.cmpi sle, %{{.*}}, %[[LIMIT]] : vector<16xi64>
// CHECK-NOT: scf.if
// CHECK: tensor.parallel_insert_slice
func.func @causal(%q: tensor<?x4x?x8xf32>) -> tensor<?x4x?x8xf32> {
  %c = xfmr.fused_attention %q, %q, %q scale(0.125) causal
      mask(<fill = neg_inf, fully_masked = zero>)
      : tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x8xf32>
  return %c : tensor<?x4x?x8xf32>
}

// A bias of the keys alone (ALiBi's [b, h, 1, k]) is read per key of the
// tile, at its batch row and head, and broadcast to the 16 queries; a bias
// broadcast over the batch reads row 0.
// CHECK-LABEL: func.func @key_bias
// CHECK-NOT: xfmr.fused_attention
// CHECK: scf.forall (%[[B:[^,]*]], %[[H:[^,]*]], %{{.*}}) in
// CHECK: %[[SCORES:.*]]:16 = scf.if
// CHECK: arith.mulf %[[SCORES]]#0
// CHECK: %[[BIAS:.*]] = tensor.extract %arg1[%[[B]], %[[H]], %c0{{.*}}, %{{.*}}] : tensor<?x4x1x?xf32>
// CHECK: %[[KEYS:.*]] = vector.broadcast %[[BIAS]] : f32 to vector<16xf32>
// CHECK: arith.addf %{{.*}}, %[[KEYS]] : vector<16xf32>
// CHECK: tensor.parallel_insert_slice
func.func @key_bias(%q: tensor<?x4x?x8xf32>, %bias: tensor<?x4x1x?xf32>) -> tensor<?x4x?x8xf32> {
  %c = xfmr.fused_attention %q, %q, %q bias(%bias : tensor<?x4x1x?xf32>) scale(0.125) causal
      mask(<fill = neg_inf, fully_masked = zero>)
      : tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x8xf32>
  return %c : tensor<?x4x?x8xf32>
}

// CHECK-LABEL: func.func @shared_key_bias
// CHECK-NOT: xfmr.fused_attention
// CHECK: scf.forall (%{{[^,]*}}, %[[H:[^,]*]], %{{.*}}) in
// CHECK: tensor.extract %arg1[%c0{{.*}}, %[[H]], %c0{{.*}}, %{{.*}}] : tensor<1x4x1x?xf32>
func.func @shared_key_bias(%q: tensor<?x4x?x8xf32>, %bias: tensor<1x4x1x?xf32>) -> tensor<?x4x?x8xf32> {
  %c = xfmr.fused_attention %q, %q, %q bias(%bias : tensor<1x4x1x?xf32>) scale(0.125)
      mask(<fill = neg_inf, fully_masked = zero>)
      : tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x8xf32>
  return %c : tensor<?x4x?x8xf32>
}

// A tile of one query (a decode step's) branches at run time to a loop
// whose lanes run along the head dimension (8 here: one vector of 8) and the
// value dimension (24: vectors of 16 and 8): per key a product with the
// query reduced to its score, 16 keys' scores one vector for the online
// softmax, then each seen key's value row times its probability; the sum and
// the accumulators go to lane and column 0 of the common layout.
// CHECK-LABEL: func.func @single_query
// CHECK: scf.forall
// CHECK: %[[ONE:.*]] = arith.cmpi eq, %{{.*}}, %c1{{.*}} : index
// CHECK: scf.if %[[ONE]] -> (tensor<16xf32>, tensor<24x16xf32>) {
// CHECK: %[[Q:.*]] = vector.transfer_read %arg0{{.*}} : tensor<?x2x?x8xf32>, vector<8xf32>
// CHECK: scf.for {{.*}} -> (f32, f32, vector<16xf32>, vector<8xf32>) {
// CHECK: %[[K:.*]] = vector.transfer_read %arg1{{.*}} : tensor<?x2x?x8xf32>, vector<8xf32>
// CHECK: %[[KQ:.*]] = arith.mulf %[[K]], %[[Q]] : vector<8xf32>
// CHECK: vector.reduction <add>, %[[KQ]] : vector<8xf32> into f32
// CHECK: %[[X:.*]] = vector.from_elements {{.*}} : vector<16xf32>
// CHECK: vector.reduction <maximumf>, %[[X]] : vector<16xf32> into f32
// CHECK: math.exp {{.*}} : vector<16xf32>
// CHECK: vector.reduction <add>, {{.*}} : vector<16xf32> into f32
// CHECK: scf.for {{.*}} -> (vector<16xf32>, vector<8xf32>) {
// CHECK: scf.if
// CHECK: vector.transfer_read %arg2{{.*}} : tensor<?x2x?x24xf32>, vector<16xf32>
// CHECK: vector.fma {{.*}} : vector<16xf32>
// CHECK: vector.transfer_read %arg2{{.*}} : tensor<?x2x?x24xf32>, vector<8xf32>
// CHECK: vector.fma {{.*}} : vector<8xf32>
// CHECK: tensor.insert %{{.*}} into %{{.*}}[%c0{{.*}}] : tensor<16xf32>
// CHECK-COUNT-24: tensor.insert %{{.*}} into %{{.*}}[%{{.*}}, %c0{{.*}}] : tensor<24x16xf32>
// CHECK: } else {
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<8x16xf32>)
// CHECK: tensor.parallel_insert_slice
func.func @single_query(%q: tensor<?x2x?x8xf32>, %k: tensor<?x2x?x8xf32>, %v: tensor<?x2x?x24xf32>, %m: tensor<?x?xi64>) -> tensor<?x2x?x24xf32> {
  %c = xfmr.fused_attention %q, %k, %v key_padding(%m : tensor<?x?xi64>) scale(0.125) causal
      mask(<fill = neg_inf, fully_masked = zero>)
      : tensor<?x2x?x8xf32>, tensor<?x2x?x8xf32>, tensor<?x2x?x24xf32> -> tensor<?x2x?x24xf32>
  return %c : tensor<?x2x?x24xf32>
}

// A bias that varies by query keeps the generic lowering.
// CHECK-LABEL: func.func @biased
// CHECK: xfmr.fused_attention
func.func @biased(%q: tensor<1x2x4x8xf32>, %bias: tensor<1x2x4x4xf32>) -> tensor<1x2x4x8xf32> {
  %c = xfmr.fused_attention %q, %q, %q bias(%bias : tensor<1x2x4x4xf32>) scale(0.125)
      mask(<fill = neg_inf, fully_masked = zero>)
      : tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32> -> tensor<1x2x4x8xf32>
  return %c : tensor<1x2x4x8xf32>
}
