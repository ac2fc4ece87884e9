func.func @post_ln_bias_folded(%x: tensor<?x?x64xf32>, %r: tensor<?x?x32xf32>, %w: tensor<32x64xf32>,
                               %b: tensor<32xf32>, %g: tensor<32xf32>, %beta: tensor<32xf32>) -> tensor<?x?x32xf32> {
  %l = xfmr.linear %x, %w, %b : tensor<?x?x64xf32>, tensor<32x64xf32>, tensor<32xf32> -> tensor<?x?x32xf32>
  %s = xfmr.add %l, %r : tensor<?x?x32xf32>, tensor<?x?x32xf32> -> tensor<?x?x32xf32>
  %y = xfmr.layer_norm %s, %g, %beta eps(1.0e-12) : tensor<?x?x32xf32>, tensor<32xf32>
  return %y : tensor<?x?x32xf32>
}
func.func @residual_on_the_left(%x: tensor<?x?x32xf32>, %w: tensor<32x32xf32>, %b: tensor<32xf32>,
                                %g: tensor<32xf32>) -> tensor<?x?x32xf32> {
  %l = xfmr.linear %x, %w, %b : tensor<?x?x32xf32>, tensor<32x32xf32>, tensor<32xf32> -> tensor<?x?x32xf32>
  %s = xfmr.add %x, %l : tensor<?x?x32xf32>, tensor<?x?x32xf32> -> tensor<?x?x32xf32>
  %y = xfmr.layer_norm %s, %g, %g eps(1.0e-5) : tensor<?x?x32xf32>, tensor<32xf32>
  return %y : tensor<?x?x32xf32>
}
func.func @pre_ln_sum_reused(%h: tensor<?x?x32xf32>, %f: tensor<?x?x32xf32>, %g: tensor<32xf32>)
    -> (tensor<?x?x32xf32>, tensor<?x?x32xf32>) {
  %s = xfmr.add %h, %f : tensor<?x?x32xf32>, tensor<?x?x32xf32> -> tensor<?x?x32xf32>
  %y = xfmr.layer_norm %s, %g, %g eps(1.0e-5) : tensor<?x?x32xf32>, tensor<32xf32>
  %next = xfmr.relu %y : tensor<?x?x32xf32>
  %out = xfmr.add %s, %next : tensor<?x?x32xf32>, tensor<?x?x32xf32> -> tensor<?x?x32xf32>
  return %out, %s : tensor<?x?x32xf32>, tensor<?x?x32xf32>
}
func.func @pre_ln_bias_folded(%x: tensor<?x?x32xf32>, %r: tensor<?x?x32xf32>, %w: tensor<32x32xf32>, %b: tensor<32xf32>)
    -> (tensor<?x?x32xf32>, tensor<?x?x32xf32>) {
  %l = xfmr.linear %x, %w, %b : tensor<?x?x32xf32>, tensor<32x32xf32>, tensor<32xf32> -> tensor<?x?x32xf32>
  %s = xfmr.add %l, %r : tensor<?x?x32xf32>, tensor<?x?x32xf32> -> tensor<?x?x32xf32>
  %y = xfmr.layer_norm %s, %b, %b eps(1.0e-5) : tensor<?x?x32xf32>, tensor<32xf32>
  return %y, %s : tensor<?x?x32xf32>, tensor<?x?x32xf32>
}
