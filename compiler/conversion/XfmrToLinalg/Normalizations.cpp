//===- Normalizations.cpp - softmax and layer_norm → linalg ---------------===//
//
// Row-wise reductions over the last dimension, in f32. Softmax is the safe
// variant: a row whose maximum is -inf (every key masked) yields zeros.
//
//===----------------------------------------------------------------------===//
#include "compiler/conversion/XfmrToLinalg/LinalgBuilders.h"
#include "compiler/conversion/XfmrToLinalg/XfmrToLinalg.h"
#include "dialect/XfmrOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Transforms/DialectConversion.h"

#include <limits>

using namespace mlir;
using namespace xfmr;

namespace {
/// exp(x - rowMax), or 0 when the whole row is -inf (so no NaN from -inf+inf).
Value guardedExp(OpBuilder &b, Location loc, Value x, Value rowMax) {
  Value negInf = f32Constant(b, loc, -std::numeric_limits<double>::infinity());
  Value masked = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ,
                                       rowMax, negInf);
  Value e = math::ExpOp::create(b, loc, arith::SubFOp::create(b, loc, x, rowMax));
  return arith::SelectOp::create(b, loc, masked, f32Constant(b, loc, 0.0), e);
}

struct SoftmaxLowering : OpConversionPattern<SoftmaxOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(SoftmaxOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    RankedTensorType type = op.getType();
    MLIRContext *ctx = rewriter.getContext();
    unsigned rank = type.getRank();

    Value rowMax = buildLastDimReduction(
        rewriter, loc, input, {},
        f32Constant(rewriter, loc, -std::numeric_limits<double>::infinity()),
        [](OpBuilder &b, Location l, ValueRange args) {
          return arith::MaximumFOp::create(b, l, args[0], args[1]);
        });
    Value rowSum = buildLastDimReduction(
        rewriter, loc, input, rowMax, f32Constant(rewriter, loc, 0.0),
        [](OpBuilder &b, Location l, ValueRange args) {
          return arith::AddFOp::create(b, l, args[2],
                                       guardedExp(b, l, args[0], args[1]));
        });
    Value result = buildElementwise(
        rewriter, loc, type, sizesOf(rewriter, loc, input),
        {input, rowMax, rowSum},
        {identityMap(ctx, rank), dropLastDimMap(ctx, rank),
         dropLastDimMap(ctx, rank)},
        [](OpBuilder &b, Location l, ValueRange args) -> Value {
          Value e = guardedExp(b, l, args[0], args[1]);
          Value zero = f32Constant(b, l, 0.0);
          Value positive = arith::CmpFOp::create(
              b, l, arith::CmpFPredicate::OGT, args[2], zero);
          return arith::SelectOp::create(
              b, l, positive, arith::DivFOp::create(b, l, e, args[2]), zero);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Two passes for the statistics (mean, then the centred variance, which is
/// more accurate than E[x²] - E[x]² in f32), one to normalise.
struct LayerNormLowering : OpConversionPattern<LayerNormOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(LayerNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    RankedTensorType type = op.getType();
    MLIRContext *ctx = rewriter.getContext();
    unsigned rank = type.getRank();
    double width = static_cast<double>(type.getShape().back());
    double eps = op.getEps().convertToDouble();

    Value sum = buildLastDimReduction(
        rewriter, loc, input, {}, f32Constant(rewriter, loc, 0.0),
        [](OpBuilder &b, Location l, ValueRange args) {
          return arith::AddFOp::create(b, l, args[0], args[1]);
        });
    Value sqDev = buildLastDimReduction(
        rewriter, loc, input, sum, f32Constant(rewriter, loc, 0.0),
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value mean =
              arith::DivFOp::create(b, l, args[1], f32Constant(b, l, width));
          Value dev = arith::SubFOp::create(b, l, args[0], mean);
          return arith::AddFOp::create(
              b, l, args[2], arith::MulFOp::create(b, l, dev, dev));
        });
    AffineMap lastDim =
        AffineMap::get(rank, 0, getAffineDimExpr(rank - 1, ctx), ctx);
    Value result = buildElementwise(
        rewriter, loc, type, sizesOf(rewriter, loc, input),
        {input, sum, sqDev, adaptor.getGamma(), adaptor.getBeta()},
        {identityMap(ctx, rank), dropLastDimMap(ctx, rank),
         dropLastDimMap(ctx, rank), lastDim, lastDim},
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Value n = f32Constant(b, l, width);
          Value mean = arith::DivFOp::create(b, l, args[1], n);
          Value var = arith::DivFOp::create(b, l, args[2], n);
          Value denom = math::SqrtOp::create(
              b, l, arith::AddFOp::create(b, l, var, f32Constant(b, l, eps)));
          Value normed = arith::DivFOp::create(
              b, l, arith::SubFOp::create(b, l, args[0], mean), denom);
          return arith::AddFOp::create(
              b, l, arith::MulFOp::create(b, l, normed, args[3]), args[4]);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};
} // namespace

void xfmr::populateNormalizationToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<LayerNormLowering, SoftmaxLowering>(patterns.getContext());
}
