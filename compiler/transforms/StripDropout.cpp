//===- StripDropout.cpp - dropout at inference ----------------------------===//
//
// Dropout is kept in the IR up to here so that its training-time convention
// decides what it means at inference: inverted dropout already rescaled
// during training and is the identity; classic dropout did not, and becomes
// a scale by (1 - p), folded into the output scale of the linear or matmul
// next to it where that is exact.
//
//===----------------------------------------------------------------------===//
#include "compiler/transforms/Passes.h"
#include "dialect/XfmrOps.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace xfmr {
#define GEN_PASS_DEF_XFMRSTRIPDROPOUT
#include "compiler/transforms/Passes.h.inc"
} // namespace xfmr

using namespace mlir;
using namespace xfmr;

namespace {
/// Multiplies the output scale of a linear or matmul by `factor`.
template <typename OpTy>
void multiplyScale(OpTy op, float factor, RewriterBase &rewriter) {
  float current = op.getScale() ? op.getScale()->convertToFloat() : 1.0f;
  rewriter.modifyOpInPlace(
      op, [&] { op.setScaleAttr(rewriter.getF32FloatAttr(current * factor)); });
}

/// Folds a scale by `keep` on `dropout`'s value into a neighbour, if one can
/// take it exactly: the producer when the dropout is its only user (the
/// whole output, bias included, is scaled), or a consumer matmul (no bias:
/// scaling an operand scales the product).
bool foldIntoNeighbour(DropoutOp dropout, float keep, RewriterBase &rewriter) {
  Operation *producer = dropout.getInput().getDefiningOp();
  if (producer && producer->hasOneUse()) {
    if (auto linear = dyn_cast<LinearOp>(producer)) {
      multiplyScale(linear, keep, rewriter);
      return true;
    }
    if (auto matmul = dyn_cast<MatmulOp>(producer)) {
      multiplyScale(matmul, keep, rewriter);
      return true;
    }
  }
  if (dropout->hasOneUse())
    if (auto matmul = dyn_cast<MatmulOp>(*dropout->user_begin())) {
      multiplyScale(matmul, keep, rewriter);
      return true;
    }
  return false;
}

/// A classic dropout is a scale by the keep probability: folded into a
/// neighbour where exact, an xfmr.scale otherwise. (Inverted dropout and rate
/// 0 are identities the op's folder removes.)
struct ClassicDropoutToScale : OpRewritePattern<DropoutOp> {
  ClassicDropoutToScale(MLIRContext *context, llvm::Statistic &folded,
                        llvm::Statistic &scaled)
      : OpRewritePattern(context), folded(folded), scaled(scaled) {}

  LogicalResult matchAndRewrite(DropoutOp op,
                                PatternRewriter &rewriter) const override {
    if (op.getMode() != DropoutKind::classic || op.getRate().isZero())
      return failure();
    float keep = 1.0f - op.getRate().convertToFloat();
    if (foldIntoNeighbour(op, keep, rewriter)) {
      rewriter.replaceOp(op, op.getInput());
      ++folded;
      return success();
    }
    rewriter.replaceOpWithNewOp<ScaleOp>(op, op.getInput(),
                                         rewriter.getF32FloatAttr(keep));
    ++scaled;
    return success();
  }

  llvm::Statistic &folded, &scaled;
};

struct XfmrStripDropoutPass
    : xfmr::impl::XfmrStripDropoutBase<XfmrStripDropoutPass> {
  void runOnOperation() override {
    // Counted before the greedy driver folds them away silently.
    getOperation().walk([&](DropoutOp op) {
      if (op.getMode() == DropoutKind::inverted || op.getRate().isZero())
        ++numRemoved;
    });
    RewritePatternSet patterns(&getContext());
    patterns.add<ClassicDropoutToScale>(&getContext(), numFolded, numScaled);
    // Only the given patterns and the folders: this pass gives dropout its
    // meaning, the canonicalizer runs elsewhere.
    GreedyRewriteConfig config;
    config.setRegionSimplificationLevel(GreedySimplifyRegionLevel::Disabled);
    if (failed(
            applyPatternsGreedily(getOperation(), std::move(patterns), config)))
      signalPassFailure();
  }
};
} // namespace
