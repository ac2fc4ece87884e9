func.func @f(%a: tensor<?x4x?x?xf32>, %m: tensor<?x2x1x?xf32>) -> tensor<?x4x?x?xf32> {
  %0 = xfmr.add %a, %m : tensor<?x4x?x?xf32>, tensor<?x2x1x?xf32> -> tensor<?x4x?x?xf32>
  return %0 : tensor<?x4x?x?xf32>
}
