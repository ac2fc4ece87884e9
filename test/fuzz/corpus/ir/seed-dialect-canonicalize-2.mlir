func.func @add_zero(%x: tensor<?x32xf32>) -> (tensor<?x32xf32>, tensor<?x32xf32>) {
  %zero = arith.constant dense<-0.0> : tensor<1x32xf32>
  %0 = xfmr.add %x, %zero : tensor<?x32xf32>, tensor<1x32xf32> -> tensor<?x32xf32>
  %1 = xfmr.add %zero, %x : tensor<1x32xf32>, tensor<?x32xf32> -> tensor<?x32xf32>
  return %0, %1 : tensor<?x32xf32>, tensor<?x32xf32>
}
func.func @add_not_identity(%x: tensor<1x32xf32>, %y: tensor<?x32xf32>) -> (tensor<?x32xf32>, tensor<?x32xf32>, tensor<?x32xf32>) {
  %zero = arith.constant dense<-0.0> : tensor<4x32xf32>
  %one = arith.constant dense<1.0> : tensor<1x32xf32>
  %pos = arith.constant dense<0.0> : tensor<1x32xf32>
  %0 = xfmr.add %x, %zero : tensor<1x32xf32>, tensor<4x32xf32> -> tensor<?x32xf32>
  %1 = xfmr.add %y, %one : tensor<?x32xf32>, tensor<1x32xf32> -> tensor<?x32xf32>
  %2 = xfmr.add %y, %pos : tensor<?x32xf32>, tensor<1x32xf32> -> tensor<?x32xf32>
  return %0, %1, %2 : tensor<?x32xf32>, tensor<?x32xf32>, tensor<?x32xf32>
}
