//===- Embeddings.cpp - embeddings, positions, masks → linalg -------------===//
#include "compiler/conversion/XfmrToLinalg/LinalgBuilders.h"
#include "compiler/conversion/XfmrToLinalg/XfmrToLinalg.h"
#include "dialect/XfmrOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Transforms/DialectConversion.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace xfmr;

namespace {
/// A gather: each output element reads table[ids[i...], d]. The runtime has
/// range-checked the ids, so the compiled code does not.
struct EmbeddingLowering : OpConversionPattern<EmbeddingOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(EmbeddingOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    RankedTensorType type = op.getType();
    unsigned rank = type.getRank();
    Value table = adaptor.getTable();
    SmallVector<OpFoldResult> sizes = sizesOf(rewriter, loc, adaptor.getIds());
    sizes.push_back(rewriter.getIndexAttr(type.getShape().back()));
    std::optional<double> scale;
    if (auto attr = op.getScaleAttr())
      scale = attr.getValueAsDouble();

    Value result = buildElementwise(
        rewriter, loc, type, sizes, adaptor.getIds(),
        dropDimMap(ctx, rank, rank - 1),
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Value row =
              arith::IndexCastOp::create(b, l, b.getIndexType(), args[0]);
          Value col = linalg::IndexOp::create(b, l, rank - 1);
          Value v =
              tensor::ExtractOp::create(b, l, table, ValueRange{row, col});
          if (scale)
            v = arith::MulFOp::create(b, l, v, f32Constant(b, l, *scale));
          return v;
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Sinusoidal position term of Vaswani et al. for position `s` and feature
/// `d`, computed in f64 so long sequences keep their phase.
Value sinusoid(OpBuilder &b, Location loc, Value s, Value d, int64_t width) {
  Type f64 = b.getF64Type(), i64 = b.getI64Type();
  Value d64 = arith::IndexCastOp::create(b, loc, i64, d);
  Value two = arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(2));
  Value odd = arith::RemSIOp::create(b, loc, d64, two);
  Value even = arith::SubIOp::create(b, loc, d64, odd);
  Value evenF = arith::SIToFPOp::create(b, loc, f64, even);
  // 1 / 10000^(2i/d) = exp(-ln(10000) * 2i / d)
  double k = -std::log(10000.0) / static_cast<double>(width);
  Value freq = math::ExpOp::create(
      b, loc,
      arith::MulFOp::create(
          b, loc, evenF,
          arith::ConstantOp::create(b, loc, b.getF64FloatAttr(k))));
  Value pos = arith::SIToFPOp::create(
      b, loc, f64, arith::IndexCastOp::create(b, loc, i64, s));
  Value angle = arith::MulFOp::create(b, loc, pos, freq);
  Value isOdd = arith::CmpIOp::create(
      b, loc, arith::CmpIPredicate::ne, odd,
      arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(0)));
  Value value =
      arith::SelectOp::create(b, loc, isOdd, math::CosOp::create(b, loc, angle),
                              math::SinOp::create(b, loc, angle));
  return arith::TruncFOp::create(b, loc, b.getF32Type(), value);
}

struct AddPositionsLowering : OpConversionPattern<AddPositionsOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(AddPositionsOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    RankedTensorType type = op.getType();
    Value input = adaptor.getInput();
    SmallVector<OpFoldResult> sizes = sizesOf(rewriter, loc, input);
    AffineMap id = identityMap(ctx, 3);

    if (op.getKind() == PositionEncoding::sinusoidal) {
      int64_t width = type.getDimSize(2);
      rewriter.replaceOp(
          op, buildElementwise(
                  rewriter, loc, type, sizes, input, id,
                  [&](OpBuilder &b, Location l, ValueRange args) -> Value {
                    Value s = linalg::IndexOp::create(b, l, 1);
                    Value d = linalg::IndexOp::create(b, l, 2);
                    return arith::AddFOp::create(b, l, args[0],
                                                 sinusoid(b, l, s, d, width));
                  }));
      return success();
    }

    // Learned: rows [0, seq) of the table, broadcast over the batch.
    Value table = adaptor.getTable();
    auto tableType = cast<RankedTensorType>(table.getType());
    SmallVector<OpFoldResult> offsets(2, rewriter.getIndexAttr(0));
    SmallVector<OpFoldResult> strides(2, rewriter.getIndexAttr(1));
    SmallVector<OpFoldResult> sliceSizes = {
        sizes[1], rewriter.getIndexAttr(tableType.getDimSize(1))};
    Value rows = tensor::ExtractSliceOp::create(rewriter, loc, table, offsets,
                                                sliceSizes, strides);
    AffineMap seqAndFeature = AffineMap::get(
        3, 0, {getAffineDimExpr(1, ctx), getAffineDimExpr(2, ctx)}, ctx);
    rewriter.replaceOp(
        op, buildElementwise(
                rewriter, loc, type, sizes, {input, rows}, {id, seqAndFeature},
                [](OpBuilder &b, Location l, ValueRange args) {
                  return arith::AddFOp::create(b, l, args[0], args[1]);
                }));
    return success();
  }
};

/// [b, s] 0/1 → additive [b, 1, 1, s]: 0 for tokens, the fill for padding.
struct PaddingMaskLowering : OpConversionPattern<PaddingMaskOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(PaddingMaskOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    SmallVector<OpFoldResult> in = sizesOf(rewriter, loc, adaptor.getPadding());
    OpFoldResult one = rewriter.getIndexAttr(1);
    double fill = op.getMask().getFillAsDouble();
    AffineMap batchAndKey = AffineMap::get(
        4, 0, {getAffineDimExpr(0, ctx), getAffineDimExpr(3, ctx)}, ctx);
    Value result = buildElementwise(
        rewriter, loc, op.getType(), {in[0], one, one, in[1]},
        adaptor.getPadding(), batchAndKey,
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Value zero = arith::ConstantOp::create(b, l, b.getI64IntegerAttr(0));
          Value padded = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq,
                                               args[0], zero);
          return arith::SelectOp::create(b, l, padded, f32Constant(b, l, fill),
                                         f32Constant(b, l, 0.0));
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};
} // namespace

void xfmr::populateEmbeddingToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<AddPositionsLowering, EmbeddingLowering, PaddingMaskLowering>(
      patterns.getContext());
}
