func.func @dropout(%x: tensor<?x32xf32>) -> tensor<?x32xf32> {
  %0 = xfmr.dropout %x rate(0.1) classic : tensor<?x32xf32>
  return %0 : tensor<?x32xf32>
}
