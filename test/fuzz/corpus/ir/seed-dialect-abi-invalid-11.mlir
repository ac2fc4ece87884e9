func.func private @f() attributes {xfmr.entry = #xfmr.entry<encode>, xfmr.pooling = "mean"}
