//===- Mapping.cpp - parallel loops laid out for the threads of a warp ----===//
#include "compiler/codegen/cuda/Passes.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/PatternMatch.h"

namespace xfmr::cuda {
#define GEN_PASS_DEF_XFMRGPUINNERMOSTFIRST
#include "compiler/codegen/cuda/Passes.h.inc"
} // namespace xfmr::cuda

using namespace mlir;

namespace {
/// `loop` rebuilt with its dimensions in reverse order.
void reverseDimensions(RewriterBase &rewriter, scf::ParallelOp loop) {
  auto reversed = [](ValueRange values) {
    return llvm::to_vector(llvm::reverse(values));
  };
  rewriter.setInsertionPoint(loop);
  auto flipped = scf::ParallelOp::create(
      rewriter, loop.getLoc(), reversed(loop.getLowerBound()),
      reversed(loop.getUpperBound()), reversed(loop.getStep()));
  Block *body = flipped.getBody();
  rewriter.eraseOp(body->getTerminator());
  // Dimension i of the old loop is dimension n - 1 - i of the new one.
  rewriter.mergeBlocks(loop.getBody(), body,
                       reversed(ValueRange(body->getArguments())));
  rewriter.eraseOp(loop);
}

struct XfmrGpuInnermostFirstPass
    : xfmr::cuda::impl::XfmrGpuInnermostFirstBase<XfmrGpuInnermostFirstPass> {
  void runOnOperation() override {
    SmallVector<scf::ParallelOp> outermost;
    getOperation().walk([&](scf::ParallelOp loop) {
      if (loop.getNumLoops() > 1 && loop.getNumResults() == 0 &&
          !loop->getParentOfType<scf::ParallelOp>())
        outermost.push_back(loop);
    });
    IRRewriter rewriter(&getContext());
    for (scf::ParallelOp loop : outermost)
      reverseDimensions(rewriter, loop);
  }
};
} // namespace
