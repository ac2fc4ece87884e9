//===- LayerNorm.cpp - layer_norm and residual_layer_norm → linalg --------===//
//
// Statistics in one pass with Welford's update (mean and the sum of squared
// deviations, in f32), which stays accurate where E[x²] - E[x]² cancels and
// never goes negative: a constant row yields exactly the bias. Then one pass
// normalises. The fused residual form first writes the sum, reading each
// input row once, and normalises that.
//
//===----------------------------------------------------------------------===//
#include "compiler/conversion/XfmrToLinalg/LinalgBuilders.h"
#include "compiler/conversion/XfmrToLinalg/XfmrToLinalg.h"
#include "dialect/XfmrOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace xfmr;

namespace {
/// Normalises `x` along `axis` with `gamma`, `beta` and `eps`.
Value buildLayerNorm(OpBuilder &b, Location loc, RankedTensorType type, Value x,
                     Value gamma, Value beta, unsigned axis, double eps) {
  MLIRContext *ctx = b.getContext();
  unsigned rank = type.getRank();
  SmallVector<OpFoldResult> sizes = sizesOf(b, loc, x);
  double width = static_cast<double>(type.getDimSize(axis));

  SmallVector<Value> stats = buildReduction(
      b, loc, sizes, axis, x, identityMap(ctx, rank),
      {f32Constant(b, loc, 0.0), f32Constant(b, loc, 0.0)},
      [&](OpBuilder &nb, Location l, ValueRange args) -> SmallVector<Value> {
        // mean_k = mean_{k-1} + (x - mean_{k-1}) / k
        // m2_k   = m2_{k-1} + (x - mean_{k-1}) * (x - mean_k)
        Value x = args[0], mean = args[1], m2 = args[2];
        Value index = linalg::IndexOp::create(nb, l, axis);
        Value count = arith::SIToFPOp::create(
            nb, l, nb.getF32Type(),
            arith::IndexCastOp::create(
                nb, l, nb.getI64Type(),
                arith::AddIOp::create(
                    nb, l, index,
                    arith::ConstantOp::create(nb, l, nb.getIndexAttr(1)))));
        Value delta = arith::SubFOp::create(nb, l, x, mean);
        Value newMean = arith::AddFOp::create(
            nb, l, mean, arith::DivFOp::create(nb, l, delta, count));
        Value newM2 = arith::AddFOp::create(
            nb, l, m2,
            arith::MulFOp::create(nb, l, delta,
                                  arith::SubFOp::create(nb, l, x, newMean)));
        return {newMean, newM2};
      });

  AffineMap row = dropDimMap(ctx, rank, axis);
  AffineMap feature = selectDimMap(ctx, rank, axis);
  return buildElementwise(
      b, loc, type, sizes, {x, stats[0], stats[1], gamma, beta},
      {identityMap(ctx, rank), row, row, feature, feature},
      [&](OpBuilder &nb, Location l, ValueRange args) -> Value {
        Value var =
            arith::DivFOp::create(nb, l, args[2], f32Constant(nb, l, width));
        Value denom = math::SqrtOp::create(
            nb, l, arith::AddFOp::create(nb, l, var, f32Constant(nb, l, eps)));
        Value normed = arith::DivFOp::create(
            nb, l, arith::SubFOp::create(nb, l, args[0], args[1]), denom);
        return arith::AddFOp::create(
            nb, l, arith::MulFOp::create(nb, l, normed, args[3]), args[4]);
      });
}

/// x / sqrt(mean(x²) + eps) · gamma over the last dimension: the sum of
/// squares in one pass, in f32, then one pass that scales.
struct RmsNormLowering : OpConversionPattern<RmsNormOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(RmsNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    RankedTensorType type = op.getType();
    unsigned rank = type.getRank(), axis = rank - 1;
    Value x = adaptor.getInput();
    SmallVector<OpFoldResult> sizes = sizesOf(rewriter, loc, x);
    double width = static_cast<double>(type.getDimSize(axis));
    double eps = op.getEps().convertToDouble();
    Value sumSquares =
        buildReduction(rewriter, loc, sizes, axis, x, identityMap(ctx, rank),
                       {f32Constant(rewriter, loc, 0.0)},
                       [](OpBuilder &b, Location l,
                          ValueRange args) -> SmallVector<Value> {
                         return {arith::AddFOp::create(
                             b, l, args[1],
                             arith::MulFOp::create(b, l, args[0], args[0]))};
                       })
            .front();
    AffineMap row = dropDimMap(ctx, rank, axis);
    AffineMap feature = selectDimMap(ctx, rank, axis);
    rewriter.replaceOp(
        op, buildElementwise(
                rewriter, loc, type, sizes, {x, sumSquares, adaptor.getGamma()},
                {identityMap(ctx, rank), row, feature},
                [&](OpBuilder &b, Location l, ValueRange args) -> Value {
                  Value meanSquare = arith::DivFOp::create(
                      b, l, args[1], f32Constant(b, l, width));
                  Value denom = math::SqrtOp::create(
                      b, l,
                      arith::AddFOp::create(b, l, meanSquare,
                                            f32Constant(b, l, eps)));
                  return arith::MulFOp::create(
                      b, l, arith::DivFOp::create(b, l, args[0], denom),
                      args[2]);
                }));
    return success();
  }
};

struct LayerNormLowering : OpConversionPattern<LayerNormOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(LayerNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(op,
                       buildLayerNorm(rewriter, op.getLoc(), op.getType(),
                                      adaptor.getInput(), adaptor.getGamma(),
                                      adaptor.getBeta(), op.getNormalizedAxis(),
                                      op.getEps().convertToDouble()));
    return success();
  }
};

struct ResidualLayerNormLowering : OpConversionPattern<ResidualLayerNormOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ResidualLayerNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    RankedTensorType type = op.getResult().getType();
    unsigned rank = type.getRank();
    SmallVector<Value> inputs = {adaptor.getInput(), adaptor.getResidual()};
    SmallVector<AffineMap> maps(2, identityMap(ctx, rank));
    if (Value bias = adaptor.getBias()) {
      inputs.push_back(bias);
      maps.push_back(selectDimMap(ctx, rank, rank - 1));
    }
    // (input + bias) + residual: the order of the unfused linear's epilogue
    // and residual add, so fusing changes no rounding.
    Value sum = buildElementwise(
        rewriter, loc, type, sizesOf(rewriter, loc, adaptor.getInput()), inputs,
        maps, [](OpBuilder &b, Location l, ValueRange args) -> Value {
          Value input = args[0];
          if (args.size() > 2)
            input = arith::AddFOp::create(b, l, input, args[2]);
          return arith::AddFOp::create(b, l, input, args[1]);
        });
    Value normed = buildLayerNorm(rewriter, loc, type, sum, adaptor.getGamma(),
                                  adaptor.getBeta(), rank - 1,
                                  op.getEps().convertToDouble());
    rewriter.replaceOp(op, {normed, sum});
    return success();
  }
};
} // namespace

void xfmr::populateLayerNormToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<LayerNormLowering, ResidualLayerNormLowering, RmsNormLowering>(
      patterns.getContext());
}
