func.func private @f() attributes {xfmr.entry = "encode"}
