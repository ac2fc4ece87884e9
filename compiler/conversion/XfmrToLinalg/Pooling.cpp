//===- Pooling.cpp - pooling and L2 normalisation → linalg ----------------===//
#include "compiler/conversion/XfmrToLinalg/LinalgBuilders.h"
#include "compiler/conversion/XfmrToLinalg/XfmrToLinalg.h"
#include "dialect/XfmrOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace xfmr;

namespace {
Value maskToF32(OpBuilder &b, Location loc, Value mask) {
  return arith::SIToFPOp::create(b, loc, b.getF32Type(), mask);
}

struct PoolLowering : OpConversionPattern<PoolOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(PoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    RankedTensorType type = op.getType();
    Value hidden = adaptor.getHidden(), mask = adaptor.getMask();
    SmallVector<OpFoldResult> hs = sizesOf(rewriter, loc, hidden);
    AffineExpr b = getAffineDimExpr(0, ctx), d = getAffineDimExpr(1, ctx);

    if (op.getKind() == PoolingKind::cls) {
      AffineMap firstToken =
          AffineMap::get(2, 0, {b, getAffineConstantExpr(0, ctx), d}, ctx);
      rewriter.replaceOp(
          op,
          buildElementwise(
              rewriter, loc, type, {hs[0], hs[2]}, hidden, firstToken,
              [](OpBuilder &, Location, ValueRange args) { return args[0]; }));
      return success();
    }

    // Mean over the tokens: sum(h * m) over the sequence, then divide by the
    // token count, clamped as sentence-transformers does.
    AffineExpr s = getAffineDimExpr(2, ctx);
    Value zero = f32Constant(rewriter, loc, 0.0);
    Value sum = buildReduction(
        rewriter, loc, {hs[0], hs[2], hs[1]}, /*axis=*/2, {hidden, mask},
        {AffineMap::get(3, 0, {b, s, d}, ctx),
         AffineMap::get(3, 0, {b, s}, ctx)},
        zero,
        [](OpBuilder &nb, Location l, ValueRange args) -> SmallVector<Value> {
          Value weighted =
              arith::MulFOp::create(nb, l, args[0], maskToF32(nb, l, args[1]));
          return {arith::AddFOp::create(nb, l, args[2], weighted)};
        })[0];
    Value count = buildReduction(
        rewriter, loc, {hs[0], hs[1]}, /*axis=*/1, mask, identityMap(ctx, 2),
        zero,
        [](OpBuilder &nb, Location l, ValueRange args) -> SmallVector<Value> {
          return {
              arith::AddFOp::create(nb, l, args[1], maskToF32(nb, l, args[0]))};
        })[0];
    Value mean = buildElementwise(
        rewriter, loc, type, {hs[0], hs[2]}, {sum, count},
        {identityMap(ctx, 2), AffineMap::get(2, 0, b, ctx)},
        [](OpBuilder &nb, Location l, ValueRange args) -> Value {
          Value clamped = arith::MaximumFOp::create(nb, l, args[1],
                                                    f32Constant(nb, l, 1e-9));
          return arith::DivFOp::create(nb, l, args[0], clamped);
        });
    rewriter.replaceOp(op, mean);
    return success();
  }
};

struct L2NormalizeLowering : OpConversionPattern<L2NormalizeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(L2NormalizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    RankedTensorType type = op.getType();
    unsigned rank = type.getRank();
    Value input = adaptor.getInput();
    SmallVector<OpFoldResult> sizes = sizesOf(rewriter, loc, input);
    double eps = op.getEps().convertToDouble();
    Value squares = buildReduction(
        rewriter, loc, sizes, rank - 1, input, identityMap(ctx, rank),
        f32Constant(rewriter, loc, 0.0),
        [](OpBuilder &nb, Location l, ValueRange args) -> SmallVector<Value> {
          Value sq = arith::MulFOp::create(nb, l, args[0], args[0]);
          return {arith::AddFOp::create(nb, l, args[1], sq)};
        })[0];
    Value result = buildElementwise(
        rewriter, loc, type, sizes, {input, squares},
        {identityMap(ctx, rank), dropDimMap(ctx, rank, rank - 1)},
        [&](OpBuilder &nb, Location l, ValueRange args) -> Value {
          Value norm = math::SqrtOp::create(nb, l, args[1]);
          Value clamped =
              arith::MaximumFOp::create(nb, l, norm, f32Constant(nb, l, eps));
          return arith::DivFOp::create(nb, l, args[0], clamped);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};
} // namespace

void xfmr::populatePoolingToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<L2NormalizeLowering, PoolLowering>(patterns.getContext());
}
