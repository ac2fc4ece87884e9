//===- LinalgBuilders.h - helpers shared by the xfmr lowerings --*- C++ -*-===//
//
// Small builders for the linalg shapes every lowering needs: an empty tensor
// of a result's (partly dynamic) shape, an elementwise generic, and a
// reduction over the last dimension.
//
//===----------------------------------------------------------------------===//
#ifndef XFMR_COMPILER_CONVERSION_XFMRTOLINALG_LINALGBUILDERS_H
#define XFMR_COMPILER_CONVERSION_XFMRTOLINALG_LINALGBUILDERS_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"

namespace xfmr {

using BodyBuilder = llvm::function_ref<mlir::Value(
    mlir::OpBuilder &, mlir::Location, mlir::ValueRange)>;

/// The sizes of `value`: constants where static, tensor.dim where dynamic.
llvm::SmallVector<mlir::OpFoldResult> sizesOf(mlir::OpBuilder &b,
                                              mlir::Location loc,
                                              mlir::Value value);

/// tensor.empty of `type`: its static sizes from the type, its dynamic ones
/// from `sizes`.
mlir::Value emptyTensor(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::RankedTensorType type,
                        llvm::ArrayRef<mlir::OpFoldResult> sizes);

/// A tensor of `type` and `sizes` filled with `value`.
mlir::Value filledTensor(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::RankedTensorType type,
                         llvm::ArrayRef<mlir::OpFoldResult> sizes,
                         mlir::Value value);

/// An all-parallel linalg.generic producing a tensor of `type`/`sizes`; input
/// `i` is read through `inputMaps[i]` (the output through the identity) and
/// `body` computes the element from the input elements.
mlir::Value buildElementwise(mlir::OpBuilder &b, mlir::Location loc,
                             mlir::RankedTensorType type,
                             llvm::ArrayRef<mlir::OpFoldResult> sizes,
                             mlir::ValueRange inputs,
                             llvm::ArrayRef<mlir::AffineMap> inputMaps,
                             BodyBuilder body);

/// Reduces the last dimension of the shape of `inputs` (all of one shape).
/// `rowInputs` have the reduced shape (e.g. a row maximum). `combine(b, loc,
/// {input elements..., row elements..., accumulator})` returns the new
/// accumulator, starting from `init`. The result drops the last dimension.
mlir::Value buildLastDimReduction(mlir::OpBuilder &b, mlir::Location loc,
                                  mlir::ValueRange inputs,
                                  mlir::ValueRange rowInputs, mlir::Value init,
                                  BodyBuilder combine);

/// Identity map of rank `rank`, and the map dropping its last dimension.
mlir::AffineMap identityMap(mlir::MLIRContext *ctx, unsigned rank);
mlir::AffineMap dropLastDimMap(mlir::MLIRContext *ctx, unsigned rank);

mlir::Value f32Constant(mlir::OpBuilder &b, mlir::Location loc, double value);

} // namespace xfmr

#endif // XFMR_COMPILER_CONVERSION_XFMRTOLINALG_LINALGBUILDERS_H
