xfmr.weight_decl @w key("") : tensor<4x32xf32>
