func.func @f(%x: tensor<?x?x32xf32>) -> tensor<?x?x32xf32> {
  %0 = xfmr.dropout %x rate(1.0) inverted : tensor<?x?x32xf32>
  return %0 : tensor<?x?x32xf32>
}
