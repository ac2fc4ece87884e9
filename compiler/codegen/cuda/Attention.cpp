//===- Attention.cpp - fused attention as one kernel, a warp per query ----===//
//
// `xfmr.fused_attention` without the score matrix: a warp per query row,
// in four streams of 8 lanes, each stream over every fourth key with its
// lanes across the head's features. Per key a stream's partial products of
// q and k are summed with butterfly shuffles, so each of its lanes holds the
// score; its online softmax (running maximum and sum, the accumulator
// rescaled as the maximum grows) is the same in its lanes, and each lane
// accumulates its own features of the value rows. The streams' states are
// then merged by shuffles, rescaled to their common maximum. Padded keys are
// skipped, and with `causal` the loop ends at the query's diagonal: a masked
// key contributes nothing, as the op says. The op's operands become buffers
// (`bufferization.to_buffer`), its result a buffer the kernel writes
// (`bufferization.to_tensor`), so the rest of the pipeline bufferizes as
// before.
//
//===----------------------------------------------------------------------===//
#include "compiler/codegen/cuda/Passes.h"
#include "compiler/codegen/cuda/TensorKernels.h"
#include "dialect/XfmrOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/PatternMatch.h"

#include <limits>
#include <tuple>

namespace xfmr::cuda {
#define GEN_PASS_DEF_XFMRGPUATTENTION
#include "compiler/codegen/cuda/Passes.h.inc"
} // namespace xfmr::cuda

using namespace mlir;
using xfmr::cuda::kWarpLanes;
using xfmr::cuda::laneSum;
using xfmr::cuda::readOnlyBuffer;
using xfmr::cuda::resultTensor;

namespace {
/// Queries per block (a warp each), the lanes of a warp, and its key
/// streams: groups of 8 lanes, each over every fourth key.
constexpr int64_t kQueries = 4, kLanes = kWarpLanes, kStreams = 4;
constexpr int64_t kStreamLanes = kLanes / kStreams;
/// Splitting the keys: the warps a call aims for (a GPU's worth, about 16
/// per multiprocessor of the largest), and the fewest keys of a split.
constexpr int64_t kTargetWarps = 2048, kSplitKeys = 32;
/// A split's state per query: its maximum, its sum, and whether it saw an
/// unmasked key (1 or 0); then its accumulator, one per value feature.
enum Stat : int64_t { kMaximum, kSum, kSeen, kStats };

class AttentionKernelBuilder {
public:
  AttentionKernelBuilder(OpBuilder &b, Location loc, xfmr::FusedAttentionOp op)
      : b(b), loc(loc), op(op) {}

  /// The result, computed into a new buffer: by one kernel, or where few
  /// queries would leave the GPU idle, by a kernel over splits of the keys
  /// and one that merges their states.
  Value build();

private:
  /// The buffers of the splits' states, [batch, heads, queries, splits, *].
  struct Partials {
    Value splits, chunk, stats, accumulators;
  };
  /// The kernel of a warp per query over the keys of its split, or all
  /// (`partials` null): it stores the split's state, or the result.
  void buildQueryKernel(const Partials *partials);
  /// The kernel that merges the splits' states into the result: a thread
  /// per feature of a query.
  void buildMergeKernel(const Partials &partials);
  /// The mean of v over all keys, at each of `features` (zero past the
  /// value features): a fully masked row's result under `uniform`.
  SmallVector<Value> meanOfValues(Value row, Value kvHead,
                                  ArrayRef<Value> features);
  /// The row's result at `feature`: accumulator / sum where it saw a key,
  /// else zero or (`uniform`) the mean of v.
  void storeResult(Value row, Value head, Value query, Value kvHead, Value seen,
                   Value sum, ArrayRef<Value> accumulators,
                   ArrayRef<Value> features, Value storer);

  Value index(int64_t value) {
    return arith::ConstantIndexOp::create(b, loc, value);
  }
  Value f32(double value) {
    return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(value));
  }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return arith::MulIOp::create(b, loc, x, y); }
  Value lessThan(Value x, Value y) {
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, x, y);
  }
  Value both(Value x, Value y) { return arith::AndIOp::create(b, loc, x, y); }
  Value ceilDiv(Value x, Value y) {
    return arith::CeilDivUIOp::create(b, loc, x, y);
  }
  /// The batch row and the query (of the block's thread y) of
  /// `rowBlock`, a block of (batch row, query block), query block fastest.
  std::pair<Value, Value> rowAndQuery(gpu::LaunchOp launch, Value rowBlock,
                                      Value queryBlocks) {
    Value row = arith::DivUIOp::create(b, loc, rowBlock, queryBlocks);
    Value block = arith::RemUIOp::create(b, loc, rowBlock, queryBlocks);
    return {row, add(mul(block, index(kQueries)), launch.getThreadIds().y)};
  }
  Value dim(Value memref, int64_t i) {
    return memref::DimOp::create(b, loc, memref, i);
  }
  Value asBuffer(Value tensor) { return readOnlyBuffer(b, loc, tensor); }
  Value guardedLoad(Value memref, ValueRange indices, Value inBounds) {
    return xfmr::cuda::loadOrZero(b, loc, memref, indices, inBounds);
  }
  /// Index `i` of a broadcast dimension: 0 where the operand's size is 1.
  Value broadcastIndex(Value memref, int64_t d, Value i) {
    auto type = cast<MemRefType>(memref.getType());
    if (type.getDimSize(d) == 1)
      return index(0);
    return i;
  }
  /// exp(x - maximum), and 0 where x is -inf (a -inf bias, a state that has
  /// seen no key) rather than the NaN of -inf - -inf.
  Value expBelow(Value x, Value maximum) {
    Value isNegInf =
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, x,
                              f32(-std::numeric_limits<double>::infinity()));
    Value e =
        math::ExpOp::create(b, loc, arith::SubFOp::create(b, loc, x, maximum));
    return arith::SelectOp::create(b, loc, isNegInf, f32(0.0), e);
  }
  /// The sum of `value` over the 8 lanes of a stream, in each of them.
  Value streamSum(Value value) { return laneSum(b, loc, value, kStreamLanes); }
  /// `value` of the lane `offset` away (xor).
  Value fromLane(Value value, int64_t offset) {
    return gpu::ShuffleOp::create(b, loc, value, offset, kLanes,
                                  gpu::ShuffleMode::XOR)
        .getShuffleResult();
  }

  OpBuilder &b;
  Location loc;
  xfmr::FusedAttentionOp op;
  int64_t headDim = 0, valueDim = 0, perLaneQ = 0, perLaneV = 0;
  Value q, k, v, padding, bias, out;
  Value batch, heads, queries, keys, group;
};

Value AttentionKernelBuilder::build() {
  auto qType = cast<RankedTensorType>(op.getQ().getType());
  auto vType = cast<RankedTensorType>(op.getV().getType());
  headDim = qType.getDimSize(3);
  valueDim = vType.getDimSize(3);
  perLaneQ = (headDim + kStreamLanes - 1) / kStreamLanes;
  perLaneV = (valueDim + kStreamLanes - 1) / kStreamLanes;

  q = asBuffer(op.getQ());
  k = asBuffer(op.getK());
  v = asBuffer(op.getV());
  padding = op.getKeyPadding() ? asBuffer(op.getKeyPadding()) : Value();
  bias = op.getBias() ? asBuffer(op.getBias()) : Value();
  batch = dim(q, 0);
  heads = dim(q, 1);
  queries = dim(q, 2);
  keys = dim(k, 2);
  group = arith::DivUIOp::create(b, loc, heads, dim(k, 1)); // per K/V head
  auto resultType = cast<RankedTensorType>(op.getType());
  SmallVector<Value> dynamicSizes;
  for (int64_t d = 0; d < resultType.getRank(); ++d)
    if (resultType.isDynamicDim(d))
      dynamicSizes.push_back(d == 3 ? dim(v, 3) : dim(q, d));
  out = memref::AllocOp::create(
      b, loc,
      MemRefType::get(resultType.getShape(), resultType.getElementType()),
      dynamicSizes);

  // Splits of the keys while the warps are fewer than the target, each of
  // at least kSplitKeys keys: a decode step's few queries over a long
  // cache. A prompt's or an encoder's many queries keep one split.
  Value one = index(1);
  Value warps =
      arith::MaxUIOp::create(b, loc, mul(mul(batch, heads), queries), one);
  Value splits = arith::MaxUIOp::create(
      b, loc,
      arith::MinUIOp::create(b, loc, ceilDiv(index(kTargetWarps), warps),
                             ceilDiv(keys, index(kSplitKeys))),
      one);
  auto split = scf::IfOp::create(
      b, loc,
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ugt, splits, one),
      /*withElseRegion=*/true);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(split.thenBlock());
    Partials partials;
    partials.splits = splits;
    partials.chunk = ceilDiv(keys, splits);
    auto f32Type = b.getF32Type();
    int64_t dynamic = ShapedType::kDynamic;
    partials.stats = memref::AllocOp::create(
        b, loc,
        MemRefType::get({dynamic, dynamic, dynamic, dynamic, kStats}, f32Type),
        ValueRange{batch, heads, queries, splits});
    partials.accumulators = memref::AllocOp::create(
        b, loc,
        MemRefType::get({dynamic, dynamic, dynamic, dynamic, valueDim},
                        f32Type),
        ValueRange{batch, heads, queries, splits});
    buildQueryKernel(&partials);
    buildMergeKernel(partials);
    b.setInsertionPointToStart(split.elseBlock());
    buildQueryKernel(nullptr);
  }
  return resultTensor(b, loc, resultType, out);
}

void AttentionKernelBuilder::buildQueryKernel(const Partials *partials) {
  Value one = index(1);
  // Block x is (batch row, query block, split), split fastest: the grid's
  // x allows 2^31 - 1 blocks, y and z 65535.
  Value queryBlocks = ceilDiv(queries, index(kQueries));
  Value gridX = mul(batch, queryBlocks);
  if (partials)
    gridX = mul(gridX, partials->splits);
  auto launch = gpu::LaunchOp::create(b, loc, gridX, heads, one, index(kLanes),
                                      index(kQueries), one);
  OpBuilder::InsertionGuard guard(b);
  xfmr::cuda::enterKernel(b, loc, launch);

  Value lane = launch.getThreadIds().x;
  Value rowBlock = launch.getBlockIds().x, part;
  if (partials) {
    part = arith::RemUIOp::create(b, loc, rowBlock, partials->splits);
    rowBlock = arith::DivUIOp::create(b, loc, rowBlock, partials->splits);
  }
  Value row, query;
  std::tie(row, query) = rowAndQuery(launch, rowBlock, queryBlocks);
  Value head = launch.getBlockIds().y;
  Value kvHead = arith::DivUIOp::create(b, loc, head, group);
  // The whole warp shares its query: a warp-uniform branch.
  auto inRange = scf::IfOp::create(b, loc, lessThan(query, queries),
                                   /*withElseRegion=*/false);
  b.setInsertionPointToStart(inRange.thenBlock());

  // Lane l is in stream l / 8 and holds features l mod 8, l mod 8 + 8, ...
  // of its vectors.
  Value stream = arith::DivUIOp::create(b, loc, lane, index(kStreamLanes));
  Value slot = arith::RemUIOp::create(b, loc, lane, index(kStreamLanes));
  auto feature = [&](int64_t t) { return add(slot, index(t * kStreamLanes)); };
  SmallVector<Value> qv;
  for (int64_t t = 0; t < perLaneQ; ++t)
    qv.push_back(guardedLoad(q, ValueRange{row, head, query, feature(t)},
                             lessThan(feature(t), index(headDim))));

  // With `causal`, key j is masked when j > query + keys - queries: the
  // keys end at the diagonal (never below 0, never past the keys). The
  // split's keys are [begin, limit) of them.
  Value end = keys;
  if (op.getCausal()) {
    Value diagonal =
        arith::SubIOp::create(b, loc, add(add(query, keys), one), queries);
    Value positive = arith::MaxSIOp::create(b, loc, diagonal, index(0));
    end = arith::MinUIOp::create(b, loc, positive, keys);
  }
  Value begin = index(0), limit = end;
  if (partials) {
    begin = mul(part, partials->chunk);
    limit = arith::MaxUIOp::create(
        b, loc,
        arith::MinUIOp::create(b, loc, add(begin, partials->chunk), end),
        begin);
  }
  Value negInf = f32(-std::numeric_limits<double>::infinity());
  SmallVector<Value> init = {
      negInf, f32(0.0),
      arith::ConstantOp::create(b, loc, b.getBoolAttr(false))};
  for (int64_t t = 0; t < perLaneV; ++t)
    init.push_back(f32(0.0));
  float scale = op.getScale().convertToFloat();

  // Step s visits key begin + 4 s + stream in each stream. Every lane runs
  // every step (the shuffles need the whole warp); a key past the limit or
  // masked leaves its stream's state as it was.
  Value count =
      partials ? arith::SubIOp::create(b, loc, limit, begin).getResult() : end;
  Value steps = ceilDiv(count, index(kStreams));
  auto keysLoop = scf::ForOp::create(
      b, loc, index(0), steps, one, init,
      [&](OpBuilder &, Location, Value step, ValueRange state) {
        Value j = add(mul(step, index(kStreams)), stream);
        if (partials)
          j = add(begin, j);
        Value valid = lessThan(j, limit);
        Value unmasked = valid;
        if (padding) {
          Value flag = guardedLoad(padding, ValueRange{row, j}, valid);
          unmasked = arith::CmpIOp::create(
              b, loc, arith::CmpIPredicate::ne, flag,
              arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(0)));
        }
        Value partial = f32(0.0);
        for (int64_t t = 0; t < perLaneQ; ++t) {
          Value kt =
              guardedLoad(k, ValueRange{row, kvHead, j, feature(t)},
                          both(valid, lessThan(feature(t), index(headDim))));
          partial = math::FmaOp::create(b, loc, qv[t], kt, partial);
        }
        Value score =
            arith::MulFOp::create(b, loc, streamSum(partial), f32(scale));
        if (bias) {
          Value at[] = {broadcastIndex(bias, 0, row),
                        broadcastIndex(bias, 1, head),
                        broadcastIndex(bias, 2, query), j};
          score = arith::AddFOp::create(b, loc, score,
                                        guardedLoad(bias, at, valid));
        }
        Value maximum = state[kMaximum], sum = state[kSum];
        Value newMaximum = arith::MaximumFOp::create(b, loc, maximum, score);
        Value rescale = expBelow(maximum, newMaximum),
              p = expBelow(score, newMaximum);
        auto keep = [&](Value updated, Value old) {
          return arith::SelectOp::create(b, loc, unmasked, updated, old)
              .getResult();
        };
        SmallVector<Value> next = {
            keep(newMaximum, maximum),
            keep(math::FmaOp::create(b, loc, sum, rescale, p), sum),
            arith::OrIOp::create(b, loc, state[kSeen], unmasked)};
        for (int64_t t = 0; t < perLaneV; ++t) {
          Value vt = guardedLoad(
              v, ValueRange{row, kvHead, j, feature(t)},
              both(unmasked, lessThan(feature(t), index(valueDim))));
          Value scaled =
              arith::MulFOp::create(b, loc, state[kStats + t], rescale);
          next.push_back(keep(math::FmaOp::create(b, loc, p, vt, scaled),
                              state[kStats + t]));
        }
        scf::YieldOp::create(b, loc, next);
      });

  // The four streams' states merged across the warp (lanes 8 and 16 apart
  // hold the same features), rescaled to their common maximum.
  SmallVector<Value> merged(keysLoop.getResults().begin(),
                            keysLoop.getResults().end());
  for (int64_t offset = kStreamLanes; offset < kLanes; offset *= 2) {
    Value maximum = merged[kMaximum], other = fromLane(maximum, offset);
    Value newMaximum = arith::MaximumFOp::create(b, loc, maximum, other);
    Value mine = expBelow(maximum, newMaximum),
          theirs = expBelow(other, newMaximum);
    auto combine = [&](Value x) {
      return math::FmaOp::create(b, loc, fromLane(x, offset), theirs,
                                 arith::MulFOp::create(b, loc, x, mine))
          .getResult();
    };
    Value seenHere =
        arith::SelectOp::create(b, loc, merged[kSeen], f32(1.0), f32(0.0));
    Value seenThere = fromLane(seenHere, offset);
    SmallVector<Value> next = {
        newMaximum, combine(merged[kSum]),
        arith::OrIOp::create(b, loc, merged[kSeen],
                             arith::CmpFOp::create(b, loc,
                                                   arith::CmpFPredicate::OGT,
                                                   seenThere, f32(0.0)))};
    for (int64_t t = 0; t < perLaneV; ++t)
      next.push_back(combine(merged[kStats + t]));
    merged = next;
  }

  // Stream 0's lanes store (all four hold the merged state).
  Value storer = lessThan(lane, index(kStreamLanes));
  SmallVector<Value> features;
  for (int64_t t = 0; t < perLaneV; ++t)
    features.push_back(feature(t));
  ArrayRef<Value> accumulators = ArrayRef<Value>(merged).drop_front(kStats);
  if (!partials) {
    storeResult(row, head, query, kvHead, merged[kSeen], merged[kSum],
                accumulators, features, storer);
    return;
  }
  // The split's state: lane 0 its statistics, stream 0 its accumulator.
  auto first = scf::IfOp::create(b, loc, lessThan(lane, one),
                                 /*withElseRegion=*/false);
  {
    OpBuilder::InsertionGuard statsGuard(b);
    b.setInsertionPointToStart(first.thenBlock());
    Value seen =
        arith::SelectOp::create(b, loc, merged[kSeen], f32(1.0), f32(0.0));
    Value stats[] = {merged[kMaximum], merged[kSum], seen};
    for (int64_t i = 0; i < kStats; ++i)
      memref::StoreOp::create(b, loc, stats[i], partials->stats,
                              ValueRange{row, head, query, part, index(i)});
  }
  for (int64_t t = 0; t < perLaneV; ++t) {
    auto store = scf::IfOp::create(
        b, loc, both(storer, lessThan(features[t], index(valueDim))),
        /*withElseRegion=*/false);
    OpBuilder::InsertionGuard storeGuard(b);
    b.setInsertionPointToStart(store.thenBlock());
    memref::StoreOp::create(b, loc, accumulators[t], partials->accumulators,
                            ValueRange{row, head, query, part, features[t]});
  }
}

void AttentionKernelBuilder::buildMergeKernel(const Partials &partials) {
  // Threads: x across 32 features (each thread every 32nd), y across 4
  // queries; the grid over ((batch row, query block), heads).
  int64_t perThread = (valueDim + kLanes - 1) / kLanes;
  Value one = index(1);
  Value queryBlocks = ceilDiv(queries, index(kQueries));
  auto launch = gpu::LaunchOp::create(b, loc, mul(batch, queryBlocks), heads,
                                      one, index(kLanes), index(kQueries), one);
  OpBuilder::InsertionGuard guard(b);
  xfmr::cuda::enterKernel(b, loc, launch);
  Value lane = launch.getThreadIds().x;
  Value row, query;
  std::tie(row, query) =
      rowAndQuery(launch, launch.getBlockIds().x, queryBlocks);
  Value head = launch.getBlockIds().y;
  Value kvHead = arith::DivUIOp::create(b, loc, head, group);
  auto inRange = scf::IfOp::create(b, loc, lessThan(query, queries),
                                   /*withElseRegion=*/false);
  b.setInsertionPointToStart(inRange.thenBlock());
  auto stat = [&](Value part, Stat which) {
    return memref::LoadOp::create(
               b, loc, partials.stats,
               ValueRange{row, head, query, part, index(which)})
        .getResult();
  };
  // The largest of the splits' maxima, then their sums and accumulators
  // rescaled to it, in split order.
  Value negInf = f32(-std::numeric_limits<double>::infinity());
  auto maxima = scf::ForOp::create(
      b, loc, index(0), partials.splits, one, ValueRange{negInf, f32(0.0)},
      [&](OpBuilder &, Location, Value part, ValueRange acc) {
        Value maximum =
            arith::MaximumFOp::create(b, loc, acc[0], stat(part, kMaximum));
        Value seen =
            arith::MaximumFOp::create(b, loc, acc[1], stat(part, kSeen));
        scf::YieldOp::create(b, loc, ValueRange{maximum, seen});
      });
  Value maximum = maxima.getResult(0);
  Value seen = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT,
                                     maxima.getResult(1), f32(0.0));
  SmallVector<Value> features;
  for (int64_t t = 0; t < perThread; ++t)
    features.push_back(add(lane, index(t * kLanes)));
  SmallVector<Value> init(perThread + 1, f32(0.0));
  auto sums = scf::ForOp::create(
      b, loc, index(0), partials.splits, one, init,
      [&](OpBuilder &, Location, Value part, ValueRange acc) {
        Value weight = expBelow(stat(part, kMaximum), maximum);
        SmallVector<Value> next = {
            math::FmaOp::create(b, loc, stat(part, kSum), weight, acc[0])};
        for (int64_t t = 0; t < perThread; ++t) {
          Value x = guardedLoad(partials.accumulators,
                                ValueRange{row, head, query, part, features[t]},
                                lessThan(features[t], index(valueDim)));
          next.push_back(math::FmaOp::create(b, loc, x, weight, acc[1 + t]));
        }
        scf::YieldOp::create(b, loc, next);
      });
  SmallVector<Value> accumulators(sums.getResults().drop_front());
  storeResult(
      row, head, query, kvHead, seen, sums.getResult(0), accumulators, features,
      /*storer=*/arith::ConstantOp::create(b, loc, b.getBoolAttr(true)));
}

SmallVector<Value>
AttentionKernelBuilder::meanOfValues(Value row, Value kvHead,
                                     ArrayRef<Value> features) {
  SmallVector<Value> zeros(features.size(), f32(0.0));
  auto mean = scf::ForOp::create(
      b, loc, index(0), keys, index(1), zeros,
      [&](OpBuilder &, Location, Value j, ValueRange acc) {
        SmallVector<Value> next;
        for (auto [t, feature] : llvm::enumerate(features))
          next.push_back(arith::AddFOp::create(
              b, loc, acc[t],
              guardedLoad(v, ValueRange{row, kvHead, j, feature},
                          lessThan(feature, index(valueDim)))));
        scf::YieldOp::create(b, loc, next);
      });
  Value count = arith::UIToFPOp::create(
      b, loc, b.getF32Type(),
      arith::IndexCastUIOp::create(b, loc, b.getI64Type(), keys));
  SmallVector<Value> means;
  for (Value total : mean.getResults())
    means.push_back(arith::DivFOp::create(b, loc, total, count));
  return means;
}

void AttentionKernelBuilder::storeResult(Value row, Value head, Value query,
                                         Value kvHead, Value seen, Value sum,
                                         ArrayRef<Value> accumulators,
                                         ArrayRef<Value> features,
                                         Value storer) {
  // A row with no unmasked key: zeros, or the mean of v over all keys.
  SmallVector<Value> fallback(features.size(), f32(0.0));
  if (op.getMask().getFullyMasked() == xfmr::FullyMaskedPolicy::uniform) {
    auto none = scf::IfOp::create(
        b, loc, TypeRange(SmallVector<Type>(features.size(), b.getF32Type())),
        seen, /*withElseRegion=*/true);
    OpBuilder::InsertionGuard fallbackGuard(b);
    b.setInsertionPointToStart(none.thenBlock());
    scf::YieldOp::create(b, loc, fallback);
    b.setInsertionPointToStart(none.elseBlock());
    scf::YieldOp::create(b, loc, meanOfValues(row, kvHead, features));
    fallback.assign(none.getResults().begin(), none.getResults().end());
  }
  for (auto [t, feature] : llvm::enumerate(features)) {
    auto store = scf::IfOp::create(
        b, loc, both(storer, lessThan(feature, index(valueDim))),
        /*withElseRegion=*/false);
    OpBuilder::InsertionGuard storeGuard(b);
    b.setInsertionPointToStart(store.thenBlock());
    Value normalized = arith::DivFOp::create(b, loc, accumulators[t], sum);
    Value value =
        arith::SelectOp::create(b, loc, seen, normalized, fallback[t]);
    memref::StoreOp::create(b, loc, value, out,
                            ValueRange{row, head, query, feature});
  }
}

struct XfmrGpuAttentionPass
    : xfmr::cuda::impl::XfmrGpuAttentionBase<XfmrGpuAttentionPass> {
  void runOnOperation() override {
    SmallVector<xfmr::FusedAttentionOp> found;
    getOperation().walk(
        [&](xfmr::FusedAttentionOp op) { found.push_back(op); });
    IRRewriter rewriter(&getContext());
    for (xfmr::FusedAttentionOp op : found) {
      rewriter.setInsertionPoint(op);
      Value result = AttentionKernelBuilder(rewriter, op.getLoc(), op).build();
      rewriter.replaceOp(op, result);
      ++numKernels;
    }
  }
};
} // namespace
