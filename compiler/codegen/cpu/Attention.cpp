//===- Attention.cpp - fused attention's key loop as vector code ----------===//
//
// xfmr.fused_attention is lowered by the shared tiled lowering
// (compiler/conversion/XfmrToLinalg/Attention.h); this pass gives it the key
// loop of this target: the tile's 16 queries are the 16 lanes of a vector,
// so the online softmax is all lane-wise (no reduction across lanes) and
// both products are broadcast-FMA outer products:
//
//   scores  s[j]   = Σ_d  broadcast(K[j, d]) · Qᵀ[d]       16 keys at a time
//   context acc[c] = Σ_j  broadcast(V[j, c]) · p[j]        16 columns at a time
//
// A bias of the keys alone ([b or 1, h or 1, 1, k], ALiBi's) is one scalar
// per key, broadcast to its lanes; a bias varying by query takes the generic
// linalg key loop.
//
// A tile of one query (every tile of a decode step) would keep one lane of
// 16 busy; it takes its own loop, chosen at run time, where the lanes run
// along the head and value dimensions instead:
//
//   scores  s[j]   = reduce_add(Σ_c K[j, c:c+16] · q[c:c+16])  per key
//   context acc[c] += p[j] · V[j, c:c+16]                       per key
//
// with the online softmax over vectors of 16 keys' scores.
//
// Qᵀ ([head_dim][16]) is gathered once per query tile; the probabilities of a
// key tile are stored once ([16][16]) and read back per key. The running
// maximum, sum and the accumulators (one vector per value column) are the
// key loop's iteration values: nothing of the softmax goes to memory.
//
//===----------------------------------------------------------------------===//
#include "compiler/conversion/XfmrToLinalg/Attention.h"
#include "compiler/codegen/cpu/Passes.h"
#include "compiler/codegen/cpu/Vectors.h"
#include "dialect/XfmrOps.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

#include <limits>

namespace xfmr::cpu {
#define GEN_PASS_DEF_XFMRCPUATTENTION
#include "compiler/codegen/cpu/Passes.h.inc"
} // namespace xfmr::cpu

using namespace mlir;
using namespace xfmr;

namespace {
using cpu::kLanes;
static_assert(kLanes == kAttentionQueryTile, "a query per lane");
/// Keys per tile: 16 score accumulators.
constexpr int64_t kKeys = 16;
/// Value columns accumulated per pass over a key tile.
constexpr int64_t kColumns = 16;

/// Moves `b` to where `nested` (a region's body builder) inserts, for the
/// scope: the helpers below all build with one builder.
class BuildAt {
public:
  BuildAt(OpBuilder &b, OpBuilder &nested) : guard(b) {
    b.setInsertionPoint(nested.getInsertionBlock(), nested.getInsertionPoint());
  }

private:
  OpBuilder::InsertionGuard guard;
};

/// Whether the tile's queries see `key` at all: it lies before the stop and,
/// with padding, its row `row` (the key, or the last one for a key past it)
/// is a real token.
Value seesKey(OpBuilder &b, Location loc, const AttentionQueryTile &tile,
              Value key, Value row) {
  Value seen = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, key,
                                     tile.stopKey);
  if (!tile.padding)
    return seen;
  Value flag = tensor::ExtractOp::create(b, loc, tile.padding,
                                         ValueRange{tile.batch, row});
  Value real = arith::CmpIOp::create(
      b, loc, arith::CmpIPredicate::ne, flag,
      arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(0)));
  return arith::AndIOp::create(b, loc, seen, real);
}

/// The bias of the key whose row is `row`, for a bias of the keys alone
/// ([b or 1, h or 1, 1, k]).
Value biasOfKey(OpBuilder &b, Location loc, const AttentionQueryTile &tile,
                Value row) {
  auto type = cast<RankedTensorType>(tile.bias.getType());
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  return tensor::ExtractOp::create(
      b, loc, tile.bias,
      ValueRange{type.getDimSize(0) == 1 ? zero : tile.batch,
                 type.getDimSize(1) == 1 ? zero : tile.head, zero, row});
}

/// A loop over the `count` keys from `firstKey` carrying `init`:
/// `accumulate(t, key, partial)` builds a key's next values from `partial`
/// (at `b`'s insertion point). With padding, a key the tile does not see
/// keeps them, and its value row is never read. Returns the loop's results.
ValueRange accumulateSeenKeys(
    OpBuilder &b, Location loc, const AttentionQueryTile &tile, Value firstKey,
    Value count, ValueRange init,
    llvm::function_ref<SmallVector<Value>(Value, Value, ValueRange)>
        accumulate) {
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  auto loop = scf::ForOp::create(
      b, loc, zero, count, one, init,
      [&](OpBuilder &nb, Location, Value t, ValueRange partial) {
        BuildAt at(b, nb);
        Value key = arith::AddIOp::create(b, loc, firstKey, t);
        auto build = [&](OpBuilder &ab, Location) {
          BuildAt at(b, ab);
          scf::YieldOp::create(b, loc, accumulate(t, key, partial));
        };
        if (!tile.padding) {
          // Every key before the stop is seen.
          build(b, loc);
          return;
        }
        auto ifOp = scf::IfOp::create(b, loc, seesKey(b, loc, tile, key, key),
                                      build, [&](OpBuilder &eb, Location) {
                                        scf::YieldOp::create(eb, loc, partial);
                                      });
        scf::YieldOp::create(b, loc, ifOp.getResults());
      });
  return loop.getResults();
}

/// The offsets and widths of the vectors that cover `size` features: whole
/// vectors of kLanes, then one narrower.
SmallVector<std::pair<int64_t, int64_t>> vectorChunks(int64_t size) {
  SmallVector<std::pair<int64_t, int64_t>> chunks;
  for (int64_t offset = 0; offset < size; offset += kLanes)
    chunks.push_back({offset, std::min(kLanes, size - offset)});
  return chunks;
}

/// Builds the key loop of a query tile that holds one query.
class SingleQueryKeyLoop {
public:
  SingleQueryKeyLoop(OpBuilder &b, Location loc, const AttentionQueryTile &tile)
      : b(b), loc(loc), tile(tile), f32(b.getF32Type()),
        headChunks(vectorChunks(tile.headDim)),
        valueChunks(vectorChunks(tile.valueDim)) {}

  /// The sum and the accumulators, in VectorKeyLoop's layout (lane and
  /// column 0).
  std::pair<Value, Value> build();

private:
  Value index(int64_t value) {
    return arith::ConstantIndexOp::create(b, loc, value);
  }
  Value scalar(double value) {
    return arith::ConstantOp::create(
        b, loc, b.getF32FloatAttr(static_cast<float>(value)));
  }
  VectorType vectorOf(int64_t width) { return VectorType::get({width}, f32); }
  Value read(Value tensor, ValueRange indices, int64_t width) {
    return vector::TransferReadOp::create(
        b, loc, vectorOf(width), tensor, indices,
        arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0.0)).getResult(),
        ArrayRef<bool>{true});
  }
  /// exp(x - max), 0 where max is -inf (no key seen yet).
  Value guardedExp(Value x, Value max, Value maxIsNegInf) {
    Value e =
        math::ExpOp::create(b, loc, arith::SubFOp::create(b, loc, x, max));
    Value zero = arith::ConstantOp::create(
        b, loc, cast<TypedAttr>(b.getZeroAttr(x.getType())));
    return arith::SelectOp::create(b, loc, maxIsNegInf, zero, e);
  }
  /// scale · q·K[row] (+ the bias of the key), -inf where the key is not
  /// seen.
  Value score(Value key, Value row, ArrayRef<Value> query);
  /// One tile of kLanes keys from `firstKey`: the online softmax update of
  /// `state` (maximum, sum, then the value chunks' accumulators).
  SmallVector<Value> keyTile(Value firstKey, ValueRange state,
                             ArrayRef<Value> query);

  OpBuilder &b;
  Location loc;
  const AttentionQueryTile &tile;
  Type f32;
  SmallVector<std::pair<int64_t, int64_t>> headChunks, valueChunks;
  Value lastKey;
};

Value SingleQueryKeyLoop::score(Value key, Value row, ArrayRef<Value> query) {
  // The whole vectors into one partial product, the narrower on its own.
  Value whole, dot;
  for (auto [i, chunk] : llvm::enumerate(headChunks)) {
    auto [offset, width] = chunk;
    Value keys =
        read(tile.k, {tile.batch, tile.kvHead, row, index(offset)}, width);
    if (width != kLanes) {
      Value part = vector::ReductionOp::create(
          b, loc, vector::CombiningKind::ADD,
          arith::MulFOp::create(b, loc, keys, query[i]));
      dot = dot ? arith::AddFOp::create(b, loc, dot, part).getResult() : part;
      continue;
    }
    whole =
        whole ? vector::FMAOp::create(b, loc, keys, query[i], whole).getResult()
              : arith::MulFOp::create(b, loc, keys, query[i]).getResult();
  }
  if (whole) {
    Value part =
        vector::ReductionOp::create(b, loc, vector::CombiningKind::ADD, whole);
    dot = dot ? arith::AddFOp::create(b, loc, part, dot).getResult() : part;
  }
  double scale = FusedAttentionOp(tile.op).getScale().convertToDouble();
  Value x = arith::MulFOp::create(b, loc, dot, scalar(scale));
  if (tile.bias)
    x = arith::AddFOp::create(b, loc, x, biasOfKey(b, loc, tile, row));
  return arith::SelectOp::create(
      b, loc, seesKey(b, loc, tile, key, row), x,
      scalar(-std::numeric_limits<double>::infinity()));
}

SmallVector<Value> SingleQueryKeyLoop::keyTile(Value firstKey, ValueRange state,
                                               ArrayRef<Value> query) {
  Value max = state[0], sum = state[1];
  ValueRange acc = state.drop_front(2);
  SmallVector<Value> scores;
  for (int64_t t = 0; t < kLanes; ++t) {
    Value key = arith::AddIOp::create(b, loc, firstKey, index(t));
    scores.push_back(
        score(key, arith::MinSIOp::create(b, loc, key, lastKey), query));
  }
  Value x = vector::FromElementsOp::create(b, loc, vectorOf(kLanes), scores);

  Value tileMax =
      vector::ReductionOp::create(b, loc, vector::CombiningKind::MAXIMUMF, x);
  Value newMax = arith::MaximumFOp::create(b, loc, max, tileMax);
  Value nothingSeen =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, newMax,
                            scalar(-std::numeric_limits<double>::infinity()));
  Value rescale = guardedExp(max, newMax, nothingSeen);
  Value probs = guardedExp(
      x, vector::BroadcastOp::create(b, loc, vectorOf(kLanes), newMax),
      nothingSeen);
  Value newSum = arith::AddFOp::create(
      b, loc, arith::MulFOp::create(b, loc, sum, rescale),
      vector::ReductionOp::create(b, loc, vector::CombiningKind::ADD, probs));
  auto probsType = RankedTensorType::get({kLanes}, f32);
  Value stored = vector::TransferWriteOp::create(
                     b, loc, probs,
                     tensor::EmptyOp::create(b, loc, probsType.getShape(), f32),
                     ValueRange{index(0)}, ArrayRef<bool>{true})
                     .getResult();

  // acc = rescale · acc + Σ_j p[j] · V[j], over the keys before the stop; a
  // key not seen is skipped (its value row is not read).
  SmallVector<Value> scaled;
  for (auto [chunk, value] : llvm::zip(valueChunks, acc))
    scaled.push_back(arith::MulFOp::create(
        b, loc, value,
        vector::BroadcastOp::create(b, loc, vectorOf(chunk.second), rescale)));
  Value keysLeft = arith::MinSIOp::create(
      b, loc, index(kLanes),
      arith::SubIOp::create(b, loc, tile.stopKey, firstKey));
  ValueRange newAcc = accumulateSeenKeys(
      b, loc, tile, firstKey, keysLeft, scaled,
      [&](Value t, Value key, ValueRange partial) {
        Value p = tensor::ExtractOp::create(b, loc, stored, t);
        SmallVector<Value> next;
        for (auto [chunk, value] : llvm::zip(valueChunks, partial)) {
          auto [offset, width] = chunk;
          Value values = read(
              tile.v, {tile.batch, tile.kvHead, key, index(offset)}, width);
          next.push_back(vector::FMAOp::create(
              b, loc, vector::BroadcastOp::create(b, loc, vectorOf(width), p),
              values, value));
        }
        return next;
      });

  SmallVector<Value> next = {newMax, newSum};
  llvm::append_range(next, newAcc);
  return next;
}

std::pair<Value, Value> SingleQueryKeyLoop::build() {
  lastKey = arith::SubIOp::create(b, loc, tile.keys, index(1));
  SmallVector<Value> query;
  for (auto [offset, width] : headChunks)
    query.push_back(
        read(tile.q, {tile.batch, tile.head, tile.firstQuery, index(offset)},
             width));

  SmallVector<Value> init = {scalar(-std::numeric_limits<double>::infinity()),
                             scalar(0.0)};
  for (auto [offset, width] : valueChunks)
    init.push_back(arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(vectorOf(width), 0.0f)));
  auto loop = scf::ForOp::create(
      b, loc, tile.firstKey, tile.stopKey, index(kLanes), init,
      [&](OpBuilder &nb, Location, Value firstKey, ValueRange state) {
        BuildAt at(b, nb);
        scf::YieldOp::create(b, loc, keyTile(firstKey, state, query));
      });

  // Lane 0 of the sum, column 0 of the accumulators: the epilogue reads
  // as many as the tile has queries.
  Value sum = tensor::InsertOp::create(
      b, loc, loop.getResult(1), tensor::EmptyOp::create(b, loc, {kLanes}, f32),
      ValueRange{index(0)});
  Value acc = tensor::EmptyOp::create(b, loc, {tile.valueDim, kLanes}, f32);
  for (auto [chunk, value] :
       llvm::zip(valueChunks, loop.getResults().drop_front(2)))
    for (int64_t c = 0; c < chunk.second; ++c)
      acc = tensor::InsertOp::create(
          b, loc, vector::ExtractOp::create(b, loc, value, c), acc,
          ValueRange{index(chunk.first + c), index(0)});
  return {sum, acc};
}

/// Builds the key loop of one query tile.
class VectorKeyLoop {
public:
  VectorKeyLoop(OpBuilder &b, Location loc, const AttentionQueryTile &tile)
      : b(b), loc(loc), tile(tile),
        vectorType(VectorType::get({kLanes}, b.getF32Type())) {}

  /// A tile of one query takes SingleQueryKeyLoop's loop, any other the
  /// loop with a query per lane.
  AttentionKeyLoopResult build();

private:
  std::pair<Value, Value> buildQueryPerLane();
  Value index(int64_t value) {
    return arith::ConstantIndexOp::create(b, loc, value);
  }
  /// The padding of in-bounds reads (never used; a constant lowers
  /// everywhere, where ub.poison would need its own conversion).
  std::optional<Value> readPadding() {
    return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0.0))
        .getResult();
  }
  Value splat(double value) {
    return arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(vectorType, static_cast<float>(value)));
  }
  /// Qᵀ: lane i of row d is Q[query tile start + i, d] (the last query's
  /// row for lanes past it: they are computed and never stored).
  Value transposedQueries();
  /// The key's row, clamped to the operands (a key past the last is read
  /// from the last row and masked).
  Value keyRow(Value key);
  /// The bias of the key whose row is `row`, for every lane.
  Value keyBias(Value row) {
    return vector::BroadcastOp::create(b, loc, vectorType,
                                       biasOfKey(b, loc, tile, row));
  }
  /// exp(x - max), 0 where the maximum is -inf (nothing seen yet).
  Value guardedExp(Value x, Value max);
  /// One key tile from `firstKey`: the online softmax update of `state`
  /// (maximum, sum, then one accumulator per value column).
  SmallVector<Value> keyTile(Value firstKey, ValueRange state, Value qT);

  OpBuilder &b;
  Location loc;
  const AttentionQueryTile &tile;
  VectorType vectorType;
  Value negInf, lastKey;
  /// Causal: lane i sees key j when j <= causalLimit[i].
  Value causalLimit;
};

Value VectorKeyLoop::transposedQueries() {
  MLIRContext *ctx = b.getContext();
  int64_t headDim = tile.headDim;
  auto type = RankedTensorType::get({headDim, kLanes}, b.getF32Type());
  Value init = tensor::EmptyOp::create(b, loc, type.getShape(), b.getF32Type());
  Value lastQuery = arith::SubIOp::create(b, loc, tile.queries, index(1));
  SmallVector<utils::IteratorType> iterators(2, utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, TypeRange{type}, ValueRange{}, ValueRange{init},
             AffineMap::getMultiDimIdentityMap(2, ctx), iterators,
             [&](OpBuilder &nb, Location l, ValueRange) {
               Value column = linalg::IndexOp::create(nb, l, 0);
               Value lane = linalg::IndexOp::create(nb, l, 1);
               Value row = arith::MinSIOp::create(
                   nb, l, arith::AddIOp::create(nb, l, tile.firstQuery, lane),
                   lastQuery);
               Value element = tensor::ExtractOp::create(
                   nb, l, tile.q,
                   ValueRange{tile.batch, tile.head, row, column});
               linalg::YieldOp::create(nb, l, element);
             })
      .getResult(0);
}

Value VectorKeyLoop::keyRow(Value key) {
  return arith::MinSIOp::create(b, loc, key, lastKey);
}

Value VectorKeyLoop::guardedExp(Value x, Value max) {
  Value nothingSeen =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, max, negInf);
  Value e = math::ExpOp::create(b, loc, arith::SubFOp::create(b, loc, x, max));
  return arith::SelectOp::create(b, loc, nothingSeen, splat(0.0), e);
}

SmallVector<Value> VectorKeyLoop::keyTile(Value firstKey, ValueRange state,
                                          Value qT) {
  Value max = state[0], sum = state[1];
  ValueRange acc = state.drop_front(2);
  SmallVector<Value> keys, rows;
  for (int64_t t = 0; t < kKeys; ++t) {
    keys.push_back(arith::AddIOp::create(b, loc, firstKey, index(t)));
    rows.push_back(keyRow(keys.back()));
  }

  // Scores: one accumulator per key, over the head dimension, reading the
  // keys' rows `keyRows`.
  auto scores = [&](ArrayRef<Value> keyRows) {
    SmallVector<Value> zeros(kKeys, splat(0.0));
    auto loop = scf::ForOp::create(
        b, loc, index(0), index(tile.headDim), index(1), zeros,
        [&](OpBuilder &nb, Location, Value d, ValueRange partial) {
          BuildAt at(b, nb);
          Value queries = vector::TransferReadOp::create(
              b, loc, vectorType, qT, ValueRange{d, index(0)}, readPadding(),
              ArrayRef<bool>{true});
          SmallVector<Value> next;
          for (int64_t t = 0; t < kKeys; ++t) {
            Value key = tensor::ExtractOp::create(
                b, loc, tile.k,
                ValueRange{tile.batch, tile.kvHead, keyRows[t], d});
            Value keys = vector::BroadcastOp::create(b, loc, vectorType, key);
            next.push_back(
                vector::FMAOp::create(b, loc, keys, queries, partial[t]));
          }
          scf::YieldOp::create(b, loc, next);
        });
    scf::YieldOp::create(b, loc, loop.getResults());
  };
  // A whole tile reads consecutive rows, one address apart by a constant
  // (no row clamped): the common case, kept free of per-row addresses.
  Value whole = arith::CmpIOp::create(
      b, loc, arith::CmpIPredicate::sle,
      arith::AddIOp::create(b, loc, firstKey, index(kKeys)), tile.keys);
  auto scoreTile =
      scf::IfOp::create(b, loc, SmallVector<Type>(kKeys, vectorType), whole,
                        /*addThenBlock=*/true, /*addElseBlock=*/true);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(scoreTile.thenBlock());
    scores(keys);
    b.setInsertionPointToStart(scoreTile.elseBlock());
    scores(rows);
  }

  // x = scale · s + bias where the key is seen, -inf elsewhere; the
  // tile's maximum, the new running maximum and what rescales the old sums.
  Value scale = splat(FusedAttentionOp(tile.op).getScale().convertToDouble());
  SmallVector<Value> x;
  Value tileMax = negInf;
  for (int64_t t = 0; t < kKeys; ++t) {
    Value value = arith::MulFOp::create(b, loc, scoreTile.getResult(t), scale);
    if (tile.bias)
      value = arith::AddFOp::create(b, loc, value, keyBias(rows[t]));
    value = arith::SelectOp::create(
        b, loc, seesKey(b, loc, tile, keys[t], rows[t]), value, negInf);
    if (causalLimit) {
      Value key = vector::BroadcastOp::create(
          b, loc, causalLimit.getType(),
          arith::IndexCastOp::create(b, loc, b.getI64Type(), keys[t]));
      Value past = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sle, key,
                                         causalLimit);
      value = arith::SelectOp::create(b, loc, past, value, negInf);
    }
    x.push_back(value);
    tileMax = arith::MaximumFOp::create(b, loc, tileMax, value);
  }
  Value newMax = arith::MaximumFOp::create(b, loc, max, tileMax);
  Value rescale = guardedExp(max, newMax);

  // The probabilities, summed in key order and stored for the products.
  Value newSum = arith::MulFOp::create(b, loc, sum, rescale);
  auto probsType = RankedTensorType::get({kKeys, kLanes}, b.getF32Type());
  Value probs =
      tensor::EmptyOp::create(b, loc, probsType.getShape(), b.getF32Type());
  for (int64_t t = 0; t < kKeys; ++t) {
    Value p = guardedExp(x[t], newMax);
    newSum = arith::AddFOp::create(b, loc, newSum, p);
    probs = vector::TransferWriteOp::create(b, loc, p, probs,
                                            ValueRange{index(t), index(0)},
                                            ArrayRef<bool>{true})
                .getResult();
  }

  // acc[c] = rescale · acc[c] + Σ_j p[j] · V[j, c], kColumns columns per
  // walk over the keys before the stop (each adds in key order). A key not
  // seen is skipped: its probability is 0, and its value row is not read.
  Value keysLeft = arith::MinSIOp::create(
      b, loc, index(kKeys),
      arith::SubIOp::create(b, loc, tile.stopKey, firstKey));
  SmallVector<Value> newAcc;
  for (int64_t c0 = 0; c0 < tile.valueDim; c0 += kColumns) {
    int64_t width = std::min(kColumns, tile.valueDim - c0);
    SmallVector<Value> scaled;
    for (int64_t c = 0; c < width; ++c)
      scaled.push_back(arith::MulFOp::create(b, loc, acc[c0 + c], rescale));
    llvm::append_range(
        newAcc,
        accumulateSeenKeys(
            b, loc, tile, firstKey, keysLeft, scaled,
            [&](Value t, Value key, ValueRange partial) {
              Value p = vector::TransferReadOp::create(
                  b, loc, vectorType, probs, ValueRange{t, index(0)},
                  readPadding(), ArrayRef<bool>{true});
              SmallVector<Value> next;
              for (int64_t c = 0; c < width; ++c) {
                Value value = tensor::ExtractOp::create(
                    b, loc, tile.v,
                    ValueRange{tile.batch, tile.kvHead, key, index(c0 + c)});
                Value values =
                    vector::BroadcastOp::create(b, loc, vectorType, value);
                next.push_back(
                    vector::FMAOp::create(b, loc, values, p, partial[c]));
              }
              return next;
            }));
  }

  SmallVector<Value> next = {newMax, newSum};
  llvm::append_range(next, newAcc);
  return next;
}

AttentionKeyLoopResult VectorKeyLoop::build() {
  MLIRContext *ctx = b.getContext();
  auto sumType = RankedTensorType::get({kLanes}, b.getF32Type());
  auto accType = RankedTensorType::get({tile.valueDim, kLanes}, b.getF32Type());
  Value single = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                       tile.rows, index(1));
  auto ifOp = scf::IfOp::create(b, loc, TypeRange{sumType, accType}, single,
                                /*addThenBlock=*/true, /*addElseBlock=*/true);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(ifOp.thenBlock());
    auto [sum, acc] = SingleQueryKeyLoop(b, loc, tile).build();
    scf::YieldOp::create(b, loc, ValueRange{sum, acc});
    b.setInsertionPointToStart(ifOp.elseBlock());
    std::tie(sum, acc) = buildQueryPerLane();
    scf::YieldOp::create(b, loc, ValueRange{sum, acc});
  }
  AffineExpr i = getAffineDimExpr(0, ctx), d = getAffineDimExpr(1, ctx);
  return {ifOp.getResult(0), ifOp.getResult(1),
          AffineMap::get(2, 0, {d, i}, ctx)};
}

std::pair<Value, Value> VectorKeyLoop::buildQueryPerLane() {
  negInf = splat(-std::numeric_limits<double>::infinity());
  lastKey = arith::SubIOp::create(b, loc, tile.keys, index(1));
  if (FusedAttentionOp(tile.op).getCausal()) {
    // Lane i is query firstQuery + i, which sees keys up to itself + offset.
    auto lanesType = VectorType::get({kLanes}, b.getI64Type());
    SmallVector<int64_t> lanes;
    for (int64_t i = 0; i < kLanes; ++i)
      lanes.push_back(i);
    Value base = arith::IndexCastOp::create(
        b, loc, b.getI64Type(),
        arith::AddIOp::create(b, loc, tile.firstQuery, tile.causalOffset));
    causalLimit = arith::AddIOp::create(
        b, loc, vector::BroadcastOp::create(b, loc, lanesType, base),
        arith::ConstantOp::create(
            b, loc, DenseElementsAttr::get(lanesType, ArrayRef(lanes))));
  }
  Value qT = transposedQueries();

  SmallVector<Value> init = {negInf, splat(0.0)};
  init.append(tile.valueDim, splat(0.0));
  auto loop = scf::ForOp::create(
      b, loc, tile.firstKey, tile.stopKey, index(kKeys), init,
      [&](OpBuilder &nb, Location, Value firstKey, ValueRange state) {
        BuildAt at(b, nb);
        scf::YieldOp::create(b, loc, keyTile(firstKey, state, qT));
      });

  // The epilogue reads the sum per query and the accumulators as
  // [value column][query].
  Value sum = tensor::EmptyOp::create(b, loc, {kLanes}, b.getF32Type());
  sum = vector::TransferWriteOp::create(b, loc, loop.getResult(1), sum,
                                        ValueRange{index(0)},
                                        ArrayRef<bool>{true})
            .getResult();
  Value acc =
      tensor::EmptyOp::create(b, loc, {tile.valueDim, kLanes}, b.getF32Type());
  for (int64_t c = 0; c < tile.valueDim; ++c)
    acc = vector::TransferWriteOp::create(b, loc, loop.getResult(2 + c), acc,
                                          ValueRange{index(c), index(0)},
                                          ArrayRef<bool>{true})
              .getResult();
  return {sum, acc};
}

struct XfmrCpuAttentionPass
    : xfmr::cpu::impl::XfmrCpuAttentionBase<XfmrCpuAttentionPass> {
  void runOnOperation() override {
    SmallVector<FusedAttentionOp> ops;
    getOperation().walk([&](FusedAttentionOp op) {
      // A bias that varies by query takes the generic lowering.
      Value bias = op.getBias();
      if (!bias || cast<RankedTensorType>(bias.getType()).getDimSize(2) == 1)
        ops.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (FusedAttentionOp op : ops) {
      rewriter.setInsertionPoint(op);
      Value result = lowerFusedAttention(
          rewriter, op, op.getQ(), op.getK(), op.getV(), op.getKeyPadding(),
          op.getBias(),
          [](OpBuilder &b, Location loc, const AttentionQueryTile &tile) {
            return VectorKeyLoop(b, loc, tile).build();
          });
      rewriter.replaceOp(op, result);
      ++numKernels;
    }
  }
};
} // namespace
