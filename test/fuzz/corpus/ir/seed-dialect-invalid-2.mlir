xfmr.weight_decl @w key("w") transposed : tensor<4x8x2xf32>
