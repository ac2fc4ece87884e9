func.func private @g() attributes {m = #xfmr.mask<fill = value(0x7FF8000000000000), fully_masked = zero>}
