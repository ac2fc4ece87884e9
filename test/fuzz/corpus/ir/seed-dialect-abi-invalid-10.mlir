func.func private @f() attributes {xfmr.entry = #xfmr.entry<generate>}
