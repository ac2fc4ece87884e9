func.func @dropout_identities(%x: tensor<?x32xf32>) -> (tensor<?x32xf32>, tensor<?x32xf32>) {
  %0 = xfmr.dropout %x rate(0.1) inverted : tensor<?x32xf32>
  %1 = xfmr.dropout %x rate(0.0) classic : tensor<?x32xf32>
  return %0, %1 : tensor<?x32xf32>, tensor<?x32xf32>
}
func.func @classic_dropout_stays(%x: tensor<?x32xf32>) -> tensor<?x32xf32> {
  %0 = xfmr.dropout %x rate(0.1) classic : tensor<?x32xf32>
  return %0 : tensor<?x32xf32>
}
