func.func private @f() attributes {xfmr.model = {name = "m"}}
