//===- Elementwise.cpp - xfmr elementwise ops → linalg --------------------===//
#include "compiler/conversion/XfmrToLinalg/LinalgBuilders.h"
#include "compiler/conversion/XfmrToLinalg/XfmrToLinalg.h"
#include "dialect/XfmrOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Transforms/DialectConversion.h"

#include <cmath>

using namespace mlir;
using namespace xfmr;

namespace {
/// Lowers a unary op whose element function is `fn`.
template <typename OpTy>
LogicalResult lowerUnary(OpTy op, Value input,
                         ConversionPatternRewriter &rewriter, BodyBuilder fn) {
  Location loc = op.getLoc();
  RankedTensorType type = op.getType();
  Value result = buildElementwise(
      rewriter, loc, type, sizesOf(rewriter, loc, input), input,
      identityMap(rewriter.getContext(), type.getRank()), fn);
  rewriter.replaceOp(op, result);
  return success();
}

struct ScaleLowering : OpConversionPattern<ScaleOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ScaleOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    double factor = op.getFactor().convertToDouble();
    return lowerUnary(op, adaptor.getInput(), rewriter,
                      [&](OpBuilder &b, Location loc, ValueRange args) {
                        Value c = f32Constant(b, loc, factor);
                        return arith::MulFOp::create(b, loc, args[0], c);
                      });
  }
};

struct ReluLowering : OpConversionPattern<ReluOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ReluOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    return lowerUnary(op, adaptor.getInput(), rewriter,
                      [](OpBuilder &b, Location loc, ValueRange args) {
                        Value zero = f32Constant(b, loc, 0.0);
                        return arith::MaximumFOp::create(b, loc, args[0], zero);
                      });
  }
};

struct GeluLowering : OpConversionPattern<GeluOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(GeluOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    bool useTanh = op.getTanh();
    return lowerUnary(
        op, adaptor.getInput(), rewriter,
        [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
          Value x = args[0];
          Value half = f32Constant(b, loc, 0.5);
          Value one = f32Constant(b, loc, 1.0);
          Value t;
          if (useTanh) {
            // tanh(sqrt(2/pi) * (x + 0.044715 x^3))
            Value x3 = arith::MulFOp::create(
                b, loc, x, arith::MulFOp::create(b, loc, x, x));
            Value inner = arith::AddFOp::create(
                b, loc, x,
                arith::MulFOp::create(b, loc, f32Constant(b, loc, 0.044715),
                                      x3));
            Value c = f32Constant(b, loc, std::sqrt(2.0 / M_PI));
            t = math::TanhOp::create(b, loc,
                                     arith::MulFOp::create(b, loc, c, inner));
          } else {
            Value c = f32Constant(b, loc, M_SQRT1_2);
            t = math::ErfOp::create(b, loc,
                                    arith::MulFOp::create(b, loc, x, c));
          }
          Value halfX = arith::MulFOp::create(b, loc, half, x);
          return arith::MulFOp::create(b, loc, halfX,
                                       arith::AddFOp::create(b, loc, one, t));
        });
  }
};

/// x / (1 + exp(-x)).
struct SiluLowering : OpConversionPattern<SiluOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(SiluOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    return lowerUnary(
        op, adaptor.getInput(), rewriter,
        [](OpBuilder &b, Location loc, ValueRange args) -> Value {
          Value x = args[0];
          Value expNeg =
              math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, x));
          return arith::DivFOp::create(
              b, loc, x,
              arith::AddFOp::create(b, loc, f32Constant(b, loc, 1.0), expNeg));
        });
  }
};

struct MulLowering : OpConversionPattern<MulOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    AffineMap id = identityMap(rewriter.getContext(), type.getRank());
    rewriter.replaceOp(
        op, buildElementwise(
                rewriter, loc, type, sizesOf(rewriter, loc, adaptor.getLhs()),
                {adaptor.getLhs(), adaptor.getRhs()}, {id, id},
                [](OpBuilder &b, Location l, ValueRange args) {
                  return arith::MulFOp::create(b, l, args[0], args[1]);
                }));
    return success();
  }
};

/// Broadcasting add: a static size-1 operand dimension that the result does
/// not have is read at index 0.
struct AddLowering : OpConversionPattern<AddOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(AddOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    MLIRContext *ctx = rewriter.getContext();
    unsigned rank = type.getRank();
    Value lhs = adaptor.getLhs(), rhs = adaptor.getRhs();

    SmallVector<OpFoldResult> lhsSizes = sizesOf(rewriter, loc, lhs);
    SmallVector<OpFoldResult> rhsSizes = sizesOf(rewriter, loc, rhs);
    SmallVector<OpFoldResult> sizes;
    auto mapFor = [&](RankedTensorType operand) {
      SmallVector<AffineExpr> exprs;
      for (unsigned i = 0; i < rank; ++i) {
        bool broadcast = operand.getDimSize(i) == 1 && type.getDimSize(i) != 1;
        exprs.push_back(broadcast ? getAffineConstantExpr(0, ctx)
                                  : getAffineDimExpr(i, ctx));
      }
      return AffineMap::get(rank, 0, exprs, ctx);
    };
    auto lhsType = cast<RankedTensorType>(lhs.getType());
    for (unsigned i = 0; i < rank; ++i)
      sizes.push_back(lhsType.getDimSize(i) == 1 && type.getDimSize(i) != 1
                          ? rhsSizes[i]
                          : lhsSizes[i]);
    Value result = buildElementwise(
        rewriter, loc, type, sizes, {lhs, rhs},
        {mapFor(lhsType), mapFor(cast<RankedTensorType>(rhs.getType()))},
        [](OpBuilder &b, Location l, ValueRange args) {
          return arith::AddFOp::create(b, l, args[0], args[1]);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};
} // namespace

void xfmr::populateElementwiseToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<AddLowering, GeluLowering, MulLowering, ReluLowering,
               ScaleLowering, SiluLowering>(patterns.getContext());
}
