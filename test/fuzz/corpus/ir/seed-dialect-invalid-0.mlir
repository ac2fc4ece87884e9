xfmr.weight_decl @w key("w") : tensor<?x32xf32>
