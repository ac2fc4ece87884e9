module {
  func.func @fused(%s: tensor<?x4x?x?xf32>, %m: tensor<?x?xi64>, %x: tensor<?x?x32xf32>, %g: tensor<32xf32>)
      -> (tensor<?x4x?x?xf32>, tensor<?x?x32xf32>) {
    %p = xfmr.masked_softmax %s key_padding(%m : tensor<?x?xi64>) scale(0.125)
        mask(<fill = neg_inf, fully_masked = zero>) : tensor<?x4x?x?xf32>
    %y, %sum = xfmr.residual_layer_norm %x, %x, %g, %g eps(1.0e-5) : tensor<?x?x32xf32>, tensor<32xf32>
    return %p, %y : tensor<?x4x?x?xf32>, tensor<?x?x32xf32>
  }
  func.func @unfused(%q: tensor<?x4x?x8xf32>, %m: tensor<?x?xi64>, %x: tensor<?x?x32xf32>,
                     %r: tensor<?x?x32xf32>, %g: tensor<32xf32>)
      -> (tensor<?x4x?x?xf32>, tensor<?x4x?x?xf32>, tensor<?x?x32xf32>, tensor<?x?x32xf32>) {
    %pad = xfmr.padding_mask %m mask(<fill = neg_inf, fully_masked = zero>) : tensor<?x?xi64> -> tensor<?x1x1x?xf32>
    %s = xfmr.matmul %q, %q transpose_rhs : tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x?xf32>
    %scaled = xfmr.scale %s by 0.125 : tensor<?x4x?x?xf32>
    %masked = xfmr.add %scaled, %pad : tensor<?x4x?x?xf32>, tensor<?x1x1x?xf32> -> tensor<?x4x?x?xf32>
    %p1 = xfmr.softmax %masked : tensor<?x4x?x?xf32>
    %t = xfmr.matmul %q, %q transpose_rhs {scale = 0.5 : f32} : tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x?xf32>
    %p2 = xfmr.softmax %t : tensor<?x4x?x?xf32>
    %a = xfmr.add %x, %r : tensor<?x?x32xf32>, tensor<?x?x32xf32> -> tensor<?x?x32xf32>
    %y1 = xfmr.layer_norm %a, %g, %g eps(1.0e-5) : tensor<?x?x32xf32>, tensor<32xf32>
    %b = xfmr.add %y1, %r : tensor<?x?x32xf32>, tensor<?x?x32xf32> -> tensor<?x?x32xf32>
    %y2 = xfmr.layer_norm %b, %g, %g eps(1.0e-5) : tensor<?x?x32xf32>, tensor<32xf32>
    return %p1, %p2, %y1, %y2 : tensor<?x4x?x?xf32>, tensor<?x4x?x?xf32>, tensor<?x?x32xf32>, tensor<?x?x32xf32>
  }
  func.func @attention(%q: tensor<?x4x?x8xf32>, %m: tensor<?x?xi64>)
      -> (tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32>) {
    %c = xfmr.fused_attention %q, %q, %q key_padding(%m : tensor<?x?xi64>) scale(0.125)
        mask(<fill = neg_inf, fully_masked = zero>)
        : tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x8xf32>
    %s = xfmr.matmul %q, %q transpose_rhs : tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x?xf32>
    %p = xfmr.softmax %s : tensor<?x4x?x?xf32>
    %d = xfmr.matmul %p, %q : tensor<?x4x?x?xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x8xf32>
    return %c, %d : tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32>
  }
  func.func @no_pattern(%s: tensor<?x4x?x?xf32>, %q: tensor<?x4x?x8xf32>, %x: tensor<?x16x32xf32>,
                        %g: tensor<32xf32>, %h: tensor<16xf32>)
      -> (tensor<?x4x?x?xf32>, tensor<?x4x?x?xf32>, tensor<?x4x?x?xf32>, tensor<?x16x32xf32>, tensor<?x16x32xf32>) {
    %p1 = xfmr.softmax %s : tensor<?x4x?x?xf32>
    %mm = xfmr.matmul %q, %q transpose_rhs : tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x?xf32>
    %p2 = xfmr.softmax %mm : tensor<?x4x?x?xf32>
    %sc = xfmr.scale %s by 0.5 : tensor<?x4x?x?xf32>
    %p3 = xfmr.softmax %sc axis(2) : tensor<?x4x?x?xf32>
    %y1 = xfmr.layer_norm %x, %g, %g eps(1.0e-5) : tensor<?x16x32xf32>, tensor<32xf32>
    %a = xfmr.add %x, %x : tensor<?x16x32xf32>, tensor<?x16x32xf32> -> tensor<?x16x32xf32>
    %y2 = xfmr.layer_norm %a, %h, %h eps(1.0e-5) axis(1) : tensor<?x16x32xf32>, tensor<16xf32>
    return %p1, %p2, %p3, %y1, %y2 : tensor<?x4x?x?xf32>, tensor<?x4x?x?xf32>, tensor<?x4x?x?xf32>, tensor<?x16x32xf32>, tensor<?x16x32xf32>
  }
}
