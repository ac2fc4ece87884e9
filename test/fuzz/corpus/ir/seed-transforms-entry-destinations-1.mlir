func.func private @layer(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %c0 = arith.constant 0 : index
  %d = tensor.dim %x, %c0 : tensor<?x8xf32>
  %e = tensor.empty(%d) : tensor<?x8xf32>
  %y = linalg.exp ins(%x : tensor<?x8xf32>) outs(%e : tensor<?x8xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}
func.func @encode(%x: tensor<?x8xf32> {xfmr.name = "x"}) -> (tensor<?x8xf32> {xfmr.name = "hidden"})
    attributes {xfmr.entry = #xfmr.entry<encode>} {
  %0 = call @layer(%x) : (tensor<?x8xf32>) -> tensor<?x8xf32>
  %1 = call @layer(%0) : (tensor<?x8xf32>) -> tensor<?x8xf32>
  return %1 : tensor<?x8xf32>
}
