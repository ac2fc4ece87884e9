//===- LinalgBuilders.cpp - helpers shared by the xfmr lowerings ----------===//
#include "compiler/conversion/XfmrToLinalg/LinalgBuilders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"

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

AffineMap dropLastDimMap(MLIRContext *ctx, unsigned rank) {
  // Not getMajorSubMap(rank - 1): that is the null map for rank 1, and a
  // rank-1 softmax/layer_norm or rank-0 ids need `(d0) -> ()`.
  SmallVector<AffineExpr> exprs;
  for (unsigned i = 0; i + 1 < rank; ++i)
    exprs.push_back(getAffineDimExpr(i, ctx));
  return AffineMap::get(rank, 0, exprs, ctx);
}

Value f32Constant(OpBuilder &b, Location loc, double value) {
  return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(value));
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

Value buildLastDimReduction(OpBuilder &b, Location loc, ValueRange inputs,
                            ValueRange rowInputs, Value init,
                            BodyBuilder combine) {
  auto fullType = cast<RankedTensorType>(inputs.front().getType());
  unsigned rank = fullType.getRank();
  MLIRContext *ctx = b.getContext();
  auto rowType = RankedTensorType::get(fullType.getShape().drop_back(),
                                       fullType.getElementType());
  SmallVector<OpFoldResult> rowSizes = sizesOf(b, loc, inputs.front());
  rowSizes.pop_back();
  Value acc = filledTensor(b, loc, rowType, rowSizes, init);

  SmallVector<AffineMap> maps(inputs.size(), identityMap(ctx, rank));
  maps.append(rowInputs.size() + 1, dropLastDimMap(ctx, rank));
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  iterators.back() = utils::IteratorType::reduction;
  SmallVector<Value> operands(inputs);
  llvm::append_range(operands, rowInputs);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{rowType}, operands, ValueRange{acc}, maps, iterators,
      [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        linalg::YieldOp::create(nested, nestedLoc,
                                combine(nested, nestedLoc, args));
      });
  return generic.getResult(0);
}

} // namespace xfmr
