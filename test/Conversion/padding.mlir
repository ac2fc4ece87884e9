// RUN: xfmr-opt %s --convert-xfmr-to-linalg --mlir-print-local-scope | FileCheck %s --implicit-check-not=xfmr.token_index

// The gather and the scatter of one mask share one scan of it (the token
// index), built where the mask is defined: per (b, s) the token's row, per
// token its flat position, and the count. The gather reads the [b·s, d]
// rows at the tokens' positions; the scatter reads a token's row and writes
// zero at padding, reading nothing there. The scan's marker is gone.
// CHECK-LABEL: func.func @padding
// CHECK-SAME: (%[[X:[^:]*]]: tensor<?x?x32xf32>, %[[M:[^:]*]]: tensor<?x?xi64>)
// CHECK: %[[ROWS0:.*]] = tensor.empty(%{{.*}}, %{{.*}}) : tensor<?x?xindex>
// CHECK: %[[POS0:.*]] = tensor.empty(%{{.*}}) : tensor<?xindex>
// CHECK: %[[SCAN:.*]]:3 = scf.for %[[B:.*]] = %{{.*}} iter_args(%{{.*}} = %{{.*}}, %{{.*}} = %[[ROWS0]], %{{.*}} = %[[POS0]])
// CHECK: scf.for %[[S:.*]] = %{{.*}} iter_args(%[[COUNT:[^ ]*]] = %{{.*}}, %[[ROWS:[^ ]*]] = %{{.*}}, %[[POS:[^ ]*]] = %{{.*}})
// CHECK: %[[MV:.*]] = tensor.extract %[[M]][%[[B]], %[[S]]]
// CHECK: %[[TOKEN:.*]] = arith.cmpi ne, %[[MV]]
// CHECK: tensor.insert %[[COUNT]] into %[[ROWS]][%[[B]], %[[S]]]
// CHECK: tensor.insert %{{.*}} into %[[POS]][%[[COUNT]]]
// CHECK: arith.select %[[TOKEN]]
// CHECK: %[[FLAT:.*]] = tensor.collapse_shape %[[X]] {{\[\[}}0, 1], [2]] : tensor<?x?x32xf32> into tensor<?x32xf32>
// CHECK: %[[TOKPOS:.*]] = tensor.extract_slice %[[SCAN]]#2[0] [%[[SCAN]]#0] [1]
// CHECK: %[[G:.*]] = linalg.generic
// CHECK-SAME: ins(%[[TOKPOS]] : tensor<?xindex>)
// CHECK: ^bb0(%[[P:.*]]: index, %{{.*}}: f32):
// CHECK: tensor.extract %[[FLAT]][%[[P]], %{{.*}}]
// CHECK-NOT: scf.for
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[M]], %[[SCAN]]#1 : tensor<?x?xi64>, tensor<?x?xindex>)
// CHECK: ^bb0(%[[MASKV:.*]]: i64, %[[ROW:.*]]: index, %{{.*}}: f32):
// CHECK: %[[IS:.*]] = arith.cmpi ne, %[[MASKV]]
// CHECK: scf.if %[[IS]] -> (f32)
// CHECK: tensor.extract %[[G]][%[[ROW]], %{{.*}}]
// CHECK: } else {
// CHECK: scf.yield %{{.*}} : f32
func.func @padding(%x: tensor<?x?x32xf32>, %m: tensor<?x?xi64>) -> tensor<?x?x32xf32> {
  %t = xfmr.remove_padding %x, %m : tensor<?x?x32xf32>, tensor<?x?xi64> -> tensor<?x32xf32>
  %r = xfmr.restore_padding %t, %m : tensor<?x32xf32>, tensor<?x?xi64> -> tensor<?x?x32xf32>
  return %r : tensor<?x?x32xf32>
}
