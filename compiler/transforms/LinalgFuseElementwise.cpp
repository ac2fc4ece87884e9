//===- LinalgFuseElementwise.cpp - elementwise fusion, never into loops ---===//
//
// The xfmr lowerings produce chains of elementwise linalg.generic ops (a
// linear's bias epilogue, an activation, a scale) that are cheaper fused.
// Upstream's fusion would also pull them into reductions, where they are
// recomputed once per reduction step; this pass keeps the fusion to
// consumers whose every loop is parallel.
//
//===----------------------------------------------------------------------===//
#include "compiler/transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace xfmr {
#define GEN_PASS_DEF_XFMRLINALGFUSEELEMENTWISE
#include "compiler/transforms/Passes.h.inc"
} // namespace xfmr

using namespace mlir;

namespace {
/// Fuse a single-use producer into an all-parallel consumer only.
bool fuseIntoParallelConsumers(OpOperand *fused) {
  Operation *producer = fused->get().getDefiningOp();
  auto consumer = dyn_cast<linalg::LinalgOp>(fused->getOwner());
  return producer && producer->hasOneUse() && consumer &&
         consumer.getNumLoops() == consumer.getNumParallelLoops();
}

struct XfmrLinalgFuseElementwisePass
    : xfmr::impl::XfmrLinalgFuseElementwiseBase<XfmrLinalgFuseElementwisePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    linalg::populateElementwiseOpsFusionPatterns(patterns,
                                                 fuseIntoParallelConsumers);
    // An activation over [batch, seq, n] of a linear computed over
    // [batch·seq, n] rows joins the linear's epilogue in the rows' shape.
    linalg::populateFoldReshapeOpsByCollapsingPatterns(
        patterns,
        [](OpOperand *fused) { return fuseIntoParallelConsumers(fused); });
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
