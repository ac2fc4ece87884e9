// RUN: xfmr-opt %s --xfmr-pack-weights --split-input-file | FileCheck %s

// A weight read only as a linear's weight, here through a layer function's
// argument, is declared transposed ([in, out]); the linear reads it so and
// the layer's signature follows.
// CHECK-LABEL: xfmr.weight_decl @w key("w") transposed : tensor<4x8xf32>
// CHECK: xfmr.weight_decl @e key("e") : tensor<10x4xf32>
// CHECK-LABEL: func.func @encode
// CHECK: %[[W:.*]] = xfmr.weight @w : tensor<4x8xf32>
// CHECK: call @layer(%{{.*}}, %[[W]]) : (tensor<?x?x4xf32>, tensor<4x8xf32>)
// CHECK-LABEL: func.func private @layer
// CHECK-SAME: %{{.*}}: tensor<4x8xf32>
// CHECK: xfmr.linear {{.*}} {transposed_weight} : tensor<?x?x4xf32>, tensor<4x8xf32> -> tensor<?x?x8xf32>
module {
  xfmr.weight_decl @w key("w") : tensor<8x4xf32>
  xfmr.weight_decl @e key("e") : tensor<10x4xf32>
  func.func @encode(%ids: tensor<?x?xi64>) -> tensor<?x?x8xf32> {
    %e = xfmr.weight @e : tensor<10x4xf32>
    %x = xfmr.embedding %ids, %e : tensor<?x?xi64>, tensor<10x4xf32> -> tensor<?x?x4xf32>
    %w = xfmr.weight @w : tensor<8x4xf32>
    %y = call @layer(%x, %w) : (tensor<?x?x4xf32>, tensor<8x4xf32>) -> tensor<?x?x8xf32>
    return %y : tensor<?x?x8xf32>
  }
  func.func private @layer(%x: tensor<?x?x4xf32>, %w: tensor<8x4xf32>) -> tensor<?x?x8xf32> {
    %y = xfmr.linear %x, %w : tensor<?x?x4xf32>, tensor<8x4xf32> -> tensor<?x?x8xf32>
    return %y : tensor<?x?x8xf32>
  }
}

// -----

// A table that is also an output head (tied embeddings) stays as stored, and
// so does every linear that reads it.
// CHECK-LABEL: xfmr.weight_decl @e key("e") : tensor<10x4xf32>
// CHECK: xfmr.linear
// CHECK-NOT: transposed_weight
module {
  xfmr.weight_decl @e key("e") : tensor<10x4xf32>
  func.func @encode(%ids: tensor<?x?xi64>) -> tensor<?x?x10xf32> {
    %e = xfmr.weight @e : tensor<10x4xf32>
    %x = xfmr.embedding %ids, %e : tensor<?x?xi64>, tensor<10x4xf32> -> tensor<?x?x4xf32>
    %y = xfmr.linear %x, %e : tensor<?x?x4xf32>, tensor<10x4xf32> -> tensor<?x?x10xf32>
    return %y : tensor<?x?x10xf32>
  }
}

// -----

// One layer function for two calls: one passes a weight, the other a
// computed tensor, so the argument (and the weight) stay as they are.
// CHECK-LABEL: xfmr.weight_decl @w key("w") : tensor<4x4xf32>
// CHECK-NOT: transposed
module {
  xfmr.weight_decl @w key("w") : tensor<4x4xf32>
  func.func @encode(%x: tensor<?x?x4xf32>, %v: tensor<4x4xf32>) -> tensor<?x?x4xf32> {
    %w = xfmr.weight @w : tensor<4x4xf32>
    %a = call @layer(%x, %w) : (tensor<?x?x4xf32>, tensor<4x4xf32>) -> tensor<?x?x4xf32>
    %b = call @layer(%a, %v) : (tensor<?x?x4xf32>, tensor<4x4xf32>) -> tensor<?x?x4xf32>
    return %b : tensor<?x?x4xf32>
  }
  func.func private @layer(%x: tensor<?x?x4xf32>, %w: tensor<4x4xf32>) -> tensor<?x?x4xf32> {
    %y = xfmr.linear %x, %w : tensor<?x?x4xf32>, tensor<4x4xf32> -> tensor<?x?x4xf32>
    return %y : tensor<?x?x4xf32>
  }
}
