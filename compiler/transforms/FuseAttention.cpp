//===- FuseAttention.cpp - Q·Kᵀ → masked softmax → ·V ⇒ fused_attention --===//
//
// Unfused, attention writes and reads the [b, h, q, k] scores twice (the
// scores, the probabilities) and multiplies padded keys' values by a zero
// probability, which lets a NaN there through. The fused op computes the
// same context with an online softmax over key tiles and never reads a
// masked key.
//
//===----------------------------------------------------------------------===//
#include "compiler/transforms/Passes.h"
#include "dialect/XfmrOps.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace xfmr {
#define GEN_PASS_DEF_XFMRFUSEATTENTION
#include "compiler/transforms/Passes.h.inc"
} // namespace xfmr

using namespace mlir;
using namespace xfmr;

namespace {
/// Whether `value` is a rank-4 tensor with a static last dimension: the
/// fused op's tiles are [rows, head_dim].
bool isHeadTensor(Value value) {
  auto type = cast<RankedTensorType>(value.getType());
  return type.getRank() == 4 && !ShapedType::isDynamic(type.getDimSize(3));
}

/// What the softmax between the two products adds to the scores.
struct SoftmaxTerms {
  Value scores;
  Value keyPadding;
  Value bias;
  FloatAttr scale;
  MaskAttr mask;
  UnitAttr causal;
};

/// The softmax over keys that produces `probs`: a masked softmax, or a plain
/// softmax (scale 1, nothing masked).
FailureOr<SoftmaxTerms> matchSoftmax(Value probs, PatternRewriter &rewriter) {
  Operation *def = probs.getDefiningOp();
  if (!def || !def->hasOneUse())
    return failure();
  if (auto masked = dyn_cast<MaskedSoftmaxOp>(def))
    return SoftmaxTerms{masked.getScores(), masked.getKeyPadding(),
                        masked.getBias(),   masked.getScaleAttr(),
                        masked.getMask(),   masked.getCausalAttr()};
  auto softmax = dyn_cast<SoftmaxOp>(def);
  if (!softmax || softmax.getType().getRank() != 4 ||
      softmax.getNormalizedAxis() != 3)
    return failure();
  return SoftmaxTerms{softmax.getInput(),
                      Value(),
                      Value(),
                      rewriter.getF32FloatAttr(1.0f),
                      MaskAttr::getDefault(rewriter.getContext()),
                      UnitAttr()};
}

/// context = softmax(terms(Q·Kᵀ))·V, rooted at the second product.
struct FuseAttention : OpRewritePattern<MatmulOp> {
  FuseAttention(MLIRContext *context, llvm::Statistic &counter)
      : OpRewritePattern(context), counter(counter) {}

  LogicalResult matchAndRewrite(MatmulOp op,
                                PatternRewriter &rewriter) const override {
    // An output scale (a classic dropout folded in) has no place in the
    // fused op; scaling V instead would round differently.
    if (op.getTransposeRhs() || op.getScale() || !isHeadTensor(op.getRhs()))
      return rewriter.notifyMatchFailure(op, "not probabilities · V");
    FailureOr<SoftmaxTerms> terms = matchSoftmax(op.getLhs(), rewriter);
    if (failed(terms))
      return rewriter.notifyMatchFailure(op, "lhs is not a softmax over keys "
                                             "used only here");
    auto scores = terms->scores.getDefiningOp<MatmulOp>();
    if (!scores || !scores->hasOneUse() || !scores.getTransposeRhs() ||
        scores.getScale() || !isHeadTensor(scores.getLhs()) ||
        !isHeadTensor(scores.getRhs()))
      return rewriter.notifyMatchFailure(op, "scores are not an unscaled Q·Kᵀ "
                                             "used only by the softmax");
    rewriter.replaceOpWithNewOp<FusedAttentionOp>(
        op, op.getType(), scores.getLhs(), scores.getRhs(), op.getRhs(),
        terms->keyPadding, terms->bias, terms->scale, terms->mask,
        terms->causal);
    ++counter;
    return success();
  }

  llvm::Statistic &counter;
};

struct XfmrFuseAttentionPass
    : xfmr::impl::XfmrFuseAttentionBase<XfmrFuseAttentionPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FuseAttention>(&getContext(), numFused);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
