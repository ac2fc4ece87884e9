// RUN: xfmr-opt %s --xfmr-pack-weights --split-input-file | FileCheck %s

// A weight read only as a linear's weight, here through a layer function's
// argument, is declared in column panels [out / P, in, P], P = 32 where it
// divides out, else 16; the linear reads it so and the layer's signature
// follows.
// CHECK-LABEL: xfmr.weight_decl @w key("w") panels : tensor<2x4x32xf32>
// CHECK: xfmr.weight_decl @v key("v") panels : tensor<3x64x16xf32>
// CHECK: xfmr.weight_decl @e key("e") : tensor<10x4xf32>
// CHECK-LABEL: func.func @encode
// CHECK: %[[W:.*]] = xfmr.weight @w : tensor<2x4x32xf32>
// CHECK: %[[V:.*]] = xfmr.weight @v : tensor<3x64x16xf32>
// CHECK: call @layer(%{{.*}}, %[[W]], %[[V]]) : (tensor<?x?x4xf32>, tensor<2x4x32xf32>, tensor<3x64x16xf32>)
// CHECK-LABEL: func.func private @layer
// CHECK-SAME: %{{.*}}: tensor<2x4x32xf32>, %{{.*}}: tensor<3x64x16xf32>
// CHECK: xfmr.linear {{.*}} : tensor<?x?x4xf32>, tensor<2x4x32xf32> -> tensor<?x?x64xf32>
// CHECK: xfmr.linear {{.*}} : tensor<?x?x64xf32>, tensor<3x64x16xf32> -> tensor<?x?x48xf32>
module {
  xfmr.weight_decl @w key("w") : tensor<64x4xf32>
  xfmr.weight_decl @v key("v") : tensor<48x64xf32>
  xfmr.weight_decl @e key("e") : tensor<10x4xf32>
  func.func @encode(%ids: tensor<?x?xi64>) -> tensor<?x?x48xf32> {
    %e = xfmr.weight @e : tensor<10x4xf32>
    %x = xfmr.embedding %ids, %e : tensor<?x?xi64>, tensor<10x4xf32> -> tensor<?x?x4xf32>
    %w = xfmr.weight @w : tensor<64x4xf32>
    %v = xfmr.weight @v : tensor<48x64xf32>
    %y = call @layer(%x, %w, %v) : (tensor<?x?x4xf32>, tensor<64x4xf32>, tensor<48x64xf32>) -> tensor<?x?x48xf32>
    return %y : tensor<?x?x48xf32>
  }
  func.func private @layer(%x: tensor<?x?x4xf32>, %w: tensor<64x4xf32>, %v: tensor<48x64xf32>) -> tensor<?x?x48xf32> {
    %h = xfmr.linear %x, %w : tensor<?x?x4xf32>, tensor<64x4xf32> -> tensor<?x?x64xf32>
    %y = xfmr.linear %h, %v : tensor<?x?x64xf32>, tensor<48x64xf32> -> tensor<?x?x48xf32>
    return %y : tensor<?x?x48xf32>
  }
}

// -----

// An output width that is not a multiple of 16 has no panels: the weight
// stays as stored.
// CHECK-LABEL: xfmr.weight_decl @w key("w") : tensor<8x4xf32>
// CHECK: xfmr.linear {{.*}} tensor<8x4xf32> -> tensor<?x?x8xf32>
module {
  xfmr.weight_decl @w key("w") : tensor<8x4xf32>
  func.func @encode(%x: tensor<?x?x4xf32>) -> tensor<?x?x8xf32> {
    %w = xfmr.weight @w : tensor<8x4xf32>
    %y = xfmr.linear %x, %w : tensor<?x?x4xf32>, tensor<8x4xf32> -> tensor<?x?x8xf32>
    return %y : tensor<?x?x8xf32>
  }
}

// -----

// A table that is also an output head (tied embeddings) stays as stored, and
// so does every linear that reads it.
// CHECK-LABEL: xfmr.weight_decl @e key("e") : tensor<16x4xf32>
// CHECK: xfmr.linear {{.*}} tensor<16x4xf32> -> tensor<?x?x16xf32>
module {
  xfmr.weight_decl @e key("e") : tensor<16x4xf32>
  func.func @encode(%ids: tensor<?x?xi64>) -> tensor<?x?x16xf32> {
    %e = xfmr.weight @e : tensor<16x4xf32>
    %x = xfmr.embedding %ids, %e : tensor<?x?xi64>, tensor<16x4xf32> -> tensor<?x?x4xf32>
    %y = xfmr.linear %x, %e : tensor<?x?x4xf32>, tensor<16x4xf32> -> tensor<?x?x16xf32>
    return %y : tensor<?x?x16xf32>
  }
}

// -----

// One layer function for two calls: one passes a weight, the other a
// computed tensor, so the argument (and the weight) stay as they are.
// CHECK-LABEL: xfmr.weight_decl @w key("w") : tensor<16x16xf32>
// CHECK-NOT: panels
module {
  xfmr.weight_decl @w key("w") : tensor<16x16xf32>
  func.func @encode(%x: tensor<?x?x16xf32>, %v: tensor<16x16xf32>) -> tensor<?x?x16xf32> {
    %w = xfmr.weight @w : tensor<16x16xf32>
    %a = call @layer(%x, %w) : (tensor<?x?x16xf32>, tensor<16x16xf32>) -> tensor<?x?x16xf32>
    %b = call @layer(%a, %v) : (tensor<?x?x16xf32>, tensor<16x16xf32>) -> tensor<?x?x16xf32>
    return %b : tensor<?x?x16xf32>
  }
  func.func private @layer(%x: tensor<?x?x16xf32>, %w: tensor<16x16xf32>) -> tensor<?x?x16xf32> {
    %y = xfmr.linear %x, %w : tensor<?x?x16xf32>, tensor<16x16xf32> -> tensor<?x?x16xf32>
    return %y : tensor<?x?x16xf32>
  }
}

// -----

// An LM head of 300 rows (no panel width divides it): ten panels of 32, the
// last zero-padded (rows(0, 300 of 300)); the linear computes 320 columns
// and a contiguous copy keeps the first 300.
// CHECK-LABEL: xfmr.weight_decl @head key("head") panels rows(0, 300 of 300) : tensor<10x8x32xf32>
// CHECK: func.func @logits
// CHECK: %[[Y:.*]] = xfmr.linear %{{.*}}, %{{.*}} : tensor<?x?x8xf32>, tensor<10x8x32xf32> -> tensor<?x?x320xf32>
// CHECK: %[[S:.*]] = tensor.extract_slice %[[Y]][0, 0, 0] [%{{.*}}, %{{.*}}, 300] [1, 1, 1] : tensor<?x?x320xf32> to tensor<?x?x300xf32>
// CHECK: %[[C:.*]] = linalg.copy ins(%[[S]] : tensor<?x?x300xf32>)
// CHECK: return %[[C]]
module {
  xfmr.weight_decl @head key("head") : tensor<300x8xf32>
  func.func @logits(%x: tensor<?x?x8xf32>) -> tensor<?x?x300xf32> {
    %w = xfmr.weight @head : tensor<300x8xf32>
    %y = xfmr.linear %x, %w : tensor<?x?x8xf32>, tensor<300x8xf32> -> tensor<?x?x300xf32>
    return %y : tensor<?x?x300xf32>
  }
}

// -----

// The same with a bias would need a padded bias: left as stored.
// CHECK-LABEL: xfmr.weight_decl @head key("head") : tensor<300x8xf32>
// CHECK-NOT: panels
module {
  xfmr.weight_decl @head key("head") : tensor<300x8xf32>
  xfmr.weight_decl @b key("b") : tensor<300xf32>
  func.func @logits(%x: tensor<?x?x8xf32>) -> tensor<?x?x300xf32> {
    %w = xfmr.weight @head : tensor<300x8xf32>
    %b = xfmr.weight @b : tensor<300xf32>
    %y = xfmr.linear %x, %w, %b : tensor<?x?x8xf32>, tensor<300x8xf32>, tensor<300xf32> -> tensor<?x?x300xf32>
    return %y : tensor<?x?x300xf32>
  }
}
