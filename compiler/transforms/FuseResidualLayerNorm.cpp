//===- FuseResidualLayerNorm.cpp - add (+ bias) + layer_norm → one op -----===//
//
// Every Transformer layer ends its two sub-blocks with layer_norm(x + f(x)).
// Forming the sum inside the normalisation kernel saves writing and
// re-reading it, and taking the bias of the linear that computed f(x) along
// saves the matmul's bias pass too.
//
//===----------------------------------------------------------------------===//
#include "compiler/transforms/Passes.h"
#include "dialect/XfmrOps.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace xfmr {
#define GEN_PASS_DEF_XFMRFUSERESIDUALLAYERNORM
#include "compiler/transforms/Passes.h.inc"
} // namespace xfmr

using namespace mlir;
using namespace xfmr;

namespace {
/// A linear whose bias can move into the fused op: used only by the add,
/// with a bias and no output scale (which would apply to the bias too).
LinearOp biasDonor(Value addend) {
  auto linear = addend.getDefiningOp<LinearOp>();
  if (!linear || !linear->hasOneUse() || !linear.getBias() || linear.getScale())
    return {};
  return linear;
}

struct FuseResidualLayerNorm : OpRewritePattern<LayerNormOp> {
  FuseResidualLayerNorm(MLIRContext *context, llvm::Statistic &fused,
                        llvm::Statistic &biasFolded)
      : OpRewritePattern(context), fused(fused), biasFolded(biasFolded) {}

  LogicalResult matchAndRewrite(LayerNormOp op,
                                PatternRewriter &rewriter) const override {
    RankedTensorType type = op.getType();
    if (op.getNormalizedAxis() != type.getRank() - 1)
      return rewriter.notifyMatchFailure(op, "not over the last dimension");
    auto add = op.getInput().getDefiningOp<AddOp>();
    if (!add)
      return rewriter.notifyMatchFailure(op, "input is not a sum");
    Value lhs = add.getLhs(), rhs = add.getRhs();
    if (lhs.getType() != type || rhs.getType() != type)
      return rewriter.notifyMatchFailure(op, "the sum broadcasts");

    // The sub-block's output is the input, the skip connection the residual.
    Value input = lhs, residual = rhs;
    LinearOp donor = biasDonor(lhs);
    if (!donor && (donor = biasDonor(rhs)))
      std::swap(input, residual);

    Value bias;
    if (donor) {
      bias = donor.getBias();
      rewriter.setInsertionPoint(donor);
      input = LinearOp::create(rewriter, donor.getLoc(), donor.getType(),
                               donor.getInput(), donor.getWeight(), Value(),
                               FloatAttr());
      rewriter.replaceOp(donor, input);
      ++biasFolded;
    }
    rewriter.setInsertionPoint(op);
    auto fusedOp = ResidualLayerNormOp::create(
        rewriter, op.getLoc(), type, type, input, residual, bias, op.getGamma(),
        op.getBeta(), op.getEpsAttr());
    // Pre-LN: the sum is also the next residual.
    rewriter.replaceAllUsesExcept(add, fusedOp.getSum(), op);
    rewriter.replaceOp(op, fusedOp.getResult());
    ++fused;
    return success();
  }

  llvm::Statistic &fused;
  llvm::Statistic &biasFolded;
};

struct XfmrFuseResidualLayerNormPass
    : xfmr::impl::XfmrFuseResidualLayerNormBase<XfmrFuseResidualLayerNormPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FuseResidualLayerNorm>(&getContext(), numFused, numBiasFolded);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
