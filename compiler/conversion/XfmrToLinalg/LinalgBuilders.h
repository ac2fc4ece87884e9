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
llvm::SmallVector<mlir::OpFoldResult>
sizesOf(mlir::OpBuilder &b, mlir::Location loc, mlir::Value value);

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

using MultiBodyBuilder = llvm::function_ref<llvm::SmallVector<mlir::Value>(
    mlir::OpBuilder &, mlir::Location, mlir::ValueRange)>;

/// A reduction over dimension `axis` of the iteration space `loopSizes`:
/// input `i` is read through `inputMaps[i]`; there is one accumulator per
/// value of `inits`, of the iteration space's shape without `axis`.
/// `combine(b, loc, {input elements..., accumulators...})` returns the new
/// accumulators. Returns the final accumulators.
llvm::SmallVector<mlir::Value>
buildReduction(mlir::OpBuilder &b, mlir::Location loc,
               llvm::ArrayRef<mlir::OpFoldResult> loopSizes, unsigned axis,
               mlir::ValueRange inputs,
               llvm::ArrayRef<mlir::AffineMap> inputMaps,
               mlir::ValueRange inits, MultiBodyBuilder combine);

/// Identity map of rank `rank`; the map dropping dimension `dim` of it; the
/// map selecting only dimension `dim` of it.
mlir::AffineMap identityMap(mlir::MLIRContext *ctx, unsigned rank);
mlir::AffineMap dropDimMap(mlir::MLIRContext *ctx, unsigned rank, unsigned dim);
mlir::AffineMap selectDimMap(mlir::MLIRContext *ctx, unsigned rank,
                             unsigned dim);

mlir::Value f32Constant(mlir::OpBuilder &b, mlir::Location loc, double value);

/// exp(x - rowMax), or 0 where rowMax is -inf (no NaN from -inf + inf): the
/// softmax kernels' exponential.
mlir::Value guardedExp(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x,
                       mlir::Value rowMax);

} // namespace xfmr

#endif // XFMR_COMPILER_CONVERSION_XFMRTOLINALG_LINALGBUILDERS_H
