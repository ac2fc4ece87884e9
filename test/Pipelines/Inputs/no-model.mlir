func.func @encode(%ids: tensor<?x?xi64> {xfmr.name = "input_ids"}) -> (tensor<?x?xi64> {xfmr.name = "out"})
    attributes {xfmr.entry = #xfmr.entry<encode>} {
  return %ids : tensor<?x?xi64>
}
