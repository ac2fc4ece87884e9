// RUN: xfmr-opt %s --xfmr-plan-work-memory --split-input-file --verify-diagnostics | FileCheck %s

// Every statically shaped temporary counts once, rounded up to the runtime's
// 64-byte granule: 4x8 f32 (128), 3 i8 (64), 2 index (16 → 64); dynamic
// ones are the context's to learn.
// CHECK: module attributes {xfmr.model = {{.*}}, xfmr.static_work_bytes = 256 : i64}
module attributes {xfmr.model = {name = "m", config = {vocab_size = 9 : i64,
    d_model = 4 : i64, num_layers = 0 : i64, num_heads = 1 : i64,
    max_positions = 8 : i64, type_vocab_size = 0 : i64}}} {
  func.func @f(%n: index) {
    %a = memref.alloc() : memref<4x8xf32>
    %b = memref.alloc() : memref<3xi8>
    %c = memref.alloc() : memref<2xindex>
    %d = memref.alloc(%n) : memref<?x8xf32>
    memref.dealloc %a : memref<4x8xf32>
    memref.dealloc %b : memref<3xi8>
    memref.dealloc %c : memref<2xindex>
    memref.dealloc %d : memref<?x8xf32>
    return
  }
}

// -----

// A module that states no model is not a library: nothing is recorded.
// CHECK-LABEL: module {
// CHECK-NOT: xfmr.static_work_bytes
func.func @g() {
  %a = memref.alloc() : memref<4xf32>
  memref.dealloc %a : memref<4xf32>
  return
}

// -----

// A size no machine has is an error, not a wrapped-around plan.
module attributes {xfmr.model = {name = "m", config = {vocab_size = 9 : i64,
    d_model = 4 : i64, num_layers = 0 : i64, num_heads = 1 : i64,
    max_positions = 8 : i64, type_vocab_size = 0 : i64}}} {
  func.func @f() {
    // expected-error @+1 {{a temporary of 'memref<4611686018427387904x4xf32>' is larger than any machine's memory}}
    %a = memref.alloc() : memref<4611686018427387904x4xf32>
    return
  }
}
