//===- FuseMaskedSoftmax.cpp - scale + masks + softmax → masked_softmax ---===//
//
// Attention's softmax input is built by a chain of cheap ops (scale, mask
// adds) that each read and write a [b, h, q, k] tensor. Folding the chain
// into the softmax kernel removes those passes, and lets the masks be
// generated from indices instead of read from memory.
//
//===----------------------------------------------------------------------===//
#include "compiler/transforms/Passes.h"
#include "dialect/XfmrOps.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace xfmr {
#define GEN_PASS_DEF_XFMRFUSEMASKEDSOFTMAX
#include "compiler/transforms/Passes.h.inc"
} // namespace xfmr

using namespace mlir;
using namespace xfmr;

namespace {
/// What the chain between the scores and the softmax amounts to.
struct MaskedScores {
  Value scores;
  double scale = 1.0;
  /// Scales met so far (walking from the softmax towards the scores) apply
  /// to any bias found further in, which the fused op cannot express.
  bool scaledAbove = false;
  PaddingMaskOp padding;
  bool causal = false;
  Value bias;
  /// Scale ops on a matmul operand to bypass: (matmul, operand index).
  SmallVector<std::pair<MatmulOp, unsigned>> operandScales;
  /// A matmul whose output scale is taken over.
  MatmulOp scaledMatmul;
};

/// Whether a [.., 1, ..] mask broadcasts to `scores`.
bool broadcastsTo(Value mask, RankedTensorType scores) {
  auto type = cast<RankedTensorType>(mask.getType());
  if (type.getRank() != scores.getRank())
    return false;
  for (auto [dim, full] : llvm::zip(type.getShape(), scores.getShape()))
    if (dim != 1 && dim != full)
      return false;
  return true;
}

/// Takes `mask` into `chain`: a padding or causal mask becomes an attribute
/// or operand of the fused op, anything else the additive bias.
LogicalResult absorbMask(Value mask, RankedTensorType scoresType,
                         MaskedScores &chain) {
  if (!broadcastsTo(mask, scoresType))
    return failure();
  if (auto padding = mask.getDefiningOp<PaddingMaskOp>()) {
    // The fused kernel yields the mask's fully_masked policy for a fully
    // padded row; fuse only where the unfused softmax(x + fill) yields the
    // same: zeros under -inf, a uniform row under the lowest f32. A finite
    // value fill gives neither.
    MaskAttr policy = padding.getMask();
    bool exact = (policy.getFill() == MaskFillKind::neg_inf &&
                  policy.getFullyMasked() == FullyMaskedPolicy::zero) ||
                 (policy.getFill() == MaskFillKind::lowest &&
                  policy.getFullyMasked() == FullyMaskedPolicy::uniform);
    if (chain.padding || !exact)
      return failure();
    chain.padding = padding;
    return success();
  }
  if (mask.getDefiningOp<CausalMaskOp>()) {
    if (chain.causal)
      return failure();
    chain.causal = true;
    return success();
  }
  if (chain.bias || chain.scaledAbove)
    return failure();
  chain.bias = mask;
  return success();
}

/// Walks from the softmax input towards the scores, collecting the chain.
FailureOr<MaskedScores> matchChain(Value input) {
  MaskedScores chain;
  auto scoresType = cast<RankedTensorType>(input.getType());
  Value current = input;
  while (true) {
    Operation *def = current.getDefiningOp();
    if (!def || !def->hasOneUse())
      break;
    if (auto scale = dyn_cast<ScaleOp>(def)) {
      chain.scale *= scale.getFactor().convertToDouble();
      chain.scaledAbove = true;
      current = scale.getInput();
      continue;
    }
    if (auto add = dyn_cast<AddOp>(def)) {
      // The scores side has the full type; the other side is the mask.
      Value lhs = add.getLhs(), rhs = add.getRhs();
      bool lhsFull = lhs.getType() == scoresType;
      Value next = lhsFull ? lhs : rhs;
      Value mask = lhsFull ? rhs : lhs;
      if (next.getType() != scoresType ||
          failed(absorbMask(mask, scoresType, chain)))
        return failure();
      current = next;
      continue;
    }
    if (auto matmul = dyn_cast<MatmulOp>(def)) {
      if (matmul.getScale()) {
        chain.scale *= matmul.getScale()->convertToDouble();
        chain.scaledMatmul = matmul;
      }
      // Scaling Q (or K) before Q·Kᵀ scales the scores.
      for (unsigned i = 0; i < 2; ++i)
        if (auto scale = matmul->getOperand(i).getDefiningOp<ScaleOp>())
          if (scale->hasOneUse()) {
            chain.scale *= scale.getFactor().convertToDouble();
            chain.operandScales.push_back({matmul, i});
          }
      break;
    }
    break;
  }
  chain.scores = current;
  // Under the lowest fill a fully padded row is uniform over the keys that no
  // other term sets to -inf (a causal mask's future keys, -inf in a bias),
  // while `uniform` spreads over every key: exact only for padding alone.
  if (chain.padding &&
      chain.padding.getMask().getFill() == MaskFillKind::lowest &&
      (chain.causal || chain.bias))
    return failure();
  bool fusesSomething =
      chain.padding || chain.causal || chain.bias || chain.scale != 1.0;
  if (!fusesSomething)
    return failure();
  return chain;
}

struct FuseMaskedSoftmax : OpRewritePattern<SoftmaxOp> {
  FuseMaskedSoftmax(MLIRContext *context, llvm::Statistic &counter)
      : OpRewritePattern(context), counter(counter) {}

  LogicalResult matchAndRewrite(SoftmaxOp op,
                                PatternRewriter &rewriter) const override {
    RankedTensorType type = op.getType();
    if (type.getRank() != 4 || op.getNormalizedAxis() != 3)
      return rewriter.notifyMatchFailure(op, "not a softmax over keys");
    FailureOr<MaskedScores> chain = matchChain(op.getInput());
    if (failed(chain))
      return rewriter.notifyMatchFailure(op, "no fusable scale/mask chain");

    MLIRContext *ctx = rewriter.getContext();
    MaskAttr mask = MaskAttr::getDefault(ctx);
    Value keyPadding;
    if (PaddingMaskOp padding = chain->padding) {
      keyPadding = padding.getPadding();
      mask = padding.getMask();
    }
    for (auto [matmul, index] : chain->operandScales) {
      Value unscaled =
          matmul->getOperand(index).getDefiningOp<ScaleOp>().getInput();
      rewriter.modifyOpInPlace(matmul,
                               [&] { matmul->setOperand(index, unscaled); });
    }
    if (MatmulOp matmul = chain->scaledMatmul)
      rewriter.modifyOpInPlace(matmul, [&] { matmul.removeScaleAttr(); });
    rewriter.replaceOpWithNewOp<MaskedSoftmaxOp>(
        op, type, chain->scores, keyPadding, chain->bias,
        rewriter.getF32FloatAttr(chain->scale), mask,
        chain->causal ? rewriter.getUnitAttr() : UnitAttr());
    ++counter;
    return success();
  }

  llvm::Statistic &counter;
};

struct XfmrFuseMaskedSoftmaxPass
    : xfmr::impl::XfmrFuseMaskedSoftmaxBase<XfmrFuseMaskedSoftmaxPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FuseMaskedSoftmax>(&getContext(), numFused);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
