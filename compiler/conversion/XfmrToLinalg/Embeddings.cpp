//===- Embeddings.cpp - embeddings, positions, masks → linalg -------------===//
#include "compiler/conversion/XfmrToLinalg/LinalgBuilders.h"
#include "compiler/conversion/XfmrToLinalg/XfmrToLinalg.h"
#include "dialect/XfmrOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
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

    // With `at`, each token's position is read from `positions[b, s]`.
    if (Value positions = adaptor.getPositions()) {
      AffineMap batchAndSeq = AffineMap::get(
          3, 0, {getAffineDimExpr(0, ctx), getAffineDimExpr(1, ctx)}, ctx);
      bool sinusoidal = op.getKind() == PositionEncoding::sinusoidal;
      int64_t width = type.getDimSize(2);
      Value table = adaptor.getTable();
      rewriter.replaceOp(
          op,
          buildElementwise(
              rewriter, loc, type, sizes, {input, positions}, {id, batchAndSeq},
              [&](OpBuilder &b, Location l, ValueRange args) -> Value {
                Value p =
                    arith::IndexCastOp::create(b, l, b.getIndexType(), args[1]);
                Value d = linalg::IndexOp::create(b, l, 2);
                Value term = sinusoidal ? sinusoid(b, l, p, d, width)
                                        : tensor::ExtractOp::create(
                                              b, l, table, ValueRange{p, d})
                                              .getResult();
                return arith::AddFOp::create(b, l, args[0], term);
              }));
      return success();
    }

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

/// result[b, s] = Σ_{t < s} mask[b, t]: a reduction over t of the mask
/// where t < s (sequences are short next to the work of a layer).
struct TokenPositionsLowering : OpConversionPattern<TokenPositionsOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(TokenPositionsOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value mask = adaptor.getMask();
    SmallVector<OpFoldResult> sizes = sizesOf(rewriter, loc, mask);
    sizes.push_back(sizes[1]);
    AffineMap batchAndKey = AffineMap::get(
        3, 0, {getAffineDimExpr(0, ctx), getAffineDimExpr(2, ctx)}, ctx);
    Value zero =
        arith::ConstantOp::create(rewriter, loc, rewriter.getI64IntegerAttr(0));
    rewriter.replaceOp(
        op,
        buildReduction(
            rewriter, loc, sizes, 2, mask, batchAndKey, zero,
            [](OpBuilder &b, Location l,
               ValueRange args) -> SmallVector<Value> {
              Value s = linalg::IndexOp::create(b, l, 1);
              Value t = linalg::IndexOp::create(b, l, 2);
              Value before =
                  arith::CmpIOp::create(b, l, arith::CmpIPredicate::ult, t, s);
              Value zero =
                  arith::ConstantOp::create(b, l, b.getI64IntegerAttr(0));
              Value term = arith::SelectOp::create(b, l, before, args[0], zero);
              return {arith::AddIOp::create(b, l, args[1], term)};
            })
            .front());
    return success();
  }
};

/// Each feature of [b, h, s, d] with its partner of the rotated pair:
/// x·cos φ ∓ partner·sin φ, φ = (position / scaling) · theta^(-2j / d) for
/// pair j, computed in f64 like the sinusoids. The angles depend on the
/// token and the feature only, so cos φ and ∓sin φ are tables [b, s, d]
/// that every head reads.
struct RotaryLowering : OpConversionPattern<RotaryOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(RotaryOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    RankedTensorType type = op.getType();
    Value input = adaptor.getInput();
    RotaryAttr rotary = op.getRotary();
    int64_t width = type.getDimSize(3), half = width / 2;
    bool interleaved = rotary.getLayout() == RotaryLayout::interleaved;
    double logTheta = std::log(rotary.getTheta().getValueAsDouble());
    double scaling = rotary.getScaling().getValueAsDouble();
    auto idx = [](OpBuilder &b, Location l, int64_t v) -> Value {
      return arith::ConstantIndexOp::create(b, l, v);
    };
    // Feature i's pair j, whether i is the pair's first member, and its
    // partner.
    struct Pair {
      Value pair, first, partner;
    };
    auto pairOf = [&](OpBuilder &b, Location l, Value i) -> Pair {
      if (interleaved) {
        Value odd = arith::RemUIOp::create(b, l, i, idx(b, l, 2));
        Value first = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, odd,
                                            idx(b, l, 0));
        return {arith::DivUIOp::create(b, l, i, idx(b, l, 2)), first,
                arith::SelectOp::create(
                    b, l, first, arith::AddIOp::create(b, l, i, idx(b, l, 1)),
                    arith::SubIOp::create(b, l, i, idx(b, l, 1)))};
      }
      Value first = arith::CmpIOp::create(b, l, arith::CmpIPredicate::ult, i,
                                          idx(b, l, half));
      Value pair = arith::SelectOp::create(
          b, l, first, i, arith::SubIOp::create(b, l, i, idx(b, l, half)));
      return {pair, first,
              arith::SelectOp::create(
                  b, l, first, arith::AddIOp::create(b, l, i, idx(b, l, half)),
                  pair)};
    };
    // φ of pair j at `position`; theta^(-2j / d) = exp(-ln(theta) · 2j / d).
    auto angleOf = [&](OpBuilder &b, Location l, Value position,
                       Value pair) -> Value {
      Type f64 = b.getF64Type();
      Value j = arith::SIToFPOp::create(
          b, l, f64, arith::IndexCastOp::create(b, l, b.getI64Type(), pair));
      Value freq = math::ExpOp::create(
          b, l,
          arith::MulFOp::create(
              b, l, j,
              arith::ConstantOp::create(
                  b, l,
                  b.getF64FloatAttr(-2.0 * logTheta /
                                    static_cast<double>(width)))));
      Value pos = arith::DivFOp::create(
          b, l, arith::SIToFPOp::create(b, l, f64, position),
          arith::ConstantOp::create(b, l, b.getF64FloatAttr(scaling)));
      return arith::MulFOp::create(b, l, pos, freq);
    };

    SmallVector<OpFoldResult> sizes = sizesOf(rewriter, loc, input);
    auto tableType = RankedTensorType::get(
        {type.getDimSize(0), type.getDimSize(2), width}, type.getElementType());
    SmallVector<OpFoldResult> tableSizes = {sizes[0], sizes[2], sizes[3]};
    AffineMap tokenOf = AffineMap::get(
        3, 0, {getAffineDimExpr(0, ctx), getAffineDimExpr(1, ctx)}, ctx);
    // cos φ, and sin φ negated for a pair's first member.
    auto table = [&](bool sine) {
      return buildElementwise(
          rewriter, loc, tableType, tableSizes, adaptor.getPositions(), tokenOf,
          [&](OpBuilder &b, Location l, ValueRange args) -> Value {
            Pair p = pairOf(b, l, linalg::IndexOp::create(b, l, 2));
            Value angle = angleOf(b, l, args[0], p.pair);
            if (!sine)
              return arith::TruncFOp::create(b, l, b.getF32Type(),
                                             math::CosOp::create(b, l, angle));
            Value sin = arith::TruncFOp::create(
                b, l, b.getF32Type(), math::SinOp::create(b, l, angle));
            return arith::SelectOp::create(
                b, l, p.first, arith::NegFOp::create(b, l, sin), sin);
          });
    };
    Value cosines = table(/*sine=*/false), sines = table(/*sine=*/true);
    AffineMap tableOf =
        AffineMap::get(4, 0,
                       {getAffineDimExpr(0, ctx), getAffineDimExpr(2, ctx),
                        getAffineDimExpr(3, ctx)},
                       ctx);
    rewriter.replaceOp(
        op, buildElementwise(
                rewriter, loc, type, sizes, {input, cosines, sines},
                {identityMap(ctx, 4), tableOf, tableOf},
                [&](OpBuilder &b, Location l, ValueRange args) -> Value {
                  Value bi = linalg::IndexOp::create(b, l, 0);
                  Value hi = linalg::IndexOp::create(b, l, 1);
                  Value si = linalg::IndexOp::create(b, l, 2);
                  Pair p = pairOf(b, l, linalg::IndexOp::create(b, l, 3));
                  Value other = tensor::ExtractOp::create(
                      b, l, input, ValueRange{bi, hi, si, p.partner});
                  // x·cos − partner·sin (first), x·cos + partner·sin.
                  return arith::AddFOp::create(
                      b, l, arith::MulFOp::create(b, l, args[0], args[1]),
                      arith::MulFOp::create(b, l, other, args[2]));
                }));
    return success();
  }
};

/// [b, k] 0/1 → [b, h, 1, k]: -m_h times the tokens after each key. The
/// counts are one backward scan of each row (b·k steps of integer work, once
/// per entry call); the bias an elementwise generic over them.
struct AlibiBiasLowering : OpConversionPattern<AlibiBiasOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(AlibiBiasOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value mask = adaptor.getMask();
    SmallVector<OpFoldResult> in = sizesOf(rewriter, loc, mask);
    Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
    Value batch = getValueOrCreateConstantIndexOp(rewriter, loc, in[0]);
    Value keys = getValueOrCreateConstantIndexOp(rewriter, loc, in[1]);
    Type f32 = rewriter.getF32Type();
    auto countsType = RankedTensorType::get(
        {ShapedType::kDynamic, ShapedType::kDynamic}, f32);
    Value counts = emptyTensor(rewriter, loc, countsType, in);
    Value lastKey = arith::SubIOp::create(rewriter, loc, keys, one);
    auto rows = scf::ForOp::create(
        rewriter, loc, zero, batch, one, ValueRange{counts},
        [&](OpBuilder &ob, Location l, Value row, ValueRange rowArgs) {
          Value none = f32Constant(ob, l, 0.0);
          auto scan = scf::ForOp::create(
              ob, l, zero, keys, one, ValueRange{rowArgs[0], none},
              [&](OpBuilder &ib, Location il, Value step, ValueRange args) {
                Value key = arith::SubIOp::create(ib, il, lastKey, step);
                Value written = tensor::InsertOp::create(
                    ib, il, args[1], args[0], ValueRange{row, key});
                Value m = tensor::ExtractOp::create(ib, il, mask,
                                                    ValueRange{row, key});
                Value token = arith::CmpIOp::create(
                    ib, il, arith::CmpIPredicate::ne, m,
                    arith::ConstantOp::create(ib, il, ib.getI64IntegerAttr(0)));
                Value after = arith::AddFOp::create(
                    ib, il, args[1],
                    arith::SelectOp::create(ib, il, token,
                                            f32Constant(ib, il, 1.0),
                                            f32Constant(ib, il, 0.0)));
                scf::YieldOp::create(ib, il, ValueRange{written, after});
              });
          scf::YieldOp::create(ob, l, scan.getResult(0));
        });

    SmallVector<float> negatedSlopes;
    for (double slope : AlibiBiasOp::slopes(op.getNumHeads()))
      negatedSlopes.push_back(static_cast<float>(-slope));
    auto slopesType = RankedTensorType::get({op.getNumHeads()}, f32);
    Value slopes = arith::ConstantOp::create(
        rewriter, loc,
        DenseElementsAttr::get(slopesType, ArrayRef<float>(negatedSlopes)));
    AffineExpr b = getAffineDimExpr(0, ctx), h = getAffineDimExpr(1, ctx),
               k = getAffineDimExpr(3, ctx);
    Value result = buildElementwise(
        rewriter, loc, op.getType(),
        {in[0], rewriter.getIndexAttr(op.getNumHeads()),
         rewriter.getIndexAttr(1), in[1]},
        {rows.getResult(0), slopes},
        {AffineMap::get(4, 0, {b, k}, ctx), AffineMap::get(4, 0, {h}, ctx)},
        [](OpBuilder &nb, Location l, ValueRange args) -> Value {
          return arith::MulFOp::create(nb, l, args[1], args[0]);
        });
    rewriter.replaceOp(op, result);
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
  patterns.add<AddPositionsLowering, AlibiBiasLowering, EmbeddingLowering,
               PaddingMaskLowering, RotaryLowering, TokenPositionsLowering>(
      patterns.getContext());
}
