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

Value buildContraction(OpBuilder &b, Location loc, RankedTensorType type,
                       Value lhs, Value rhs, Value init,
                       ArrayRef<AffineMap> maps, unsigned numLoops) {
  SmallVector<utils::IteratorType> iterators(numLoops,
                                             utils::IteratorType::parallel);
  iterators.back() = utils::IteratorType::reduction;
  return linalg::GenericOp::create(b, loc, TypeRange{type},
                                   ValueRange{lhs, rhs}, ValueRange{init},
                                   maps, iterators, multiplyAccumulate)
      .getResult(0);
}

/// result[i..., n] = bias[n] + sum_k input[i..., k] * weight[n, k]
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

    // The accumulator starts as the broadcast bias (or zero).
    Value init;
    if (Value bias = adaptor.getBias()) {
      AffineMap lastDim =
          AffineMap::get(rank, 0, getAffineDimExpr(rank - 1, ctx), ctx);
      init = buildElementwise(rewriter, loc, type, sizes, bias, lastDim,
                              [](OpBuilder &, Location, ValueRange args) {
                                return args[0];
                              });
    } else {
      init = filledTensor(rewriter, loc, type, sizes,
                          f32Constant(rewriter, loc, 0.0));
    }

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
    rewriter.replaceOp(op, buildContraction(rewriter, loc, type,
                                            adaptor.getInput(),
                                            adaptor.getWeight(), init, maps,
                                            numLoops));
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
    Value init = filledTensor(rewriter, loc, type, sizes,
                              f32Constant(rewriter, loc, 0.0));

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
    rewriter.replaceOp(op, buildContraction(rewriter, loc, type, lhs, rhs, init,
                                            maps, numLoops));
    return success();
  }
};
} // namespace

void xfmr::populateContractionToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<LinearLowering, MatmulLowering>(patterns.getContext());
}
