//===- Softmax.cpp - softmax, masked softmax and the causal mask → linalg -===//
//
// Both softmax ops share one kernel shape: one pass computing each row's
// maximum and sum of exponentials together (the online update of Milakov and
// Gimelshein), one pass writing the probabilities. What differs is how an
// element's value is formed (scale, bias, masks generated from indices) and
// what a fully masked row yields.
//
//===----------------------------------------------------------------------===//
#include "compiler/conversion/XfmrToLinalg/LinalgBuilders.h"
#include "compiler/conversion/XfmrToLinalg/XfmrToLinalg.h"
#include "dialect/XfmrOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Transforms/DialectConversion.h"

#include <limits>

using namespace mlir;
using namespace xfmr;

namespace {
constexpr double kNegInf = -std::numeric_limits<double>::infinity();

/// One element of a softmax row: its value, and (for masked softmax) an i1
/// that is true when the element is masked.
struct Element {
  Value value;
  Value masked;
};

/// Forms an element from the generic's input elements, at the current loop
/// indices.
using ElementBuilder =
    llvm::function_ref<Element(OpBuilder &, Location, ValueRange)>;

/// What a row whose every element is masked yields.
struct FullyMaskedRow {
  FullyMaskedPolicy policy = FullyMaskedPolicy::zero;
  /// The row length, for `uniform`.
  Value length;
};

/// Builds softmax over `axis` of the iteration space `sizes`, with elements
/// formed by `element` from `inputs` (read through `maps`). With `masks`,
/// also tracks whether a row has any unmasked element.
Value buildSoftmax(OpBuilder &b, Location loc, RankedTensorType type,
                   ArrayRef<OpFoldResult> sizes, unsigned axis,
                   ValueRange inputs, ArrayRef<AffineMap> maps, bool masks,
                   FullyMaskedRow fullyMasked, ElementBuilder element) {
  MLIRContext *ctx = b.getContext();
  unsigned rank = type.getRank();
  unsigned numInputs = inputs.size();

  // Pass 1: running maximum and sum of exp(x - maximum), rescaled whenever
  // the maximum grows; with masks, a flag for "some element is unmasked".
  SmallVector<Value> inits = {f32Constant(b, loc, kNegInf),
                              f32Constant(b, loc, 0.0)};
  if (masks)
    inits.push_back(f32Constant(b, loc, 0.0));
  SmallVector<Value> stats = buildReduction(
      b, loc, sizes, axis, inputs, maps, inits,
      [&](OpBuilder &nb, Location l, ValueRange args) -> SmallVector<Value> {
        Element e = element(nb, l, args.take_front(numInputs));
        Value max = args[numInputs], sum = args[numInputs + 1];
        Value newMax = arith::MaximumFOp::create(nb, l, max, e.value);
        Value rescaled =
            arith::MulFOp::create(nb, l, sum, guardedExp(nb, l, max, newMax));
        Value newSum = arith::AddFOp::create(
            nb, l, rescaled, guardedExp(nb, l, e.value, newMax));
        SmallVector<Value> next = {newMax, newSum};
        if (masks)
          next.push_back(arith::SelectOp::create(
              nb, l, e.masked, args[numInputs + 2], f32Constant(nb, l, 1.0)));
        return next;
      });

  // Pass 2: the probabilities.
  SmallVector<Value> operands(inputs);
  llvm::append_range(operands, stats);
  SmallVector<AffineMap> operandMaps(maps);
  operandMaps.append(stats.size(), dropDimMap(ctx, rank, axis));
  return buildElementwise(
      b, loc, type, sizes, operands, operandMaps,
      [&](OpBuilder &nb, Location l, ValueRange args) -> Value {
        Element e = element(nb, l, args.take_front(numInputs));
        Value max = args[numInputs], sum = args[numInputs + 1];
        Value zero = f32Constant(nb, l, 0.0);
        Value positive =
            arith::CmpFOp::create(nb, l, arith::CmpFPredicate::OGT, sum, zero);
        Value p = arith::SelectOp::create(
            nb, l, positive,
            arith::DivFOp::create(nb, l, guardedExp(nb, l, e.value, max), sum),
            zero);
        if (!masks)
          return p;
        Value fullyMaskedValue = zero;
        if (fullyMasked.policy == FullyMaskedPolicy::uniform)
          fullyMaskedValue = arith::DivFOp::create(
              nb, l, f32Constant(nb, l, 1.0), fullyMasked.length);
        Value unmaskedRow = arith::CmpFOp::create(
            nb, l, arith::CmpFPredicate::OGT, args[numInputs + 2], zero);
        return arith::SelectOp::create(nb, l, unmaskedRow, p, fullyMaskedValue);
      });
}

struct SoftmaxLowering : OpConversionPattern<SoftmaxOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(SoftmaxOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    RankedTensorType type = op.getType();
    Value result = buildSoftmax(
        rewriter, loc, type, sizesOf(rewriter, loc, input),
        op.getNormalizedAxis(), input,
        identityMap(rewriter.getContext(), type.getRank()), /*masks=*/false,
        FullyMaskedRow(), [](OpBuilder &, Location, ValueRange args) {
          return Element{args[0], Value()};
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

Value indexToF32(OpBuilder &b, Location loc, Value index) {
  Value i64 = arith::IndexCastOp::create(b, loc, b.getI64Type(), index);
  return arith::SIToFPOp::create(b, loc, b.getF32Type(), i64);
}

/// True where key `j` lies in the future of query `i`: j > i + keys - queries.
Value isFuture(OpBuilder &b, Location loc, Value offset) {
  Value i = linalg::IndexOp::create(b, loc, 2);
  Value j = linalg::IndexOp::create(b, loc, 3);
  Value last = arith::AddIOp::create(b, loc, i, offset);
  return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt, j, last);
}

/// keys - queries: how far the query block sits from the first key.
Value causalOffset(OpBuilder &b, Location loc, ArrayRef<OpFoldResult> sizes) {
  Value queries = getValueOrCreateConstantIndexOp(b, loc, sizes[2]);
  Value keys = getValueOrCreateConstantIndexOp(b, loc, sizes[3]);
  return arith::SubIOp::create(b, loc, keys, queries);
}

struct MaskedSoftmaxLowering : OpConversionPattern<MaskedSoftmaxOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MaskedSoftmaxOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    RankedTensorType type = op.getType();
    Value scores = adaptor.getScores();
    SmallVector<OpFoldResult> sizes = sizesOf(rewriter, loc, scores);

    SmallVector<Value> inputs = {scores};
    SmallVector<AffineMap> maps = {identityMap(ctx, 4)};
    Value padding = adaptor.getKeyPadding(), bias = adaptor.getBias();
    if (padding) {
      inputs.push_back(padding);
      maps.push_back(AffineMap::get(
          4, 0, {getAffineDimExpr(0, ctx), getAffineDimExpr(3, ctx)}, ctx));
    }
    if (bias) {
      auto biasType = cast<RankedTensorType>(bias.getType());
      SmallVector<AffineExpr> exprs;
      for (unsigned i = 0; i < 4; ++i)
        exprs.push_back(biasType.getDimSize(i) == 1 && type.getDimSize(i) != 1
                            ? getAffineConstantExpr(0, ctx)
                            : getAffineDimExpr(i, ctx));
      inputs.push_back(bias);
      maps.push_back(AffineMap::get(4, 0, exprs, ctx));
    }
    bool causal = op.getCausal();
    bool masks = padding || causal;
    Value offset = causal ? causalOffset(rewriter, loc, sizes) : Value();
    FullyMaskedRow fullyMasked{
        op.getMask().getFullyMasked(),
        indexToF32(rewriter, loc,
                   getValueOrCreateConstantIndexOp(rewriter, loc, sizes[3]))};
    double scale = op.getScale().convertToDouble();
    double fill = op.getMask().getFillAsDouble();

    Value result = buildSoftmax(
        rewriter, loc, type, sizes, /*axis=*/3, inputs, maps, masks,
        fullyMasked, [&](OpBuilder &b, Location l, ValueRange args) {
          Value x =
              arith::MulFOp::create(b, l, args[0], f32Constant(b, l, scale));
          unsigned next = 1;
          Value paddingValue = padding ? args[next++] : Value();
          if (bias)
            x = arith::AddFOp::create(b, l, x, args[next++]);
          if (!masks)
            return Element{x, Value()};
          Value masked = arith::ConstantOp::create(b, l, b.getBoolAttr(false));
          if (paddingValue)
            masked = arith::CmpIOp::create(
                b, l, arith::CmpIPredicate::eq, paddingValue,
                arith::ConstantOp::create(b, l, b.getI64IntegerAttr(0)));
          if (causal)
            masked = arith::OrIOp::create(b, l, masked, isFuture(b, l, offset));
          Value filled =
              arith::AddFOp::create(b, l, x, f32Constant(b, l, fill));
          return Element{arith::SelectOp::create(b, l, masked, filled, x),
                         masked};
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// [1, 1, q, k]: -inf where the key is in the future of the query, else 0.
struct CausalMaskLowering : OpConversionPattern<CausalMaskOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(CausalMaskOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    if (type.getRank() != 4)
      return rewriter.notifyMatchFailure(op, "only [1, 1, q, k] masks");
    SmallVector<OpFoldResult> like = sizesOf(rewriter, loc, adaptor.getLike());
    OpFoldResult one = rewriter.getIndexAttr(1);
    SmallVector<OpFoldResult> sizes = {one, one, like[like.size() - 2],
                                       like.back()};
    Value offset = causalOffset(rewriter, loc, sizes);
    Value result = buildElementwise(
        rewriter, loc, type, sizes, {}, {},
        [&](OpBuilder &b, Location l, ValueRange) -> Value {
          return arith::SelectOp::create(b, l, isFuture(b, l, offset),
                                         f32Constant(b, l, kNegInf),
                                         f32Constant(b, l, 0.0));
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};
} // namespace

void xfmr::populateSoftmaxToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<CausalMaskLowering, MaskedSoftmaxLowering, SoftmaxLowering>(
      patterns.getContext());
}
