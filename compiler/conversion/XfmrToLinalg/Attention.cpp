//===- Attention.cpp - xfmr.fused_attention → tiles, online softmax -------===//
//
// One scf.forall iteration per (batch, head, query tile) owns its rows of the
// result, so any thread count computes the same bits. Inside, a key loop
// (Attention.h: linalg tiles here, target kernels elsewhere): an scf.for
// walks the key tiles from the sequence's first real key to its last (and,
// causal, to the query tile's diagonal) with the online softmax of Milakov
// and Gimelshein: a running maximum and sum per query, the accumulator
// rescaled whenever the maximum grows. The [q, k] scores exist one tile at a
// time. Tiles have static shapes (a partial tile is zero-padded), so every
// linalg op on them vectorizes without masks.
//
// Masked keys never reach a result: a masked score is selected to -inf (not
// added to, so a NaN there does not survive), and a padded key's value row is
// selected to 0 before the product (a probability of 0 times a NaN would be
// NaN). Keys after the last real one are not even loaded.
//
//===----------------------------------------------------------------------===//
#include "compiler/conversion/XfmrToLinalg/Attention.h"
#include "compiler/conversion/XfmrToLinalg/LinalgBuilders.h"
#include "compiler/conversion/XfmrToLinalg/XfmrToLinalg.h"
#include "dialect/XfmrOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Transforms/DialectConversion.h"

#include <limits>

using namespace mlir;
using namespace xfmr;

namespace {
/// Queries and keys per tile: 16 × 32 scores, a [16, head_dim] accumulator.
constexpr int64_t kQueryTile = kAttentionQueryTile;
constexpr int64_t kKeyTile = 32;
constexpr double kNegInf = -std::numeric_limits<double>::infinity();

using utils::IteratorType;

Value indexConstant(OpBuilder &b, Location loc, int64_t value) {
  return arith::ConstantIndexOp::create(b, loc, value);
}

Value toIndex(OpBuilder &b, Location loc, Value value) {
  return arith::IndexCastOp::create(b, loc, b.getIndexType(), value);
}

/// A static tile of `tileShape` read from `source` (a generic that reads
/// with tensor.extract: no copy, nothing to bufferize but the tile). Source
/// dimension `d` is read from `starts[d]`; the tile spans its trailing
/// `tileShape.size()` dimensions, and tile dimension `t` holds `limits[t]`
/// real rows (all of them where null), `padding` beyond. Past the limit the
/// read is clamped to the last real row, so only real rows are ever read.
Value loadTile(OpBuilder &b, Location loc, Value source, ValueRange starts,
               ArrayRef<Value> limits, ArrayRef<int64_t> tileShape,
               Value padding) {
  unsigned rank = starts.size(), kept = tileShape.size();
  auto type = RankedTensorType::get(tileShape, padding.getType());
  SmallVector<OpFoldResult> sizes =
      getAsIndexOpFoldResult(b.getContext(), tileShape);
  Value init = tensor::EmptyOp::create(b, loc, sizes, padding.getType());
  SmallVector<IteratorType> iterators(kept, IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, TypeRange{type}, ValueRange{}, ValueRange{init},
             identityMap(b.getContext(), kept), iterators,
             [&](OpBuilder &nb, Location l, ValueRange) {
               SmallVector<Value> indices(starts.take_front(rank - kept));
               Value inside;
               for (unsigned t = 0; t < kept; ++t) {
                 Value index = linalg::IndexOp::create(nb, l, t);
                 if (Value limit = limits[t]) {
                   Value below = arith::CmpIOp::create(
                       nb, l, arith::CmpIPredicate::slt, index, limit);
                   inside = inside ? arith::AndIOp::create(nb, l, inside, below)
                                   : below;
                   Value last = arith::SubIOp::create(nb, l, limit,
                                                      indexConstant(nb, l, 1));
                   index = arith::MinSIOp::create(nb, l, index, last);
                 }
                 indices.push_back(arith::AddIOp::create(
                     nb, l, starts[rank - kept + t], index));
               }
               Value element =
                   tensor::ExtractOp::create(nb, l, source, indices);
               if (inside)
                 element =
                     arith::SelectOp::create(nb, l, inside, element, padding);
               linalg::YieldOp::create(nb, l, element);
             })
      .getResult(0);
}

/// A static tensor of `shape` filled with `value`.
Value staticFilled(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                   Value value) {
  Value empty = tensor::EmptyOp::create(b, loc, shape, value.getType());
  return linalg::FillOp::create(b, loc, value, empty).getResult(0);
}

/// An all-parallel generic over the static `shape`.
Value tileElementwise(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                      ValueRange inputs, ArrayRef<AffineMap> maps,
                      BodyBuilder body) {
  auto type = RankedTensorType::get(shape, b.getF32Type());
  SmallVector<OpFoldResult> sizes =
      getAsIndexOpFoldResult(b.getContext(), shape);
  return buildElementwise(b, loc, type, sizes, inputs, maps, body);
}

/// `target` updated elementwise: body(inputs..., old element), with input
/// `i` read through `maps[i]` and the target through the identity.
Value updateInPlace(OpBuilder &b, Location loc, Value target, ValueRange inputs,
                    ArrayRef<AffineMap> maps, BodyBuilder body) {
  unsigned rank = cast<RankedTensorType>(target.getType()).getRank();
  SmallVector<AffineMap> allMaps(maps);
  allMaps.push_back(identityMap(b.getContext(), rank));
  SmallVector<IteratorType> iterators(rank, IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, TypeRange{target.getType()}, inputs, ValueRange{target},
             allMaps, iterators,
             [&](OpBuilder &nb, Location l, ValueRange args) {
               linalg::YieldOp::create(nb, l, body(nb, l, args));
             })
      .getResult(0);
}

/// out(i, j) += lhs · rhs over the loops (i, j, r) or (i, r, j) that `maps`
/// and `iterators` name, into the accumulator `init`.
Value tileContraction(OpBuilder &b, Location loc, Value lhs, Value rhs,
                      Value init, ArrayRef<AffineMap> maps,
                      ArrayRef<IteratorType> iterators) {
  return linalg::GenericOp::create(
             b, loc, TypeRange{init.getType()}, ValueRange{lhs, rhs},
             ValueRange{init}, maps, iterators,
             [](OpBuilder &nb, Location l, ValueRange args) {
               Value product = arith::MulFOp::create(nb, l, args[0], args[1]);
               linalg::YieldOp::create(
                   nb, l,
                   arith::AddFOp::create(nb, l, args[2], product).getResult());
             })
      .getResult(0);
}

/// A reduction of the rows of the [rows, cols] `input` into the [rows]
/// accumulator `init` with `combine(element, accumulator)`.
Value tileRowReduction(
    OpBuilder &b, Location loc, Value input, Value init,
    function_ref<Value(OpBuilder &, Location, Value, Value)> combine) {
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineMap> maps = {identityMap(ctx, 2), dropDimMap(ctx, 2, 1)};
  SmallVector<IteratorType> iterators = {IteratorType::parallel,
                                         IteratorType::reduction};
  return linalg::GenericOp::create(
             b, loc, TypeRange{init.getType()}, ValueRange{input},
             ValueRange{init}, maps, iterators,
             [&](OpBuilder &nb, Location l, ValueRange args) {
               linalg::YieldOp::create(nb, l, combine(nb, l, args[0], args[1]));
             })
      .getResult(0);
}

/// Per batch row of the 0/1 `padding : [b, k]`: the first real key (k when
/// there is none) and one past the last (0 when there is none), as i64.
std::pair<Value, Value> keyRanges(OpBuilder &b, Location loc, Value padding,
                                  Value keys) {
  SmallVector<OpFoldResult> sizes = sizesOf(b, loc, padding);
  Value keysI64 = arith::IndexCastOp::create(b, loc, b.getI64Type(), keys);
  Value zero = arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(0));
  SmallVector<Value> ranges = buildReduction(
      b, loc, sizes, /*axis=*/1, padding, identityMap(b.getContext(), 2),
      {keysI64, zero},
      [&](OpBuilder &nb, Location l, ValueRange args) -> SmallVector<Value> {
        Value j = arith::IndexCastOp::create(nb, l, nb.getI64Type(),
                                             linalg::IndexOp::create(nb, l, 1));
        Value real = arith::CmpIOp::create(
            nb, l, arith::CmpIPredicate::ne, args[0],
            arith::ConstantOp::create(nb, l, nb.getI64IntegerAttr(0)));
        Value first = arith::MinSIOp::create(nb, l, args[1], j);
        Value end = arith::MaxSIOp::create(
            nb, l, args[2],
            arith::AddIOp::create(
                nb, l, j,
                arith::ConstantOp::create(nb, l, nb.getI64IntegerAttr(1))));
        return {arith::SelectOp::create(nb, l, real, first, args[1]),
                arith::SelectOp::create(nb, l, real, end, args[2])};
      });
  return {ranges[0], ranges[1]};
}

/// The default key loop: linalg tiles of 16 queries × 32 keys, bias
/// included.
AttentionKeyLoopResult linalgKeyLoop(OpBuilder &b, Location loc,
                                     const AttentionQueryTile &tile) {
  MLIRContext *ctx = b.getContext();
  FusedAttentionOp op = tile.op;
  Value k = tile.k, v = tile.v, padding = tile.padding, bias = tile.bias;
  Value bi = tile.batch, hi = tile.head, kvh = tile.kvHead,
        q0 = tile.firstQuery;
  Value rows = tile.rows, first = tile.firstKey, stop = tile.stopKey;
  Value offset = tile.causalOffset;
  int64_t headDim = tile.headDim, valueDim = tile.valueDim;
  bool causal = op.getCausal();
  double scale = op.getScale().convertToDouble();
  Value zeroIdx = indexConstant(b, loc, 0);
  Value keyTile = indexConstant(b, loc, kKeyTile);
  Value f32Zero = f32Constant(b, loc, 0.0);
  Value negInf = f32Constant(b, loc, kNegInf);
  Value qTile = loadTile(b, loc, tile.q, {bi, hi, q0, zeroIdx}, {rows, Value()},
                         {kQueryTile, headDim}, f32Zero);

  SmallVector<int64_t> biasShape;
  SmallVector<bool> biasBroadcast;
  if (bias) {
    auto biasType = cast<RankedTensorType>(bias.getType());
    for (unsigned i = 0; i < 4; ++i)
      biasBroadcast.push_back(biasType.getDimSize(i) == 1);
    biasShape = {biasBroadcast[2] ? 1 : kQueryTile,
                 biasBroadcast[3] ? 1 : kKeyTile};
  }

  // Online softmax over the key tiles: running maximum m, running sum l,
  // accumulator acc = Σ exp(x - m)·v.
  SmallVector<Value> carried = {
      staticFilled(b, loc, {kQueryTile}, negInf),
      staticFilled(b, loc, {kQueryTile}, f32Zero),
      staticFilled(b, loc, {kQueryTile, valueDim}, f32Zero)};
  auto loop = scf::ForOp::create(
      b, loc, first, stop, keyTile, carried,
      [&](OpBuilder &nb, Location l, Value k0, ValueRange args) {
        Value m = args[0], sum = args[1], acc = args[2];
        Value cols = arith::MinSIOp::create(
            nb, l, keyTile, arith::SubIOp::create(nb, l, stop, k0));
        Value kTile = loadTile(nb, l, k, {bi, kvh, k0, zeroIdx},
                               {cols, Value()}, {kKeyTile, headDim}, f32Zero);
        Value vTile = loadTile(nb, l, v, {bi, kvh, k0, zeroIdx},
                               {cols, Value()}, {kKeyTile, valueDim}, f32Zero);
        Value padTile;
        if (padding)
          padTile = loadTile(
              nb, l, padding, {bi, k0}, {cols}, {kKeyTile},
              arith::ConstantOp::create(nb, l, nb.getI64IntegerAttr(0)));

        // Scores of the tile: Q·Kᵀ, loops (i, j, d).
        AffineExpr i = getAffineDimExpr(0, ctx), j = getAffineDimExpr(1, ctx),
                   d = getAffineDimExpr(2, ctx);
        Value scores = tileContraction(
            nb, l, qTile, kTile,
            staticFilled(nb, l, {kQueryTile, kKeyTile}, f32Zero),
            {AffineMap::get(3, 0, {i, d}, ctx),
             AffineMap::get(3, 0, {j, d}, ctx),
             AffineMap::get(3, 0, {i, j}, ctx)},
            {IteratorType::parallel, IteratorType::parallel,
             IteratorType::reduction});

        // x = scale · s + bias where the key is seen, -inf where masked.
        SmallVector<Value> inputs = {scores};
        SmallVector<AffineMap> maps = {identityMap(ctx, 2)};
        if (padding) {
          inputs.push_back(padTile);
          maps.push_back(selectDimMap(ctx, 2, 1));
        }
        if (bias) {
          Value tileStarts[] = {bi, hi, q0, k0};
          Value tileLimits[] = {rows, cols};
          SmallVector<Value> starts;
          SmallVector<Value> limits;
          for (unsigned dim = 0; dim < 4; ++dim) {
            bool broadcast = biasBroadcast[dim];
            starts.push_back(broadcast ? zeroIdx : tileStarts[dim]);
            if (dim >= 2)
              limits.push_back(broadcast ? Value() : tileLimits[dim - 2]);
          }
          inputs.push_back(
              loadTile(nb, l, bias, starts, limits, biasShape, f32Zero));
          AffineExpr c0 = getAffineConstantExpr(0, ctx);
          maps.push_back(AffineMap::get(
              2, 0, {biasBroadcast[2] ? c0 : i, biasBroadcast[3] ? c0 : j},
              ctx));
        }
        Value x = tileElementwise(
            nb, l, {kQueryTile, kKeyTile}, inputs, maps,
            [&](OpBuilder &eb, Location el, ValueRange elems) -> Value {
              Value value = arith::MulFOp::create(eb, el, elems[0],
                                                  f32Constant(eb, el, scale));
              unsigned next = 1;
              Value pad = padding ? elems[next++] : Value();
              if (bias)
                value = arith::AddFOp::create(eb, el, value, elems[next++]);
              Value key = arith::AddIOp::create(
                  eb, el, k0, linalg::IndexOp::create(eb, el, 1));
              Value seen = arith::CmpIOp::create(
                  eb, el, arith::CmpIPredicate::slt, key, stop);
              if (pad)
                seen = arith::AndIOp::create(
                    eb, el, seen,
                    arith::CmpIOp::create(
                        eb, el, arith::CmpIPredicate::ne, pad,
                        arith::ConstantOp::create(eb, el,
                                                  eb.getI64IntegerAttr(0))));
              if (causal) {
                Value query = arith::AddIOp::create(
                    eb, el, q0, linalg::IndexOp::create(eb, el, 0));
                Value last = arith::AddIOp::create(eb, el, query, offset);
                seen = arith::AndIOp::create(
                    eb, el, seen,
                    arith::CmpIOp::create(eb, el, arith::CmpIPredicate::sle,
                                          key, last));
              }
              return arith::SelectOp::create(eb, el, seen, value,
                                             f32Constant(eb, el, kNegInf));
            });

        // The rescale factor of what was summed so far, then the new
        // maximum, the tile's exponentials and the new sum. The carried
        // values are updated in place (each loop result is its iteration
        // argument's buffer), so the loop bufferizes without copies.
        AffineMap rowMap = identityMap(ctx, 1);
        Value tileMax = tileRowReduction(
            nb, l, x, staticFilled(nb, l, {kQueryTile}, negInf),
            [](OpBuilder &rb, Location rl, Value e, Value a) -> Value {
              return arith::MaximumFOp::create(rb, rl, e, a);
            });
        Value rescale = tileElementwise(
            nb, l, {kQueryTile}, {m, tileMax}, {rowMap, rowMap},
            [](OpBuilder &eb, Location el, ValueRange e) -> Value {
              Value newMax = arith::MaximumFOp::create(eb, el, e[0], e[1]);
              return guardedExp(eb, el, e[0], newMax);
            });
        Value newMax = updateInPlace(
            nb, l, m, {tileMax}, {rowMap},
            [](OpBuilder &eb, Location el, ValueRange e) -> Value {
              return arith::MaximumFOp::create(eb, el, e[1], e[0]);
            });
        Value probs = tileElementwise(
            nb, l, {kQueryTile, kKeyTile}, {x, newMax},
            {identityMap(ctx, 2), dropDimMap(ctx, 2, 1)},
            [](OpBuilder &eb, Location el, ValueRange e) -> Value {
              return guardedExp(eb, el, e[0], e[1]);
            });
        Value scaledSum = updateInPlace(
            nb, l, sum, {rescale}, {rowMap},
            [](OpBuilder &eb, Location el, ValueRange e) -> Value {
              return arith::MulFOp::create(eb, el, e[1], e[0]);
            });
        Value newSum = tileRowReduction(
            nb, l, probs, scaledSum,
            [](OpBuilder &rb, Location rl, Value e, Value a) -> Value {
              return arith::AddFOp::create(rb, rl, a, e);
            });

        // A padded key's value row is 0, whatever it holds.
        Value values = vTile;
        if (padding)
          values = tileElementwise(
              nb, l, {kKeyTile, valueDim}, {vTile, padTile},
              {identityMap(ctx, 2), dropDimMap(ctx, 2, 1)},
              [](OpBuilder &eb, Location el, ValueRange e) -> Value {
                Value real = arith::CmpIOp::create(
                    eb, el, arith::CmpIPredicate::ne, e[1],
                    arith::ConstantOp::create(eb, el, eb.getI64IntegerAttr(0)));
                return arith::SelectOp::create(eb, el, real, e[0],
                                               f32Constant(eb, el, 0.0));
              });
        Value scaledAcc = updateInPlace(
            nb, l, acc, {rescale}, {dropDimMap(ctx, 2, 1)},
            [](OpBuilder &eb, Location el, ValueRange e) -> Value {
              return arith::MulFOp::create(eb, el, e[1], e[0]);
            });
        // acc += P·V, loops (i, j, d): each element adds in key order.
        Value newAcc =
            tileContraction(nb, l, probs, values, scaledAcc,
                            {AffineMap::get(3, 0, {i, j}, ctx),
                             AffineMap::get(3, 0, {j, d}, ctx),
                             AffineMap::get(3, 0, {i, d}, ctx)},
                            {IteratorType::parallel, IteratorType::reduction,
                             IteratorType::parallel});
        scf::YieldOp::create(nb, l, ValueRange{newMax, newSum, newAcc});
      });
  return {loop.getResult(1), loop.getResult(2), identityMap(ctx, 2)};
}

struct FusedAttentionLowering : OpConversionPattern<FusedAttentionOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(FusedAttentionOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(
        op, lowerFusedAttention(rewriter, op, adaptor.getQ(), adaptor.getK(),
                                adaptor.getV(), adaptor.getKeyPadding(),
                                adaptor.getBias(), linalgKeyLoop));
    return success();
  }
};
} // namespace

Value xfmr::lowerFusedAttention(OpBuilder &b, FusedAttentionOp op, Value q,
                                Value k, Value v, Value padding, Value bias,
                                AttentionKeyLoop keyLoop) {
  Location loc = op.getLoc();
  MLIRContext *ctx = b.getContext();
  RankedTensorType type = op.getType();
  int64_t headDim = op.getQ().getType().getDimSize(3);
  int64_t valueDim = type.getDimSize(3);
  bool causal = op.getCausal();
  bool uniform = op.getMask().getFullyMasked() == FullyMaskedPolicy::uniform;

  SmallVector<OpFoldResult> qSizes = sizesOf(b, loc, q);
  Value batch = getValueOrCreateConstantIndexOp(b, loc, qSizes[0]);
  Value heads = getValueOrCreateConstantIndexOp(b, loc, qSizes[1]);
  Value queries = getValueOrCreateConstantIndexOp(b, loc, qSizes[2]);
  Value keys = tensor::DimOp::create(b, loc, k, 2);
  Value zeroIdx = indexConstant(b, loc, 0);
  Value queryTile = indexConstant(b, loc, kQueryTile);
  // keys - queries: key j is in the future of query i when j > i + offset.
  Value offset = arith::SubIOp::create(b, loc, keys, queries);

  Value firstKeys, endKeys;
  if (padding)
    std::tie(firstKeys, endKeys) = keyRanges(b, loc, padding, keys);

  Value queryTiles = arith::CeilDivUIOp::create(b, loc, queries, queryTile);
  Value init =
      emptyTensor(b, loc, type,
                  {qSizes[0], qSizes[1], qSizes[2], b.getIndexAttr(valueDim)});
  auto forall = scf::ForallOp::create(
      b, loc, ArrayRef<OpFoldResult>{batch, heads, queryTiles},
      ValueRange{init}, std::nullopt);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPoint(forall.getTerminator());
  Value bi = forall.getInductionVar(0), hi = forall.getInductionVar(1);
  // Grouped-query attention: query heads [g·i, g·(i + 1)) read K/V head i.
  int64_t qHeads = op.getQ().getType().getDimSize(1);
  int64_t kvHeads = op.getK().getType().getDimSize(1);
  int64_t group =
      ShapedType::isDynamic(qHeads) || qHeads == kvHeads ? 1 : qHeads / kvHeads;
  Value kvHead =
      group == 1
          ? hi
          : arith::DivUIOp::create(b, loc, hi, indexConstant(b, loc, group))
                .getResult();
  Value q0 =
      arith::MulIOp::create(b, loc, forall.getInductionVar(2), queryTile);
  Value rows = arith::MinSIOp::create(
      b, loc, queryTile, arith::SubIOp::create(b, loc, queries, q0));

  // The keys this batch row can see: [first, end).
  Value first = zeroIdx, end = keys;
  if (padding) {
    first = toIndex(b, loc, tensor::ExtractOp::create(b, loc, firstKeys, bi));
    end = toIndex(b, loc, tensor::ExtractOp::create(b, loc, endKeys, bi));
  }
  // Causal: the tile's last query sees up to key q0 + rows - 1 + offset.
  Value stop = end;
  if (causal) {
    Value diagonal = arith::MaxSIOp::create(
        b, loc, zeroIdx,
        arith::AddIOp::create(b, loc, arith::AddIOp::create(b, loc, q0, rows),
                              offset));
    stop = arith::MinSIOp::create(b, loc, end, diagonal);
  }

  AttentionQueryTile tile;
  tile.op = op;
  tile.q = q;
  tile.k = k;
  tile.v = v;
  tile.padding = padding;
  tile.bias = bias;
  tile.batch = bi;
  tile.head = hi;
  tile.kvHead = kvHead;
  tile.firstQuery = q0;
  tile.rows = rows;
  tile.queries = queries;
  tile.keys = keys;
  tile.firstKey = first;
  tile.stopKey = stop;
  tile.causalOffset = offset;
  tile.headDim = headDim;
  tile.valueDim = valueDim;
  AttentionKeyLoopResult keyLoopResult = keyLoop(b, loc, tile);
  Value sum = keyLoopResult.sum, acc = keyLoopResult.acc;
  OpFoldResult one = b.getIndexAttr(1), zero = b.getIndexAttr(0);

  // A query row sees some key when the batch row has a real key at or
  // before its diagonal.
  auto rowSeesAKey = [&](OpBuilder &eb, Location el, Value row) -> Value {
    Value any =
        arith::CmpIOp::create(eb, el, arith::CmpIPredicate::slt, first, end);
    if (!causal)
      return any;
    Value last = arith::AddIOp::create(
        eb, el, arith::AddIOp::create(eb, el, q0, row), offset);
    return arith::AndIOp::create(
        eb, el, any,
        arith::CmpIOp::create(eb, el, arith::CmpIPredicate::sle, first, last));
  };

  // What a fully masked row yields: zeros, or the uniform probabilities
  // 1/k times V, summed in key order as the unfused product does. Only
  // computed for a tile that has such a row.
  SmallVector<Value> outInputs = {acc, sum};
  SmallVector<AffineMap> outMaps = {keyLoopResult.accMap,
                                    dropDimMap(ctx, 2, 1)};
  if (uniform) {
    Value someRowBlind = arith::XOrIOp::create(
        b, loc, rowSeesAKey(b, loc, zeroIdx),
        arith::ConstantOp::create(b, loc, b.getBoolAttr(true)));
    auto ifOp = scf::IfOp::create(
        b, loc, someRowBlind,
        [&](OpBuilder &tb, Location tl) {
          Value uniformP = arith::DivFOp::create(
              tb, tl, f32Constant(tb, tl, 1.0),
              arith::SIToFPOp::create(
                  tb, tl, tb.getF32Type(),
                  arith::IndexCastOp::create(tb, tl, tb.getI64Type(), keys)));
          auto rowsType = RankedTensorType::get(
              {ShapedType::kDynamic, valueDim}, tb.getF32Type());
          Value all = tensor::ExtractSliceOp::create(
              tb, tl, rowsType, v,
              ArrayRef<OpFoldResult>{bi, kvHead, zero, zero},
              ArrayRef<OpFoldResult>{one, one, keys, tb.getIndexAttr(valueDim)},
              ArrayRef<OpFoldResult>{one, one, one, one});
          Value mean =
              linalg::GenericOp::create(
                  tb, tl,
                  TypeRange{RankedTensorType::get({valueDim}, tb.getF32Type())},
                  ValueRange{all},
                  ValueRange{staticFilled(tb, tl, {valueDim},
                                          f32Constant(tb, tl, 0.0))},
                  {identityMap(ctx, 2), selectDimMap(ctx, 2, 1)},
                  {IteratorType::reduction, IteratorType::parallel},
                  [&](OpBuilder &gb, Location gl, ValueRange e) {
                    Value product =
                        arith::MulFOp::create(gb, gl, uniformP, e[0]);
                    linalg::YieldOp::create(
                        gb, gl,
                        arith::AddFOp::create(gb, gl, e[1], product)
                            .getResult());
                  })
                  .getResult(0);
          scf::YieldOp::create(tb, tl, mean);
        },
        [&](OpBuilder &eb, Location el) {
          scf::YieldOp::create(
              eb, el,
              staticFilled(eb, el, {valueDim}, f32Constant(eb, el, 0.0)));
        });
    outInputs.push_back(ifOp.getResult(0));
    outMaps.push_back(selectDimMap(ctx, 2, 1));
  }
  // This iteration's rows of the result, computed in place in the shared
  // output (no copy at the parallel insert).
  bool masks = padding || causal;
  auto rowsType =
      RankedTensorType::get({ShapedType::kDynamic, valueDim}, b.getF32Type());
  OpFoldResult valueSize = b.getIndexAttr(valueDim);
  Value resultRows = tensor::ExtractSliceOp::create(
      b, loc, rowsType, forall.getRegionIterArgs()[0],
      ArrayRef<OpFoldResult>{bi, hi, q0, zero},
      ArrayRef<OpFoldResult>{one, one, rows, valueSize},
      ArrayRef<OpFoldResult>{one, one, one, one});
  // The accumulator's real rows, in its own layout.
  SmallVector<OpFoldResult> accSizes;
  SmallVector<int64_t> accShape;
  for (unsigned r = 0; r < 2; ++r) {
    bool isQuery = keyLoopResult.accMap.getDimPosition(r) == 0;
    accSizes.push_back(isQuery ? OpFoldResult(rows) : valueSize);
    accShape.push_back(isQuery ? ShapedType::kDynamic : valueDim);
  }
  outInputs[0] = tensor::ExtractSliceOp::create(
      b, loc, RankedTensorType::get(accShape, b.getF32Type()), acc,
      ArrayRef<OpFoldResult>{zero, zero}, accSizes,
      ArrayRef<OpFoldResult>{one, one});
  outInputs[1] = tensor::ExtractSliceOp::create(
      b, loc, RankedTensorType::get({ShapedType::kDynamic}, b.getF32Type()),
      sum, ArrayRef<OpFoldResult>{zero}, ArrayRef<OpFoldResult>{rows},
      ArrayRef<OpFoldResult>{one});
  Value out = updateInPlace(
      b, loc, resultRows, outInputs, outMaps,
      [&](OpBuilder &eb, Location el, ValueRange e) -> Value {
        Value zeroF = f32Constant(eb, el, 0.0);
        Value positive = arith::CmpFOp::create(
            eb, el, arith::CmpFPredicate::OGT, e[1], zeroF);
        Value context = arith::SelectOp::create(
            eb, el, positive, arith::DivFOp::create(eb, el, e[0], e[1]), zeroF);
        if (!masks)
          return context;
        Value blind = uniform ? e[2] : zeroF;
        return arith::SelectOp::create(
            eb, el, rowSeesAKey(eb, el, linalg::IndexOp::create(eb, el, 0)),
            context, blind);
      });
  b.setInsertionPointToStart(forall.getTerminator().getBody());
  tensor::ParallelInsertSliceOp::create(
      b, loc, out, forall.getRegionIterArgs()[0],
      ArrayRef<OpFoldResult>{bi, hi, q0, zero},
      ArrayRef<OpFoldResult>{one, one, rows, valueSize},
      ArrayRef<OpFoldResult>{one, one, one, one});
  return forall.getResult(0);
}

void xfmr::populateAttentionToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<FusedAttentionLowering>(patterns.getContext());
}
