func.func private @f(tensor<?xi64> {xfmr.label = "x"})
