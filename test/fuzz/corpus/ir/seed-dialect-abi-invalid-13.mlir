func.func private @f() attributes {xfmr.role = 1 : i64}
