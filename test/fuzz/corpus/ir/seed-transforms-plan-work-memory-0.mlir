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
