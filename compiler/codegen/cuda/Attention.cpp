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

class AttentionKernelBuilder {
public:
  AttentionKernelBuilder(OpBuilder &b, Location loc, xfmr::FusedAttentionOp op)
      : b(b), loc(loc), op(op) {}

  /// The result, computed into a new buffer by one kernel.
  Value build();

private:
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
  Value dim(Value memref, int64_t i) {
    return memref::DimOp::create(b, loc, memref, i);
  }
  Value asBuffer(Value tensor) { return readOnlyBuffer(b, loc, tensor); }
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
};

Value AttentionKernelBuilder::build() {
  auto qType = cast<RankedTensorType>(op.getQ().getType());
  auto vType = cast<RankedTensorType>(op.getV().getType());
  int64_t headDim = qType.getDimSize(3), valueDim = vType.getDimSize(3);
  int64_t perLaneQ = (headDim + kStreamLanes - 1) / kStreamLanes;
  int64_t perLaneV = (valueDim + kStreamLanes - 1) / kStreamLanes;

  Value q = asBuffer(op.getQ()), k = asBuffer(op.getK()),
        v = asBuffer(op.getV());
  Value padding = op.getKeyPadding() ? asBuffer(op.getKeyPadding()) : Value();
  Value bias = op.getBias() ? asBuffer(op.getBias()) : Value();
  Value batch = dim(q, 0), heads = dim(q, 1), queries = dim(q, 2);
  Value keys = dim(k, 2);
  Value group =
      arith::DivUIOp::create(b, loc, heads, dim(k, 1)); // query heads per K/V
  auto resultType = cast<RankedTensorType>(op.getType());
  SmallVector<Value> dynamicSizes;
  for (int64_t d = 0; d < resultType.getRank(); ++d)
    if (resultType.isDynamicDim(d))
      dynamicSizes.push_back(d == 3 ? dim(v, 3) : dim(q, d));
  Value out = memref::AllocOp::create(
      b, loc,
      MemRefType::get(resultType.getShape(), resultType.getElementType()),
      dynamicSizes);

  Value one = index(1);
  auto launch = gpu::LaunchOp::create(
      b, loc, arith::CeilDivUIOp::create(b, loc, queries, index(kQueries)),
      heads, batch, index(kLanes), index(kQueries), one);
  OpBuilder::InsertionGuard guard(b);
  xfmr::cuda::enterKernel(b, loc, launch);

  Value lane = launch.getThreadIds().x;
  Value query = add(mul(launch.getBlockIds().x, index(kQueries)),
                    launch.getThreadIds().y);
  Value head = launch.getBlockIds().y, row = launch.getBlockIds().z;
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
  auto guardedLoad = [&](Value memref, ValueRange indices, Value inBounds) {
    return xfmr::cuda::loadOrZero(b, loc, memref, indices, inBounds);
  };
  SmallVector<Value> qv;
  for (int64_t t = 0; t < perLaneQ; ++t)
    qv.push_back(guardedLoad(q, ValueRange{row, head, query, feature(t)},
                             lessThan(feature(t), index(headDim))));

  // With `causal`, key j is masked when j > query + keys - queries: the
  // loop ends at the diagonal (never below 0, never past the keys).
  Value end = keys;
  if (op.getCausal()) {
    Value diagonal =
        arith::SubIOp::create(b, loc, add(add(query, keys), one), queries);
    Value positive = arith::MaxSIOp::create(b, loc, diagonal, index(0));
    end = arith::MinUIOp::create(b, loc, positive, keys);
  }
  Value negInf = f32(-std::numeric_limits<double>::infinity());
  SmallVector<Value> init = {
      negInf, f32(0.0),
      arith::ConstantOp::create(b, loc, b.getBoolAttr(false))};
  for (int64_t t = 0; t < perLaneV; ++t)
    init.push_back(f32(0.0));
  float scale = op.getScale().convertToFloat();

  // Step s visits key 4 s + stream in each stream. Every lane runs every
  // step (the shuffles need the whole warp); a key past the end or masked
  // leaves its stream's state as it was.
  Value steps = arith::CeilDivUIOp::create(b, loc, end, index(kStreams));
  auto keysLoop = scf::ForOp::create(
      b, loc, index(0), steps, one, init,
      [&](OpBuilder &, Location, Value step, ValueRange state) {
        Value j = add(mul(step, index(kStreams)), stream);
        Value valid = lessThan(j, end);
        Value unmasked = valid;
        if (padding) {
          Value flag = guardedLoad(padding, ValueRange{row, j}, valid);
          unmasked = arith::CmpIOp::create(
              b, loc, arith::CmpIPredicate::ne, flag,
              arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(0)));
        }
        Value partial = f32(0.0);
        for (int64_t t = 0; t < perLaneQ; ++t) {
          Value kt = guardedLoad(
              k, ValueRange{row, kvHead, j, feature(t)},
              arith::AndIOp::create(b, loc, valid,
                                    lessThan(feature(t), index(headDim))));
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
        Value maximum = state[0], sum = state[1];
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
            arith::OrIOp::create(b, loc, state[2], unmasked)};
        for (int64_t t = 0; t < perLaneV; ++t) {
          Value vt = guardedLoad(
              v, ValueRange{row, kvHead, j, feature(t)},
              arith::AndIOp::create(b, loc, unmasked,
                                    lessThan(feature(t), index(valueDim))));
          Value scaled = arith::MulFOp::create(b, loc, state[3 + t], rescale);
          next.push_back(
              keep(math::FmaOp::create(b, loc, p, vt, scaled), state[3 + t]));
        }
        scf::YieldOp::create(b, loc, next);
      });

  // The four streams' states merged across the warp (lanes 8 and 16 apart
  // hold the same features), rescaled to their common maximum.
  SmallVector<Value> merged(keysLoop.getResults().begin(),
                            keysLoop.getResults().end());
  for (int64_t offset = kStreamLanes; offset < kLanes; offset *= 2) {
    Value maximum = merged[0], other = fromLane(maximum, offset);
    Value newMaximum = arith::MaximumFOp::create(b, loc, maximum, other);
    Value mine = expBelow(maximum, newMaximum),
          theirs = expBelow(other, newMaximum);
    auto combine = [&](Value x) {
      return math::FmaOp::create(b, loc, fromLane(x, offset), theirs,
                                 arith::MulFOp::create(b, loc, x, mine))
          .getResult();
    };
    Value seenHere =
        arith::SelectOp::create(b, loc, merged[2], f32(1.0), f32(0.0));
    Value seenThere = fromLane(seenHere, offset);
    SmallVector<Value> next = {
        newMaximum, combine(merged[1]),
        arith::OrIOp::create(b, loc, merged[2],
                             arith::CmpFOp::create(b, loc,
                                                   arith::CmpFPredicate::OGT,
                                                   seenThere, f32(0.0)))};
    for (int64_t t = 0; t < perLaneV; ++t)
      next.push_back(combine(merged[3 + t]));
    merged = next;
  }

  // A row with no unmasked key: zeros, or the mean of v over all keys.
  Value seen = merged[2], sum = merged[1];
  bool uniform =
      op.getMask().getFullyMasked() == xfmr::FullyMaskedPolicy::uniform;
  SmallVector<Value> fallback(perLaneV, f32(0.0));
  if (uniform) {
    auto none = scf::IfOp::create(
        b, loc, TypeRange(SmallVector<Type>(perLaneV, b.getF32Type())), seen,
        /*withElseRegion=*/true);
    OpBuilder::InsertionGuard fallbackGuard(b);
    b.setInsertionPointToStart(none.thenBlock());
    scf::YieldOp::create(b, loc, fallback);
    b.setInsertionPointToStart(none.elseBlock());
    auto mean = scf::ForOp::create(
        b, loc, index(0), keys, one, fallback,
        [&](OpBuilder &, Location, Value j, ValueRange acc) {
          SmallVector<Value> next;
          for (int64_t t = 0; t < perLaneV; ++t)
            next.push_back(arith::AddFOp::create(
                b, loc, acc[t],
                guardedLoad(v, ValueRange{row, kvHead, j, feature(t)},
                            lessThan(feature(t), index(valueDim)))));
          scf::YieldOp::create(b, loc, next);
        });
    Value count = arith::UIToFPOp::create(
        b, loc, b.getF32Type(),
        arith::IndexCastUIOp::create(b, loc, b.getI64Type(), keys));
    SmallVector<Value> means;
    for (Value total : mean.getResults())
      means.push_back(arith::DivFOp::create(b, loc, total, count));
    scf::YieldOp::create(b, loc, means);
    fallback.assign(none.getResults().begin(), none.getResults().end());
  }
  // Stream 0's lanes store (all four hold the merged row).
  Value storer = lessThan(lane, index(kStreamLanes));
  for (int64_t t = 0; t < perLaneV; ++t) {
    auto store = scf::IfOp::create(
        b, loc,
        arith::AndIOp::create(b, loc, storer,
                              lessThan(feature(t), index(valueDim))),
        /*withElseRegion=*/false);
    OpBuilder::InsertionGuard storeGuard(b);
    b.setInsertionPointToStart(store.thenBlock());
    Value normalized = arith::DivFOp::create(b, loc, merged[3 + t], sum);
    Value value =
        arith::SelectOp::create(b, loc, seen, normalized, fallback[t]);
    memref::StoreOp::create(b, loc, value, out,
                            ValueRange{row, head, query, feature(t)});
  }
  b.setInsertionPointAfter(launch);
  return resultTensor(b, loc, resultType, out);
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
