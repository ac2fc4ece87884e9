//===- Contractions.cpp - xfmr.linear and xfmr.matmul → linalg ------------===//
//
// Both lower to a linalg.generic contraction with the reduction innermost,
// which is what linalg's tiling and vectorization expect to see.
//
//===----------------------------------------------------------------------===//
#include "compiler/conversion/XfmrToLinalg/LinalgBuilders.h"
#include "compiler/conversion/XfmrToLinalg/XfmrToLinalg.h"
#include "dialect/XfmrOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace xfmr;

namespace {
/// out += lhs * rhs, the body of every contraction here.
void multiplyAccumulate(OpBuilder &b, Location loc, ValueRange args) {
  Value product = arith::MulFOp::create(b, loc, args[0], args[1]);
  linalg::YieldOp::create(b, loc,
                          arith::AddFOp::create(b, loc, args[2], product)
                              .getResult());
}

/// The contraction into a zero-filled accumulator, then the epilogue
/// `(acc + bias) * scale` for whichever of the two is present. The bias comes
/// after the sum (not as the accumulator's initial value) so that the
/// rounding is the same whether or not a fusion later takes the bias over.
Value buildContraction(OpBuilder &b, Location loc, RankedTensorType type,
                       ArrayRef<OpFoldResult> sizes, Value lhs, Value rhs,
                       ArrayRef<AffineMap> maps, unsigned numLoops,
                       Value bias, FloatAttr scale) {
  Value init = filledTensor(b, loc, type, sizes, f32Constant(b, loc, 0.0));
  SmallVector<utils::IteratorType> iterators(numLoops,
                                             utils::IteratorType::parallel);
  iterators.back() = utils::IteratorType::reduction;
  Value result = linalg::GenericOp::create(b, loc, TypeRange{type},
                                           ValueRange{lhs, rhs},
                                           ValueRange{init}, maps, iterators,
                                           multiplyAccumulate)
                     .getResult(0);
  if (!bias && !scale)
    return result;
  MLIRContext *ctx = b.getContext();
  unsigned rank = type.getRank();
  SmallVector<Value> inputs = {result};
  SmallVector<AffineMap> inputMaps = {identityMap(ctx, rank)};
  if (bias) {
    inputs.push_back(bias);
    inputMaps.push_back(selectDimMap(ctx, rank, rank - 1));
  }
  std::optional<double> factor;
  if (scale)
    factor = scale.getValueAsDouble();
  return buildElementwise(
      b, loc, type, sizes, inputs, inputMaps,
      [&](OpBuilder &nb, Location l, ValueRange args) -> Value {
        Value v = args[0];
        if (args.size() > 1)
          v = arith::AddFOp::create(nb, l, v, args[1]);
        if (factor)
          v = arith::MulFOp::create(nb, l, v, f32Constant(nb, l, *factor));
        return v;
      });
}

/// result[i..., n] = (sum_k input[i..., k] * weight[n, k] + bias[n]) * scale
struct LinearLowering : OpConversionPattern<LinearOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(LinearOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    RankedTensorType type = op.getType();
    unsigned rank = type.getRank();
    SmallVector<OpFoldResult> sizes = sizesOf(rewriter, loc, adaptor.getInput());
    sizes.back() = rewriter.getIndexAttr(type.getShape().back());

    // Loops (i..., n, k).
    unsigned numLoops = rank + 1;
    SmallVector<AffineExpr> inputExprs, outputExprs;
    for (unsigned i = 0; i + 1 < rank; ++i) {
      inputExprs.push_back(getAffineDimExpr(i, ctx));
      outputExprs.push_back(getAffineDimExpr(i, ctx));
    }
    AffineExpr n = getAffineDimExpr(rank - 1, ctx);
    AffineExpr k = getAffineDimExpr(rank, ctx);
    inputExprs.push_back(k);
    outputExprs.push_back(n);
    SmallVector<AffineMap> maps = {
        AffineMap::get(numLoops, 0, inputExprs, ctx),
        AffineMap::get(numLoops, 0, {n, k}, ctx),
        AffineMap::get(numLoops, 0, outputExprs, ctx)};
    rewriter.replaceOp(
        op, buildContraction(rewriter, loc, type, sizes, adaptor.getInput(),
                             adaptor.getWeight(), maps, numLoops,
                             adaptor.getBias(), op.getScaleAttr()));
    return success();
  }
};

/// result[b..., m, n] = sum_k lhs[b..., m, k] * rhs[b..., k, n] (or
/// rhs[b..., n, k] when transposed).
struct MatmulLowering : OpConversionPattern<MatmulOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MatmulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    RankedTensorType type = op.getType();
    unsigned rank = type.getRank();
    Value lhs = adaptor.getLhs(), rhs = adaptor.getRhs();
    bool transposed = op.getTransposeRhs();

    SmallVector<OpFoldResult> sizes = sizesOf(rewriter, loc, lhs);
    SmallVector<OpFoldResult> rhsSizes = sizesOf(rewriter, loc, rhs);
    sizes.back() = rhsSizes[transposed ? rank - 2 : rank - 1];
    // Loops (b..., m, n, k).
    unsigned numLoops = rank + 1;
    SmallVector<AffineExpr> batch;
    for (unsigned i = 0; i + 2 < rank; ++i)
      batch.push_back(getAffineDimExpr(i, ctx));
    AffineExpr m = getAffineDimExpr(rank - 2, ctx);
    AffineExpr n = getAffineDimExpr(rank - 1, ctx);
    AffineExpr k = getAffineDimExpr(rank, ctx);
    auto map = [&](AffineExpr a, AffineExpr b) {
      SmallVector<AffineExpr> exprs(batch);
      exprs.push_back(a);
      exprs.push_back(b);
      return AffineMap::get(numLoops, 0, exprs, ctx);
    };
    SmallVector<AffineMap> maps = {map(m, k), transposed ? map(n, k) : map(k, n),
                                   map(m, n)};
    rewriter.replaceOp(op, buildContraction(rewriter, loc, type, sizes, lhs,
                                            rhs, maps, numLoops, Value(),
                                            op.getScaleAttr()));
    return success();
  }
};
} // namespace

void xfmr::populateContractionToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<LinearLowering, MatmulLowering>(patterns.getContext());
}
