func.func private @f(tensor<?xi64> {xfmr.name = "input ids"})
