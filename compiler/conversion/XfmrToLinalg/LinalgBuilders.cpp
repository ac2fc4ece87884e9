//===- LinalgBuilders.cpp - helpers shared by the xfmr lowerings ----------===//
#include "compiler/conversion/XfmrToLinalg/LinalgBuilders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"

#include <limits>

using namespace mlir;

namespace xfmr {

SmallVector<OpFoldResult> sizesOf(OpBuilder &b, Location loc, Value value) {
  return tensor::getMixedSizes(b, loc, value);
}

Value emptyTensor(OpBuilder &b, Location loc, RankedTensorType type,
                  ArrayRef<OpFoldResult> sizes) {
  // Where the result type knows a size statically, use it, so the tensor has
  // exactly that type even when the operand it was derived from does not.
  SmallVector<OpFoldResult> mixed(sizes);
  for (auto [i, dim] : llvm::enumerate(type.getShape()))
    if (!ShapedType::isDynamic(dim))
      mixed[i] = b.getIndexAttr(dim);
  return tensor::EmptyOp::create(b, loc, mixed, type.getElementType());
}

Value filledTensor(OpBuilder &b, Location loc, RankedTensorType type,
                   ArrayRef<OpFoldResult> sizes, Value value) {
  Value empty = emptyTensor(b, loc, type, sizes);
  return linalg::FillOp::create(b, loc, value, empty).getResult(0);
}

AffineMap identityMap(MLIRContext *ctx, unsigned rank) {
  return AffineMap::getMultiDimIdentityMap(rank, ctx);
}

AffineMap dropDimMap(MLIRContext *ctx, unsigned rank, unsigned dim) {
  // Built expression by expression: a rank-1 space reduces to `(d0) -> ()`.
  SmallVector<AffineExpr> exprs;
  for (unsigned i = 0; i < rank; ++i)
    if (i != dim)
      exprs.push_back(getAffineDimExpr(i, ctx));
  return AffineMap::get(rank, 0, exprs, ctx);
}

AffineMap selectDimMap(MLIRContext *ctx, unsigned rank, unsigned dim) {
  return AffineMap::get(rank, 0, getAffineDimExpr(dim, ctx), ctx);
}

Value f32Constant(OpBuilder &b, Location loc, double value) {
  return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(value));
}

Value guardedExp(OpBuilder &b, Location loc, Value x, Value rowMax) {
  Value allNegInf = arith::CmpFOp::create(
      b, loc, arith::CmpFPredicate::OEQ, rowMax,
      f32Constant(b, loc, -std::numeric_limits<double>::infinity()));
  Value e =
      math::ExpOp::create(b, loc, arith::SubFOp::create(b, loc, x, rowMax));
  return arith::SelectOp::create(b, loc, allNegInf, f32Constant(b, loc, 0.0),
                                 e);
}

Value buildElementwise(OpBuilder &b, Location loc, RankedTensorType type,
                       ArrayRef<OpFoldResult> sizes, ValueRange inputs,
                       ArrayRef<AffineMap> inputMaps, BodyBuilder body) {
  unsigned rank = type.getRank();
  SmallVector<AffineMap> maps(inputMaps);
  maps.push_back(identityMap(b.getContext(), rank));
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  Value init = emptyTensor(b, loc, type, sizes);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{type}, inputs, ValueRange{init}, maps, iterators,
      [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        Value result = body(nested, nestedLoc, args.drop_back());
        linalg::YieldOp::create(nested, nestedLoc, result);
      });
  return generic.getResult(0);
}

SmallVector<Value> buildReduction(OpBuilder &b, Location loc,
                                  ArrayRef<OpFoldResult> loopSizes,
                                  unsigned axis, ValueRange inputs,
                                  ArrayRef<AffineMap> inputMaps,
                                  ValueRange inits, MultiBodyBuilder combine) {
  unsigned rank = loopSizes.size();
  MLIRContext *ctx = b.getContext();
  SmallVector<OpFoldResult> rowSizes(loopSizes);
  rowSizes.erase(rowSizes.begin() + axis);

  SmallVector<Value> accumulators;
  SmallVector<Type> types;
  for (Value init : inits) {
    Value empty = tensor::EmptyOp::create(b, loc, rowSizes, init.getType());
    accumulators.push_back(
        linalg::FillOp::create(b, loc, init, empty).getResult(0));
    types.push_back(accumulators.back().getType());
  }
  SmallVector<AffineMap> maps(inputMaps);
  maps.append(inits.size(), dropDimMap(ctx, rank, axis));
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  iterators[axis] = utils::IteratorType::reduction;
  auto generic = linalg::GenericOp::create(
      b, loc, types, inputs, accumulators, maps, iterators,
      [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        linalg::YieldOp::create(nested, nestedLoc,
                                combine(nested, nestedLoc, args));
      });
  return SmallVector<Value>(generic.getResults());
}

} // namespace xfmr
