func.func @unit_output_scales(%x: tensor<?x?x32xf32>, %w: tensor<64x32xf32>, %q: tensor<?x4x?x8xf32>)
    -> (tensor<?x?x64xf32>, tensor<?x4x?x?xf32>, tensor<?x4x?x?xf32>) {
  %0 = xfmr.linear %x, %w {scale = 1.0 : f32} : tensor<?x?x32xf32>, tensor<64x32xf32> -> tensor<?x?x64xf32>
  %1 = xfmr.matmul %q, %q transpose_rhs {scale = 1.0 : f32} : tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x?xf32>
  %2 = xfmr.matmul %q, %q transpose_rhs {scale = 0.5 : f32} : tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x?xf32>
  return %0, %1, %2 : tensor<?x?x64xf32>, tensor<?x4x?x?xf32>, tensor<?x4x?x?xf32>
}
