func.func @f(%x: tensor<?x65x32xf32>, %t: tensor<64x32xf32>) -> tensor<?x65x32xf32> {
  %0 = xfmr.add_positions learned %x, %t : tensor<?x65x32xf32>, tensor<64x32xf32>
  return %0 : tensor<?x65x32xf32>
}
