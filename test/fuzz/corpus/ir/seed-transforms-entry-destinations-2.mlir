func.func @encode(%x: tensor<?x8xf32> {xfmr.name = "x"}) -> (tensor<?x8xf32> {xfmr.name = "y"})
    attributes {xfmr.entry = #xfmr.entry<encode>} {
  return %x : tensor<?x8xf32>
}
func.func @caller(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %0 = call @encode(%x) : (tensor<?x8xf32>) -> tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}
