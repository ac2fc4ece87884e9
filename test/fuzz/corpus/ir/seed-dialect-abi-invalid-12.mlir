func.func private @f() attributes {xfmr.entry = #xfmr.entry<embed>, xfmr.pooling = "max"}
