xfmr.weight_decl @w key("w") : tensor<4x32xi32>
