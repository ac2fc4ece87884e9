xfmr.weight_decl @wte key("wte") : tensor<100x32xf32>
xfmr.weight_decl @ln_g key("ln.g") : tensor<32xf32>
xfmr.weight_decl @wo key("wo") : tensor<16x32xf32>
func.func @encode(%ids: tensor<?x?xi64>) -> tensor<?x?x16xf32> {
  %wo = xfmr.weight @wo : tensor<16x32xf32>
  %t = xfmr.weight @wte : tensor<100x32xf32>
  %e = xfmr.embedding %ids, %t : tensor<?x?xi64>, tensor<100x32xf32> -> tensor<?x?x32xf32>
  %g = xfmr.weight @ln_g : tensor<32xf32>
  %n = xfmr.layer_norm %e, %g, %g eps(1.0e-5) : tensor<?x?x32xf32>, tensor<32xf32>
  %l = func.call @layer(%n, %wo) : (tensor<?x?x32xf32>, tensor<16x32xf32>) -> tensor<?x?x16xf32>
  return %l : tensor<?x?x16xf32>
}
func.func @other(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}
func.func private @layer(%x: tensor<?x?x32xf32>, %w: tensor<16x32xf32>) -> tensor<?x?x16xf32> {
  %0 = xfmr.linear %x, %w : tensor<?x?x32xf32>, tensor<16x32xf32> -> tensor<?x?x16xf32>
  return %0 : tensor<?x?x16xf32>
}
func.func private @external(tensor<4xf32>) -> tensor<4xf32>
