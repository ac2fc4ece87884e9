//===- Decompose.cpp - block-level xfmr ops into primitives --------------===//
//
// Importers speak in blocks (attention, FFN) because that is how models are
// described; fusions and lowerings speak in primitives. This pass is the one
// place where the meaning of a block is spelled out.
//
//===----------------------------------------------------------------------===//
#include "compiler/transforms/Passes.h"
#include "dialect/XfmrOps.h"

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
    RankedTensorType io = op.getInput().getType();
    int64_t batch = io.getDimSize(0), seq = io.getDimSize(1);
    int64_t heads = op.getNumHeads(), headDim = io.getDimSize(2) / heads;
    Type f32 = io.getElementType();
    auto headsType = RankedTensorType::get({batch, heads, seq, headDim}, f32);
    auto scoresType = RankedTensorType::get({batch, heads, seq, seq}, f32);

    auto project = [&](Value weight, Value bias) -> Value {
      Value proj = LinearOp::create(rewriter, loc, io, op.getInput(), weight,
                                    bias, /*scale=*/FloatAttr());
      return SplitHeadsOp::create(rewriter, loc, headsType, proj,
                                  rewriter.getI64IntegerAttr(heads));
    };
    Value q = project(op.getWq(), op.getBq());
    Value k = project(op.getWk(), op.getBk());
    Value v = project(op.getWv(), op.getBv());

    Value scores = MatmulOp::create(rewriter, loc, scoresType, q, k,
                                    rewriter.getUnitAttr(), FloatAttr());
    scores = ScaleOp::create(rewriter, loc, scores, op.getScaleAttr());
    if (Value mask = op.getMask())
      scores = AddOp::create(rewriter, loc, scoresType, scores, mask);
    if (op.getCausal()) {
      auto causalType = RankedTensorType::get({1, 1, seq, seq}, f32);
      Value causal = CausalMaskOp::create(rewriter, loc, causalType, scores);
      scores = AddOp::create(rewriter, loc, scoresType, scores, causal);
    }
    Value probs = SoftmaxOp::create(rewriter, loc, scores);
    if (!op.getDropoutRate().isZero())
      probs = DropoutOp::create(rewriter, loc, probs, op.getDropoutRateAttr(),
                                op.getDropoutModeAttr());
    Value context =
        MatmulOp::create(rewriter, loc, headsType, probs, v, UnitAttr(),
                         FloatAttr());
    Value merged = MergeHeadsOp::create(rewriter, loc, io, context);
    rewriter.replaceOpWithNewOp<LinearOp>(op, io, merged, op.getWo(),
                                          op.getBo(), FloatAttr());
    ++counter;
    return success();
  }

  llvm::Statistic &counter;
};

struct DecomposeFFN : OpRewritePattern<FFNOp> {
  DecomposeFFN(MLIRContext *context, llvm::Statistic &counter)
      : OpRewritePattern(context), counter(counter) {}

  LogicalResult matchAndRewrite(FFNOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType io = op.getInput().getType();
    SmallVector<int64_t> innerShape(io.getShape());
    innerShape.back() = op.getW1().getType().getDimSize(0);
    auto innerType = RankedTensorType::get(innerShape, io.getElementType());

    Value inner = LinearOp::create(rewriter, loc, innerType, op.getInput(),
                                   op.getW1(), op.getB1(), FloatAttr());
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
    }
    rewriter.replaceOpWithNewOp<LinearOp>(op, io, inner, op.getW2(),
                                          op.getB2(), FloatAttr());
    ++counter;
    return success();
  }

  llvm::Statistic &counter;
};

struct XfmrDecomposePass
    : xfmr::impl::XfmrDecomposeBase<XfmrDecomposePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<DecomposeAttention>(&getContext(), numAttention);
    patterns.add<DecomposeFFN>(&getContext(), numFFN);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
