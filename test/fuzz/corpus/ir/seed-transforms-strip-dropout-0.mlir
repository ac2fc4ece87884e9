func.func @inverted(%x: tensor<?x?x32xf32>) -> (tensor<?x?x32xf32>, tensor<?x?x32xf32>) {
  %0 = xfmr.dropout %x rate(0.1) inverted : tensor<?x?x32xf32>
  %1 = xfmr.relu %0 : tensor<?x?x32xf32>
  return %1, %0 : tensor<?x?x32xf32>, tensor<?x?x32xf32>
}
func.func @classic(%x: tensor<?x4x?x?xf32>) -> tensor<?x4x?x?xf32> {
  %0 = xfmr.dropout %x rate(0.25) classic : tensor<?x4x?x?xf32>
  %1 = xfmr.relu %0 : tensor<?x4x?x?xf32>
  return %1 : tensor<?x4x?x?xf32>
}
func.func @classic_zero(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = xfmr.dropout %x rate(0.0) classic : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}
func.func @chain(%x: tensor<8xf32>) -> tensor<8xf32> {
  %0 = xfmr.dropout %x rate(0.3) inverted : tensor<8xf32>
  %1 = xfmr.dropout %0 rate(0.5) classic : tensor<8xf32>
  return %1 : tensor<8xf32>
}
func.func @classic_after_linear(%x: tensor<?x?x32xf32>, %w: tensor<64x32xf32>, %b: tensor<64xf32>) -> tensor<?x?x64xf32> {
  %l = xfmr.linear %x, %w, %b : tensor<?x?x32xf32>, tensor<64x32xf32>, tensor<64xf32> -> tensor<?x?x64xf32>
  %d = xfmr.dropout %l rate(0.1) classic : tensor<?x?x64xf32>
  %r = xfmr.relu %d : tensor<?x?x64xf32>
  return %r : tensor<?x?x64xf32>
}
func.func @classic_after_scaled_linear(%x: tensor<?x32xf32>, %w: tensor<64x32xf32>) -> tensor<?x64xf32> {
  %l = xfmr.linear %x, %w {scale = 0.5 : f32} : tensor<?x32xf32>, tensor<64x32xf32> -> tensor<?x64xf32>
  %d = xfmr.dropout %l rate(0.5) classic : tensor<?x64xf32>
  return %d : tensor<?x64xf32>
}
func.func @classic_after_matmul(%p: tensor<?x4x?x?xf32>, %v: tensor<?x4x?x8xf32>) -> tensor<?x4x?x8xf32> {
  %c = xfmr.matmul %p, %v : tensor<?x4x?x?xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x8xf32>
  %d = xfmr.dropout %c rate(0.25) classic : tensor<?x4x?x8xf32>
  return %d : tensor<?x4x?x8xf32>
}
func.func @classic_before_matmul(%s: tensor<?x4x?x?xf32>, %v: tensor<?x4x?x8xf32>) -> tensor<?x4x?x8xf32> {
  %p = xfmr.softmax %s : tensor<?x4x?x?xf32>
  %d = xfmr.dropout %p rate(0.1) classic : tensor<?x4x?x?xf32>
  %c = xfmr.matmul %d, %v : tensor<?x4x?x?xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x8xf32>
  return %c : tensor<?x4x?x8xf32>
}
func.func @classic_producer_reused(%x: tensor<?x32xf32>, %w: tensor<64x32xf32>) -> (tensor<?x64xf32>, tensor<?x64xf32>) {
  %l = xfmr.linear %x, %w : tensor<?x32xf32>, tensor<64x32xf32> -> tensor<?x64xf32>
  %d = xfmr.dropout %l rate(0.2) classic : tensor<?x64xf32>
  %r = xfmr.relu %d : tensor<?x64xf32>
  return %r, %l : tensor<?x64xf32>, tensor<?x64xf32>
}
func.func @classic_two_users(%p: tensor<?x4x?x?xf32>, %v: tensor<?x4x?x8xf32>) -> (tensor<?x4x?x8xf32>, tensor<?x4x?x?xf32>) {
  %d = xfmr.dropout %p rate(0.5) classic : tensor<?x4x?x?xf32>
  %c = xfmr.matmul %d, %v : tensor<?x4x?x?xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x8xf32>
  return %c, %d : tensor<?x4x?x8xf32>, tensor<?x4x?x?xf32>
}
