func.func @f(%x: tensor<?x?x32xf32>) -> tensor<?x?x32xf32> {
  %0 = xfmr.dropout %x rate(-0.1) classic : tensor<?x?x32xf32>
  return %0 : tensor<?x?x32xf32>
}
