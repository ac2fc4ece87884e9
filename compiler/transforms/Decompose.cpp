//===- Decompose.cpp - block-level xfmr ops into primitives --------------===//
//
// Importers speak in blocks (attention, FFN) because that is how models are
// described; fusions and lowerings speak in primitives. This pass is the one
// place where the meaning of a block is spelled out.
//
//===----------------------------------------------------------------------===//
#include "compiler/transforms/Passes.h"
#include "dialect/XfmrOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace xfmr {
#define GEN_PASS_DEF_XFMRDECOMPOSE
#include "compiler/transforms/Passes.h.inc"
} // namespace xfmr

using namespace mlir;
using namespace xfmr;

namespace {
struct DecomposeAttention : OpRewritePattern<AttentionOp> {
  DecomposeAttention(MLIRContext *context, llvm::Statistic &counter)
      : OpRewritePattern(context), counter(counter) {}

  LogicalResult matchAndRewrite(AttentionOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    int64_t heads = op.getNumHeads();
    // Every result type below is inferred from the operands (the ops'
    // InferTypeOpInterface): the verifiers already know them.
    auto project = [&](Value weight, Value bias, int64_t numHeads) -> Value {
      Value proj = LinearOp::create(rewriter, loc, op.getInput(), weight, bias,
                                    /*scale=*/FloatAttr());
      return SplitHeadsOp::create(rewriter, loc, proj,
                                  rewriter.getI64IntegerAttr(numHeads));
    };
    // K and V keep their own (maybe fewer) heads: the products below read a
    // K/V head for each group of query heads.
    int64_t kvHeads = op.getKeyValueHeads();
    Value q = project(op.getWq(), op.getBq(), heads);
    Value k = project(op.getWk(), op.getBk(), kvHeads);
    Value v = project(op.getWv(), op.getBv(), kvHeads);
    if (RotaryAttr rotary = op.getRotaryAttr()) {
      q = RotaryOp::create(rewriter, loc, q.getType(), q, op.getPositions(),
                           rotary);
      k = RotaryOp::create(rewriter, loc, k.getType(), k, op.getPositions(),
                           rotary);
    }

    Value updatedCache;
    if (Value cache = op.getCache())
      std::tie(k, v, updatedCache) =
          appendToCache(rewriter, loc, cache, k, v, op.getMask());

    Value products = MatmulOp::create(rewriter, loc, q, k,
                                      rewriter.getUnitAttr(), FloatAttr());
    Value scores = ScaleOp::create(rewriter, loc, products, op.getScaleAttr());
    if (Value bias = op.getScoreBias())
      scores = AddOp::create(rewriter, loc, scores, bias);
    if (Value mask = op.getMask())
      scores = AddOp::create(rewriter, loc, scores, mask);
    if (op.getCausal()) {
      // The mask takes only the scores' sizes, from the products: the chain
      // of scale and masks keeps one use per link for the fusions.
      Value causal = CausalMaskOp::create(rewriter, loc, products);
      scores = AddOp::create(rewriter, loc, scores, causal);
    }
    Value probs = SoftmaxOp::create(rewriter, loc, scores);
    if (!op.getDropoutRate().isZero())
      probs = DropoutOp::create(rewriter, loc, probs, op.getDropoutRateAttr(),
                                op.getDropoutModeAttr());
    Value context =
        MatmulOp::create(rewriter, loc, probs, v, UnitAttr(), FloatAttr());
    Value merged = MergeHeadsOp::create(rewriter, loc, context);
    SmallVector<Value> results = {LinearOp::create(
        rewriter, loc, merged, op.getWo(), op.getBo(), FloatAttr())};
    if (updatedCache)
      results.push_back(updatedCache);
    rewriter.replaceOp(op, results);
    ++counter;
    return success();
  }

  /// Writes the new tokens' `k` and `v` ([b, kv_heads, seq, head_dim]) to
  /// the cache's slots [kv_len - seq, kv_len), kv_len the key count of
  /// `mask`, and returns the keys and values of slots [0, kv_len) and the
  /// updated cache.
  static std::tuple<Value, Value, Value>
  appendToCache(PatternRewriter &rewriter, Location loc, Value cache, Value k,
                Value v, Value mask) {
    auto dim = [&](Value value, int64_t i) {
      return tensor::getMixedSize(rewriter, loc, value, i);
    };
    OpFoldResult batch = dim(k, 0), seq = dim(k, 2), kvLen = dim(mask, 3);
    auto kType = cast<RankedTensorType>(k.getType());
    OpFoldResult heads = rewriter.getIndexAttr(kType.getDimSize(1));
    OpFoldResult headDim = rewriter.getIndexAttr(kType.getDimSize(3));
    OpFoldResult zero = rewriter.getIndexAttr(0),
                 one = rewriter.getIndexAttr(1);
    Value slot = arith::SubIOp::create(
        rewriter, loc, getValueOrCreateConstantIndexOp(rewriter, loc, kvLen),
        getValueOrCreateConstantIndexOp(rewriter, loc, seq));
    SmallVector<OpFoldResult> strides(5, one);
    SmallVector<OpFoldResult> newSizes = {one, batch, heads, seq, headDim};
    Value updated = cache;
    Value newKeysAndValues[] = {k, v};
    for (auto [which, value] : llvm::enumerate(newKeysAndValues)) {
      SmallVector<OpFoldResult> offsets = {rewriter.getIndexAttr(which), zero,
                                           zero, slot, zero};
      updated = tensor::InsertSliceOp::create(rewriter, loc, value, updated,
                                              offsets, newSizes, strides);
    }
    SmallVector<OpFoldResult> readSizes = {one, batch, heads, kvLen, headDim};
    auto type =
        RankedTensorType::get({kType.getDimSize(0), kType.getDimSize(1),
                               ShapedType::kDynamic, kType.getDimSize(3)},
                              kType.getElementType());
    auto read = [&](int64_t which) -> Value {
      SmallVector<OpFoldResult> offsets = {rewriter.getIndexAttr(which), zero,
                                           zero, zero, zero};
      return tensor::ExtractSliceOp::create(rewriter, loc, type, updated,
                                            offsets, readSizes, strides);
    };
    return {read(0), read(1), updated};
  }

  llvm::Statistic &counter;
};

struct DecomposeFFN : OpRewritePattern<FFNOp> {
  DecomposeFFN(MLIRContext *context, llvm::Statistic &counter)
      : OpRewritePattern(context), counter(counter) {}

  LogicalResult matchAndRewrite(FFNOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value up = LinearOp::create(rewriter, loc, op.getInput(), op.getW1(),
                                op.getB1(), FloatAttr());
    // Gated: act(x·Wgᵀ + bg) ⊙ (x·W1ᵀ + b1); else act(x·W1ᵀ + b1).
    Value inner = up;
    if (Value gate = op.getWg())
      inner = LinearOp::create(rewriter, loc, op.getInput(), gate, op.getBg(),
                               FloatAttr());
    switch (op.getActivation()) {
    case ActivationKind::gelu:
      inner = GeluOp::create(rewriter, loc, inner, UnitAttr());
      break;
    case ActivationKind::gelu_tanh:
      inner = GeluOp::create(rewriter, loc, inner, rewriter.getUnitAttr());
      break;
    case ActivationKind::relu:
      inner = ReluOp::create(rewriter, loc, inner);
      break;
    case ActivationKind::silu:
      inner = SiluOp::create(rewriter, loc, inner);
      break;
    }
    if (op.getWg())
      inner = MulOp::create(rewriter, loc, inner, up);
    rewriter.replaceOpWithNewOp<LinearOp>(op, inner, op.getW2(), op.getB2(),
                                          FloatAttr());
    ++counter;
    return success();
  }

  llvm::Statistic &counter;
};

struct XfmrDecomposePass : xfmr::impl::XfmrDecomposeBase<XfmrDecomposePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<DecomposeAttention>(&getContext(), numAttention);
    patterns.add<DecomposeFFN>(&getContext(), numFFN);
    // Spell out the blocks and nothing else: folding (dropout at inference,
    // scales by 1) is for xfmr-strip-dropout and the canonicalizer.
    GreedyRewriteConfig config;
    config.enableFolding(false).enableConstantCSE(false);
    if (failed(
            applyPatternsGreedily(getOperation(), std::move(patterns), config)))
      signalPassFailure();
  }
};
} // namespace
